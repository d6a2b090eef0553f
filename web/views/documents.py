"""Record pages (policy, list, case, material) and unit pages (provision, list item, section)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, url_for

from kb.models import KIND_LABELS
from web.render import respond, service
from web.views.search import search_url

bp = Blueprint("documents", __name__)


def _link(item_id: str) -> dict[str, str]:
    return {
        "id": item_id,
        "label": service().label(item_id),
        "url": url_for("documents.show", item_id=item_id),
    }


def record_data(record: dict[str, Any]) -> dict[str, Any]:
    svc = service()
    groups: list[dict[str, Any]] = []
    for u in record["units"]:
        heading = " / ".join(u["heading"])
        if not groups or groups[-1]["heading"] != heading:
            groups.append({"heading": heading, "units": []})
        u["url"] = url_for("documents.show", item_id=u["id"])
        u["basis_links"] = [_link(b) for b in u.get("basis", [])]
        groups[-1]["units"].append(u)
    if record["kind"] in ("case", "material"):
        from kb.links.annotate import annotate
        from kb.records import record_from_dump

        rec = record_from_dump(record)
        index = svc.policy_index()
        for u in record["units"]:
            u["html"] = annotate(
                u["text"], rec, index, lambda target: url_for("documents.show", item_id=target)
            )
    links = record.get("links", {})
    for key in ("violates", "cites", "related"):
        for row in links.get(key, []):
            row["url"] = url_for("documents.show", item_id=row["id"])
    data = {
        "page": "record",
        "record": record,
        "kind_label": KIND_LABELS.get(record["kind"], record["kind"]),
        "groups": groups,
        "violates": links.get("violates", [_link(v) for v in record.get("violates", [])]),
        "cites": links.get("cites", []),
        "unresolved": links.get("unresolved", []),
        "related": links.get("related", []),
    }
    if record["kind"] == "case":
        data["similar"] = similar_cases(record)
    return data


def similar_cases(record: dict[str, Any], limit: int = 5) -> list[dict[str, Any]]:
    """Cases that broke the same provisions (curated links), or share a category."""
    svc = service()
    filters = {"kind": ["case"]}
    if record.get("violates"):
        filters["violates"] = list(record["violates"])
    elif record.get("categories"):
        filters["category"] = list(record["categories"])
    else:
        return []
    r = svc.search("", filters=filters, sort="date", per_page=limit + 1, facets=False, snippets=False)
    return [
        {
            "id": h["id"],
            "title": h["title"],
            "date": h["date"],
            "url": url_for("documents.show", item_id=h["id"]),
        }
        for h in r["hits"]
        if h["id"] != record["id"]
    ][:limit]


def unit_data(item: dict[str, Any]) -> dict[str, Any]:
    vb = item["links"].get("violated_by_counts", {"total": 0, "by_year": [], "by_sanction": []})
    for c in item["links"]["violated_by"]:
        c["url"] = url_for("documents.show", item_id=c["id"])
    for key in ("cited_by", "cites", "related", "versions"):
        for row in item["links"].get(key, []):
            row["url"] = url_for("documents.show", item_id=row["id"])
    return {
        "page": "unit",
        "item": item,
        "kind_label": KIND_LABELS.get(item["kind"], item["kind"]),
        "document": _link(item["document_id"]),
        "previous": _link(item["previous"]) if item.get("previous") else None,
        "next": _link(item["next"]) if item.get("next") else None,
        "basis": [_link(b) for b in item.get("basis", [])],
        "violated_by": item["links"]["violated_by"],
        "cited_by": item["links"].get("cited_by", []),
        "versions": item["links"].get("versions", []),
        "related": item["links"].get("related", []),
        "violated_by_counts": vb,
        "all_cases_url": search_url(
            {"q": "", "sort": "date", "filters": {"kind": ["case"], "violates": [item["id"]]}}
        ),
    }


@bp.route("/doc/<path:item_id>")
def show(item_id: str):
    if item_id.endswith(".json"):
        item_id = item_id[: -len(".json")]
    if len(item_id) > 300:
        abort(404)
    item = service().get_with_links(item_id)
    if item is None:
        abort(404)
    if "units" in item:
        return respond("record.html", record_data(item))
    return respond("unit.html", unit_data(item))
