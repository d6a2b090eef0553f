"""One data function, two renderings: HTML from a template, or the same data as JSON."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from kb.models import KIND_LABELS


def doc_url(item_id: str) -> str:
    """The page of a record or unit."""
    return url_for("documents.show", item_id=item_id)


def with_urls(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Give each row (with an ``id``) the url of its page; returns the rows."""
    for row in rows:
        row["url"] = doc_url(row["id"])
    return rows


def service():  # -> indexer.search.SearchService
    return current_app.extensions["kb_search"]


def wants_json() -> bool:
    if request.path.endswith(".json") or request.args.get("format") == "json":
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return (
        best == "application/json"
        and request.accept_mimetypes["application/json"] > request.accept_mimetypes["text/html"]
    )


def json_url() -> str:
    """This page's JSON twin."""
    path = request.path.rstrip("/") or "/index"
    qs = request.query_string.decode("utf-8", "replace")
    return f"{path}.json" + (f"?{qs}" if qs else "")


def respond(template: str, data: dict[str, Any], status: int = 200):
    if wants_json():
        return jsonify(data), status
    return render_template(template, data=data, json_url=json_url(), kind_labels=KIND_LABELS), status


def register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        data = {"error": e.code, "message": MESSAGES.get(e.code or 500, e.description), "path": request.path}
        return respond("error.html", data, e.code or 500)

    @app.errorhandler(Exception)
    def crash(e: Exception):  # the last line of defence: a page, never a stack trace
        current_app.logger.exception("unhandled error")
        data = {"error": 500, "message": MESSAGES[500], "path": request.path}
        return respond("error.html", data, 500)


MESSAGES = {
    400: "请求有误。",
    404: "没有找到这个页面或条文。可以换个关键词检索。",
    405: "不支持这种请求方式。",
    413: "提交的内容太大。",
    500: "服务器出了点问题，请稍后再试。",
}
