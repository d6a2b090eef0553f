"""The pack file: small TOML (or JSON from the web page), shareable and versioned.

title = "整治指尖上的形式主义学习包"
subtitle = "供乡镇干部学习使用"
preface = "……"
quiz = true

[[section]]
title = "相关规定"
[[section.item]]
id = "jfrg-2024/5"
note = "重点掌握……"
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tomli_w


class PackError(ValueError):
    def __init__(self, path: str, line: int, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}")


@dataclass
class PackItem:
    id: str
    note: str = ""


@dataclass
class PackSection:
    title: str
    items: list[PackItem] = field(default_factory=list)


@dataclass
class Pack:
    title: str
    subtitle: str = ""
    preface: str = ""
    quiz: bool = False
    sections: list[PackSection] = field(default_factory=list)

    def ids(self) -> list[str]:
        return [i.id for s in self.sections for i in s.items]

    def dump(self) -> dict[str, Any]:
        return asdict(self)


def _section_lines(text: str) -> list[int]:
    return [i + 1 for i, line in enumerate(text.splitlines()) if line.strip().startswith("[[section]]")]


def _item_lines(text: str) -> list[int]:
    return [i + 1 for i, line in enumerate(text.splitlines()) if line.strip().startswith("[[section.item]]")]


def pack_from_dict(data: Any, path: str = "<pack>", text: str = "") -> Pack:
    """Validate a parsed pack; errors name the field and, for TOML, the line."""
    sec_lines, item_lines = _section_lines(text), _item_lines(text)
    if not isinstance(data, dict):
        raise PackError(path, 1, "a pack is a table with title and sections")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise PackError(path, 1, "field 'title': a pack needs a title")
    for key in ("subtitle", "preface"):
        if key in data and not isinstance(data[key], str):
            raise PackError(path, 1, f"field '{key}' must be text")
    unknown = sorted(set(data) - {"title", "subtitle", "preface", "quiz", "section", "sections"})
    if unknown:
        raise PackError(path, 1, f"unknown field '{unknown[0]}'")
    raw_sections = data.get("section", data.get("sections", []))
    if not isinstance(raw_sections, list):
        raise PackError(path, 1, "field 'section' must be a list of tables ([[section]])")
    sections = []
    n_item = 0
    for si, s in enumerate(raw_sections):
        line = sec_lines[si] if si < len(sec_lines) else 1
        if not isinstance(s, dict) or not isinstance(s.get("title", ""), str):
            raise PackError(path, line, f"section {si + 1}: needs a title")
        items = []
        for ii, it in enumerate(s.get("item", s.get("items", []))):
            iline = item_lines[n_item] if n_item < len(item_lines) else line
            n_item += 1
            if (
                not isinstance(it, dict)
                or not isinstance(it.get("id"), str)
                or not re.fullmatch(r"[a-z0-9][a-z0-9._/-]*", it["id"])
            ):
                raise PackError(
                    path,
                    iline,
                    f"section {si + 1}, item {ii + 1}: field 'id' must be a record or provision id",
                )
            if not isinstance(it.get("note", ""), str):
                raise PackError(path, iline, f"section {si + 1}, item {ii + 1}: field 'note' must be text")
            items.append(PackItem(it["id"], it.get("note", "")))
        sections.append(PackSection(s.get("title", ""), items))
    quiz = data.get("quiz", False)
    if not isinstance(quiz, bool):
        raise PackError(path, 1, "field 'quiz' must be true or false")
    return Pack(title.strip(), data.get("subtitle", ""), data.get("preface", ""), quiz, sections)


def load_pack(path: Path) -> Pack:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PackError(str(path), 1, "a pack file is UTF-8 text") from None
    except OSError as e:
        raise PackError(str(path), 0, e.strerror or "cannot read") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise PackError(str(path), e.lineno, f"not valid JSON: {e.msg}") from None
        return pack_from_dict(data, str(path))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise PackError(str(path), int(m.group(1)) if m else 1, f"not valid TOML: {e}") from None
    return pack_from_dict(data, str(path), text)


def dump_pack(pack: Pack) -> str:
    data: dict[str, Any] = {"title": pack.title}
    if pack.subtitle:
        data["subtitle"] = pack.subtitle
    if pack.preface:
        data["preface"] = pack.preface
    data["quiz"] = pack.quiz
    data["section"] = [
        {"title": s.title, "item": [{"id": i.id, **({"note": i.note} if i.note else {})} for i in s.items]}
        for s in pack.sections
    ]
    return tomli_w.dumps(data)


def pack_for_provision(item: dict[str, Any], max_cases: int = 20) -> Pack:
    """为该条文生成学习包: the provision, its neighbours, and the cases that violated it."""
    rules = [PackItem(i) for i in (item.get("previous"), item["id"], item.get("next")) if i]
    cases = [PackItem(c["id"]) for c in item.get("links", {}).get("violated_by", [])[:max_cases]]
    title = f"{item['document_title']}{item['number']}学习包"
    sections = [PackSection("条文", rules)]
    if cases:
        sections.append(PackSection("典型案例", cases))
    return Pack(title, "警示教育材料", "", True, sections)
