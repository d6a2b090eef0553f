"""Load a corpus (one or more folders of record files) and validate it as a whole.

Loading never drops a file silently: every file that cannot be read becomes a Problem that
names the file and line, and the callers (``kb validate``, ``kb build``) refuse to go on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kb.models import Record
from kb.records import RecordError, read_record
from kb.works import merge_works

ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
REQUIRED = {
    "policy": ("issuer",),
    "list": (),
    "case": (),
    "material": (),
}


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"

    def dump(self) -> dict[str, object]:
        return {"file": self.path, "line": self.line, "message": self.message}


@dataclass
class Corpus:
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # id merged into another work → its id
    merged: list[str] = field(default_factory=list)  # what was merged, for reports

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def by_id(self) -> dict[str, Record]:
        return {r.id: r for r in self.records}

    def unit_ids(self) -> set[str]:
        return {f"{r.id}/{u.anchor}" for r in self.records for u in r.units}


def record_files(folder: Path) -> Iterator[Path]:
    """Every record file below a folder (Markdown, except README.md), in a stable order."""
    for p in sorted(folder.rglob("*.md")):
        if p.name.lower() != "readme.md" and not any(
            part.startswith(".") for part in p.relative_to(folder).parts
        ):
            yield p


def load_corpus(folders: Iterable[Path]) -> Corpus:
    corpus = Corpus()
    for folder in folders:
        folder = Path(folder)
        if not folder.is_dir():
            corpus.problems.append(Problem(str(folder), 0, "语料文件夹不存在"))
            continue
        for path in record_files(folder):
            try:
                corpus.records.append(read_record(path))
            except RecordError as e:
                corpus.problems.append(Problem(e.path, e.line, e.message))
    works = merge_works(corpus.records)
    corpus.records, corpus.aliases = works.records, works.aliases
    for record, severity, message in works.notes:
        if severity == "info":
            corpus.merged.append(message)
        else:
            corpus.problems.append(Problem(record.path, record.line_of.get("id", 2), message, severity))
    corpus.problems.extend(validate(corpus.records))
    return corpus


def resolves(unit_id: str, units: set[str], records: set[str]) -> bool:
    """A provision id resolves if it names a unit (cdc-2023/132), a sub-part of one
    (cdc-2023/132/2) or a whole record (cdc-2023)."""
    if unit_id in units or unit_id in records:
        return True
    parts = unit_id.split("/")
    return len(parts) > 2 and "/".join(parts[:2]) in units


def validate(records: list[Record]) -> list[Problem]:
    """Checks across the corpus: ids, required fields, sources, and that curated links resolve."""
    problems: list[Problem] = []
    first: dict[str, str] = {}
    for r in records:
        line = r.line_of.get("id", 2)
        if not ID_RE.match(r.id):
            problems.append(Problem(r.path, line, f"编号 {r.id!r}：只能用小写字母、数字和 . _ -"))
        if r.id in first:
            problems.append(Problem(r.path, line, f"编号 {r.id!r} 重复（另见 {first[r.id]}）"))
        else:
            first[r.id] = r.path
        for name in REQUIRED[r.kind]:
            if not getattr(r, name):
                problems.append(Problem(r.path, 2, f"{r.kind} record needs field '{name}'"))
        if r.summary and not r.source:
            problems.append(Problem(r.path, r.line_of.get("summary", 2), "要点摘要必须写明出处（source）"))
        if not r.units and not r.preface:
            problems.append(Problem(r.path, 2, "记录没有正文", "warning"))
    units = {f"{r.id}/{u.anchor}" for r in records for u in r.units}
    ids = set(first)
    for r in records:
        for target in r.violates:
            if not resolves(target, units, ids):
                problems.append(
                    Problem(r.path, r.line_of.get("violates", 2), f"violates：库中没有条文 {target!r}")
                )
        for u in r.units:
            for target in u.basis:
                if not resolves(target, units, ids):
                    problems.append(
                        Problem(
                            r.path,
                            r.line_of.get(f"units.{u.anchor}", u.line),
                            f"第 {u.anchor} 项的 basis：库中没有条文 {target!r}",
                        )
                    )
    return problems


def default_corpus() -> Path:
    """The bundled corpus: corpus/ beside the packages (a source checkout or editable install)."""
    return Path(__file__).resolve().parent.parent / "corpus"
