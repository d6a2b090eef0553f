"""Citation resolution measured on real case analyses the resolver was not built on.

`tests/data/citations.jsonl`: every article citation (第…条) in 240 case analyses drawn with a
fixed seed from ../shared/real/xt/case-analyses, labelled by reading before the resolver was
changed: the document, the edition and the article the author means, or why that cannot be
said. Each analysis (and so each of its citations) is in the ``dev`` or the ``test`` split
(fixed seed); the resolver is tuned on dev only.

A citation is *resolvable* when its label names a document and edition the knowledge base holds
(the bundled corpus plus the official texts of tests/official.py) and that text has the article.
Precision: of the labelled citations the resolver links, how many it links to the right
provision; recall: of the resolvable ones, how many it links right. A citation is matched to its
label by its surface (第八十七条) and the order in which that surface occurs in the text.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kb.models import Record

DATA = Path(__file__).resolve().parent / "data"
_SURFACE = re.compile(r"第[^第条]{1,12}条")

#: (document key, edition) in the labels → the record id that holds it
HELD = {
    ("cdc", "2018"): "cdc-2018",
    ("cdc", "2023"): "cdc-2023",
    ("zwcf", ""): "zwcf-2020",
    ("zwcf", "2020"): "zwcf-2020",
    ("gwjd", ""): "jdgd-2013",
    ("gwyc", ""): "gwyc",
    ("hyf", ""): "hyf",
    ("pxf", ""): "pxf",
}


@dataclass(frozen=True)
class Label:
    file: str
    split: str
    surface: str
    occurrence: int
    doc: str
    edition: str
    article: int | None
    status: str

    def expected(self, unit_ids: set[str]) -> str | None:
        """The provision id the citation should resolve to, or None when it should not resolve."""
        if self.status != "resolved" or self.article is None:
            return None
        rid = HELD.get((self.doc, self.edition))
        if rid is None:
            return None
        uid = f"{rid}/{self.article}"
        return uid if uid in unit_ids else None


def labels() -> list[Label]:
    out = []
    for line in (DATA / "citations.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        for c in row["citations"]:
            out.append(
                Label(
                    row["file"],
                    row["split"],
                    c["surface"],
                    int(c["occurrence"]),
                    c["doc"],
                    str(c.get("edition") or ""),
                    c.get("article"),
                    c["status"],
                )
            )
    return out


@dataclass
class Outcome:
    resolved: int = 0
    correct: int = 0
    resolvable: int = 0
    found: int = 0  # labelled citations the finder found at all
    total: int = 0
    wrong: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.correct / self.resolved if self.resolved else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.resolvable if self.resolvable else 1.0

    def line(self) -> str:
        return (
            f"{self.total} citations ({self.found} found), {self.resolvable} resolvable: "
            f"resolved {self.resolved}, right {self.correct}; precision {self.precision:.3f}, "
            f"recall {self.recall:.3f}"
        )


def system_citations(record: Record, resolutions: list) -> dict[tuple[str, int], object]:
    """(surface, occurrence) → the resolution of the citation there, in the record's text order."""
    seen: Counter[str] = Counter()
    out: dict[tuple[str, int], object] = {}
    for res in sorted(resolutions, key=lambda r: r.citation.start):
        m = _SURFACE.match(res.citation.text)
        if not m:
            continue
        seen[m.group()] += 1
        out[(m.group(), seen[m.group()])] = res
    return out


def score(
    all_labels: list[Label],
    by_file: dict[str, dict[tuple[str, int], object]],
    unit_ids: set[str],
    split: str | None,
) -> Outcome:
    out = Outcome()
    for lab in all_labels:
        if split and lab.split != split:
            continue
        out.total += 1
        want = lab.expected(unit_ids)
        res = by_file.get(lab.file, {}).get((lab.surface, lab.occurrence))
        if res is not None:
            out.found += 1
        if want is not None:
            out.resolvable += 1
        got = getattr(res, "target", None) if res is not None else None
        if got is not None:
            out.resolved += 1
            if got == want:
                out.correct += 1
            else:
                out.wrong.append(
                    f"{lab.file} {lab.surface}#{lab.occurrence}: {got}, label {lab.doc} {lab.edition} {lab.article} ({lab.status})"
                )
        elif want is not None:
            why = getattr(res, "reason", "not found") if res is not None else "not found"
            out.missed.append(f"{lab.file} {lab.surface}#{lab.occurrence}: want {want}; {why}")
    return out
