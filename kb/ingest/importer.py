"""``kb import``: raw files → record files in a corpus folder, with a report that names every
file that failed or needs a look. One broken file never stops the others."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.corpus import ID_RE
from kb.ingest.clean import clean_text, simplified
from kb.ingest.metadata import (
    FACT_SECTIONS,
    case_metadata,
    clean_title,
    guess_title,
    material_metadata,
    policy_metadata,
    title_from_text,
)
from kb.ingest.read import SUFFIXES, ImportProblem, read_source
from kb.ingest.split import split_pieces
from kb.ingest.structure import parse_structure
from kb.ingest.tongbao import case_facts, split_notice
from kb.models import KINDS, Record, Unit
from kb.numerals import int_to_cn
from kb.records import RecordError, dump_record, read_record

#: fields a user may set with flags (kb import --issuer … --date …)
OVERRIDABLE = (
    "id",
    "title",
    "issuer",
    "publisher",
    "doc_number",
    "date",
    "year",
    "genre",
    "level",
    "region",
    "status",
    "source",
)


@dataclass
class Message:
    file: str
    message: str
    line: int | None = None

    def dump(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message}

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}" if self.line else f"{self.file}: {self.message}"


@dataclass
class ImportReport:
    records: list[Record] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    warnings: list[Message] = field(default_factory=list)
    errors: list[Message] = field(default_factory=list)

    def dump(self) -> dict[str, Any]:
        """The stable ``kb import --json`` shape (see README, "Import report")."""
        rows = []
        for r, path in zip(self.records, self.written, strict=True):
            n = len(r.units)
            rows.append(
                {
                    "id": r.id,
                    "kind": r.kind,
                    "title": r.title,
                    "file": str(path),
                    "source": r.source_file,
                    "provisions": n if r.kind == "policy" else 0,
                    "items": n if r.kind == "list" else 0,
                    "sections": n if r.kind in ("case", "material") else 0,
                }
            )
        return {
            "records": rows,
            "warnings": [w.dump() for w in self.warnings],
            "errors": [e.dump() for e in self.errors],
        }


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s[:60]


def title_id(title: str, prefix: str = "", year: int | None = None) -> str:
    """An id from a title: the pinyin initials of its Chinese (中央纪委通报典型问题 → zyjwtbdxwt),
    Latin words as they are, with a kind prefix and the year when known."""
    from pypinyin import Style, lazy_pinyin

    letters = "".join(
        x if x.isascii() else x[0]
        for x in lazy_pinyin(re.sub(r"[^\w]", "", title), style=Style.FIRST_LETTER)
        if x
    )
    core = slug(letters)[:10] or "doc"
    return "-".join(x for x in (prefix, str(year) if year else "", core) if x)


def file_id(path: Path, title: str, kind: str) -> str:
    """The id a file's record gets without --id: its name when the name says something
    (gongzhi-renyuan-zhengwu-chufen-fa-2020), else the title's initials — never a bare number
    such as 00 or 02 that names nothing."""
    name = slug(path.stem)
    if re.search(r"[a-z]{3,}", name):  # a word, not a number or a hash (003_d77b5235…)
        return name
    return title_id(title, {"case": "c", "policy": "p", "list": "l", "material": "m"}[kind])


_N = "[0-9０-９一二三四五六七八九十两]+"
_NOTICE = re.compile(rf"(通报|曝光|点名)[^。\n]{{0,30}}?{_N}起|{_N}起[^。\n]{{0,30}}?(通报|曝光|典型)")
_NAMED = re.compile(
    r"^[^，。；\n]{2,16}?(省|市|县|区|州|旗|镇|乡|村|局|委|办|院|厅|所|站|公司|集团|大学|学校|中心|社区|街道|医院|银行)"
)
_DEED = re.compile(
    r"[0-9０-９]{4}年|[0-9０-９一二三四五六七八九十]+月|违规|违反|收受|接受|公款|饮酒|宴请|吃请|不作为|不力|搭车|套取|侵占|挪用"
)
MIN_TEXT = 30  # characters: a record with less than this is not a document (人, a stray page)
_POLICY_ISSUER = re.compile(
    r"(中共中央政治局|中共中央办公厅、国务院办公厅|中共中央、国务院|中共中央|国务院办公厅|国务院|"
    r"中央纪委国家监委|中央纪委|全国人民代表大会常务委员会|全国人民代表大会)[^。\n]{0,20}?(?:印发|发布|召开会议|审议|通过|制定)"
)


def expand(paths: Iterable[Path], report: ImportReport) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not f.name.startswith("."):
                    if f.suffix.lower() in SUFFIXES:
                        files.append(f)
                    elif f.suffix.lower() not in (".tsv", ".csv", ".json", ".toml"):
                        report.warnings.append(
                            Message(
                                str(f), f"skipped: not a document type kb imports ({f.suffix or 'no suffix'})"
                            )
                        )
        elif p.is_file():
            files.append(p)
        else:
            report.errors.append(Message(str(p), "没有这个文件或文件夹"))
    return files


def folder_titles(files: list[Path]) -> dict[Path, str]:
    """Titles from an ``index.tsv`` (columns ``file`` and ``title``) beside the files, as
    document dumps often ship one."""
    titles: dict[Path, str] = {}
    for folder in sorted({f.parent for f in files}):
        index = folder / "index.tsv"
        if not index.is_file():
            continue
        lines = index.read_text(encoding="utf-8", errors="replace").splitlines()
        if not lines or lines[0].split("\t")[:2] != ["file", "title"]:
            continue
        for line in lines[1:]:
            parts = line.split("\t")
            if len(parts) >= 2 and parts[1].strip():
                titles[folder / parts[0]] = parts[1].strip()
    return titles


def build_records(
    path: Path, kind: str, overrides: dict[str, Any], title_hint: str = ""
) -> tuple[list[Record], list[str]]:
    """One file → its records (several when the file holds several documents), and warnings."""
    warnings: list[str] = []
    source = read_source(path)
    cleaned = clean_text(source.text)
    if not cleaned.text.strip():
        raise ImportProblem(str(path), "清理后没有剩下正文（只有广告或网页标记？）")
    pieces = split_pieces(cleaned.text) if kind == "material" else [None]
    base_title = guess_title(cleaned.text, source.title_hint or title_hint)
    title_note = ""
    if not base_title and not overrides.get("title"):
        base_title = title_from_text(cleaned.text)
        if base_title:
            title_note = "原文无标题，标题为导入时据正文拟定"
            warnings.append(f"原文没有标题行，标题据正文拟定为《{base_title}》（可用 --title 指定）")
    visible = len(re.sub(r"\s", "", cleaned.text))
    if visible < MIN_TEXT:
        return [], [f"只有 {visible} 个字，不像一份文件，未导入（至少 {MIN_TEXT} 字）"]
    if kind == "case" and overrides.get("split") != "no":
        split = split_case_file(path, cleaned.text, base_title, source.hints, overrides)
        if split is not None:
            return split
    base_id = overrides.get("id") or file_id(path, base_title, kind)
    records: list[Record] = []
    for piece in pieces:
        text = piece.text if piece else cleaned.text
        title = base_title
        rid = base_id
        if piece and piece.number:
            title = (
                f"{piece.title or base_title}（共{int_to_cn(piece.total)}篇·第{int_to_cn(piece.number)}篇）"
            )
            rid = f"{base_id}-{piece.number}"
        if not piece or not piece.number:
            # the title line itself is not body text
            first = text.split("\n", 1)
            if first and clean_title(first[0].strip()) == title and len(first) > 1:
                text = first[1]
        structure = parse_structure(text, kind)
        meta: dict[str, Any] = {}
        if kind == "policy":
            meta = policy_metadata(cleaned.text, title)
        elif kind == "case":
            facts = "\n".join(u.text for u in structure.units if u.number in FACT_SECTIONS)
            meta = case_metadata(text, title, source.hints, facts)
        elif kind == "material":
            meta = material_metadata(text, title)
        meta.setdefault("title", title)
        if cleaned.source_note and not meta.get("source"):
            meta["source"] = cleaned.source_note  # the text's own closing note, off its last item
        for k, v in overrides.items():
            if v not in (None, "") and k != "id":
                meta[k] = v
        if not meta.get("title"):
            meta["title"] = path.stem
            warnings.append("文中找不到标题，暂用文件名（可用 --title 指定）")
        if kind == "policy" and not meta.get("issuer"):
            said = _POLICY_ISSUER.search(cleaned.text[:1500])
            if said:
                meta["issuer"] = said.group(1)
            else:
                interprets = re.search(r"由([^。，；\n]{2,40}?)(?:会同有关部门)?负责解释", cleaned.text)
                hint = (
                    f"（文中写明由{interprets.group(1)}负责解释，解释机关不一定是发文机关）"
                    if interprets
                    else ""
                )
                raise ImportProblem(
                    str(path),
                    f"文本中没有写明发文机关，规定必须有发文机关：请用 --issuer 指定（如 --issuer 中共中央）{hint}",
                )
        if not structure.units:
            warnings.append(
                f"no {'provisions' if kind == 'policy' else 'items' if kind == 'list' else 'sections'} found"
            )
        elif kind == "case" and structure.mode == "plain":
            warnings.append("没有找到案例的分节（基本案情、分析意见……），全文作为一节")
        elif kind == "policy" and structure.mode not in ("articles", "numbered", "sections"):
            warnings.append("没有找到条文结构（第X条 / 一、 / 1.），全文作为一条")
        masked = text.count("□")
        notes = "; ".join(n for n in [title_note, *cleaned.notes] if n and "masked" not in n)
        if masked:
            notes = "; ".join(filter(None, [notes, f"{masked} masked figure(s) shown as □"]))
        fields = {f.name for f in dataclasses.fields(Record)}
        record = Record(
            id=rid,
            kind=kind,
            units=tuple(structure.units),
            preface=structure.preface,
            source_file=path.name,
            masked=masked,
            notes=notes,
            **{k: v for k, v in meta.items() if k in fields and k not in ("id", "kind", "units", "preface")},
        )
        records.append(record)
    return records, warnings


def split_case_file(
    path: Path, text: str, title: str, hints: dict[str, str], overrides: dict[str, Any]
) -> tuple[list[Record], list[str]] | None:
    """A 通报 that reports several cases, as one record per case (None when the file is not such
    a notice). A case the copy cuts off is reported, not written."""
    plain = simplified(text)
    traditional = sum(1 for a, b in zip(text, plain, strict=True) if a != b)
    if traditional > len(text) // 50:  # a traditional text: split and recorded as simplified
        text = plain
        title = simplified(title)
    counted = _NOTICE.search(text[:600]) or _NOTICE.search(title)
    if not counted and not re.search(r"通报|曝光", text[:1500] + title):
        return None
    notice = split_notice(text)
    if len(notice.cases) < 2:
        return None
    if not counted and not all(_NAMED.match(c.text) and _DEED.search(c.text[:150]) for c in notice.cases):
        return None  # without a count of cases (通报了8起…), every part must open with who it is about
    warnings = (
        [f"原文为繁体，拆分后按简体记录（{traditional} 个繁体字）"] if traditional > len(text) // 50 else []
    )
    complete = [c for c in notice.cases if c.complete]
    warnings += [
        f"第{c.n}起（第{c.line}行起）{c.why_incomplete}，未导入；请补全原文后再导入"
        for c in notice.cases
        if not c.complete
    ]
    date = overrides.get("date") or (dt.date.fromisoformat(hints["date"]) if hints.get("date") else None)
    year = overrides.get("year") or (date.year if date else None)
    issuer = overrides.get("publisher") or overrides.get("issuer") or hints.get("publisher") or notice.issuer
    title = title or notice.title
    base = (
        overrides.get("id") or title_id(title, "tb", year) + "-" + hashlib.sha1(text.encode()).hexdigest()[:4]
    )
    source = overrides.get("source") or hints.get("source") or path.name
    records = []
    for c in complete:
        facts = case_facts(c)
        record = Record(
            id=f"{base}-{c.n}",
            kind="case",
            title=str(facts["title"]),
            units=(Unit(anchor="facts", number="基本案情", text=c.text),),
            publisher=issuer,
            genre="典型问题通报",
            date=facts.get("date") or date,  # type: ignore[arg-type]
            year=(facts["date"].year if facts.get("date") else year),  # type: ignore[union-attr]
            region=str(facts["region"]),
            role=str(facts["role"]),
            rank=str(facts["rank"]),
            sanctions=tuple(facts["sanctions"]),  # type: ignore[arg-type]
            source=f"{source}（通报《{title}》第{c.n}起）",
            source_file=path.name,
            notes=f"自通报《{title}》拆分的第{c.n}起（共{len(notice.cases)}起，按{_SCHEMES.get(notice.scheme, notice.scheme)}分开）；"
            "地区、职务、处分按原文，原文没写的留空。",
        )
        records.append(record)
    return records, warnings


_SCHEMES = {
    "arabic": "阿拉伯数字序号",
    "chinese": "一、二、序号",
    "paren-chinese": "（一）序号",
    "paren-arabic": "（1）序号",
    "inline": "“分别是”列举",
    "heading": "“…问题”标题句",
    "example": "“如…再如…”举例",
    "paragraph": "段落",
}


def read_basis(basis_file: Path, report: ImportReport) -> dict[int, list[str]] | None:
    """The 处理依据 file, read and parsed once for the whole import."""
    from kb.ingest.basis import handling_basis

    try:
        source = read_source(basis_file)
    except ImportProblem as e:
        report.errors.append(Message(e.path, e.message))
        return None
    return handling_basis(clean_text(source.text).text)


def attach_basis(
    record: Record, basis: dict[int, list[str]], basis_file: Path, report: ImportReport
) -> Record:
    """Append to each list item the citations its 处理依据 names (labels only, never the text)."""
    units = []
    for u in record.units:
        labels = basis.get(int(u.anchor)) if u.anchor.isdigit() else None
        if labels:
            u = dataclasses.replace(u, text=f"{u.text}\n处理依据：{'；'.join(labels)}")
        units.append(u)
    linked = sum(1 for u in units if "处理依据：" in u.text)
    if linked < len(units):
        report.warnings.append(
            Message(
                str(basis_file), f"处理依据 names no article for {len(units) - linked} of {len(units)} items"
            )
        )
    return dataclasses.replace(record, units=tuple(units))


def content_key(record: Record) -> str:
    """What makes two imported documents the same document: kind and text, not file name."""
    body = "\n".join([record.kind, record.preface, *(f"{u.number}{u.title}\n{u.text}" for u in record.units)])
    return hashlib.sha1(body.encode("utf-8")).hexdigest()


@dataclass
class Existing:
    """The records already in the target folder."""

    by_id: dict[str, tuple[Path, Record]] = field(default_factory=dict)
    by_content: dict[str, Path] = field(default_factory=dict)
    by_source: dict[str, list[str]] = field(default_factory=dict)  # source file name → ids from it


def _existing(into: Path) -> Existing:
    found = Existing()
    if into.is_dir():
        for p in into.rglob("*.md"):
            if p.name.lower() == "readme.md":
                continue
            try:
                r = read_record(p)
            except RecordError:
                continue
            found.by_id[r.id] = (p, r)
            found.by_content.setdefault(content_key(r), p)
            if r.source_file:
                found.by_source.setdefault(r.source_file, []).append(r.id)
    return found


#: fields people edit by hand after an import; --replace keeps them (--replace-all does not)
HAND_FIELDS = ("categories", "violates", "keywords", "notes", "status", "status_checked", "summary")


def keep_hand_edits(new: Record, old: Record) -> Record:
    kept = {f: getattr(old, f) for f in HAND_FIELDS if getattr(old, f) and getattr(old, f) != getattr(new, f)}
    return dataclasses.replace(new, **kept) if kept else new


def import_paths(
    paths: Iterable[Path],
    kind: str,
    into: Path | None,
    overrides: dict[str, Any] | None = None,
    basis_from: Path | None = None,
    replace: str = "",
) -> ImportReport:
    """Import files and folders as records of one kind. With ``into`` None nothing is written.
    A record whose id is already in ``into`` is refused unless ``replace`` is ``"keep-edits"``
    (the hand-edited fields, HAND_FIELDS, stay) or ``"all"``; the same file imported again
    keeps its id even when its title changed."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    overrides = {k: v for k, v in (overrides or {}).items() if v not in (None, "")}
    for key in ("date", "effective"):
        if isinstance(overrides.get(key), str):
            overrides[key] = dt.date.fromisoformat(overrides[key])
    report = ImportReport()
    files = expand(paths, report)
    if overrides.get("id") and len(files) > 1:
        report.errors.append(Message("--id", "--id names one record: give it with a single file"))
        return report
    if overrides.get("id") and not ID_RE.match(str(overrides["id"])):
        report.errors.append(
            Message("--id", f"id {overrides['id']!r}：只能用小写字母、数字和 . _ -（不能含 / 或 ..）")
        )
        return report
    existing = _existing(into) if into else Existing()
    same_text: dict[str, str] = {k: str(v) for k, v in existing.by_content.items()}
    same_file = {str(p): r.source_file for p, r in existing.by_id.values()}
    titles = folder_titles(files)
    basis = read_basis(basis_from, report) if basis_from is not None and kind == "list" else None
    taken: dict[str, str] = {}
    for path in files:
        try:
            records, warnings = build_records(path, kind, overrides, titles.get(path, ""))
        except ImportProblem as e:
            report.errors.append(Message(e.path, e.message, e.line or None))
            continue
        except Exception as e:  # a parser bug must not cost the other files their import
            report.errors.append(Message(str(path), f"导入失败（{type(e).__name__}）：{e}"))
            continue
        for w in warnings:
            report.warnings.append(Message(str(path), w))
        if basis is not None:
            records = [attach_basis(r, basis, basis_from, report) for r in records]
        for record in records:
            key = content_key(record)
            if (
                key in same_text
                and same_text[key] != str(path)
                and same_file.get(same_text[key]) != record.source_file
            ):
                report.warnings.append(
                    Message(str(path), f"与 {same_text[key]} 内容相同，只保留一份（未写入 {record.id}）")
                )
                continue
            earlier = existing.by_source.get(record.source_file, [])
            if not overrides.get("id") and len(records) == 1 and len(earlier) == 1:
                record = dataclasses.replace(record, id=earlier[0])  # the same file again: its id stays
            if record.id in taken and not overrides.get("id"):  # two files, one title: both kept
                record = dataclasses.replace(record, id=f"{record.id}-{key[:4]}")
            if record.id in taken:
                report.errors.append(
                    Message(
                        str(path), f"duplicate id {record.id!r}: already used by {taken[record.id]}; set --id"
                    )
                )
                continue
            if record.id in existing.by_id:
                old_path, old = existing.by_id[record.id]
                if not replace:
                    report.errors.append(
                        Message(
                            str(path),
                            f"{old_path} 已有记录 {record.id}（来自 {old.source_file or '手工录入'}）：未覆盖。"
                            "要更新请加 --replace（保留分类、违反条文、说明等手工编辑的字段），或用 --id 另起一个",
                        )
                    )
                    continue
                if replace == "keep-edits":
                    record = keep_hand_edits(record, old)
            taken[record.id] = str(path)
            same_text[key] = str(path)
            target = Path(into or ".") / record.kind / f"{record.id}.md"
            if into is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_suffix(".md.tmp")
                tmp.write_text(dump_record(record), encoding="utf-8")
                tmp.replace(target)
            report.records.append(record)
            report.written.append(target)
    return report
