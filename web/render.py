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
    from urllib.parse import urlencode

    path = request.path.rstrip("/") or "/index"
    # rebuilt from the arguments, each cut to what a page reads of it: an address padded with
    # megabytes of parameters is not echoed into the page
    pairs = [(k[:50], v[:200]) for k, v in list(request.args.items(multi=True))[:30]]
    qs = urlencode(pairs)
    return f"{path}.json" + (f"?{qs}" if qs else "")


def respond(template: str, data: dict[str, Any], status: int = 200):
    if wants_json():
        return jsonify(data), status
    return render_template(template, data=data, json_url=json_url(), kind_labels=KIND_LABELS), status


#: what every response says about itself: nothing runs but our own script, nothing frames us
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def register_guards(app: Flask) -> None:
    """Security headers on every response, and POSTs only from our own pages: a browser says
    where a form was sent from (Sec-Fetch-Site, Origin); another site's page is refused, so it
    cannot make a visitor's browser spend the server on exports and checks. Clients that are
    not browsers (curl, scripts) send neither header and are served."""

    @app.before_request
    def same_origin_posts():
        if request.method != "POST":
            return None
        site = request.headers.get("Sec-Fetch-Site", "")
        origin = request.headers.get("Origin", "")
        if site in ("cross-site", "same-site") or (
            origin and origin.rstrip("/") != request.host_url.rstrip("/")
        ):
            data = {"error": 403, "message": "只接受本站页面提交的请求。", "path": request.path}
            return respond("error.html", data, 403)
        return None

    @app.after_request
    def headers(response):
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response


def register_errors(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(e: HTTPException):
        data = {"error": e.code, "message": MESSAGES.get(e.code or 500, e.description), "path": request.path}
        return _safely(data, e.code or 500)

    @app.errorhandler(Exception)
    def crash(e: Exception):  # the last line of defence: a page, never a stack trace
        current_app.logger.exception("unhandled error")
        data = {"error": 500, "message": MESSAGES[500], "path": request.path}
        return _safely(data, 500)


def _safely(data: dict[str, Any], status: int):
    """The error page; if even that cannot be built (a request too odd to make urls for), plain
    text, so an error never becomes a second error."""
    try:
        return respond("error.html", data, status)
    except Exception:
        current_app.logger.exception("error page failed")
        return current_app.response_class(
            f"{status} {data['message']}",
            status=status,
            mimetype="text/plain",
            headers={"Content-Language": "zh-CN"},
        )


MESSAGES = {
    400: "请求有误。",
    404: "没有找到这个页面或条文。可以换个关键词检索。",
    405: "不支持这种请求方式。",
    413: "提交的内容太大。",
    500: "服务器出了点问题，请稍后再试。",
}
