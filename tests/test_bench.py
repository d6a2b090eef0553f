"""The benchmark's own parts keep working: the corpus generator and the peer engines.

Speed is never asserted here (bench/run.py measures it); these check that what the benchmark
builds is a valid corpus and that the peers answer the same questions."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def test_generated_records_are_a_valid_corpus_with_real_facets(real, seeds, tmp_path):
    from generate import write_corpus

    from kb.corpus import default_corpus, load_corpus

    chars = write_corpus(60, tmp_path / "gen", real.parent, seed=3)
    files = sorted((tmp_path / "gen").glob("gen-*.md"))
    assert len(files) == 60 and chars > 60 * 200
    corpus = load_corpus([default_corpus(), tmp_path / "gen"])
    assert not corpus.errors, corpus.errors[:3]
    generated = [r for r in corpus.records if r.id.startswith("gen-")]
    cases = [r for r in generated if r.kind == "case"]
    assert cases and all(r.year and r.region for r in cases)
    assert any(r.violates for r in cases)  # links to bundled provisions, which resolve
    again = write_corpus(60, tmp_path / "again", real.parent, seed=3)
    assert again == chars  # the same seed makes the same corpus


def test_peers_answer_the_same_queries(tmp_path):
    from peers import Fts5, build_peer, pretokenise

    from indexer.build import Links, entries
    from kb.corpus import default_corpus, load_corpus

    corpus = load_corpus([default_corpus()])
    links = Links(corpus.records)
    docs = pretokenise([e for r in corpus.records for e in entries(r, links) if e["entry"] == "hit"])
    peers = [Fts5(tmp_path / "fts5.sqlite")]
    try:
        from peers import Tantivy

        peers.append(Tantivy(tmp_path / "tantivy"))
    except ImportError:
        pass
    for peer in peers:
        build_peer(peer, docs)
        assert "cdc-2023/132" in peer.search("文山会海"), peer.name
        assert peer.search("文山会海", facets=True, highlights=True), peer.name
        assert peer.search('"形式主义"'), peer.name
        assert peer.search("没有这个词的查询xyz") == [], peer.name


@pytest.mark.parametrize("q", ["", '"', "AND", "-", "NEAR(", "*", '"""', "OR OR"])
def test_peers_take_queries_without_words(tmp_path, q):
    from peers import Fts5, build_peer, pretokenise

    peer = Fts5(tmp_path / "f.sqlite")
    build_peer(peer, pretokenise([{"id": "a", "title": "标题", "text": "形式主义"}]))
    assert isinstance(peer.search(q, facets=True, highlights=True), list)


def test_parity_times_our_search_and_fts5_in_alternating_rounds(tmp_path, monkeypatch):
    """bench/run.py's parity line: both engines answer every plain query with facets and
    highlights in each round, and what it reports is counted from those samples (each timing
    is replaced by a fixed one per engine, so the figures are known)."""
    import run
    from peers import Fts5, build_peer, pretokenise

    from indexer.build import Links, build_index, entries
    from indexer.search_result import SearchResult
    from kb.corpus import default_corpus, load_corpus
    from tests.conftest import ENGINES

    corpus = load_corpus([default_corpus()])
    links = Links(corpus.records)
    fts5 = Fts5(tmp_path / "fts5.sqlite")
    build_peer(
        fts5, pretokenise([e for r in corpus.records for e in entries(r, links) if e["entry"] == "hit"])
    )
    engine = ENGINES[-1]
    build_index([default_corpus()], tmp_path / "ix", engine=engine)
    answered = {"ours": 0, "fts5": 0}

    def fixed(fn, repeat):  # ours 3 ms, FTS5 2 ms, whatever the machine
        ours = isinstance(fn(), SearchResult)
        answered["ours" if ours else "fts5"] += 1
        return [3.0 if ours else 2.0] * repeat

    monkeypatch.setattr(run, "timed", fixed)
    p = run.parity(tmp_path / "ix", tmp_path / "fts5.sqlite", repeat=2, rounds=3)
    n = len(run.QUERIES["plain"])
    assert answered == {"ours": 3 * n, "fts5": 3 * n}
    assert p["engine"] == engine and p["rounds"] == 3 and p["round_ratios"] == [1.5, 1.5, 1.5]
    assert p["ours"] == {"median": 3.0, "p95": 3.0, "n": 6 * n} and p["fts5"]["n"] == 6 * n
    assert p["ratio"] == 1.5
