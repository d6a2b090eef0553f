"""The domain model: frozen dataclasses that do no I/O.

A Record is one document (a policy, a negative list, a case, a material). Its Units are the
addressable pieces users cite: a policy's provisions, a list's items, a case's or a material's
sections. Unit ids are ``<record id>/<anchor>`` (``cdc-2023/132``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

KINDS = ("policy", "list", "case", "material")
#: the kind of hit a unit of each record kind is
UNIT_KIND = {"policy": "provision", "list": "list-item", "case": "case", "material": "material"}
#: Chinese names of record and hit kinds (facets, field filters, pages)
KIND_LABELS = {
    "policy": "规定",
    "list": "负面清单",
    "case": "案例",
    "material": "材料",
    "provision": "条文",
    "list-item": "清单事项",
}


@dataclass(frozen=True, slots=True)  # slots: no __dict__ each (100k records hold 150k units)
class Unit:
    """One addressable piece of a record: a provision, a list item or a section."""

    anchor: str  # "132", "17", "facts"
    number: str  # "第一百三十二条", "17", "【基本案情及处理结果】"
    text: str
    heading: tuple[str, ...] = ()  # enclosing headings: ("第二编 分则", "第十章 …")
    title: str = ""  # a short title where the unit has one (a list item's topic)
    basis: tuple[str, ...] = ()  # ids of provisions a list item rests on (curated)
    category: str = ""
    gist: str = (
        ""  # the bundled summary's 要点 of this unit, when an official text of the same work replaced it
    )
    stub: bool = False  # a placeholder whose text is not written yet: shown, never a search hit
    line: int = field(default=0, compare=False)  # line of its heading in the record file (for messages)

    def dump(self, record_id: str) -> dict[str, Any]:
        # fields read one level deep: every value is a string, number or tuple of strings
        # (dataclasses.asdict deep-copies each one, which was a fifth of an unchanged rebuild)
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["id"] = f"{record_id}/{self.anchor}"
        d["heading"] = list(self.heading)
        d["basis"] = list(self.basis)
        return d


@dataclass(frozen=True, slots=True)
class Record:
    """One document in the corpus, as read from (or written to) a record file."""

    id: str
    kind: str  # one of KINDS
    title: str
    units: tuple[Unit, ...] = ()
    preface: str = ""  # body text before the first unit
    issuer: str = ""
    publisher: str = ""
    doc_number: str = ""  # 文号
    date: dt.date | None = None  # the date that decides which text was in force (发布 / 决定)
    effective: dt.date | None = None  # 施行
    status: str = ""  # 现行有效 / 已修订 / 已废止
    status_checked: str = ""  # who verified the status, and when
    version_of: str = ""  # family id shared by versions of one policy ("cdc")
    short_names: tuple[str, ...] = ()  # 《条例》 …
    summary: bool = False  # True: our own summary of the official text, not the text itself
    source: str = ""  # where the original is published (URL or bibliographic reference)
    source_url: str = ""  # the page the record was written from (the best copy the editors found)
    original_publisher: str = ""  # who first published it (中央纪委国家监委网站), when the page is a copy
    repost: bool = False  # source_url is a third party's copy (转载), not the issuer or a news outlet
    source_file: str = ""  # the file it was imported from
    genre: str = ""  # 工作报告 / 讲话 / 调研报告 / 指导性案例 / 案例分析 …
    level: str = ""  # 中央 / 省 / 市 / 县 / 区
    region: str = ""
    year: int | None = None
    role: str = ""  # the person's post, as published
    rank: str = ""  # 县处级 / 乡科级 …
    categories: tuple[str, ...] = ()
    sanctions: tuple[str, ...] = ()
    violates: tuple[str, ...] = ()  # curated ids of provisions the case broke
    cites: tuple[str, ...] = ()  # citations found in the text, as written (resolved by kb.links)
    keywords: tuple[str, ...] = ()
    masked: int = 0  # how many masked figures (XXX, **, 〔*〕) the text holds
    notes: str = ""
    path: str = ""  # the record file, when read from disk
    also_ids: tuple[str, ...] = ()  # other ids of the same work merged into this record (kb.works)
    line_of: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @property
    def unit_kind(self) -> str:
        return UNIT_KIND[self.kind]

    def unit(self, anchor: str) -> Unit | None:
        for u in self.units:
            if u.anchor == anchor:
                return u
        return None

    @property
    def text(self) -> str:
        """The whole body as plain text."""
        return "\n".join([self.preface, *(u.text for u in self.units)]).strip()

    def dump(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for f in fields(self):  # one level deep: the values are immutable (Unit.dump says why)
            k, v = f.name, getattr(self, f.name)
            if k in ("units", "line_of", "path"):  # path: where this machine keeps the file
                continue
            if isinstance(v, dt.date):
                v = v.isoformat()
            elif isinstance(v, tuple):
                v = list(v)
            d[k] = v
        d["units"] = [u.dump(self.id) for u in self.units]
        return d


def source_line(record: dict[str, Any]) -> str:
    """Where a record comes from, as a printed pack or a page says it: the original publisher,
    then the page read, marked 转载 when it is a copy; the free-text ``source`` otherwise."""
    publisher = record.get("original_publisher") or ""
    url = record.get("source_url") or ""
    if not publisher and not url:
        return record.get("source") or ""
    parts = [f"{publisher}发布" if publisher else ""]
    if url:
        parts.append(f"{'转载' if record.get('repost') else '见'}：{url}")
    return "；".join(p for p in parts if p)


def when(date: dt.date | str | None, year: int | str | None) -> str:
    """How a record's time reads: the full date when known, else ``2024年``, else ""."""
    if date:
        return date.isoformat() if isinstance(date, dt.date) else str(date)
    return f"{year}年" if year else ""


def date_key(date: dt.date | str | None, year: int | str | None) -> str:
    """The key that orders records by time when some carry only a year: ``2024-00-00`` sorts
    after every dated 2024 record and before every 2025 one, newest first or oldest first."""
    if date:
        return date.isoformat() if isinstance(date, dt.date) else str(date)
    return f"{int(year):04d}-00-00" if year else ""
