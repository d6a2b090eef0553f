"""Study packs on the web: the pack lives in the browser (local storage, downloadable as a file);
the server gathers packs for a provision and exports packs to Word, Markdown or HTML."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, jsonify, request, url_for

from kb.packs import Pack, PackError, dump_pack, loads_pack, resolve_pack
from kb.packs.export import FORMATS
from kb.packs.model import MAX_BYTES, pack_for_provision
from web.render import respond, service

bp = Blueprint("packs", __name__)

MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "toml": "application/toml; charset=utf-8",
}


@bp.route("/pack")
def pack_page():
    data: dict[str, Any] = {
        "export_url": url_for("packs.export"),
        "read_url": url_for("packs.read_pack"),
        "formats": ["docx", "md", "html", "toml"],
        "from": request.args.get("from", ""),
        "format": "学习包保存在本浏览器中（localStorage），可下载为文件分享；导出时以 POST 提交 pack 字段（JSON）。",
    }
    return respond("pack.html", data)


def labelled(pack: Pack) -> dict[str, Any]:
    """A pack as the page keeps it: every item with the title it shows (not its raw id), and
    whether the knowledge base still holds it."""
    svc = service()
    return {
        "title": pack.title,
        "subtitle": pack.subtitle,
        "preface": pack.preface,
        "quiz": pack.quiz,
        "sections": [
            {
                "title": s.title,
                "items": [
                    {"id": i.id, "note": i.note, "label": svc.label(i.id), "missing": svc.get(i.id) is None}
                    for i in s.items
                ],
            }
            for s in pack.sections
        ],
    }


@bp.route("/pack/for/<path:item_id>")
def pack_for(item_id: str):
    """为该条文生成学习包 (JSON): the provision, its neighbours and the cases under it."""
    item_id = item_id.removesuffix(".json")
    item = service().get_with_links(item_id)
    if item is None or "units" in item:
        abort(404)
    return jsonify(labelled(pack_for_provision(item)))


def _refuse(message: str, status: int = 400):
    return jsonify({"error": message}), status


@bp.route("/pack/read", methods=["POST"])
def read_pack():
    """载入学习包文件: the .toml this page downloads, or a JSON pack, read on the server (one
    parser for the page and the command line) and returned as JSON with item titles."""
    f = request.files.get("file")
    if f is None:
        return _refuse("请选择学习包文件（本页“学习包文件”下载的 .toml，或 .json）")
    data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return _refuse(f"文件太大（最多 {MAX_BYTES // 1_000_000} MB），不像学习包文件", 413)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _refuse("这不是学习包文件：学习包文件是 UTF-8 文本（本页下载的 .toml 或 .json）")
    try:
        pack = loads_pack(text, f.filename or "学习包文件")
    except PackError as e:
        return _refuse(f"学习包文件有误（第 {e.line} 行）：{e.message}")
    return jsonify(labelled(pack))


@bp.route("/pack/export", methods=["POST"])
def export():
    fmt = request.form.get("format", "docx")
    if fmt not in FORMATS and fmt != "toml":
        abort(400)
    try:
        pack = loads_pack(request.form.get("pack", ""), "pack")
    except PackError as e:
        return respond(
            "error.html", {"error": 400, "message": f"学习包有误：{e.message}", "path": request.path}, 400
        )
    if fmt == "toml":
        body: bytes | str = dump_pack(pack)
    else:
        resolved = resolve_pack(pack, service().get)
        body = FORMATS[fmt](resolved)
    name = f"{pack.title[:40]}.{fmt}"
    resp = Response(body, mimetype=MIME[fmt].split(";")[0])
    resp.headers["Content-Type"] = MIME[fmt]
    from urllib.parse import quote

    resp.headers["Content-Disposition"] = f"attachment; filename=pack.{fmt}; filename*=UTF-8''{quote(name)}"
    return resp


bp.add_url_rule("/pack.json", "pack_page_json", pack_page)
