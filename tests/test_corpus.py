"""The bundled corpus: valid, sourced, linked, and in the project's own words."""

from __future__ import annotations

from pathlib import Path

from kb.cli import default_corpus
from kb.corpus import load_corpus
from tests.conftest import REAL, SEEDS, need

RUN = 30  # characters: a shared run this long means a sentence was copied


def test_bundled_corpus_validates():
    corpus = load_corpus([default_corpus()])
    assert not corpus.errors, [str(p) for p in corpus.errors]
    assert len(corpus.records) >= 18


def test_every_record_is_a_sourced_summary():
    for r in load_corpus([default_corpus()]).records:
        assert r.summary, r.id
        assert r.source, r.id


def test_curated_links_resolve():
    corpus = load_corpus([default_corpus()])
    units = corpus.unit_ids()
    for r in corpus.records:
        for target in r.violates:
            assert target in units, (r.id, target)
        for u in r.units:
            for target in u.basis:
                assert target in units, (r.id, u.anchor, target)


def _shingles(text: str) -> set[str]:
    t = "".join(c for c in text if not c.isspace())
    return {t[i : i + RUN] for i in range(max(0, len(t) - RUN + 1))}


def test_no_record_copies_third_party_text():
    need(REAL)
    need(SEEDS)
    theirs: set[str] = set()
    for p in [*REAL.rglob("*.md"), *SEEDS.glob("*.txt")]:
        theirs |= _shingles(p.read_text(encoding="utf-8", errors="replace"))
    copied = {}
    for p in Path(default_corpus()).rglob("*.md"):
        if p.name == "README.md":
            continue
        shared = _shingles(p.read_text(encoding="utf-8")) & theirs
        if shared:
            copied[p.name] = sorted(shared)[:2]
    assert not copied, copied
