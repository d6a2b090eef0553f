"""The search service: one index opened once and refreshed when a build swaps a new one in.

Every reader of the index (``kb search``, ``kb show``, the web app) goes through SearchService,
so the rest of the program does not know Whoosh is underneath.
"""

from __future__ import annotations

import copy
import json
import math
import os
import threading
import time
from array import array
from collections import Counter
from collections.abc import Iterable
from itertools import chain
from pathlib import Path
from typing import Any

from whoosh import query as Q
from whoosh import sorting

from indexer.analysis import ChineseAnalyzer, get_tokenizer
from indexer.build import CURRENT, IndexDamaged, NoIndex, current_generation, open_generation, read_manifest
from indexer.query import ParsedQuery, Plan, parse, plan
from indexer.relax import RELAX_BELOW, Relaxation, relax
from indexer.schema import FACETS, MULTI_VALUED, value_label
from indexer.snippets import snippet
from kb.models import UNIT_KIND, when

#: relevance multiplier per hit kind (see SearchService._with_kind_prior); tuned on
#: tests/relevance.toml, so it is a development-set figure
KIND_PRIOR = {"provision": 1.0, "list-item": 0.9, "case": 0.5, "material": 0.5}
MAX_PAGE = 1000
RELATED_FROM = 20  # 相关条文: read from the cases among this many best hits
RELATED_SHOWN = 3
MAX_PER_PAGE = 100


class SearchService:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._facet_lock = threading.Lock()
        self._searcher: Any = None
        self._retired: list[tuple[float, Any]] = []
        # Whoosh searchers read shared file objects and are not safe across threads (the load
        # test saw truncated zlib streams under a rebuild): each thread gets its own searcher of
        # the current generation; _open lists them so a swap can retire them all.
        self._local = threading.local()
        self._open: list[Any] = []
        self._state: tuple[Path | None, Any] = (None, None)  # (generation, index), swapped at once
        self.manifest: dict[str, Any] = {}
        self._stamp: tuple[int, int, int] | None = None  # CURRENT's inode, mtime, size when last read
        self._analyzer = ChineseAnalyzer()
        self._reset_generation_state()
        get_tokenizer()
        self.refresh()

    # ------------------------------------------------------------ lifecycle

    def _reset_generation_state(self) -> None:
        """Everything derived from one generation: emptied when another is opened."""
        self._labels: dict[str, str] = {}
        self._records: dict[str, dict[str, Any]] = {}  # parsed stored records; read-only
        self._tokens: dict[str, set[str]] = {}
        self._policy_index: Any = None
        self._by_target: dict[str, list[dict[str, Any]]] = {}
        self._by_source: dict[str, list[dict[str, Any]]] = {}
        self._unresolved: dict[str, list[dict[str, Any]]] = {}
        self._versions: dict[str, list[str]] = {}
        self._facets: tuple[str, dict[str, tuple[list[str], Any]]] | None = None  # (generation, table)
        self._sorts: tuple[str, tuple[list[str], list[int]]] | None = None
        self._related: dict[tuple, list[dict[str, Any]]] = {}

    def _current_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.root / CURRENT)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def refresh(self) -> bool:
        """Open the current generation if it changed. Returns True when it switched. A stat of
        CURRENT comes first: a swap replaces the file, so an unchanged stat means no new build."""
        stamp = self._current_stamp()
        if stamp is not None and stamp == self._stamp and self._searcher is not None:
            return False
        gen = current_generation(self.root)
        if gen is None:
            if self._searcher is None:
                raise NoIndex(f"no index in {self.root}: run `kb build` first")
            return False
        if gen == self._state[0]:
            self._stamp = stamp
            return False
        with self._lock:
            if gen == self._state[0]:
                return False
            ix, searcher = open_generation(gen)  # IndexDamaged names what is wrong
            searcher.kb_generation = gen.name
            now = time.monotonic()
            self._retired.extend((now, s) for s in self._open)
            self._open = [searcher]
            self._reset_generation_state()
            self._searcher = searcher
            self._state = (gen, ix)
            self._local.pair = (gen, searcher)
            self.manifest = read_manifest(gen)
            self._index_edges()
            self._stamp = stamp
            self._close_retired()
        return True

    def _index_edges(self) -> None:
        by_target: dict[str, list[dict[str, Any]]] = {}
        by_source: dict[str, list[dict[str, Any]]] = {}
        for e in self.manifest.get("edges", []):
            by_target.setdefault(e["target"], []).append(e)
            by_source.setdefault(e["source"], []).append(e)
        unresolved: dict[str, list[dict[str, Any]]] = {}
        for u in self.manifest.get("unresolved", []):
            unresolved.setdefault(u["source"].split("/")[0], []).append(u)
        versions: dict[str, list[str]] = {}
        for row in self.manifest.get("correspondence", []):
            a, b = row.get("old"), row.get("new")
            if a and b:
                for x, y in ((a, b), (b, a)):
                    bucket = versions.setdefault(x, [])
                    if y not in bucket:
                        bucket.append(y)
        self._by_target, self._by_source, self._unresolved = by_target, by_source, unresolved
        self._versions = versions

    def _close_retired(self, grace: float = 30.0) -> None:
        now = time.monotonic()
        keep = []
        for retired_at, s in self._retired:
            if now - retired_at > grace:
                s.close()
            else:
                keep.append((retired_at, s))
        self._retired = keep

    def close(self) -> None:
        with self._lock:
            for s in [s for _, s in self._retired] + self._open:
                s.close()
            self._retired, self._open = [], []
            self._searcher = None
            self._local = threading.local()

    @property
    def searcher(self) -> Any:
        """This thread's searcher of the current generation (opened on first use)."""
        try:
            self.refresh()
        except Exception:
            if self._searcher is None:
                raise
        gen, ix = self._state
        pair = getattr(self._local, "pair", None)
        if pair is not None and pair[0] == gen:
            return pair[1]
        searcher = ix.searcher()
        searcher.kb_generation = gen.name
        with self._lock:
            if self._state[0] == gen:
                self._open.append(searcher)
            else:  # swapped meanwhile: use it for this request, close it later
                self._retired.append((time.monotonic(), searcher))
        self._local.pair = (gen, searcher)
        return searcher

    def warm(self) -> None:
        """Build the current generation's facet and sort tables now rather than on the first
        search (at 100k records the first search took 11 s): `kb serve` calls it before it
        accepts requests."""
        searcher = self.searcher
        self._facet_values(searcher)
        self._sort_arrays(searcher)

    @property
    def generation(self) -> str:
        gen = self._state[0]
        return gen.name if gen else ""

    # ------------------------------------------------------------ search

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
    ) -> dict[str, Any]:
        """Run a typed query. Never raises for what a user can type."""
        pq = parse(q)
        filters = {k: [v for v in vs if v] for k, vs in (filters or {}).items() if k in FACETS}
        filters = {k: vs for k, vs in filters.items() if vs}
        page = min(max(1, int(page or 1)), MAX_PAGE)
        per_page = min(max(1, int(per_page or 10)), MAX_PER_PAGE)
        sort = sort if sort in ("relevance", "date", "date-asc") else "relevance"
        searcher = self.searcher
        p = plan(pq, filters)
        wq = p.query()
        start = (page - 1) * per_page
        relaxed: Relaxation | None = None
        by_date = sort != "relevance" or pq.empty or not pq.groups
        if by_date:
            # By date: the matches unscored, ordered by the generation's date and ordinal arrays
            # (Whoosh's sorted collector cost 400 ms for 9,000 cases at 10k records).
            matched = list(searcher.docs_for_query(wq))
            if len(matched) < RELAX_BELOW and p.units:
                relaxed = relax(searcher, p, len(matched))
                if relaxed is not None and relaxed.docs():
                    matched = list(relaxed.docs())
            matched = self._by_date(searcher, matched, sort)
            total = len(matched)
            page_hits = [(searcher.stored_fields(d), None, []) for d in matched[start : start + per_page]]
            docs: Any = matched
        else:
            # One walk over the matches gives the page, the total and the documents the facets
            # count: Whoosh's search_page walked them again for len(), and a grouped search a
            # third time for the facets.
            results = searcher.search(wq, limit=None)
            ranked = self._with_kind_prior(searcher, results.top_n)
            docs = results.docs()
            if len(ranked) < RELAX_BELOW and p.units:
                relaxed = relax(searcher, p, len(ranked))
                if relaxed is not None and relaxed.docs():
                    ranked = relaxed.ranked(self._prior(searcher), self._keys(searcher).__getitem__)
                    docs = relaxed.docs()
            ranked, folded = self._fold_versions(searcher, ranked)
            if folded:  # the facets count what is listed: one article per group of editions
                docs = [d for _, d in ranked]
            total = len(ranked)
            page_hits = [
                (searcher.stored_fields(d), score, folded.get(d, []))
                for score, d in ranked[start : start + per_page]
            ]
        terms = self._terms(wq, relaxed, p) if snippets else {}
        hits = [self._hit(f, score, snippets, terms, versions) for f, score, versions in page_hits]
        provisions = (
            self._provisions_broken(searcher, [d for _, d in ranked[:RELATED_FROM]], hits)
            if not by_date and page == 1
            else []
        )
        parsed = pq.dump()
        parsed["relaxed"] = (
            relaxed.dump()
            if relaxed is not None and (relaxed.min_match < relaxed.of or relaxed.missing or relaxed.replaced)
            else None
        )
        if parsed["relaxed"]:
            parsed["notes"] = [*parsed["notes"], parsed["relaxed"]["message"]]
        return {
            "query": q,
            "parsed": parsed,
            "total": total,
            "page": page,
            "per_page": per_page,
            "pages": max(1, math.ceil(total / per_page)),
            "sort": sort,
            "filters": filters,
            "hits": hits,
            "provisions": provisions,
            "facets": self.facet_counts(
                pq, filters, matched=docs, searcher=searcher, query_plan=p, relaxed=relaxed
            )
            if facets
            else {},
        }

    def _provisions_broken(self, searcher: Any, docs: list[int], hits: list[dict[str, Any]]) -> list[dict]:
        """The provisions the best-ranked cases broke, most cases first (相关条文): when a query
        is answered by cases, the rule to cite is one click away even if no provision ranks."""
        shown = {h["id"] for h in hits}
        counts: Counter[str] = Counter()
        for d in docs:
            f = searcher.stored_fields(d)
            if f.get("kind") == "case":
                counts.update(v for v in (f.get("violates") or "").split(",") if v and v not in shown)
        return [
            {"id": uid, "label": self.label(uid), "cases": n}
            for uid, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:RELATED_SHOWN]
        ]

    def _by_date(self, searcher: Any, docs: list[int], sort: str) -> list[int]:
        dates, ordinals = self._sort_arrays(searcher)
        keys = self._keys(searcher)
        docs = sorted(docs, key=keys.__getitem__)  # ties in date and ordinal: by id, across rebuilds too
        docs.sort(key=ordinals.__getitem__)
        docs.sort(key=dates.__getitem__, reverse=sort != "date-asc")
        return docs

    def _terms(self, wq: Any, relaxed: Relaxation | None, p: Plan) -> dict[str, float]:
        """The text terms a hit may have matched, with their weight for choosing a snippet."""
        queries = [wq] + (relaxed.queries if relaxed is not None else [])
        terms: set[str] = set()
        for q in queries:
            for fn, t in q.iter_all_terms():
                if fn == "text":
                    terms.add(t.decode() if isinstance(t, bytes) else t)
        return self._term_weights(terms)

    def _term_weights(self, terms: set[str]) -> dict[str, float]:
        """Each term's inverse document frequency: a rare word that made the hit weighs most."""
        searcher = self.searcher
        out = {}
        for t in terms:
            try:
                out[t] = float(searcher.idf("text", t))
            except Exception:  # a term the index does not hold
                out[t] = 0.0
        return out

    def _snippet(self, text: str, terms: dict[str, float]) -> str:
        return snippet(text, terms)

    def _hit(
        self,
        f: dict[str, Any],
        score: Any,
        snippets: bool,
        terms: dict[str, float] | None = None,
        versions: list[str] | None = None,
    ) -> dict[str, Any]:
        text_snippet = ""
        if snippets:
            try:
                text_snippet = self._snippet(f.get("text", ""), terms or {})
            except Exception:  # a highlighter failure must not cost the hit
                text_snippet = ""
            if not text_snippet:
                text_snippet = snippet(f.get("text", ""), {})
        return {
            "id": f["id"],
            "kind": f["kind"],
            "title": (f.get("title") or "").removeprefix(f.get("number") or "").strip()
            or f.get("doc_title", ""),
            "document_id": f["doc_id"],
            "document_title": f.get("doc_title", ""),
            "number": f.get("number", ""),
            "heading": f.get("heading", ""),
            "date": f.get("date", ""),
            "year": f.get("year", ""),
            "sanctions": [s for s in f.get("sanction", "").split(",") if s],
            "summary": bool(f.get("summary")),
            "snippet": text_snippet,
            "other_versions": [{"id": v, "title": self.label(v)} for v in versions or ()],
            "score": round(float(score), 4) if isinstance(score, int | float) else None,
        }

    def _facet_values(self, searcher: Any) -> dict[str, tuple[list[str], Any]]:
        """Per facet: its values, and for every document number the value's index (one-valued
        facets, an array) or the tuple of indexes (multi-valued). Read once per generation from
        the facet fields' postings; counting a result's facets is then a Counter over arrays.
        Keyed by generation, so document numbers never meet another generation's table."""
        key = searcher.kb_generation
        cached = self._facets
        if cached is not None and cached[0] == key:
            return cached[1]
        with self._facet_lock:
            cached = self._facets
            if cached is None or cached[0] != key:
                reader = searcher.reader()
                n = reader.doc_count_all()
                table: dict[str, tuple[list[str], Any]] = {}
                for name, fieldname in FACETS.items():
                    values: list[str] = []
                    per_doc: list[list[int]] = [[] for _ in range(n)]
                    for i, btext in enumerate(reader.lexicon(fieldname)):
                        values.append(btext.decode())
                        for d in reader.postings(fieldname, btext).all_ids():
                            per_doc[d].append(i)
                    if name in MULTI_VALUED:
                        table[name] = (values, [tuple(x) for x in per_doc])
                    else:
                        table[name] = (values, array("i", [x[0] if x else -1 for x in per_doc]))
                cached = self._facets = (key, table)
        return cached[1]

    def _prior(self, searcher: Any) -> Any:
        """docnum → the relevance multiplier of the hit's kind (KIND_PRIOR)."""
        values, kinds = self._facet_values(searcher)["kind"]
        prior = [KIND_PRIOR.get(v, 1.0) for v in values]
        return lambda d: prior[kinds[d]] if kinds[d] >= 0 else 1.0

    def _with_kind_prior(self, searcher: Any, scored: list[tuple[float, int]]) -> list[tuple[float, int]]:
        """Scores times the prior of the hit's kind (KIND_PRIOR), best first. A short case whose
        title names the topic (…收受礼金问题) otherwise outscores the provision it broke, whose
        heading is only 第九十七条: for a topic query the rule comes first, its cases next."""
        values, kinds = self._facet_values(searcher)["kind"]
        prior = [KIND_PRIOR.get(v, 1.0) for v in values]
        ranked = [(score * (prior[kinds[d]] if kinds[d] >= 0 else 1.0), d) for score, d in scored]
        keys = self._keys(searcher)
        ranked.sort(key=lambda x: (-x[0], keys[x[1]]))  # equal scores: by id, stable across rebuilds
        return ranked

    def _sort_arrays(self, searcher: Any) -> tuple[list[str], list[int]]:
        """Every document's date and ordinal, from the sortable columns; once per generation."""
        cached = self._sorts
        if cached is None or cached[0] != searcher.kb_generation:
            reader = searcher.reader()
            dates = [
                v.decode() if isinstance(v, bytes) else (v or "") for v in reader.column_reader("sort_date")
            ]
            ordinals = [int(v or 0) for v in reader.column_reader("ordinal")]
            keys = [v.decode() if isinstance(v, bytes) else (v or "") for v in reader.column_reader("key")]
            cached = self._sorts = (searcher.kb_generation, (dates, ordinals, keys))
        return cached[1][:2]

    def _keys(self, searcher: Any) -> list[str]:
        """Every document's key (hit:<unit id>), from the key column; once per generation."""
        self._sort_arrays(searcher)
        return self._sorts[1][2]

    def _fold_versions(
        self, searcher: Any, ranked: list[tuple[float, int]]
    ) -> tuple[list[tuple[float, int]], dict[int, list[str]]]:
        """One hit per article across the editions of a policy: the same article in the 2018 and
        the 2023 条例 (by the correspondence table) is shown once, where it ranks best, with the
        other edition's article named beside it. Returns the folded ranking and, per kept
        document, the ids folded into it."""
        if not self._versions:
            return ranked, {}
        keys = self._keys(searcher)
        kept: dict[str, int] = {}  # unit id → the document that stands for its group
        folded: dict[int, list[str]] = {}
        out = []
        for score, d in ranked:
            uid = keys[d][4:]
            group = [uid, *self._versions.get(uid, ())]
            owner = next((kept[g] for g in group if g in kept), None)
            if owner is not None:
                folded.setdefault(owner, []).append(uid)
                continue
            kept[uid] = d
            out.append((score, d))
        return out, folded

    def _count(self, searcher: Any, name: str, docs: Iterable[int]) -> Counter[str]:
        values, per_doc = self._facet_values(searcher)[name]
        if name in MULTI_VALUED:
            ids = Counter(chain.from_iterable(map(per_doc.__getitem__, docs)))
        else:
            ids = Counter(map(per_doc.__getitem__, docs))
            ids.pop(-1, None)
        return Counter({values[i]: c for i, c in ids.items()})

    def facet_counts(
        self,
        pq: ParsedQuery,
        filters: dict[str, list[str]],
        matched: Iterable[int] | None = None,
        searcher: Any = None,
        query_plan: Plan | None = None,
        relaxed: Relaxation | None = None,
    ) -> dict[str, list[dict[str, Any]]]:
        """Counts per facet value over all matching hits. A facet's own selection is left out of
        its counts (so a second value can be added); multi-valued facets count a hit under each
        of its values. ``matched``: the document numbers of the query with all filters, when
        the caller has them, with the searcher that found them; ``relaxed``: the relaxation
        the results were found with, which the counts follow."""
        out: dict[str, list[dict[str, Any]]] = {}
        searcher = searcher or self.searcher
        p = query_plan or plan(pq, filters)
        docsets: dict[tuple, Any] = {}
        if matched is not None:
            docsets[tuple(sorted(filters))] = matched
        for name in FACETS:
            others = [k for k in filters if k != name]
            key = tuple(sorted(others))
            if key not in docsets:
                if relaxed is not None and relaxed.matched:
                    docsets[key] = relaxed.docs(searcher.docs_for_query(p.query(facets=others, units=False)))
                else:
                    docsets[key] = list(searcher.docs_for_query(p.query(facets=others)))
            counts = self._count(searcher, name, docsets[key])
            selected = set(filters.get(name, []))
            rows = [
                {"value": v, "label": value_label(name, v), "count": c, "selected": v in selected}
                for v, c in counts.items()
                if v
            ]
            if name in ("violates", "document"):
                for row in rows:
                    row["label"] = self.label(row["value"])
            if name == "violates":  # 违反条文 counts provisions; a list item is what a case is about
                rows = [r for r in rows if r["selected"] or self._kind_of(r["value"]) == "policy"]
            for v in selected - {r["value"] for r in rows}:
                rows.append({"value": v, "label": value_label(name, v), "count": 0, "selected": True})
            rows.sort(
                key=lambda r: (-r["count"], r["value"]) if name != "year" else (r["value"],),
                reverse=name == "year",
            )
            out[name] = rows
        return out

    # ------------------------------------------------------------ records

    def _stored(self, key: str) -> dict[str, Any] | None:
        return self.searcher.document(key=key)

    def _kind_of(self, item_id: str) -> str:
        record = self._record(item_id.split("/")[0])
        return record["kind"] if record else ""

    def _record(self, rid: str) -> dict[str, Any] | None:
        """A stored record, parsed once per generation. Shared: read it, never change it. Misses
        are not remembered, so made-up ids in URLs cannot grow the cache."""
        record = self._records.get(rid)
        if record is None:
            doc = self._stored(f"doc:{rid}")
            if doc is None:
                return None
            record = self._records[rid] = json.loads(doc["record"])
        return record

    @staticmethod
    def _find_unit(record: dict[str, Any], anchor: str) -> int | None:
        for i, u in enumerate(record["units"]):
            if u["anchor"] == anchor:
                return i
        return None

    def canonical(self, item_id: str) -> str:
        """The id a record or unit is kept under: an imported official text merged into the
        bundled summary of the same work answers to its own id too (cdc-2023-full/132)."""
        head, sep, rest = item_id.partition("/")
        target = self.manifest.get("aliases", {}).get(head)
        return target + sep + rest if target else item_id

    def get(self, item_id: str) -> dict[str, Any] | None:
        """A record (document) or a unit (provision, item, section) by id, as stored. The caller
        owns the result (pages add urls and links to it)."""
        item_id = self.canonical(item_id)
        record = self._record(item_id)
        if record is not None:
            return copy.deepcopy(record)
        if "/" not in item_id:
            return None
        rid, _, anchor = item_id.partition("/")
        record = self._record(rid)
        if record is None:
            return None
        anchor = anchor.split("/")[0]  # cdc-2023/132/2 → its article
        i = self._find_unit(record, anchor)
        if i is None:
            return None
        units, u = record["units"], record["units"][i]
        return {
            "id": f"{rid}/{anchor}",
            "kind": UNIT_KIND.get(record["kind"], record["kind"]),
            "document_id": rid,
            "document_title": record["title"],
            "document_kind": record["kind"],
            "number": u["number"],
            "title": u["title"],
            "heading": list(u["heading"]),
            "text": u["text"],
            "basis": list(u["basis"]),
            "category": u["category"],
            "gist": u.get("gist", ""),
            "stub": u.get("stub", False),
            "summary": record.get("summary", False),
            "source": record.get("source", ""),
            "issuer": record.get("issuer", ""),
            "date": record.get("date"),
            "previous": units[i - 1]["id"] if i > 0 else None,
            "next": units[i + 1]["id"] if i + 1 < len(units) else None,
            "links": {"violated_by": [], "cited_by": [], "cites": [], "related": []},
        }

    @staticmethod
    def _dedupe(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One row per id; a direct link wins over one that came through the correspondence table."""
        best: dict[str, dict[str, Any]] = {}
        for r in rows:
            if r["id"] not in best or (best[r["id"]]["via"] and not r["via"]):
                best[r["id"]] = r
        return list(best.values())

    def _edge_row(self, other: str, e: dict[str, Any]) -> dict[str, Any]:
        rec = self._record(other.split("/")[0]) or {}
        return {
            "id": other,
            "title": self.label(other),
            "date": when(rec.get("date"), rec.get("year")),
            "via": e.get("via", ""),
            "via_label": self.label(e["via"]) if e.get("via") else "",
            "origin": e["origin"],
            "sentence": e.get("sentence", ""),
        }

    def get_with_links(self, item_id: str) -> dict[str, Any] | None:
        """get(), with links filled. For a provision: the cases that violated it (curated, with
        counts by year and sanction; ``via`` names the other version's article when the link came
        through the correspondence table), the records citing it, and suggestions; for a list item
        also the newest cases under the provisions it rests on (``basis_cases``). For a record:
        what it violated and cited, its unresolved citations, and suggestions."""
        item = self.get(item_id)
        if item is None:
            return None
        if "units" in item:
            rid = item["id"]
            own = list(self._by_source.get(rid, [])) + [
                e for u in item["units"] for e in self._by_source.get(u["id"], [])
            ]
            item["links"] = {
                "violates": self._dedupe(
                    [self._edge_row(e["target"], e) for e in own if e["type"] == "violates"]
                ),
                "cites": self._dedupe([self._edge_row(e["target"], e) for e in own if e["type"] == "cites"]),
                "unresolved": self._unresolved.get(rid, []),
            }
            linked = {e["target"] for e in own}
            item["links"]["related"] = (
                self.related(rid, "provision", exclude=linked) if item["kind"] == "case" else []
            )
            return item
        vb = self.violated_by(item["id"])
        via = {
            e["source"]: e.get("via", "")
            for e in self._by_target.get(item["id"], [])
            if e["type"] == "violates"
        }
        for c in vb["cases"]:
            c["via"] = via.get(c["id"], "")
            c["via_label"] = self.label(c["via"]) if c["via"] else ""
        links = item["links"]
        links["violated_by"] = vb["cases"]
        links["violated_by_counts"] = {
            "total": vb["total"],
            "by_year": vb["by_year"],
            "by_sanction": vb["by_sanction"],
        }
        links["cited_by"] = self._dedupe(
            [
                self._edge_row(e["source"], e)
                for e in self._by_target.get(item["id"], [])
                if e["type"] == "cites"
            ]
        )
        links["cites"] = self._dedupe(
            [
                self._edge_row(e["target"], e)
                for e in self._by_source.get(item["id"], [])
                if e["type"] == "cites"
            ]
        )
        links["versions"] = [{"id": o, "title": self.label(o)} for o in self._counterparts(item["id"])]
        # a list item rests on provisions: the cases under those are its cases too
        links["basis_cases"] = self.cases_for(item["basis"], limit=10) if item.get("basis") else []
        linked = {c["id"] for c in vb["cases"]} | {c["id"] for c in links["cited_by"]}
        linked |= {c["id"] for c in links["basis_cases"]}
        links["related"] = self.related(item["id"], "case", exclude=linked)
        return item

    def _counterparts(self, unit_id: str) -> list[str]:
        return list(self._versions.get(unit_id, []))

    def related(
        self, item_id: str, kind: str, limit: int = 5, exclude: set[str] | None = None
    ) -> list[dict[str, Any]]:
        """Suggestions by text similarity (more-like-this): shown apart, never mixed with curated links.
        The item's key terms leave out words in more than 5% of hits (收受, 春节 in a gift case):
        they add little to "like this" and made the query score thousands of hits. Kept per
        generation (a page is viewed more than once)."""
        key = (item_id, kind, limit, tuple(sorted(exclude or ())))
        if key in self._related:
            return copy.deepcopy(self._related[key])
        s = self.searcher
        docnum = s.document_number(key=f"hit:{item_id}")
        if docnum is None:
            return []
        try:
            common = max(50, s.doc_count() // 20)
            terms = [
                (t, w)
                for t, w in s.key_terms([docnum], "text", numterms=30)
                if s.doc_frequency("text", t) <= common
            ][:12]
            if not terms:
                return []
            top = max(w for _, w in terms)
            q = Q.Or([Q.Term("text", t, boost=w / top) for t, w in terms])
            res = s.search(q, limit=limit + 5, filter=Q.Term("kind", kind))
        except Exception:  # a suggestion's failure must not cost the page
            return []
        out = []
        for h in res:
            if h["id"] == item_id or (exclude and h["id"] in exclude):
                continue
            out.append(
                {
                    "id": h["id"],
                    "title": self.label(h["id"]),
                    "score": round(float(h.score), 3),
                    "suggestion": True,
                }
            )
        if len(self._related) > 5000:
            self._related.clear()
        self._related[key] = out[:limit]
        return copy.deepcopy(out[:limit])

    def label(self, item_id: str) -> str:
        """A short human label for a record or unit id: 中国共产党纪律处分条例 第一百三十二条."""
        if item_id not in self._labels:
            label = item_id
            record = self._record(item_id)
            if record is not None:
                label = record["title"]
            elif "/" in item_id:
                rid, _, anchor = item_id.partition("/")
                parent = self._record(rid)
                i = self._find_unit(parent, anchor.split("/")[0]) if parent else None
                if i is not None:
                    u = parent["units"][i]
                    extra = u["title"] if u["title"] and u["title"] not in u["number"] else ""
                    label = " ".join(x for x in (parent["title"], u["number"], extra) if x)
            if label == item_id:
                return label  # not held: not remembered, so made-up ids cannot grow the cache
            self._labels[item_id] = label
        return self._labels[item_id]

    def _newest_cases(self, provision_ids: list[str], limit: int, facets: bool) -> dict[str, Any]:
        """The search behind violated_by and cases_for: cases linked to these provisions, by date."""
        return self.search(
            "",
            filters={"violates": list(provision_ids), "kind": ["case"]},
            sort="date",
            per_page=limit,
            facets=facets,
            snippets=False,
        )

    def violated_by(self, unit_id: str, limit: int = 200) -> dict[str, Any]:
        """Cases whose curated ``violates`` names this provision (or its counterpart in another
        version), newest first, with counts by year and sanction."""
        r = self._newest_cases([unit_id], min(limit, MAX_PER_PAGE), facets=True)
        cases = [
            {
                "id": h["id"],
                "title": h["title"],
                "date": h["date"],
                "year": h["year"],
                "when": when(h["date"], h["year"]),
                "sanctions": h["sanctions"],
            }
            for h in r["hits"]
        ]
        return {
            "total": r["total"],
            "cases": cases,
            "by_year": [{"value": x["value"], "count": x["count"]} for x in r["facets"].get("year", [])],
            "by_sanction": [
                {"value": x["value"], "count": x["count"]} for x in r["facets"].get("sanction", [])
            ],
        }

    def policy_index(self) -> Any:
        """The citation resolver's view of the policies in this generation (built once)."""
        from kb.links.resolve import PolicyIndex
        from kb.records import record_from_dump

        if self._policy_index is None:
            res = self.searcher.search(
                Q.And([Q.Term("entry", "document"), Q.Term("kind", "policy")]), limit=None
            )
            self._policy_index = PolicyIndex([record_from_dump(json.loads(h["record"])) for h in res])
        return self._policy_index

    def similar_units(self, sentence: str, limit: int = 3) -> list[dict[str, Any]]:
        """List items and provisions that read like a sentence of a draft: the best BM25 matches
        that share at least two content words with it, one of them a domain term."""
        from indexer.analysis import cut, domain_terms

        words = {t for t in cut(sentence) if len(t) > 1}
        if len(words) < 2:
            return []
        q = Q.Or([Q.Term("text", w) for w in words])
        rules = Q.And(
            [Q.Term("entry", "hit"), Q.Or([Q.Term("kind", "list-item"), Q.Term("kind", "provision")])]
        )
        out = []
        # the kind as a filter: inside the query, whoosh3's top-N let materials through
        for h in self.searcher.search(q, limit=10, filter=rules):
            if h.get("kind") not in ("list-item", "provision"):
                continue
            if h["id"] not in self._tokens:  # a draft asks about the same provisions sentence after sentence
                self._tokens[h["id"]] = set(cut(h["text"]))
            shared = words & self._tokens[h["id"]]
            if len(shared) >= 2 and shared & domain_terms():
                out.append(
                    {
                        "id": h["id"],
                        "title": self.label(h["id"]),
                        "category": (h.get("category") or "").split(",")[0],
                        "provisions": [h["id"], *[v for v in (h.get("violates") or "").split(",") if v]],
                        "shared": sorted(shared),
                    }
                )
            if len(out) >= limit:
                break
        return out

    def cases_for(self, provision_ids: list[str], limit: int = 3) -> list[dict[str, Any]]:
        """Cases that violated any of these provisions (or their counterparts), newest first."""
        r = self._newest_cases(provision_ids, limit, facets=False)
        return [
            {
                "id": h["id"],
                "title": h["title"],
                "date": when(h["date"], h["year"]),
                "sanctions": h["sanctions"],
            }
            for h in r["hits"]
        ]

    def check(self, text: str) -> dict[str, Any]:
        """The draft check with this index: citations, cases and similar-text suggestions filled."""
        from kb.check import check_draft

        memo: dict[tuple[str, ...], list[dict[str, Any]]] = {}

        def cases(ids: list[str]) -> list[dict[str, Any]]:  # many flags share their provisions
            key = tuple(ids)
            if key not in memo:
                memo[key] = self.cases_for(ids)
            return memo[key]

        return check_draft(text, similar=self.similar_units, cite=self.label, cases=cases).dump()

    def browse(self, kind: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Document entries (records), newest first."""
        q: Q.Query = Q.Term("entry", "document")
        if kind:
            q = Q.And([q, Q.Term("kind", kind)])
        res = self.searcher.search(q, limit=limit, sortedby=sorting.FieldFacet("sort_date", reverse=True))
        return [{k: h.get(k) for k in ("id", "kind", "title", "date", "issuer")} for h in res]


__all__ = ["IndexDamaged", "NoIndex", "SearchService"]
