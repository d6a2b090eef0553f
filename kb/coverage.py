"""How many published cases the corpus holds for each provision staff look up first.

The provisions in scope and the reasons a provision may have fewer than ``MINIMUM`` cases live in
``kb/data/coverage.toml``. A case counts for a provision when its ``violates`` names it or the
same article in another version of the text (条例 2018 第九十二条 counts for 2023 第一百零一条).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from kb.corpus import Corpus
from kb.links.correspondence import load_correspondence

DATA = Path(__file__).resolve().parent / "data" / "coverage.toml"
MINIMUM = 3


@dataclass(frozen=True)
class Coverage:
    provision: str  # unit id, cdc-2023/113
    label: str  # 《中国共产党纪律处分条例》第一百一十三条
    cases: tuple[str, ...]  # case ids, directly or through a counterpart
    reason: str = ""  # why fewer than MINIMUM, when that is so (from coverage.toml)

    @property
    def short(self) -> bool:
        return len(self.cases) < MINIMUM


def load_scope(path: Path = DATA) -> tuple[list[dict], dict[str, str]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return list(data.get("scope", [])), dict(data.get("reasons", {}))


def coverage(corpus: Corpus, path: Path = DATA) -> list[Coverage]:
    """One row per provision in scope, in the order of the texts."""
    scope, reasons = load_scope(path)
    records = corpus.by_id()
    corr = load_correspondence(corpus.records)
    cases_of: dict[str, set[str]] = {}
    for r in corpus.records:
        if r.kind != "case":
            continue
        for v in r.violates:
            for uid in (v, *corr.counterparts(v)):
                cases_of.setdefault(uid, set()).add(r.id)
    rows = []
    for s in scope:
        record = records.get(s["record"])
        if record is None:
            continue
        chapters = tuple(s.get("chapters", ()))
        for u in record.units:
            if chapters and not any(h.startswith(chapters) for h in u.heading):
                continue
            uid = f"{record.id}/{u.anchor}"
            label = f"《{record.title}》{u.number}{' ' + u.title if u.title else ''}"
            rows.append(Coverage(uid, label, tuple(sorted(cases_of.get(uid, ()))), reasons.get(uid, "")))
    return rows


__all__ = ["MINIMUM", "Coverage", "coverage", "load_scope"]
