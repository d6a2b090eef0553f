"""Health endpoint for monitoring."""

from __future__ import annotations

from flask import Blueprint, jsonify

from indexer.build import IndexDamaged
from web.render import service

bp = Blueprint("system", __name__)


@bp.route("/healthz")
def health():
    svc = service()
    problem = ""
    try:
        svc.refresh()
    except IndexDamaged as e:  # a damaged new generation: the one already open keeps serving
        problem = f"新生成的索引 {e.gen.name} 已损坏（{'；'.join(e.problems)}），仍在使用上一版"
    return jsonify(
        {
            "status": "degraded" if problem else "ok",
            "problem": problem,
            "generation": svc.generation,
            "built": svc.manifest.get("built"),
            "counts": svc.manifest.get("counts", {}),
        }
    )


bp.add_url_rule("/healthz.json", "health_json", health)


@bp.route("/favicon.ico")
def favicon():
    return "", 204
