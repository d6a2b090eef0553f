"""The draft check page: paste or upload a draft; nothing is stored or logged."""

from __future__ import annotations

import html
from typing import Any

from flask import Blueprint, request, url_for

from kb.ingest.read import ImportProblem, decode_bytes, docx_to_text
from web.render import respond, service

bp = Blueprint("check", __name__)

KIND_LABELS = {"limit": "超限", "pattern": "规则", "similar": "相似（参考）"}
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
        name = upload.filename
        try:
            if name.lower().endswith(".docx"):
                import tempfile
                from pathlib import Path

                with tempfile.TemporaryDirectory() as tmp:  # removed at once: nothing is kept
                    path = Path(tmp) / "draft.docx"
                    upload.save(path)
                    return docx_to_text(path), ""
            text, _ = decode_bytes(upload.read(), name)
            return text, ""
        except ImportProblem as e:
            return "", e.message
    return request.form.get("text", ""), ""


@bp.route("/check", methods=["GET", "POST"])
def check():
    data: dict[str, Any] = {"text": "", "error": "", "result": None}
    if request.method == "POST":
        text, error = _read_upload()
        data["text"], data["error"] = text, error
        if not error:
            result = service().check(text)
            for i, f in enumerate(result["flags"]):
                f["n"] = i
                f["kind_label"] = KIND_LABELS[f["kind"]]
                f["severity_label"] = SEVERITY_LABELS.get(f["severity"], f["severity"])
                for p in f["provisions"]:
                    p["url"] = url_for("documents.show", item_id=p["id"])
                for c in f["cases"]:
                    c["url"] = url_for("documents.show", item_id=c["id"])
            data["result"] = result
            data["highlighted"] = highlight(text, result["flags"])
            if not result["flags"] and text.strip():
                data["error"] = ""
    return respond("check.html", data)


bp.add_url_rule("/check.json", "check_json", check, methods=["GET", "POST"])
