"""Anchor text: the words of the records that point at a provision, indexed on the provision.

Rules are written in legal vocabulary (违反规定接受宴请, 公款旅游); people ask in the vocabulary
of the cases (不吃公款吃老板, 借考察名义出去旅游). Web search solved the same gap with the text
of the links pointing at a page; here the links are the corpus's own edges — a case that
violated or cites a provision, a list item that rests on it — and their words (a case's title,
categories and keywords; a list item's title and text) become a lower-weighted field of the
provision. A provision merged from an official text and the bundled summary also carries the
summary's 要点. List items get the words of the cases that name them.
"""

from __future__ import annotations

from collections.abc import Iterable

from kb.links.graph import Edge
from kb.models import Record

MAX_SOURCES = 60  # linked records whose words a unit carries; the newest-first order is the corpus's


def _case_words(r: Record) -> str:
    return " ".join([r.title, *r.categories, *r.keywords])


def anchor_texts(records: Iterable[Record], edges: Iterable[Edge]) -> dict[str, str]:
    """unit id → the words its linking records lend it (absent when nothing links to it)."""
    records = list(records)
    by_id = {r.id: r for r in records}
    units = {f"{r.id}/{u.anchor}": (r, u) for r in records for u in r.units}
    lent: dict[str, list[str]] = {}
    seen: set[tuple[str, str]] = set()

    def lend(target: str, source: str, words: str) -> None:
        base = "/".join(target.split("/")[:2])
        if base not in units or not words.strip() or (base, source) in seen:
            return
        bucket = lent.setdefault(base, [])
        if len(bucket) < MAX_SOURCES:
            seen.add((base, source))
            bucket.append(words)

    for e in edges:
        if e.type not in ("violates", "cites"):
            continue
        source_record = by_id.get(e.source.split("/")[0])
        if source_record is None:
            continue
        if source_record.kind == "list" and e.source in units:
            _, item = units[e.source]
            lend(e.target, e.source, f"{item.title} {item.text}")
        elif source_record.kind == "case":
            lend(e.target, source_record.id, _case_words(source_record))
    for uid, (_, u) in units.items():
        if u.gist:
            lent.setdefault(uid, []).insert(0, u.gist)
    return {uid: "\n".join(words) for uid, words in lent.items()}
