"""Resolve citations to provision ids, choosing the version in force when the citing record was
decided, and keep every citation that cannot be resolved with the reason why."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kb.links.find import Citation
from kb.models import Record

_EDITION = re.compile(r"》[（(](\d{4})年(\d{1,2})月(\d{1,2})日")
_YEAR_BEFORE = re.compile(r"(\d{4})年(?:修订)?(?:的|版)?《?[^《》，。；\d]{0,24}》?$")
_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def _edition_date(c: Citation) -> dt.date | None:
    """The edition a citation names by date: 《条例》（2018年8月18日）in its sentence, or the date of
    the title heading it was carried down from."""
    m = _EDITION.search(c.sentence) or _DATE.search(c.edition)
    if not m:
        return None
    try:
        return dt.date(*map(int, m.groups()))
    except ValueError:
        return None


_SELF = ("本条例", "本规定", "本法", "本细则", "本办法")


@dataclass(frozen=True)
class Resolution:
    citation: Citation
    target: str | None  # provision id, or None when unresolved
    reason: str = ""  # why it is unresolved, or how it was chosen

    def dump(self) -> dict[str, object]:
        return {"target": self.target, "reason": self.reason, **self.citation.dump()}


def _norm(title: str) -> str:
    return re.sub(r"[《》\s（）()]|\d{4}年?(修订|版)?", "", title)


class PolicyIndex:
    """Policies by every name they are cited by, with their versions in date order."""

    def __init__(self, records: Iterable[Record]):
        self.by_name: dict[str, list[Record]] = {}
        self.by_id: dict[str, Record] = {}
        families: dict[str, list[Record]] = {}
        for r in records:
            if r.kind != "policy":
                continue
            self.by_id[r.id] = r
            families.setdefault(r.version_of or r.id, []).append(r)
        for versions in families.values():
            versions.sort(key=lambda r: r.effective or r.date or dt.date.min)
            names = {_norm(r.title) for r in versions} | {_norm(n) for r in versions for n in r.short_names}
            for name in names:
                if name:
                    self.by_name.setdefault(name, versions)

    def versions(self, title: str) -> list[Record]:
        name = _norm(title)
        if name in self.by_name:
            return self.by_name[name]
        # 《中国共产党纪律处分条例》 cited with a prefix or suffix the record's title lacks
        for known, versions in self.by_name.items():
            if len(known) >= 6 and (known in name or name in known):
                return versions
        return []


def in_force(versions: list[Record], when: dt.date | None) -> Record | None:
    """The version in force on a date (effective, else issue date); the newest when undated;
    None when the date is before every version the corpus holds (an older text was in force)."""
    if when is None:
        return versions[-1]
    chosen = None
    for r in versions:
        start = r.effective or r.date
        if start is None or start <= when:
            chosen = r
    if chosen is None and len(versions) == 1 and not (versions[0].effective or versions[0].date):
        return versions[0]
    return chosen


def record_date(record: Record) -> dt.date | None:
    if record.date:
        return record.date
    if record.year:
        return dt.date(record.year, 1, 1)
    return None


def resolve_citations(citations: Iterable[Citation], record: Record, index: PolicyIndex) -> list[Resolution]:
    out: list[Resolution] = []
    when = record_date(record)
    for c in citations:
        if c.article is None:
            continue  # 八项规定精神 without an article: a mention, not a provision citation
        if c.title in _SELF:
            versions = [record] if record.kind == "policy" else []
        else:
            versions = index.versions(c.title) if c.title else []
        if not versions:
            why = (
                "no document named near the article" if not c.title else f"《{c.title}》 is not in the corpus"
            )
            out.append(Resolution(c, None, why))
            continue
        named: Record | None = None
        asked = ""  # the edition the citation names, if it names one
        if c.title not in _SELF:
            year = _YEAR_BEFORE.search(c.before)
            on = _edition_date(c)
            if year:  # 2023年条例第一百三十二条, 2018年修订的《条例》第…: the text issued that year
                asked = f"{year.group(1)}年"
                named = next((r for r in versions if r.date and r.date.year == int(year.group(1))), None)
            elif on:  # 《条例》（2018年8月18日）: the text of that date, else the one in force then
                asked = on.isoformat()
                named = next((r for r in versions if r.date == on), None) or in_force(versions, on)
            if asked and named is None:
                undated = len(versions) == 1 and not (versions[0].date or versions[0].effective)
                if not undated:
                    out.append(
                        Resolution(
                            c, None, f"the edition of 《{c.title}》 named ({asked}) is not in the corpus"
                        )
                    )
                    continue
                named = versions[0]
            if not asked and len(versions) == 1:
                named = versions[0]
        target_record = named or in_force(versions, when)
        if target_record is None:
            out.append(Resolution(c, None, f"no version of 《{c.title}》 in the corpus was in force then"))
            continue
        anchor = str(c.article)
        if target_record.unit(anchor) is None:
            last = max((int(u.anchor) for u in target_record.units if u.anchor.isdigit()), default=0)
            if c.article > last and not target_record.summary:
                why = f"{target_record.id} has {last} articles; no article {c.article}"
            else:
                why = f"article {c.article} is not in the corpus copy of {target_record.id}" + (
                    " (a summary)" if target_record.summary else ""
                )
            out.append(Resolution(c, None, why))
            continue
        how = (
            "edition named in the citation"
            if named
            else ("version in force on the record's date" if len(versions) > 1 else "")
        )
        out.append(Resolution(c, f"{target_record.id}/{anchor}", how))
    return out
