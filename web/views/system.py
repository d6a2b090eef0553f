"""Health endpoint for monitoring."""

from __future__ import annotations

from flask import Blueprint, jsonify

from web.render import service

bp = Blueprint("system", __name__)


@bp.route("/healthz")
def health():
    svc = service()
    svc.refresh()
    return jsonify(
        {
            "status": "ok",
            "generation": svc.generation,
            "built": svc.manifest.get("built"),
            "counts": svc.manifest.get("counts", {}),
        }
    )


bp.add_url_rule("/healthz.json", "health_json", health)


@bp.route("/favicon.ico")
def favicon():
    return "", 204
