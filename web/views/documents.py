"""Record pages (policy, list, case, material) and unit pages (provision, list item, section)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort

from kb.models import KIND_LABELS, when
from web.render import doc_url, respond, service, with_urls
from web.views.search import search_url

bp = Blueprint("documents", __name__)


def _link(item_id: str) -> dict[str, str]:
    return {"id": item_id, "label": service().label(item_id), "url": doc_url(item_id)}


def record_data(record: dict[str, Any]) -> dict[str, Any]:
    svc = service()
    groups: list[dict[str, Any]] = []
    for u in record["units"]:
        heading = " / ".join(u["heading"])
        if not groups or groups[-1]["heading"] != heading:
            groups.append({"heading": heading, "units": []})
        u["url"] = doc_url(u["id"])
        u["basis_links"] = [_link(b) for b in u.get("basis", [])]
        groups[-1]["units"].append(u)
    if record["kind"] in ("case", "material"):
        from kb.links.annotate import annotate
        from kb.records import record_from_dump

        rec = record_from_dump(record)
        index = svc.policy_index()
        for u in record["units"]:
            u["html"] = annotate(u["text"], rec, index, doc_url)
    links = record["links"]  # pages come through get_with_links
    for key in ("violates", "cites", "related"):
        with_urls(links[key])
    data = {
        "page": "record",
        "record": record,
        "kind_label": KIND_LABELS.get(record["kind"], record["kind"]),
        "groups": groups,
        "violates": links["violates"],
        "cites": links["cites"],
        "unresolved": links["unresolved"],
        "related": links["related"],
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
    rows = [
        {"id": h["id"], "title": h["title"], "date": when(h["date"], h.get("year"))}
        for h in r["hits"]
        if h["id"] != record["id"]
    ]
    return with_urls(rows[:limit])


def unit_data(item: dict[str, Any]) -> dict[str, Any]:
    links = item["links"]  # filled by get_with_links
    for key in ("violated_by", "cited_by", "cites", "related", "versions", "basis_cases"):
        with_urls(links[key])
    return {
        "page": "unit",
        "item": item,
        "kind_label": KIND_LABELS.get(item["kind"], item["kind"]),
        "document": _link(item["document_id"]),
        "previous": _link(item["previous"]) if item.get("previous") else None,
        "next": _link(item["next"]) if item.get("next") else None,
        "basis": [_link(b) for b in item.get("basis", [])],
        "violated_by": links["violated_by"],
        "cited_by": links["cited_by"],
        "versions": links["versions"],
        "related": links["related"],
        "violated_by_counts": links["violated_by_counts"],
        "basis_cases": links["basis_cases"],
        "basis_cases_url": search_url(
            {"sort": "date", "filters": {"kind": ["case"], "violates": list(item["basis"])}}
        )
        if links["basis_cases"]
        else None,
        "all_cases_url": search_url(
            {"sort": "date", "filters": {"kind": ["case"], "violates": [item["id"]]}}
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
