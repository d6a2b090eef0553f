"""Typed edges between records and provisions, computed at build time.

``violates`` — curated: the case's own finding (its ``violates`` field) or an editor's.
``cites``    — found in the text and resolved to the version in force.
``related``  — suggested by text similarity; computed by the search layer, shown apart.
An edge to an old version's article is also shown under its counterpart in the new version,
marked ``via`` the old article.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from kb.links.correspondence import Correspondence
from kb.links.find import find_citations
from kb.links.resolve import PolicyIndex, Resolution, resolve_citations
from kb.models import Record


@dataclass(frozen=True, slots=True)
class Edge:
    source: str  # the citing record or unit
    target: str  # the provision
    type: str  # violates | cites | related
    origin: str  # curated | text | correspondence | similarity
    via: str = ""  # for correspondence edges: the provision the original edge named
    sentence: str = ""

    def dump(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A citation in ``source`` that names no held provision, and why. Kept as the resolution
    itself and made a dict only when written (``dump``): a corpus of 100k records has ~300k."""

    source: str
    resolution: Resolution

    def dump(self) -> dict[str, object]:
        return {"source": self.source, **self.resolution.dump()}


def build_edges(
    records: Iterable[Record], correspondence: Correspondence
) -> tuple[list[Edge], list[Unresolved]]:
    """All edges of the corpus and the citations that could not be resolved."""
    records = list(records)
    index = PolicyIndex(records)
    edges: list[Edge] = []
    unresolved: list[Unresolved] = []
    for r in records:
        for target in r.violates:
            edges.append(Edge(r.id, target, "violates", "curated"))
        if r.kind == "list":
            for u in r.units:
                for target in u.basis:
                    edges.append(Edge(f"{r.id}/{u.anchor}", target, "violates", "curated"))
        if r.kind not in ("case", "material", "list"):
            continue
        texts = (
            [(r.id, "\n".join(u.text for u in r.units))]
            if r.kind == "case"
            else [(f"{r.id}/{u.anchor}", u.text) for u in r.units]
        )
        seen: set[tuple[str, str]] = set()
        for source, text in texts:
            for res in resolve_citations(find_citations(text), r, index):
                if res.target is None:
                    unresolved.append(Unresolved(source, res))
                    continue
                if (source, res.target) in seen:
                    continue
                seen.add((source, res.target))
                edges.append(Edge(source, res.target, "cites", "text", sentence=res.citation.sentence[:200]))
    # the same edges shown under the counterpart article of every other version
    extra = []
    for e in edges:
        for other in correspondence.counterparts(e.target):
            extra.append(Edge(e.source, other, e.type, "correspondence", via=e.target, sentence=e.sentence))
    return edges + extra, unresolved
