"""The Whoosh engine: one generation of a Whoosh index (the default engine, pure Python).

Whoosh searchers read shared file objects and are not safe across threads (the load test saw
truncated zlib streams under a rebuild), so each thread gets a searcher of its own; all of them
are closed with the engine. Facet values, dates, unit order and keys are read once per
generation into arrays indexed by document number: counting a result's facets or ordering it by
date is then a pass over arrays, not over postings.
"""

from __future__ import annotations

import threading
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import chain
from pathlib import Path
from typing import Any

from whoosh import query as Q
from whoosh import sorting

from indexer.build import open_generation
from indexer.engine import KIND_PRIOR
from indexer.query import Restrict
from indexer.schema import FACET_LEAVES_OUT, FACETS, MULTI_VALUED


def _restrictions(query: Any) -> tuple[Any, Any]:
    """A query's restrictions (indexer.query.Restrict, top level of an And) as Whoosh's
    ``filter``, which keeps documents without scoring them: Whoosh's ConstantScoreQuery scores
    its child after all when a matcher needs its current match."""
    if not isinstance(query, Q.And):
        return query, None
    only = [q.child for q in query.subqueries if isinstance(q, Restrict)]
    if not only:
        return query, None
    rest = [q for q in query.subqueries if not isinstance(q, Restrict)]
    return (Q.And(rest) if len(rest) > 1 else rest[0]), (Q.And(only) if len(only) > 1 else only[0])


class WhooshEngine:
    name = "whoosh"
    facets_ordered = False

    def __init__(self, gen: Path):
        self.path = gen
        self.generation = gen.name
        self.ix, first = open_generation(gen)  # IndexDamaged names what is wrong
        self._local = threading.local()
        self._local.searcher = first
        self._open = [first]
        self._lock = threading.Lock()
        self._facets: dict[str, tuple[list[str], Any]] | None = None
        self._arrays: tuple[list[str], list[int], list[str], list[float]] | None = None

    # ------------------------------------------------------------ searchers

    @property
    def searcher(self) -> Any:
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = self.ix.searcher()
            with self._lock:
                self._open.append(s)
        return s

    def close(self) -> None:
        with self._lock:
            for s in self._open:
                s.close()
            self._open = []
        self._local = threading.local()

    def doc_count(self) -> int:
        return self.searcher.doc_count()

    # ------------------------------------------------------------ per-generation arrays

    def _tables(self) -> dict[str, tuple[list[str], Any]]:
        """Per facet: its values, and for every document number the value's index (one-valued
        facets, an array) or the tuple of indexes (multi-valued); read from the postings once."""
        if self._facets is None:
            with self._lock:
                if self._facets is None:
                    reader = self.searcher.reader()
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
                    self._facets = table
        return self._facets

    def _columns(self) -> tuple[list[str], list[int], list[str], list[float]]:
        """Every document's sort date, unit order, key and kind prior."""
        if self._arrays is None:
            reader = self.searcher.reader()

            def text(name: str) -> list[str]:
                return [v.decode() if isinstance(v, bytes) else (v or "") for v in reader.column_reader(name)]

            values, kinds = self._tables()["kind"]
            prior = [KIND_PRIOR.get(v, 1.0) for v in values]
            priors = [prior[k] if k >= 0 else 1.0 for k in kinds]
            ordinals = [int(v or 0) for v in reader.column_reader("ordinal")]
            self._arrays = (text("sort_date"), ordinals, text("key"), priors)
        return self._arrays

    def warm(self) -> None:
        self._tables()
        self._columns()

    # ------------------------------------------------------------ matching

    def ranked(self, query: Any, limit: int | None = None) -> tuple[int, list[tuple[float, int]]]:
        query, only = _restrictions(query)
        results = self.searcher.search(query, limit=None, filter=only)
        _, _, keys, priors = self._columns()
        ranked = [(score * priors[d], d) for score, d in results.top_n]
        ranked.sort(key=lambda x: (-x[0], keys[x[1]]))  # equal scores: by key, stable across rebuilds
        return len(ranked), ranked

    def sort_by_date(self, docs: Iterable[int], newest_first: bool) -> list[int]:
        dates, ordinals, keys, _ = self._columns()
        out = sorted(docs, key=keys.__getitem__)  # ties in date and unit order: by key
        out.sort(key=ordinals.__getitem__)
        out.sort(key=dates.__getitem__, reverse=newest_first)
        return out

    def by_date(self, query: Any, newest_first: bool, start: int, limit: int) -> tuple[int, list[int]]:
        # the matches unscored, ordered by the generation's arrays (Whoosh's sorted collector
        # cost 400 ms for 9,000 cases at 10k records)
        docs = self.sort_by_date(self.searcher.docs_for_query(query), newest_first)
        return len(docs), docs[start : start + limit]

    def matches(self, query: Any) -> dict[int, float]:
        query, only = _restrictions(query)
        return {d: float(s) for s, d in self.searcher.search(query, limit=None, filter=only).top_n}

    def docs(self, query: Any) -> set[int]:
        return set(self.searcher.docs_for_query(query))

    def keys(self, docs: Iterable[int]) -> list[str]:
        keys = self._columns()[2]
        return [keys[d] for d in docs]

    def priors(self, docs: Iterable[int]) -> list[float]:
        priors = self._columns()[3]
        return [priors[d] for d in docs]

    def facet_counts(
        self, names: Iterable[str], query: Any = None, docs: Iterable[int] | None = None
    ) -> dict[str, Mapping[str, int]]:
        matched = list(docs) if docs is not None else list(self.searcher.docs_for_query(query))
        tables = self._tables()
        out = {}
        for name in names:
            values, per_doc = tables[name]
            counted = matched
            if name in FACET_LEAVES_OUT:  # e.g. case hits under 文件 (indexer/schema.py)
                facet, value = FACET_LEAVES_OUT[name]
                known, of_doc = tables[facet]
                if value in known:
                    skip = known.index(value)
                    counted = [d for d in matched if of_doc[d] != skip]
            if name in MULTI_VALUED:
                ids = Counter(chain.from_iterable(map(per_doc.__getitem__, counted)))
            else:
                ids = Counter(map(per_doc.__getitem__, counted))
                ids.pop(-1, None)
            out[name] = Counter({values[i]: c for i, c in ids.items()})
        return out

    # ------------------------------------------------------------ stored fields

    def stored(self, doc: int) -> dict[str, Any]:
        return self.searcher.stored_fields(doc)

    def find(self, key: str) -> int | None:
        return self.searcher.document_number(key=key)

    def top(self, query: Any, limit: int, *, filter: Any = None, newest_first: bool = False) -> list[dict]:
        sortedby = sorting.FieldFacet("sort_date", reverse=True) if newest_first else None
        return [dict(h) for h in self.searcher.search(query, limit=limit, filter=filter, sortedby=sortedby)]

    def idf(self, term: str) -> float:
        try:
            return float(self.searcher.idf("text", term))
        except Exception:  # a term the index does not hold
            return 0.0

    def similar(self, doc: int, kind: str, limit: int) -> list[tuple[float, dict]]:
        """The document's key terms, leaving out words in more than 5% of hits (收受, 春节 in a
        gift case): they add little to "like this" and made the query score thousands of hits."""
        s = self.searcher
        common = max(50, s.doc_count() // 20)
        terms = [
            (t, w) for t, w in s.key_terms([doc], "text", numterms=30) if s.doc_frequency("text", t) <= common
        ][:12]
        if not terms:
            return []
        top = max(w for _, w in terms)
        q = Q.Or([Q.Term("text", t, boost=w / top) for t, w in terms])
        return [(float(h.score), dict(h)) for h in s.search(q, limit=limit, filter=Q.Term("kind", kind))]


__all__ = ["WhooshEngine"]
