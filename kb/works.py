"""One work, one record: the bundled summary and an imported official text of the same document.

The bundled corpus holds the project's summaries (要点) of rules; a user who holds the official
text imports it beside them (corpus/README.md says how). Both describe one work — the same
document in the same edition — and a reader wants it once: one hit per provision, one page, one
list of the cases under it. ``merge_works`` makes that so before anything is linked or indexed.

Two records are the same work when
  * they have the same id (the README's import example gives the official text the bundled id), or
  * they are versions of one family (``version_of``) with the same date (the edition), or
  * their titles (without 《》, spaces and an edition year), issuers and dates agree.
Only policies and lists merge; two cases are two events however alike their texts.

The merged record is the official text (its provisions, numbering and metadata win) under the
summary's id — the id curated links already use — with each summary unit kept as the ``gist``
(要点) of the unit of the same anchor, and the other ids kept in ``also_ids`` so that
``kb show cdc-2023-full/132`` still answers. Links naming any of the ids are rewritten to the
merged id. Two official texts of one work do not merge silently: that is a duplicate, reported.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from kb.models import Record, Unit

MERGEABLE = ("policy", "list")


@dataclass
class Merged:
    records: list[Record] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # merged-away id → the work's id
    notes: list[tuple[Record, str, str]] = field(default_factory=list)  # (record, severity, message)


def _title_key(title: str) -> str:
    return re.sub(r"[《》\s（）()〔〕\[\]]|\d{4}年?(修订|修正|版)?", "", title or "")


def work_keys(r: Record) -> list[tuple[str, ...]]:
    """What identifies the work a record is a text of (any shared key means the same work)."""
    keys: list[tuple[str, ...]] = [("id", r.id)]
    if r.kind not in MERGEABLE:
        return keys
    when = (r.date or r.effective).isoformat() if (r.date or r.effective) else ""
    if r.version_of and when:
        keys.append(("edition", r.kind, r.version_of, when))
    issuer = re.sub(r"\s", "", r.issuer)
    if when and issuer and _title_key(r.title):
        keys.append(("title", r.kind, _title_key(r.title), issuer, when))
    return keys


def _groups(records: list[Record]) -> list[list[int]]:
    parent = list(range(len(records)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, ...], int] = {}
    for i, r in enumerate(records):
        for key in work_keys(r):
            if key in owner:
                parent[find(i)] = find(owner[key])
            else:
                owner[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(records)):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _merge_units(full: Record, summaries: list[Record]) -> tuple[tuple[Unit, ...], list[str]]:
    """The official text's units, each with the summary's 要点 of the same anchor as its gist."""
    gist: dict[str, Unit] = {}
    for s in summaries:
        for u in s.units:
            gist.setdefault(u.anchor, u)
    anchors = {u.anchor for u in full.units}
    units = []
    for u in full.units:
        g = gist.get(u.anchor)
        if g is not None:
            u = dataclasses.replace(
                u,
                gist=g.text,
                title=u.title or g.title,
                category=u.category or g.category,
                basis=u.basis or g.basis,
            )
        units.append(u)
    orphans = [a for a in gist if a not in anchors]
    return tuple(units), orphans


def _merge(full: Record, summaries: list[Record]) -> tuple[Record, list[str]]:
    canonical = summaries[0].id if summaries else full.id
    units, orphans = _merge_units(full, summaries)
    s0 = summaries[0]
    extra: dict[str, object] = {}
    for name in (
        "issuer",
        "doc_number",
        "date",
        "effective",
        "status",
        "status_checked",
        "version_of",
        "level",
    ):
        if not getattr(full, name) and getattr(s0, name):
            extra[name] = getattr(s0, name)
    names = tuple(dict.fromkeys([*full.short_names, *(n for s in summaries for n in s.short_names)]))
    others = [r.id for r in (full, *summaries) if r.id != canonical]
    merged = dataclasses.replace(
        full,
        id=canonical,
        units=units,
        short_names=names,
        summary=False,
        source=full.source or s0.source,
        categories=tuple(dict.fromkeys([*full.categories, *(c for s in summaries for c in s.categories)])),
        also_ids=tuple(dict.fromkeys([*full.also_ids, *others])),
        **extra,
    )
    return merged, orphans


def _relink(r: Record, aliases: dict[str, str]) -> Record:
    def one(target: str) -> str:
        head, sep, rest = target.partition("/")
        return aliases.get(head, head) + sep + rest

    if not aliases:
        return r
    violates = tuple(one(t) for t in r.violates)
    units = tuple(
        dataclasses.replace(u, basis=tuple(one(t) for t in u.basis)) if u.basis else u for u in r.units
    )
    if violates == r.violates and units == r.units:
        return r
    return dataclasses.replace(r, violates=violates, units=units)


def merge_works(records: Iterable[Record]) -> Merged:
    """Records with one record per work (see the module's docstring), in the input order."""
    records = list(records)
    out = Merged()
    replaced: dict[int, Record | None] = {}
    for group in _groups(records):
        if len(group) == 1:
            continue
        members = [records[i] for i in group]
        if any(r.kind not in MERGEABLE for r in members) or len({r.kind for r in members}) > 1:
            continue  # same id across kinds or cases: validate() reports the duplicate id
        fulls = [r for r in members if not r.summary]
        summaries = [r for r in members if r.summary]
        if len(fulls) != 1 or not summaries:
            continue  # two texts (or two summaries) of one work: a duplicate for validate() to report
        full = fulls[0]
        merged, orphans = _merge(full, summaries)
        for r in members:
            if r.id != merged.id:
                out.aliases[r.id] = merged.id
        replaced[group[0]] = merged
        for i in group[1:]:
            replaced[i] = None
        paths = "、".join(r.path or r.id for r in members)
        out.notes.append((merged, "info", f"同一文件的摘要与正式文本已合并为 {merged.id}（{paths}）"))
        if orphans:
            out.notes.append(
                (
                    summaries[0],
                    "warning",
                    f"摘要中的条目 {', '.join(orphans[:5])} 在正式文本 {full.path or full.id} 中没有同号条文，未合并",
                )
            )
    for i, r in enumerate(records):
        if i in replaced:
            if replaced[i] is not None:
                out.records.append(replaced[i])
        else:
            out.records.append(r)
    out.records = [_relink(r, out.aliases) for r in out.records]
    return out
