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


#: limits a pack is held to, so that a file from anywhere exports in bounded time and size
MAX_ITEMS = 500
MAX_SECTIONS = 50
MAX_TITLE = 200  # characters, for the pack's title, subtitle and each section's title
MAX_NOTE = 2000  # characters, for each item's note
MAX_PREFACE = 10000
MAX_BYTES = 2_000_000  # a pack file larger than this is not a pack


def _text(data: dict, key: str, limit: int, path: str, line: int, where: str = "") -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise PackError(path, line, f"{where}字段 '{key}' 应为文字")
    if any("\ud800" <= c <= "\udfff" for c in value):
        raise PackError(path, line, f"{where}字段 '{key}' 含有无效字符（孤立的代理码位）")
    if len(value) > limit:
        raise PackError(path, line, f"{where}字段 '{key}' 太长（{len(value)} 字，最多 {limit} 字）")
    return value


def pack_from_dict(data: Any, path: str = "<pack>", text: str = "") -> Pack:
    """Validate a parsed pack; errors (in Chinese, naming the field and, for TOML, the line) say
    what to change. Limits: MAX_ITEMS items, MAX_SECTIONS sections, MAX_TITLE/MAX_NOTE characters."""
    sec_lines, item_lines = _section_lines(text), _item_lines(text)
    if not isinstance(data, dict):
        raise PackError(path, 1, "学习包应是一个表，含 title 和 section")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise PackError(path, 1, "字段 'title'：学习包需要标题")
    title = _text(data, "title", MAX_TITLE, path, 1)
    subtitle = _text(data, "subtitle", MAX_TITLE, path, 1)
    preface = _text(data, "preface", MAX_PREFACE, path, 1)
    unknown = sorted(set(data) - {"title", "subtitle", "preface", "quiz", "section", "sections"})
    if unknown:
        raise PackError(path, 1, f"未知字段 '{unknown[0]}'（可用：title、subtitle、preface、quiz、section）")
    raw_sections = data.get("section", data.get("sections", []))
    if not isinstance(raw_sections, list):
        raise PackError(path, 1, "字段 'section' 应为表的列表（[[section]]）")
    if len(raw_sections) > MAX_SECTIONS:
        raise PackError(path, 1, f"分组太多（{len(raw_sections)} 组，最多 {MAX_SECTIONS} 组）")
    sections = []
    n_item = 0
    for si, s in enumerate(raw_sections):
        line = sec_lines[si] if si < len(sec_lines) else 1
        if not isinstance(s, dict) or not isinstance(s.get("title", ""), str):
            raise PackError(path, line, f"第 {si + 1} 组：需要组名（title）")
        stitle = _text(s, "title", MAX_TITLE, path, line, f"第 {si + 1} 组：")
        raw_items = s.get("item", s.get("items", []))
        if not isinstance(raw_items, list):
            raise PackError(path, line, f"第 {si + 1} 组：字段 'item' 应为表的列表（[[section.item]]）")
        items = []
        for ii, it in enumerate(raw_items):
            iline = item_lines[n_item] if n_item < len(item_lines) else line
            n_item += 1
            if n_item > MAX_ITEMS:
                raise PackError(path, iline, f"条目太多（最多 {MAX_ITEMS} 项）；请分成几个学习包")
            where = f"第 {si + 1} 组第 {ii + 1} 项："
            if (
                not isinstance(it, dict)
                or not isinstance(it.get("id"), str)
                or len(it["id"]) > 200
                or not re.fullmatch(r"[a-z0-9][a-z0-9._/-]*", it["id"])
            ):
                raise PackError(path, iline, f"{where}字段 'id' 应为条文或案例的编号（如 cdc-2023/132）")
            items.append(PackItem(it["id"], _text(it, "note", MAX_NOTE, path, iline, where)))
        sections.append(PackSection(stitle, items))
    quiz = data.get("quiz", False)
    if not isinstance(quiz, bool):
        raise PackError(path, 1, "字段 'quiz' 应为 true 或 false")
    return Pack(title.strip(), subtitle, preface, quiz, sections)


def loads_pack(text: str, path: str = "<pack>") -> Pack:
    """A pack from the text of a file, TOML or JSON (told apart by content, not by name: the file
    the page downloads and the file a colleague edits both load)."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise PackError(path, 1, f"文件太大（最多 {MAX_BYTES // 1_000_000} MB），不像学习包文件")
    if text.lstrip().startswith(("{", "[")) and not text.lstrip().startswith("[["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise PackError(path, e.lineno, f"不是有效的 JSON：{e.msg}") from None
        except RecursionError:
            raise PackError(path, 1, "JSON 嵌套太深") from None
        return pack_from_dict(data, path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise PackError(
            path, int(m.group(1)) if m else 1, f"不是有效的学习包文件（TOML 或 JSON）：{e}"
        ) from None
    except RecursionError:
        raise PackError(path, 1, "文件嵌套太深") from None
    return pack_from_dict(data, path, text)


def load_pack(path: Path) -> Pack:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise PackError(str(path), 1, f"文件太大（最多 {MAX_BYTES // 1_000_000} MB），不像学习包文件")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PackError(str(path), 1, "学习包文件应为 UTF-8 文本") from None
    except OSError as e:
        raise PackError(str(path), 0, e.strerror or "无法读取") from None
    return loads_pack(text, str(path))


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
