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

from kb.ingest.clean import clean_text
from kb.ingest.metadata import (
    FACT_SECTIONS,
    case_metadata,
    clean_title,
    guess_title,
    material_metadata,
    policy_metadata,
)
from kb.ingest.read import SUFFIXES, ImportProblem, read_source
from kb.ingest.split import split_pieces
from kb.ingest.structure import parse_structure
from kb.models import KINDS, Record
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
            report.errors.append(Message(str(p), "no such file or folder"))
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
        raise ImportProblem(str(path), "no text left after cleaning (only advertising or markup?)")
    pieces = split_pieces(cleaned.text) if kind == "material" else [None]
    base_title = guess_title(cleaned.text, source.title_hint or title_hint)
    base_id = (
        overrides.get("id")
        or slug(path.stem)
        or "doc-" + hashlib.sha1(cleaned.text.encode()).hexdigest()[:10]
    )
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
        for k, v in overrides.items():
            if v not in (None, "") and k != "id":
                meta[k] = v
        if not meta.get("title"):
            meta["title"] = path.stem
            warnings.append("no title found in the text; using the file name (set --title)")
        if kind == "policy" and not meta.get("issuer"):
            warnings.append(
                "no issuer found in the text; set --issuer (kb validate requires it for a policy)"
            )
        if not structure.units:
            warnings.append(
                f"no {'provisions' if kind == 'policy' else 'items' if kind == 'list' else 'sections'} found"
            )
        elif kind == "case" and structure.mode == "plain":
            warnings.append("no case sections (基本案情, 分析意见 …) found; kept as one section")
        elif kind == "policy" and structure.mode not in ("articles", "numbered", "sections"):
            warnings.append("no article structure (第X条 / 一、 / 1.) found; kept as one provision")
        masked = text.count("□")
        notes = "; ".join(n for n in cleaned.notes if "masked" not in n)
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


def _existing(into: Path) -> tuple[dict[str, tuple[Path, str]], dict[str, Path]]:
    """Records already in the target folder: id → (file, source file), content key → file."""
    found: dict[str, tuple[Path, str]] = {}
    contents: dict[str, Path] = {}
    if into.is_dir():
        for p in into.rglob("*.md"):
            if p.name.lower() == "readme.md":
                continue
            try:
                r = read_record(p)
            except RecordError:
                continue
            found[r.id] = (p, r.source_file)
            contents.setdefault(content_key(r), p)
    return found, contents


def import_paths(
    paths: Iterable[Path],
    kind: str,
    into: Path | None,
    overrides: dict[str, Any] | None = None,
    basis_from: Path | None = None,
) -> ImportReport:
    """Import files and folders as records of one kind. With ``into`` None nothing is written."""
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
    existing, contents = _existing(into) if into else ({}, {})
    same_text: dict[str, str] = {k: str(v) for k, v in contents.items()}
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
            report.errors.append(Message(str(path), f"import failed: {type(e).__name__}: {e}"))
            continue
        for w in warnings:
            report.warnings.append(Message(str(path), w))
        if basis is not None:
            records = [attach_basis(r, basis, basis_from, report) for r in records]
        for record in records:
            key = content_key(record)
            if key in same_text and same_text[key] != str(path):
                report.warnings.append(
                    Message(str(path), f"与 {same_text[key]} 内容相同，只保留一份（未写入 {record.id}）")
                )
                continue
            clash = taken.get(record.id)
            if clash is None and record.id in existing and existing[record.id][1] != record.source_file:
                clash = f"{existing[record.id][0]} (from {existing[record.id][1]})"
            if clash:
                report.errors.append(
                    Message(str(path), f"duplicate id {record.id!r}: already used by {clash}; set --id")
                )
                continue
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
