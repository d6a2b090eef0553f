"""The documents citations name: the catalogue in kb/data/documents.toml (held or not) and the
editions of each family, with the rule that turns a year written in a citation into an edition."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "documents.toml"


@dataclass(frozen=True)
class Edition:
    year: int
    issued: dt.date | None = None
    effective: dt.date | None = None
    note: str = ""

    @property
    def start(self) -> dt.date:
        """When it took effect (its issue date, or 1 January of its year, when that is unknown)."""
        return self.effective or self.issued or dt.date(self.year, 1, 1)


@cache
def _data() -> dict:
    return tomllib.loads(DATA.read_text(encoding="utf-8"))


def normalise_name(name: str) -> str:
    """A document name compared as names are compared: without 《》, spaces, brackets with an
    edition in them, or the prefix 中华人民共和国."""
    n = re.sub(r"[《》\s]", "", name or "")
    n = re.sub(r"[（(][^（）()]*(\d{4}|修订|修正|试行)[^（）()]*[）)]", "", n)
    n = re.sub(r"^\d{4}年(修订|修正)?(的|版)?", "", n)
    return n.removeprefix("中华人民共和国")


@cache
def catalogue() -> dict[str, tuple[str, ...]]:
    """family → its names (as written and normalised)."""
    out = {}
    for fam, row in _data().get("family", {}).items():
        names = list(row.get("names", []))
        out[fam] = tuple(dict.fromkeys([*names, *(normalise_name(n) for n in names)]))
    return out


@cache
def family_of_name() -> dict[str, str]:
    """normalised name → family, for the documents of the catalogue."""
    table: dict[str, str] = {}
    for fam, names in catalogue().items():
        for n in names:
            table.setdefault(normalise_name(n), fam)
    return table


@cache
def editions(family: str) -> tuple[Edition, ...]:
    row = _data().get("family", {}).get(family, {})
    out = []
    for e in row.get("editions", []):
        out.append(
            Edition(
                int(e["year"]),
                dt.date.fromisoformat(e["issued"]) if e.get("issued") else None,
                dt.date.fromisoformat(e["effective"]) if e.get("effective") else None,
                e.get("note", ""),
            )
        )
    return tuple(sorted(out, key=lambda e: e.start))


def edition_for_year(family: str, year: int) -> Edition | None:
    """The edition a year written with a citation names: the one issued that year, else the
    one that took effect that year (2016年《条例》 is the 2015 revision, in force from 2016)."""
    eds = editions(family)
    return next((e for e in eds if e.year == year), None) or next(
        (e for e in eds if e.effective and e.effective.year == year), None
    )


def in_force(family: str, when: dt.date) -> Edition | None:
    """The edition of a family in force on a date, from the catalogue."""
    chosen = None
    for e in editions(family):
        if e.start <= when:
            chosen = e
    return chosen


@cache
def since() -> dict[str, dt.date]:
    """family → the date it came into being, for the families the catalogue dates."""
    out = {}
    for fam, row in _data().get("family", {}).items():
        if row.get("since"):
            out[fam] = dt.date.fromisoformat(row["since"])
    return out
