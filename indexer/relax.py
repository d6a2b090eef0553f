"""No dead ends: what a search does when all its words together find (almost) nothing.

Steps, each only when the one before left the user with fewer than RELAX_BELOW hits:

1. a word that matches nowhere is tried through the thesaurus (请客 → 宴请); failing that, a
   word of several words is taken apart (调研扰民 → 调研, 扰民); a word that still matches
   nowhere is named (``missing``);
2. most of the words (all but one, when there are three or more) must match;
3. any word may match.

Hits are ranked by how many of the words they match, then by score (rarer words weigh more, as
BM25 weighs them), so hits with every word, if any, come first. Exact phrases, field filters,
exclusions and an explicit AND are never relaxed (``indexer.query.plan`` keeps them required).
Each word is searched once on its own, so the cost is bounded by the number of words
(``MAX_UNITS``; past that, any word may match, in one pass).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from whoosh import query as Q

from indexer import thesaurus
from indexer.query import Clause, Plan, Unit, clause_query, word_units

RELAX_BELOW = 3  # relax when the strict query finds fewer hits than this
MAX_UNITS = 8


@dataclass
class Relaxation:
    min_match: int  # how many of the words a hit matches at least
    of: int  # how many words there are
    units: list[str]  # the words as counted
    missing: list[str] = field(default_factory=list)  # words that match nowhere
    replaced: list[str] = field(default_factory=list)  # what was tried instead, said to the user
    strict_total: int = 0
    matched: Counter[int] = field(default_factory=Counter)  # docnum → words matched
    scores: dict[int, float] = field(default_factory=dict)  # docnum → summed score
    within: set[int] | None = None  # the facet filters' documents, when facets are selected
    queries: list[Any] = field(default_factory=list)  # the words' queries, for highlighting

    def message(self) -> str:
        parts = list(self.replaced)
        parts += [f"“{w}”未找到" for w in self.missing]
        if 0 < self.min_match < self.of:
            if self.strict_total:
                parts.append(
                    f"同时包含全部词语的结果只有 {self.strict_total} 条，"
                    f"以下还列出至少包含其中 {self.min_match} 个词语（共 {self.of} 个）的结果"
                )
            else:
                parts.append(
                    f"没有同时包含全部词语的结果，以下结果至少包含其中 {self.min_match} 个（共 {self.of} 个）"
                )
        return "；".join(parts)

    def dump(self) -> dict[str, Any]:
        return {
            "min_match": self.min_match,
            "of": self.of,
            "words": self.units,
            "dropped": self.missing,
            "replaced": self.replaced,
            "strict_total": self.strict_total,
            "message": self.message(),
        }

    def docs(self, within: Iterable[int] | None = None) -> set[int]:
        """The documents matching at least ``min_match`` words (and the facet filters)."""
        out = {d for d, c in self.matched.items() if c >= self.min_match}
        limit = self.within if within is None else within
        return out if limit is None else out & set(limit)

    def query(self) -> Q.Query | None:
        """The words part of ``docs()`` as one query: at least ``min_match`` of the words' queries
        (an OR of the ways to choose them; at most as many as there are words, since relaxing
        stops at all but one). Facets count through it, in the engine, rather than from a list
        of documents. None when no word matched."""
        qs, m = self.queries, self.min_match
        if not qs or m <= 0:
            return None
        if m <= 1:
            return Q.Or(qs) if len(qs) > 1 else qs[0]
        if m >= len(qs):
            return Q.And(qs)
        return Q.Or([Q.And(list(chosen)) for chosen in combinations(qs, m)])

    def ranked(self, engine: Any) -> list[tuple[float, Any]]:
        """(score, doc), best first: more words matched first, then score times the kind's
        prior, then the entry's key (an order that survives a rebuild)."""
        docs = list(self.docs())
        priors, keys = engine.priors(docs), engine.keys(docs)
        rows = [(self.scores.get(d, 0.0) * p, k, d) for d, p, k in zip(docs, priors, keys, strict=True)]
        rows.sort(key=lambda x: (-self.matched[x[2]], -x[0], x[1]))
        return [(score, d) for score, _, d in rows]


def _thesaurus_unit(unit: Unit) -> tuple[Unit, tuple[str, ...]] | None:
    if " 或 " in unit.label:
        return None
    alts = thesaurus.alternatives(unit.label)
    if not alts:
        return None
    q = clause_query(Clause("word", unit.label, synonyms=alts, origin="thesaurus"))
    return (Unit(unit.label, q), alts) if q is not None else None


def relax(engine: Any, plan: Plan, strict_total: int) -> Relaxation | None:
    """The relaxed match of a plan whose strict query found ``strict_total`` hits, or None when
    there is nothing to relax (no word that may be left out). Words are matched without the
    facet filters (so the facets can be counted for other selections); ``within`` holds the
    filters' documents and decides how many words are needed."""
    if not plan.units:
        return None
    base = plan.query(facets=(), units=False)
    within = engine.docs(plan.query(units=False)) if plan.facets else None
    scored: dict[Any, dict[int, float]] = {}

    def run(u: Unit) -> dict[int, float]:
        key = repr(u.query)
        if key not in scored:
            scored[key] = engine.matches(Q.And([u.query, base]))
        return scored[key]

    units: list[Unit] = []
    missing: list[str] = []
    replaced: list[str] = []
    for u in plan.units[: MAX_UNITS * 3]:
        if run(u):
            units.append(u)
            continue
        alt = _thesaurus_unit(u)
        if alt is not None and run(alt[0]):
            units.append(alt[0])
            replaced.append(f"“{u.label}”未找到，已改查近义词：{'、'.join(alt[1])}")
            continue
        parts = word_units(u.label) if " 或 " not in u.label else []
        if len(parts) > 1:
            found = [p for p in parts if run(p)]
            replaced.append(f"“{u.label}”整体未找到，已分开检索：{'、'.join(p.label for p in parts)}")
            units += found
            missing += [p.label for p in parts if p not in found]
            continue
        missing.append(u.label)
    labels = [u.label for u in units]
    queries = [u.query for u in units]
    if not units:
        return Relaxation(0, len(plan.units), [u.label for u in plan.units], missing, replaced, strict_total)
    if len(units) > MAX_UNITS:  # bounded: any word, one pass
        out = Relaxation(
            1, len(units), labels, missing, replaced, strict_total, within=within, queries=queries
        )
        for d, score in engine.matches(Q.And([Q.Or([u.query for u in units]), base])).items():
            out.matched[d] = 1
            out.scores[d] = score
        return out
    matched: Counter[int] = Counter()
    scores: dict[int, float] = {}
    for u in units:
        for d, s in run(u).items():
            matched[d] += 1
            scores[d] = scores.get(d, 0.0) + s
    n = len(units)
    out = Relaxation(n, n, labels, missing, replaced, strict_total, matched, scores, within, queries)
    steps = [n] + ([n - 1] if n >= 3 else []) + ([1] if n >= 2 else [])
    for m in steps:
        out.min_match = m
        if len(out.docs()) >= min(RELAX_BELOW, len(matched)) and out.docs():
            break
    return out
