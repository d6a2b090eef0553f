"""Turn pack ids into what an export prints, through a lookup the caller supplies (the index).
An id that no longer exists becomes a visible placeholder and a warning, never a crash."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kb.models import source_line
from kb.packs.model import Pack
from kb.packs.quiz import make_quiz

Lookup = Callable[[str], dict[str, Any] | None]
MISSING = "已不在知识库中"


@dataclass
class Entry:
    id: str
    kind: str  # provision | list-item | case | record | missing
    heading: str
    text: str
    citation: str
    note: str = ""
    summary: bool = False
    facts: list[tuple[str, str]] = field(default_factory=list)  # a case's sections (name, text)


@dataclass
class ResolvedPack:
    title: str
    subtitle: str
    preface: str
    sections: list[tuple[str, list[Entry]]]
    quiz: list[tuple[str, str]]
    warnings: list[str]


def _date_cn(iso: str | None) -> str:
    if not iso:
        return ""
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def provision_citation(item: dict[str, Any]) -> str:
    parts = [f"《{item['document_title']}》"]
    who = "，".join(x for x in (item.get("issuer", ""), _date_cn(item.get("date"))) if x)
    if who:
        parts.append(f"（{who}）")
    parts.append(item["number"] if item["number"].startswith("第") else f"{item['number']}")
    if item.get("summary"):
        parts.append("【要点摘要】")
    return "".join(parts)


def case_citation(record: dict[str, Any]) -> str:
    when = _date_cn(record.get("date")) or (f"{record['year']}年" if record.get("year") else "")
    src = source_line(record) or record.get("publisher") or ""
    return "；".join(x for x in (f"来源：{src}" if src else "", f"日期：{when}" if when else "") if x)


def resolve_pack(pack: Pack, lookup: Lookup) -> ResolvedPack:
    warnings: list[str] = []
    sections = []
    for s in pack.sections:
        entries = []
        for it in s.items:
            item = lookup(it.id)
            if item is None:
                warnings.append(f"{it.id}: {MISSING}")
                entries.append(Entry(it.id, "missing", f"〔{it.id}〕{MISSING}", "", "", it.note))
            elif "units" in item and item.get("kind") == "case":
                facts = [(u["number"], u["text"]) for u in item["units"]]
                heading = item["title"]
                if item.get("sanctions"):
                    heading += f"（{'、'.join(item['sanctions'])}）"
                entries.append(
                    Entry(
                        it.id,
                        "case",
                        heading,
                        "",
                        case_citation(item),
                        it.note,
                        item.get("summary", False),
                        facts,
                    )
                )
            elif "units" in item:
                text = "\n".join(f"{u['number']} {u['title']}：{u['text']}".strip() for u in item["units"])
                entries.append(
                    Entry(
                        it.id,
                        "record",
                        item["title"],
                        text,
                        case_citation(item),
                        it.note,
                        item.get("summary", False),
                    )
                )
            else:
                heading = f"《{item['document_title']}》{item['number']}"
                if item.get("title") and item["title"] not in item["number"]:
                    heading += f" {item['title']}"
                entries.append(
                    Entry(
                        it.id,
                        item["kind"],
                        heading,
                        item["text"],
                        provision_citation(item),
                        it.note,
                        item.get("summary", False),
                    )
                )
        sections.append((s.title, entries))
    quiz = make_quiz(sections) if pack.quiz else []
    return ResolvedPack(pack.title, pack.subtitle, pack.preface, sections, quiz, warnings)
