"""Searching, engine-free: a typed query becomes a page of hits with facets and snippets.

Everything here goes through the ``Engine`` protocol (indexer/engine.py), so Whoosh and tantivy
answer the same query with the same JSON: the query plan, relaxation, the kind prior, folding
one article's editions into one hit, 相关条文, facets with their own selection left out, and
snippets around the rarest words a hit matched.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from functools import partial
from operator import itemgetter
from typing import Any

from whoosh import query as Q

from indexer.query import ParsedQuery, Plan, parse, plan
from indexer.relax import RELAX_BELOW, Relaxation, relax
from indexer.schema import FACETS, value_label
from indexer.search_result import FacetValue, Hit, SearchResult, frozen_map
from indexer.snippets import Highlighter

MAX_PAGE = 1000
MAX_PER_PAGE = 100
RELATED_FROM = 20  # 相关条文: read from the cases among this many best hits
RELATED_SHOWN = 3
#: an engine that ranks only the first hits (tantivy) is asked for the page, or the hits 相关条文
#: reads if more, and this many more (room for an edition or two folded away); Whoosh ranks
#: every match in any case
RANK_MARGIN = 10
_OPENING = Highlighter({})  # a text's opening, when no term is found in it


class SearchMixin:
    """search() and facet_counts(); the host provides ``engine``, ``label``, ``_kind_of`` and
    ``snapshot`` (the generation read, indexer/generation.py)."""

    engine: Any
    snapshot: Any

    def search(
        self,
        q: str = "",
        *,
        filters: dict[str, list[str]] | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 10,
        facets: bool = True,
        snippets: bool = True,
        facet_values: int | None = None,
    ) -> SearchResult:
        """Run a typed query. Never raises for what a user can type. ``facet_values``: values
        listed per facet (most frequent first, selected ones always; ``facet_sizes`` says how
        many there are); all of them by default."""
        pq = parse(q)
        filters = {k: [v for v in vs if v] for k, vs in (filters or {}).items() if k in FACETS}
        filters = {k: vs for k, vs in filters.items() if vs}
        page = min(max(1, int(page or 1)), MAX_PAGE)
        per_page = min(max(1, int(per_page or 10)), MAX_PER_PAGE)
        sort = sort if sort in ("relevance", "date", "date-asc") else "relevance"
        engine = self.engine
        p = plan(pq, filters)
        wq = p.query()
        start = (page - 1) * per_page
        relaxed: Relaxation | None = None
        listed_relaxed = False  # the list is the relaxed match (facets count that, not the strict one)
        listed: list[Any] | None = None  # every document listed, when in hand
        ranked: list[tuple[float, Any]] = []
        folded: dict[Any, list[str]] = {}
        if sort != "relevance" or pq.empty or not pq.groups:
            newest = sort != "date-asc"
            total, page_docs = engine.by_date(wq, newest, start, per_page)
            if total < RELAX_BELOW and p.units:
                relaxed = relax(engine, p, total)
                if relaxed is not None and relaxed.docs():
                    listed_relaxed = True
                    listed = engine.sort_by_date(relaxed.docs(), newest)
                    total, page_docs = len(listed), listed[start : start + per_page]
            page_hits = [(d, None) for d in page_docs]
        else:
            needed = max(start + per_page, RELATED_FROM)
            total, ranked = engine.ranked(wq, limit=needed + RANK_MARGIN)
            if total < RELAX_BELOW and p.units:
                relaxed = relax(engine, p, total)
                if relaxed is not None and relaxed.docs():
                    listed_relaxed = True
                    ranked = relaxed.ranked(engine)
                    total = len(ranked)
            if len(ranked) < total and self.snapshot.versions:  # the engine ranked the first hits
                # editions are folded over every match (those that have another edition are
                # few), the folded ones left out of the ranking, which goes further if they
                # took places the page needs
                dropped, folded = self._fold_all_versions(wq)
                out = [x for x in ranked if x[1] not in dropped]
                if len(out) < needed:
                    _, ranked = engine.ranked(wq, limit=needed + len(dropped) + RANK_MARGIN)
                    out = [x for x in ranked if x[1] not in dropped]
                ranked, total = out, total - len(dropped)
            else:
                all_ranked = len(ranked) == total
                ranked, folded = self._fold_versions(ranked)
                total -= sum(len(v) for v in folded.values())
                if all_ranked:
                    listed = [d for _, d in ranked]
            page_hits = ranked[start : start + per_page]
            page_hits = [(d, score) for score, d in page_hits]
        highlight = Highlighter(self._terms(wq, relaxed)) if snippets else None  # once for the page
        fields = {d: engine.stored(d) for d, _ in page_hits}  # read once: 相关条文 reads the same
        hits = [self._hit(fields[d], score, highlight, folded.get(d, [])) for d, score in page_hits]
        provisions = (
            self._provisions_broken([d for _, d in ranked[:RELATED_FROM]], hits, fields) if page == 1 else []
        )
        facet_rows, facet_sizes = (
            self.facet_counts(
                pq,
                filters,
                query_plan=p,
                relaxed=relaxed if listed_relaxed else None,
                leave_out=[uid for uids in folded.values() for uid in uids],
                listed=listed,
                values=facet_values,
            )
            if facets
            else ({}, {})
        )
        parsed = pq.dump()
        parsed["relaxed"] = (
            relaxed.dump()
            if relaxed is not None and (relaxed.min_match < relaxed.of or relaxed.missing or relaxed.replaced)
            else None
        )
        if parsed["relaxed"]:
            parsed["notes"] = [*parsed["notes"], parsed["relaxed"]["message"]]
        return SearchResult(
            query=q,
            parsed=frozen_map(parsed),
            total=total,
            page=page,
            per_page=per_page,
            pages=max(1, math.ceil(total / per_page)),
            sort=sort,
            filters=frozen_map({k: tuple(v) for k, v in filters.items()}),
            hits=tuple(hits),
            provisions=tuple(frozen_map(p) for p in provisions),
            facets=frozen_map(facet_rows),
            facet_sizes=frozen_map(facet_sizes),
        )

    def _provisions_broken(
        self, docs: list[Any], hits: list[Hit], read: dict[Any, dict[str, Any]]
    ) -> list[dict]:
        """The provisions the best-ranked cases broke, most cases first (相关条文): when a query
        is answered by cases, the rule to cite is one click away even if no provision ranks.
        ``read``: the stored fields of documents already read for this page."""
        shown = {h.id for h in hits}
        counts: Counter[str] = Counter()
        broken = self.snapshot.cases_broke
        for d in docs:
            provisions = broken.get(d)
            if provisions is None:
                f = read.get(d) or self.engine.stored(d)
                provisions = broken.put(
                    d, tuple(v for v in (f.get("violates") or "").split(",") if v and f.get("kind") == "case")
                )
            for v in provisions:
                if v not in shown:
                    counts[v] += 1
        return [
            {"id": uid, "label": self.label(uid), "cases": n}
            for uid, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:RELATED_SHOWN]
        ]

    def _fold_versions(self, ranked: list[tuple[float, Any]]) -> tuple[list, dict[Any, list[str]]]:
        """One hit per article across the editions of a policy: the same article in the 2018 and
        the 2023 条例 (by the correspondence table) is shown once, where it ranks best, with the
        other edition's article named beside it."""
        versions = self.snapshot.versions
        if not versions:
            return ranked, {}
        editions = self.snapshot.edition_docs()
        found = [i for i, (_, d) in enumerate(ranked) if d in editions]
        kept: dict[str, Any] = {}  # unit id → the document that stands for its edition group
        folded: dict[Any, list[str]] = {}
        dropped = set()
        for i in found:
            d = ranked[i][1]
            uid = editions[d]
            owner = next((kept[g] for g in (uid, *versions.get(uid, ())) if g in kept), None)
            if owner is not None:
                folded.setdefault(owner, []).append(uid)
                dropped.add(i)
            else:
                kept[uid] = d
        if not dropped:
            return ranked, folded
        return [x for i, x in enumerate(ranked) if i not in dropped], folded

    def _fold_all_versions(self, wq: Any) -> tuple[set[Any], dict[Any, list[str]]]:
        """Editions folded over every match of ``wq``, for an engine that ranks only the first
        hits: the matches that have another edition, ranked as the search ranks them, folded
        as ``_fold_versions`` folds a ranking. Returns the documents folded away (the total and
        the facets leave them out, wherever they rank) and the folded units by the hit that
        stands for them."""
        snapshot = self.snapshot
        _, editions = self.engine.ranked(Q.And([wq, snapshot.edition_filter()]), limit=len(snapshot.versions))
        kept, folded = self._fold_versions(editions)
        return {d for _, d in editions} - {d for _, d in kept}, folded

    def _terms(self, wq: Any, relaxed: Relaxation | None) -> dict[str, float]:
        """The text terms a hit may have matched, with their weight for choosing a snippet."""
        terms: set[str] = set()
        stack = [wq] + (relaxed.queries if relaxed is not None else [])
        while stack:  # the tree's leaves, as Query.iter_all_terms walks them (without its generators)
            q = stack.pop()
            if not q.is_leaf():
                stack.extend(q.children())
            elif q.has_terms():
                for fn, t in q.terms(phrases=True):
                    if fn == "text":
                        terms.add(t.decode() if isinstance(t, bytes) else t)
        return {t: self.engine.idf(t) for t in terms}

    def _hit(self, f: dict[str, Any], score: Any, highlight: Highlighter | None, versions: list[str]) -> Hit:
        text_snippet = ""
        if highlight is not None:
            try:
                text = f.get("text", "")
                text_snippet = highlight(text, f.get("cuts")) or _OPENING(text)
            except Exception:  # a highlighter failure must not cost the hit
                text_snippet = ""
        return Hit(
            id=f["id"],
            kind=f["kind"],
            title=(f.get("title") or "").removeprefix(f.get("number") or "").strip()
            or f.get("doc_title", ""),
            document_id=f["doc_id"],
            document_title=f.get("doc_title", ""),
            number=f.get("number", ""),
            heading=f.get("heading", ""),
            date=f.get("date", ""),
            year=f.get("year", ""),
            sanctions=tuple(filter(None, f.get("sanction", "").split(","))),
            summary=bool(f.get("summary")),
            snippet=text_snippet,
            other_versions=tuple(frozen_map({"id": v, "title": self.label(v)}) for v in versions)
            if versions
            else (),
            score=round(float(score), 4) if isinstance(score, int | float) else None,
        )

    def facet_counts(
        self,
        pq: ParsedQuery,
        filters: dict[str, list[str]],
        query_plan: Plan | None = None,
        relaxed: Relaxation | None = None,
        leave_out: list[str] = (),  # type: ignore[assignment]
        listed: list[Any] | None = None,
        values: int | None = None,
    ) -> tuple[dict[str, tuple[FacetValue, ...]], dict[str, int]]:
        """Counts per facet value over all matching hits. A facet's own selection is left out of
        its counts (so a second value can be added); multi-valued facets count a hit under each
        of its values. ``relaxed``: the list is this relaxed match, so the facets count it;
        ``leave_out``: units folded into another edition's hit, not listed, so not counted.
        Every count is asked of the engine as a query (tantivy runs it: an OR of the listed
        documents' keys made a relaxed search at 10k take half a second); ``listed``, the same
        documents as a list when the search holds them all, goes along for the facets that
        count with every filter (Whoosh counts a list it holds faster than it runs a query).
        ``values``: rows kept per facet, most frequent first, selected ones always. Returns the
        rows per facet and how many values each facet has in all."""
        engine = self.engine
        p = query_plan or plan(pq, filters)
        words = relaxed.query() if relaxed is not None else None
        unlisted = Q.Or([Q.Term("key", f"hit:{uid}") for uid in leave_out]) if leave_out else None

        def counted(others: tuple[str, ...]) -> Q.Query:
            q = (
                p.query(facets=others)
                if words is None
                else Q.And([words, p.query(facets=others, units=False)])
            )
            return q if unlisted is None else Q.And([q, Q.Not(unlisted)])

        groups: dict[tuple, list[str]] = {}  # facets that leave out the same selections count together
        for name in FACETS:
            groups.setdefault(tuple(sorted(k for k in filters if k != name)), []).append(name)
        counts: dict[str, Mapping[str, int]] = {}
        for others, names in groups.items():
            docs = listed if set(others) == set(filters) else None
            counts.update(engine.facet_counts(names, query=counted(others), docs=docs))
        out: dict[str, tuple[FacetValue, ...]] = {}
        sizes: dict[str, int] = {}
        snapshot = self.snapshot
        kinds, label, row = snapshot.unit_kinds, self.label, FacetValue.row
        for name in FACETS:
            selected = set(filters.get(name, ()))
            counted_values = counts[name]
            pairs = list(counted_values.items())
            if "" in counted_values:
                pairs = [x for x in pairs if x[0]]
            if name == "violates":  # 违反条文 counts provisions; a list item is what a case is about
                provisions = []
                for v, c in pairs:
                    kind = kinds.get(v)
                    if kind is None:  # "" for an id no record has: remembered too
                        kind = kinds.put(v, self._kind_of(v))
                    if kind == "policy" or v in selected:
                        provisions.append((v, c))
                pairs = provisions
            ordered = engine.facets_ordered
            for v in selected - {v for v, _ in pairs} if selected else ():  # none, or past a bucket cap
                others = tuple(sorted(k for k in filters if k != name))
                pairs.append(
                    (v, engine.by_date(Q.And([counted(others), Q.Term(FACETS[name], v)]), True, 0, 1)[0])
                )
                ordered = False
            if name == "year":  # years newest first
                pairs.sort(key=itemgetter(0), reverse=True)
            elif not ordered:  # the rest by value, then most hits first (stable)
                pairs.sort(key=itemgetter(0))
                pairs.sort(key=itemgetter(1), reverse=True)
            sizes[name] = len(pairs)
            if values is not None and len(pairs) > values:  # the first ones, and every selected one
                pairs = pairs[:values] + ([x for x in pairs[values:] if x[0] in selected] if selected else [])
            # ids are named (文件 leaves case hits out: FACET_LEAVES_OUT); other values by schema
            named = label if name in ("violates", "document") else partial(value_label, name)
            out[name] = tuple([row(v, c, v in selected, named(v)) for v, c in pairs])
        return out, sizes


__all__ = ["MAX_PAGE", "MAX_PER_PAGE", "SearchMixin"]
