"""The draft check page: paste or upload a draft; nothing is stored or logged."""

from __future__ import annotations

import html
from typing import Any

from flask import Blueprint, request

from kb.ingest.read import ImportProblem, read_draft
from web.render import respond, service, with_urls

bp = Blueprint("check", __name__)

KIND_LABELS = {"limit": "超限", "pattern": "规则", "similar": "相似（参考）"}
MAX_CHARS = 300_000  # a draft longer than this is checked part by part (the check is linear: ~1 s)
SEVERITY_LABELS = {"high": "高", "medium": "中", "low": "低"}


def highlight(text: str, flags: list[dict[str, Any]]) -> str:
    """The draft, escaped, with each flagged sentence wrapped in <mark> (first flag wins)."""
    spans = sorted({(f["start"], f["end"], i) for i, f in enumerate(flags)})
    out, pos = [], 0
    for start, end, i in spans:
        if start < pos:
            continue
        out.append(html.escape(text[pos:start]))
        sev = flags[i]["severity"]
        out.append(
            f'<mark class="sev-{sev}" id="s{i}"><a href="#f{i}">{html.escape(text[start:end])}</a></mark>'
        )
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _read_upload() -> tuple[str, str]:
    """(text, error) from the form: a pasted text, or an uploaded .txt/.docx."""
    upload = request.files.get("file")
    if upload and upload.filename:
        try:
            return read_draft(upload.read(), upload.filename), ""  # in memory, never on disk
        except ImportProblem as e:
            return "", e.message
    return request.form.get("text", ""), ""


@bp.route("/check", methods=["GET", "POST"])
def check():
    data: dict[str, Any] = {"text": "", "error": "", "result": None}
    if request.method == "POST":
        text, error = _read_upload()
        text = text.replace("\r\n", "\n").replace(
            "\r", "\n"
        )  # the browser's line ends: offsets as in kb check
        if not error and len(text) > MAX_CHARS:
            error = f"文稿有 {len(text):,} 字，超过一次检查的上限 {MAX_CHARS:,} 字：请分成几段分别检查"
            text = text[:MAX_CHARS]
        data["text"], data["error"] = text, error
        if not error:
            result = service().check(text)
            for i, f in enumerate(result["flags"]):
                f["n"] = i
                f["kind_label"] = KIND_LABELS[f["kind"]]
                f["severity_label"] = SEVERITY_LABELS.get(f["severity"], f["severity"])
                with_urls(f["provisions"])
                with_urls(f["cases"])
            data["result"] = result
            data["highlighted"] = highlight(text, result["flags"])
            if not result["flags"] and text.strip():
                data["error"] = ""
    return respond("check.html", data, 400 if data["error"] else 200)


bp.add_url_rule("/check.json", "check_json", check, methods=["GET", "POST"])
