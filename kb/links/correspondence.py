"""Which article of one version is which article of another.

Sources, later ones winning: alignments computed from full texts present in the corpus, then the
data files in ``kb/data/correspondence/<family>.tsv`` (computed once from the official texts and
corrected by an editor). A data file names versions by year: ``2018/122`` → ``2023/132``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kb.links.versions import Pair, align
from kb.models import Record

DATA = Path(__file__).resolve().parent.parent / "data" / "correspondence"


@dataclass
class Correspondence:
    #: unit id → unit ids of the same article in other versions
    table: dict[str, set[str]] = field(default_factory=dict)
    rows: list[dict[str, str]] = field(default_factory=list)

    def add(self, a: str, b: str, row: dict[str, str]) -> None:
        self.table.setdefault(a, set()).add(b)
        self.table.setdefault(b, set()).add(a)
        self.rows.append(row)

    def counterparts(self, unit_id: str) -> list[str]:
        base = "/".join(unit_id.split("/")[:2])
        return sorted(self.table.get(base, ()))


def read_table(path: Path) -> list[dict[str, str]]:
    rows = []
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    header = lines[0].split("\t")
    for line in lines[1:]:
        cells = line.split("\t")
        rows.append(dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False)))
    return rows


def write_table(pairs: list[Pair], old_label: str, new_label: str, title: str) -> str:
    out = [
        f"# {title}: {old_label} → {new_label}. Computed by `kb links correspond`; editor rows say source=editor.",
        "old\tnew\tscore\tsource\tnote",
    ]
    out += [f"{old_label}/{p.old}\t{new_label}/{p.new}\t{p.score}\t{p.source}\t" for p in pairs]
    return "\n".join(out) + "\n"


def _label(r: Record) -> str:
    d = r.date or r.effective
    return str(d.year) if d else str(r.year or "")


def load_correspondence(records: Iterable[Record], data_dir: Path = DATA) -> Correspondence:
    """The correspondence for the policies of a corpus."""
    families: dict[str, list[Record]] = {}
    for r in records:
        if r.kind == "policy" and r.version_of:
            families.setdefault(r.version_of, []).append(r)
    corr = Correspondence()
    for family, versions in families.items():
        if len(versions) < 2:
            continue
        by_label: dict[str, list[Record]] = {}
        for r in versions:
            by_label.setdefault(_label(r), []).append(r)
        full = sorted((r for r in versions if not r.summary), key=lambda r: r.date or r.effective)
        for old, new in zip(full, full[1:], strict=False):
            for p in align(old.units, new.units):
                corr.add(
                    f"{old.id}/{p.old}",
                    f"{new.id}/{p.new}",
                    {"old": f"{old.id}/{p.old}", "new": f"{new.id}/{p.new}", "source": "computed"},
                )
        path = data_dir / f"{family}.tsv"
        if path.is_file():
            for row in read_table(path):
                old_label, _, old_art = row["old"].partition("/")
                new_label, _, new_art = row["new"].partition("/")
                for o in by_label.get(old_label, []):
                    for n in by_label.get(new_label, []):
                        if o.unit(old_art) is not None and n.unit(new_art) is not None:
                            a, b = f"{o.id}/{old_art}", f"{n.id}/{new_art}"
                            corr.add(
                                a,
                                b,
                                {
                                    "old": a,
                                    "new": b,
                                    "source": row.get("source", ""),
                                    "note": row.get("note", ""),
                                },
                            )
    return corr
