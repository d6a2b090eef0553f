"""Record files: Markdown body with TOML front matter between ``+++`` lines.

Units are headings that end in an anchor, ``#### 第一百三十二条 {#132}``; headings without an
anchor are structure (编/章/节, list groups) and give the units after them their heading path.
Per-unit fields (a list item's basis, title, category) live in the front matter under
``[units."<anchor>"]``. See corpus/README.md for the whole format.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from kb.models import KINDS, Record, Unit

FENCE = "+++"
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$")
_ANCHOR = re.compile(r"\s*\{#([^\s{}]+)\}\s*$")
_UNIT_FIELDS = {"title", "basis", "category", "stub"}
_TUPLE_FIELDS = {f.name for f in dataclasses.fields(Record) if f.type.startswith("tuple")}
_DATE_FIELDS = {"date", "effective"}
_SKIP_FIELDS = {"units", "preface", "path", "line_of", "also_ids"}
_KNOWN = {f.name for f in dataclasses.fields(Record)} - _SKIP_FIELDS


class RecordError(ValueError):
    """A record file that cannot be read; carries the file and line."""

    def __init__(self, path: str, line: int, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}")


def _parse_date(value: Any, path: str, line: int, name: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise RecordError(path, line, f"字段 '{name}'：不是日期（应为 YYYY-MM-DD）：{value!r}")


def _key_lines(front: str, first_line: int) -> dict[str, int]:
    """Line number of each top-level key in the front matter (for messages)."""
    lines: dict[str, int] = {}
    for i, raw in enumerate(front.splitlines()):
        m = re.match(r"^\s*([A-Za-z_][\w-]*)\s*=", raw)
        if m and m.group(1) not in lines:
            lines[m.group(1)] = first_line + i
        m = re.match(r'^\s*\[units\.\"?([^\]"]+)\"?\]', raw)
        if m:
            lines[f"units.{m.group(1)}"] = first_line + i
    return lines


def split_front_matter(text: str, path: str = "<text>") -> tuple[str, str, int]:
    """Return (front matter, body, line number where the body starts)."""
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].strip() != FENCE:
        raise RecordError(path, 1, "记录文件应以 '+++' 行和 TOML 前言开头")
    for i in range(1, len(lines)):
        if lines[i].strip() == FENCE:
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 2
    raise RecordError(path, 1, "前言没有以第二个 '+++' 行结束")


def parse_record(text: str, path: str = "<text>") -> Record:
    """Parse one record file's text. Raises RecordError naming the file and line."""
    front, body, body_line = split_front_matter(text, path)
    try:
        meta = tomllib.loads(front + "\n")
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        line = int(m.group(1)) + 1 if m else front.count("\n") + 2
        raise RecordError(path, line, f"前言不是有效的 TOML：{e}") from None
    key_line = _key_lines(front, 2)
    unit_meta = meta.pop("units", {}) or {}
    if not isinstance(unit_meta, dict):
        raise RecordError(path, key_line.get("units", 2), "字段 'units' 应为表的表（[units.\"132\"] …）")
    unknown = sorted(set(meta) - _KNOWN)
    if unknown:
        raise RecordError(path, key_line.get(unknown[0], 2), f"未知字段 '{unknown[0]}'")
    for name in ("id", "kind", "title"):
        if not isinstance(meta.get(name), str) or not meta.get(name):
            raise RecordError(path, key_line.get(name, 2), f"缺少必填字段 '{name}'")
    if meta["kind"] not in KINDS:
        raise RecordError(
            path, key_line["kind"], f"字段 'kind' 应为 {'、'.join(KINDS)} 之一：{meta['kind']!r}"
        )
    kwargs: dict[str, Any] = {}
    for name, value in meta.items():
        line = key_line.get(name, 2)
        if name in _DATE_FIELDS:
            value = _parse_date(value, path, line, name)
        elif name in _TUPLE_FIELDS:
            if isinstance(value, str):
                value = [value]
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise RecordError(path, line, f"字段 '{name}' 应为文字列表")
            value = tuple(value)
        elif name in ("year", "masked"):
            if not isinstance(value, int) or isinstance(value, bool):
                raise RecordError(path, line, f"字段 '{name}' 应为整数")
        elif name in ("summary", "repost"):
            if not isinstance(value, bool):
                raise RecordError(path, line, f"字段 '{name}' 应为 true 或 false")
        elif not isinstance(value, str):
            raise RecordError(path, line, f"字段 '{name}' 应为文字")
        kwargs[name] = value
    preface, units = parse_body(body, body_line, path, unit_meta, key_line)
    return Record(**kwargs, preface=preface, units=tuple(units), path=path, line_of=key_line)


def parse_body(
    body: str, first_line: int, path: str, unit_meta: dict[str, Any], key_line: dict[str, int]
) -> tuple[str, list[Unit]]:
    stack: list[tuple[int, str]] = []  # (depth, heading text)
    units: list[Unit] = []
    preface: list[str] = []
    current: dict[str, Any] | None = None
    buf: list[str] = []
    seen: dict[str, int] = {}

    def flush() -> None:
        text = "\n".join(buf).strip()
        if current is None:
            preface.append(text)
        else:
            extra = unit_meta.get(current["anchor"], {})
            units.append(
                Unit(
                    anchor=current["anchor"],
                    number=current["number"],
                    text=text,
                    heading=current["heading"],
                    title=str(extra.get("title", "")),
                    basis=tuple(extra.get("basis", ())),
                    category=str(extra.get("category", "")),
                    stub=bool(extra.get("stub", False)),
                    line=current["line"],
                )
            )
        buf.clear()

    for offset, raw in enumerate(body.split("\n")):
        lineno = first_line + offset
        m = _HEADING.match(raw)
        if not m:
            buf.append(raw[1:] if raw.startswith("\\#") else raw)
            continue
        depth, heading = len(m.group(1)), m.group(2)
        a = _ANCHOR.search(heading)
        if a:
            flush()
            anchor = a.group(1)
            if anchor in seen:
                raise RecordError(
                    path, lineno, f"duplicate unit anchor '{{#{anchor}}}' (first at line {seen[anchor]})"
                )
            seen[anchor] = lineno
            current = {
                "anchor": anchor,
                "number": heading[: a.start()].strip(),
                "heading": tuple(h for d, h in stack if d < depth),
                "line": lineno,
            }
        else:
            flush()
            current = None  # a structural heading closes the current unit
            while stack and stack[-1][0] >= depth:
                stack.pop()
            stack.append((depth, heading))
    flush()
    for anchor, extra in unit_meta.items():
        unknown = sorted(set(extra) - _UNIT_FIELDS) if isinstance(extra, dict) else ["(not a table)"]
        if unknown:
            raise RecordError(
                path,
                key_line.get(f"units.{anchor}", 2),
                f'[units."{anchor}"] 有未知字段 {"、".join(unknown)}（可用：{"、".join(sorted(_UNIT_FIELDS))}）',
            )
        if anchor not in seen:
            raise RecordError(
                path,
                key_line.get(f"units.{anchor}", 2),
                f'[units."{anchor}"] 在正文中没有对应的单元（{{#{anchor}}}）',
            )
    return "\n\n".join(p for p in preface if p), units


def read_record(path: Path) -> Record:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise RecordError(str(path), 1, f"记录文件应为 UTF-8 编码（第 {e.start} 字节：{e.reason}）") from None
    return parse_record(text, str(path))


# ---------------------------------------------------------------- writing


def _front_matter(record: Record) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(Record):
        if f.name in _SKIP_FIELDS:
            continue
        value = getattr(record, f.name)
        if value in (None, "", (), 0) and f.name not in ("id", "kind", "title"):
            continue
        if f.name in ("summary", "repost") and not value:
            continue
        out[f.name] = list(value) if isinstance(value, tuple) else value
    units: dict[str, Any] = {}
    for u in record.units:
        extra: dict[str, Any] = {}
        if u.title:
            extra["title"] = u.title
        if u.basis:
            extra["basis"] = list(u.basis)
        if u.category:
            extra["category"] = u.category
        if u.stub:
            extra["stub"] = True
        if extra:
            units[u.anchor] = extra
    if units:
        out["units"] = units
    return out


def _escape_body(text: str) -> str:
    return "\n".join("\\" + line if line.startswith("#") else line for line in text.split("\n"))


def dump_record(record: Record) -> str:
    """Serialise a record to the record-file format (the inverse of parse_record)."""
    parts = [FENCE, tomli_w.dumps(_front_matter(record)).rstrip("\n"), FENCE, ""]
    if record.preface:
        parts += [_escape_body(record.preface), ""]
    open_headings: list[str] = []
    for u in record.units:
        # emit structural headings that differ from the ones already open
        common = 0
        while (
            common < len(open_headings)
            and common < len(u.heading)
            and open_headings[common] == u.heading[common]
        ):
            common += 1
        for depth in range(common, len(u.heading)):
            parts += ["#" * (depth + 2) + " " + u.heading[depth], ""]
        open_headings = list(u.heading)
        depth = len(u.heading) + 2
        parts += [f"{'#' * min(depth, 6)} {u.number} {{#{u.anchor}}}", ""]
        if u.text:
            parts += [_escape_body(u.text), ""]
    return "\n".join(parts).rstrip("\n") + "\n"


def record_from_dump(data: dict[str, Any]) -> Record:
    """The inverse of Record.dump() (records stored in the index come back this way)."""
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(Record):
        if f.name in ("units", "line_of") or f.name not in data:
            continue
        value = data[f.name]
        if f.name in _DATE_FIELDS:
            value = dt.date.fromisoformat(value) if value else None
        elif f.name in _TUPLE_FIELDS:
            value = tuple(value or ())
        kwargs[f.name] = value
    units = tuple(
        Unit(
            anchor=u["anchor"],
            number=u["number"],
            text=u["text"],
            heading=tuple(u.get("heading", ())),
            title=u.get("title", ""),
            basis=tuple(u.get("basis", ())),
            category=u.get("category", ""),
            gist=u.get("gist", ""),
            stub=bool(u.get("stub", False)),
        )
        for u in data.get("units", [])
    )
    return Record(**kwargs, units=units)
