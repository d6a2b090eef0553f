"""Search evaluation on questions the project did not write.

`tests/data/practitioners.jsonl`: 940 practitioners' questions are the titles of the case
analyses in ../shared/real/xt/case-analyses (index.tsv); for a fixed-seed sample of 480 of them a
reader judged, from the analysis, which provisions of the knowledge base answer the question
(grade 2: what the answer rests on, in every held edition; grade 1: also useful), before any
ranking was tuned on them. Questions with no answer in the knowledge base are kept in the file
but not scored. Each row carries its split (``dev`` or ``test``, fixed seed): ranking is tuned
on dev only; test is reported.

The question text is read from ../shared at run time (never copied here). The searched index is
the bundled corpus plus the official texts (tests/official.py), without the analyses.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
_PREFIX = re.compile(r"^\s*\d+期\s*")
_ORG = re.compile(r"^[^：:，,？?]{2,12}[：:]\s*")
_SUFFIX = re.compile(r"[—-]{2,}.*$|\s+\d+\s*$")


def clean_question(title: str) -> str:
    """A title as a user would type it: without the column's issue number (23期), the answering
    office (中央纪委审理室：) or the site's name appended to a title."""
    q = _PREFIX.sub("", title)
    q = _ORG.sub("", q)
    return _SUFFIX.sub("", q).strip()


@dataclass(frozen=True)
class Judgement:
    file: str
    query: str
    relevant: dict[str, int]  # unit id → grade
    split: str


def practitioner_questions(shared: Path, min_grade: int = 2) -> list[Judgement]:
    """The judged questions with an answer in the knowledge base: by default those whose answer
    rests on a held provision (grade 2); ``min_grade=1`` adds those where a held provision is
    only related (mostly criminal-law questions)."""
    titles = {}
    for line in (shared / "real/xt/case-analyses/index.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) >= 2:
            titles[parts[0]] = parts[1]
    out = []
    for line in (DATA / "practitioners.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        relevant = {r["id"]: int(r["grade"]) for r in row["relevant"]}
        if relevant and max(relevant.values()) >= min_grade and row["file"] in titles:
            out.append(Judgement(row["file"], clean_question(titles[row["file"]]), relevant, row["split"]))
    return out


@dataclass
class Scores:
    n: int
    success_at_1: float
    success_at_3: float
    success_at_5: float
    mrr: float

    def line(self) -> str:
        return (
            f"n={self.n} success@1 {self.success_at_1:.3f} @3 {self.success_at_3:.3f} "
            f"@5 {self.success_at_5:.3f} MRR {self.mrr:.3f}"
        )


def evaluate(search: Callable[[str], list[str]], judgements: list[Judgement]) -> tuple[Scores, list[str]]:
    """success@k (a relevant unit among the first k hits) and MRR over the first 10."""
    at = {1: 0, 3: 0, 5: 0}
    rr = 0.0
    misses = []
    for j in judgements:
        got = [g if isinstance(g, list) else [g] for g in search(j.query)[:10]]
        rank = next((i for i, g in enumerate(got, 1) if any(x in j.relevant for x in g)), None)
        for k in at:
            if rank and rank <= k:
                at[k] += 1
        rr += 1 / rank if rank else 0.0
        if not rank or rank > 5:
            misses.append(f"{j.file} {j.query} → {[g[0] for g in got[:5]]} (want {sorted(j.relevant)})")
    n = max(1, len(judgements))
    return Scores(len(judgements), at[1] / n, at[3] / n, at[5] / n, rr / n), misses


def project_search(service) -> Callable[[str], list[list[str]]]:
    """The project's search: each hit is its id and the ids of the other editions folded into it."""

    def run(q: str) -> list[list[str]]:
        hits = service.search(q, per_page=10, facets=False, snippets=False)["hits"]
        return [[h["id"], *(v["id"] for v in h.get("other_versions", []))] for h in hits]

    return run


def naive_search(service) -> Callable[[str], list[str]]:
    """The baseline: every word of the question (jieba, the same analyzer) required in the text,
    ranked by BM25 — a plain AND over the same index."""
    from whoosh import query as Q

    from indexer.analysis import cut

    def run(q: str) -> list[str]:
        toks = list(dict.fromkeys(cut(q)))
        if not toks:
            return []
        wq = Q.And([Q.Term("entry", "hit"), *(Q.Term("text", t) for t in toks)])
        return [h["id"] for h in service.engine.top(wq, limit=10)]

    return run
