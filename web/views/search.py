"""Home and search pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus, urlencode

from flask import Blueprint, abort, request, url_for

from indexer.schema import FACET_LABELS, FACETS
from indexer.search_result import SearchResult
from kb.models import KIND_LABELS
from web.render import doc_url, respond, service

bp = Blueprint("search", __name__)

FACET_SHOWN = 8  # values shown per facet; the next ones fold under 更多
FACET_FOLDED = 12  # values under 更多 at most; past them, a link to the facet's own page
FACET_PAGE_VALUES = 2000  # values the facet page lists at most (a page stays small whatever the corpus)
MAX_WORD_SUGGESTIONS = 6
MAX_FILTER_VALUES = 20  # selected facet values per request, all facets together
MAX_FILTER_CHARS = 100  # characters per selected value (the longest real one is an issuer's name)
MAX_FILTER_TOTAL = 400  # characters of selected values, all together
FACET_ORDER = ["kind", "year", "sanction", "violates", "category", "issuer", "document", "rank", "region"]
SORTS = {"relevance": "相关度", "date": "日期（新→旧）", "date-asc": "日期（旧→新）"}


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def read_state() -> dict[str, Any]:
    """The search state lives in the URL: q, sort, page and f.<facet>=value (repeatable)."""
    # values and characters across all facets: every facet link repeats the selection, so a URL
    # of many long values would otherwise make a page of megabytes
    budget = {"values": MAX_FILTER_VALUES, "chars": MAX_FILTER_TOTAL}

    def take(values: list[str]) -> list[str]:
        kept = []
        for v in values:
            v = v[:MAX_FILTER_CHARS]
            if not v or budget["values"] <= 0 or len(v) > budget["chars"]:
                continue
            kept.append(v)
            budget["values"] -= 1
            budget["chars"] -= len(v)
        return kept

    filters = {name: take(request.args.getlist(f"f.{name}")) for name in FACETS}
    return {
        "q": request.args.get("q", "")[:1000],
        "sort": request.args.get("sort", "relevance"),
        "page": _int(request.args.get("page"), 1),
        "filters": {k: v for k, v in filters.items() if v},
    }


def _query_string(state: dict[str, Any], **changes: Any) -> str:
    """``?…`` for a state (or ""); missing keys take their defaults (no query, relevance, no
    filters, page 1), which the address leaves out."""
    s = {"q": "", "sort": "relevance", "filters": {}, "page": 1, **state, **changes}
    params: list[tuple[str, str]] = []
    if s["q"]:
        params.append(("q", s["q"]))
    for name, values in s["filters"].items():
        params += [(f"f.{name}", v) for v in values]
    if s["sort"] != "relevance":
        params.append(("sort", s["sort"]))
    if s.get("page", 1) > 1:
        params.append(("page", str(s["page"])))
    return "?" + urlencode(params) if params else ""


def search_url(state: dict[str, Any], **changes: Any) -> str:
    """The search page for a state."""
    return url_for("search.search") + _query_string(state, **changes)


def facet_url(state: dict[str, Any], name: str) -> str:
    """The page listing every value of one facet for a search state (its query and filters)."""
    return url_for("search.facet", name=name) + _query_string(state, sort="relevance", page=1)


def _toggles(state: dict[str, Any], facet: str, values: list[str]) -> dict[str, str]:
    """The toggle link of each value of one facet, as ``_toggle`` makes it: a page lists up to
    a thousand values, so the part of the query string every link shares is encoded once (one
    link at a time was half of a search page's time)."""
    selected = state["filters"].get(facet, [])
    base = url_for("search.search")
    before: list[tuple[str, str]] = [("q", state["q"])] if state["q"] else []
    after: list[tuple[str, str]] = []
    seen = False
    for name, vs in state["filters"].items():
        if name == facet:
            seen = True
            continue
        (after if seen else before).extend((f"f.{name}", v) for v in vs)
    if state.get("sort", "relevance") != "relevance":
        after.append(("sort", state["sort"]))
    # every link is the shared part, then this value, then the shared rest: only the value is
    # encoded per link (urlencode per link was a quarter of a search page's time)
    shared = before + [(f"f.{facet}", v) for v in selected]
    prefix = urlencode(shared) + "&" if shared else ""
    tail = "&" + urlencode(after) if after else ""
    key = urlencode([(f"f.{facet}", "")])
    out = {}
    for value in values:
        if value in selected:
            out[value] = _toggle(state, facet, value)  # removing a selected one: rare, done in full
        else:
            out[value] = f"{base}?{prefix}{key}{quote_plus(value)}{tail}"
    return out


def _toggle(state: dict[str, Any], facet: str, value: str) -> str:
    values = list(state["filters"].get(facet, []))
    values = [v for v in values if v != value] if value in values else [*values, value]
    filters = {**state["filters"], facet: values}
    return search_url(state, filters={k: v for k, v in filters.items() if v}, page=1)


def search_data() -> dict[str, Any]:
    state = read_state()
    per_page = 10
    svc = service()

    def run(page: int) -> SearchResult:
        return svc.search(
            state["q"], filters=state["filters"], sort=state["sort"], page=page, per_page=per_page,
            facet_values=FACET_SHOWN + FACET_FOLDED,
        )  # fmt: skip

    result = run(state["page"])
    notes = []
    if result["total"] and result["page"] > result["pages"]:  # past the end: the last page, said so
        notes.append(f"只有 {result['pages']} 页，已显示第 {result['pages']} 页")
        result = run(result["pages"])
    state["page"] = result["page"]
    facets = []
    for name in FACET_ORDER:
        rows = result["facets"].get(name, [])
        if not rows:
            continue
        # the first FACET_SHOWN values and every selected one show, the next FACET_FOLDED fold
        # under 更多, and a facet longer than that links to its own page: a search page at 10k
        # listed ~500 links, most of its time and bytes
        shown = [r for i, r in enumerate(rows) if i < FACET_SHOWN or r["selected"]]
        folded = [r for i, r in enumerate(rows) if i >= FACET_SHOWN and not r["selected"]][:FACET_FOLDED]
        links = _toggles(state, name, [r["value"] for r in shown + folded])
        # new rows: the service's result is shared (its cache hands it to the next request too)
        shown = [{**r, "toggle_url": links[r["value"]]} for r in shown]
        folded = [{**r, "toggle_url": links[r["value"]]} for r in folded]
        facets.append(
            {
                "name": name,
                "label": FACET_LABELS[name],
                "buckets": shown,
                "folded": folded,
                "size": result["facet_sizes"][name],
                "all_url": facet_url(state, name)
                if result["facet_sizes"][name] > len(shown) + len(folded)
                else None,
            }
        )
    hits = [
        {**h, "url": doc_url(h["id"]), "kind_label": KIND_LABELS.get(h["kind"], h["kind"])}
        for h in result["hits"]
    ]
    pages = result["pages"]
    paging = {
        "page": result["page"],
        "pages": pages,
        "prev_url": search_url(state, page=result["page"] - 1) if result["page"] > 1 else None,
        "next_url": search_url(state, page=result["page"] + 1) if result["page"] < pages else None,
    }
    suggestions = empty_suggestions(state, result) if result["total"] == 0 else []
    return {
        "query": state["q"],
        "parsed": result["parsed"],
        "total": result["total"],
        "sort": result["sort"],
        "sorts": [
            {
                "value": k,
                "label": v,
                "url": search_url(state, sort=k, page=1),
                "selected": k == result["sort"],
            }
            for k, v in SORTS.items()
        ],
        "filters": result["filters"],
        "selected": [
            {
                "facet": FACET_LABELS[k],
                "value": v,
                "label": KIND_LABELS.get(v, v) if k == "kind" else v,
                "remove_url": _toggle(state, k, v),
            }
            for k, vs in result["filters"].items()
            for v in vs
        ],
        "hits": hits,
        "provisions": [{**p, "url": doc_url(p["id"])} for p in result.get("provisions", [])],
        "notes": notes,
        "facets": facets,
        "paging": paging,
        "suggestions": suggestions,
        "synonyms": [s for g in result["parsed"]["groups"] for c in g for s in c["synonyms"]],
    }


def empty_suggestions(state: dict[str, Any], result: dict[str, Any]) -> list[dict[str, Any]]:
    """What to do when nothing matched (the search already relaxed the words it could): each
    filter to remove and each word to search alone, with how many results that would give, best
    first; only ways that find something are offered."""
    svc = service()

    def total(q: str, filters: dict[str, list[str]]) -> int:
        return svc.search(q, filters=filters, per_page=1, facets=False, snippets=False)["total"]

    out: list[dict[str, Any]] = []
    filters = state["filters"]
    for name, values in filters.items():
        for v in values:
            rest = {k: [x for x in vs if not (k == name and x == v)] for k, vs in filters.items()}
            rest = {k: vs for k, vs in rest.items() if vs}
            label = KIND_LABELS.get(v, v) if name == "kind" else (svc.label(v) if name == "violates" else v)
            n = total(state["q"], rest)
            out.append(
                {
                    "label": f"去掉筛选“{FACET_LABELS.get(name, name)}：{label}”",
                    "count": n,
                    "url": search_url(state, filters=rest, page=1),
                }
            )
    if len(filters) > 1 or sum(len(v) for v in filters.values()) > 1:
        out.append(
            {
                "label": "去掉所有筛选条件",
                "count": total(state["q"], {}),
                "url": search_url(state, filters={}, page=1),
            }
        )
    words = [c["value"] for g in result["parsed"]["groups"] for c in g if not c["negated"]]
    if len(words) > 1:
        for w in words[:MAX_WORD_SUGGESTIONS]:
            out.append(
                {"label": f"只检索“{w}”", "count": total(w, filters), "url": search_url(state, q=w, page=1)}
            )
    out = [s for s in out if s["count"]]
    out.sort(key=lambda s: -s["count"])
    return out


@bp.route("/")
def home():
    svc = service()
    manifest = svc.manifest
    counts = manifest.get("counts", {})
    examples = [
        "文山会海",
        "公款吃喝",
        "指尖上的形式主义",
        "收受礼金",
        "督检考",
        '"过度留痕"',
        "类型:案例 处分:党内警告",
    ]
    data = {
        "counts": [
            {
                "kind": k,
                "label": KIND_LABELS.get(k, k),
                "count": n,
                "url": search_url({"filters": {"kind": [k]}}),
            }
            for k, n in counts.items()
            if k in KIND_LABELS
        ],
        "records": counts.get("records", 0),
        "built": manifest.get("built", ""),
        "examples": [{"q": e, "url": search_url({"q": e})} for e in examples],
        "policies": [{**d, "url": doc_url(d["id"])} for d in svc.browse("policy", 50)],
        "lists": [{**d, "url": doc_url(d["id"])} for d in svc.browse("list", 20)],
    }
    return respond("home.html", data)


@bp.route("/search")
def search():
    return respond("search.html", search_data())


@bp.route("/search/facet/<name>")
def facet(name: str):
    """Every value of one facet for the search in the URL, with its count and toggle link (the
    search page shows the first FACET_SHOWN + FACET_FOLDED)."""
    if name not in FACETS:
        abort(404)
    state = read_state()
    result = service().search(
        state["q"], filters=state["filters"], per_page=1, snippets=False, facet_values=FACET_PAGE_VALUES
    )
    rows = result["facets"].get(name, [])
    links = _toggles(state, name, [r["value"] for r in rows])
    rows = [{**r, "toggle_url": links[r["value"]]} for r in rows]
    data = {
        "query": state["q"],
        "described": result["parsed"]["described"],
        "total": result["total"],
        "facet": {
            "name": name,
            "label": FACET_LABELS[name],
            "buckets": rows,
            "size": result["facet_sizes"][name],
        },
        "back_url": search_url(state),
    }
    return respond("facet.html", data)


# JSON twins: endpoints of their own, so url_for() always builds the HTML address
bp.add_url_rule("/index.json", "home_json", home)
bp.add_url_rule("/search.json", "search_json", search)
bp.add_url_rule("/search/facet/<name>.json", "facet_json", facet)


@bp.route("/opensearch.xml")
def opensearch():
    from flask import Response, render_template

    xml = render_template("opensearch.xml", base=request.host_url.rstrip("/"))
    return Response(xml, mimetype="application/opensearchdescription+xml")
