"""Two engines behind one interface: a generation remembers its engine, a switch rebuilds in
full, a missing engine is named with the command that installs it, damage to tantivy's files is
found by content and rebuilt from the corpus, and both answer with the same JSON."""

from __future__ import annotations

import sys
from collections import Counter

import pytest

from indexer.build import build_index, current_generation, read_manifest, verify_generation
from indexer.engine import EngineMissing, open_engine
from indexer.search import SearchService
from tests.conftest import ENGINES, TINY, case, write_records

needs_tantivy = pytest.mark.skipif("tantivy" not in ENGINES, reason="tantivy is installed by the test extra")


@needs_tantivy
def test_the_index_keeps_its_engine_and_a_switch_rebuilds_in_full(tmp_path, monkeypatch):
    monkeypatch.delenv("KB_ENGINE", raising=False)
    corpus = write_records(tmp_path / "c", dict(TINY))
    root = tmp_path / "ix"
    first = build_index([corpus], root, engine="tantivy")
    assert first.engine == "tantivy" and read_manifest(first.path)["engine"] == "tantivy"
    write_records(corpus, {"c9.md": case("c9", "某丁公车私用案", "某丁公车私用。", ["demo/4"])})
    again = build_index([corpus], root)  # no engine named: the index's own
    assert again.engine == "tantivy" and again.incremental and again.unchanged > 0
    assert "c9" in {h["id"] for h in SearchService(root).search("某丁")["hits"]}
    switched = build_index([corpus], root, engine="whoosh")
    assert switched.engine == "whoosh" and not switched.incremental


def test_a_missing_engine_says_how_to_install_it(tmp_path, monkeypatch):
    gen = tmp_path / "gen-000001"
    gen.mkdir()
    monkeypatch.setitem(sys.modules, "tantivy", None)  # as if not installed
    monkeypatch.delitem(sys.modules, "indexer.tantivy_engine", raising=False)
    with pytest.raises(EngineMissing, match=r"pip install"):
        open_engine(gen, {"engine": "tantivy"})


@needs_tantivy
def test_damage_inside_a_tantivy_segment_is_found_and_rebuilt(tmp_path):
    corpus = write_records(tmp_path / "c", dict(TINY))
    root = tmp_path / "ix"
    good = build_index([corpus], root, engine="tantivy")
    victim = max(
        (f for f in good.path.iterdir() if f.is_file() and f.name != "manifest.json"),
        key=lambda f: f.stat().st_size,
    )
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, different content
    victim.write_bytes(bytes(data))
    assert any("校验" in p for p in verify_generation(good.path, checksums=True))
    again = build_index([corpus], root)
    assert again.damaged_previous and not again.incremental and again.engine == "tantivy"
    assert SearchService(root).search("公车私用")["total"] > 0


@needs_tantivy
def test_both_engines_answer_with_the_same_contract(tmp_path):
    corpus = write_records(tmp_path / "c", dict(TINY))
    services = {}
    for engine in ("whoosh", "tantivy"):
        build_index([corpus], tmp_path / engine, engine=engine)
        services[engine] = SearchService(tmp_path / engine)
    for q, kw in (
        ("公车私用", {}),
        ('"层层加码"', {}),
        ("", {"sort": "date", "filters": {"kind": ["case"]}}),
        ("公车私用 -礼金", {}),
    ):
        a, b = (services[e].search(q, **kw) for e in ("whoosh", "tantivy"))
        assert a.keys() == b.keys() and a["total"] == b["total"], q
        assert {h["id"] for h in a["hits"]} == {h["id"] for h in b["hits"]}, q
        assert a["hits"] and a["hits"][0].keys() == b["hits"][0].keys()
        assert {f: sorted((r["value"], r["count"]) for r in rows) for f, rows in a["facets"].items()} == {
            f: sorted((r["value"], r["count"]) for r in rows) for f, rows in b["facets"].items()
        }, q
    by_date = [
        services[e].search("", sort="date", filters={"kind": ["case"]})["hits"] for e in ("whoosh", "tantivy")
    ]
    assert [h["date"] or h["year"] for h in by_date[0]] == [h["date"] or h["year"] for h in by_date[1]]
    assert current_generation(tmp_path / "tantivy") is not None


@needs_tantivy
def test_a_restriction_keeps_scores_and_order_on_both_engines(tmp_path):
    """``Restrict`` (how a search finds the matches that have another edition) keeps only the
    documents it names and adds nothing to their scores: restricted, the ranking is the
    unrestricted one with the others left out, on both engines; Whoosh may rewrap it."""
    from whoosh import query as Q

    from indexer.query import Restrict, parse, plan

    corpus = write_records(tmp_path / "c", dict(TINY))
    wq = plan(parse("公车私用"), {}).query()
    for engine in ("whoosh", "tantivy"):
        build_index([corpus], tmp_path / engine, engine=engine)
        service = SearchService(tmp_path / engine)
        with service.pinned():
            e = service.engine
            _, ranked = e.ranked(wq)
            assert len(ranked) >= 2, engine
            keep = ranked[::2]
            keys = [f"hit:{e.stored(d)['id']}" for _, d in keep]
            only = Restrict(Q.Or([Q.Term("key", k) for k in keys]))
            total, restricted = e.ranked(Q.And([wq, only]))
            assert total == len(keep) and restricted == keep, engine
            assert only.normalize().score == 0.0  # Whoosh rewraps it with its score


def test_tantivy_proof_reads_keys_by_hash_and_names_strangers(tmp_path):
    """The completeness proof reads every key by its hash fast field (a terms aggregation stops
    at 65,000 buckets; 100k records hold 255k keys); a key the build did not expect is still
    named, from its stored field."""
    pytest.importorskip("tantivy")
    from indexer import tantivy_engine as te
    from indexer.build import build_index, entry_keys
    from kb.corpus import load_corpus

    corpus = write_records(tmp_path / "corpus", dict(TINY))
    result = build_index([corpus], tmp_path / "ix", engine="tantivy")
    expected = [k for r in load_corpus([corpus]).records for k in entry_keys(r)]
    index = te.open_index(result.path)
    assert te.held_keys(index, expected) == Counter(expected)
    stranger = expected[-1]
    assert te.held_keys(index, expected[:-1]) == Counter(expected)  # named without being expected
    assert stranger in te.held_keys(index, [])


@needs_tantivy
def test_tantivy_reads_back_the_fields_it_packs(tmp_path):
    """A tantivy document keeps its fields packed in one value (split by the unit separator, or
    JSON when a value holds it): what the service reads back is what a field-per-value store
    gave — absent fields absent, multi-valued ones joined, ordinal an int, summary a bool."""
    from indexer import tantivy_engine as te

    entry = {
        "key": "hit:p/1",
        "id": "p/1",
        "entry": "hit",
        "kind": "provision",
        "doc_id": "p",
        "category": "文山会海,,会议",
        "title": "第一条",
        "ordinal": 3,
        "summary": True,
    }
    want = {
        "key": "hit:p/1",
        "id": "p/1",
        "entry": "hit",
        "kind": "provision",
        "doc_id": "p",
        "category": "文山会海,会议",
        "title": "第一条",
        "ordinal": 3,
        "summary": True,
    }
    assert te._unpacked(te._packed(entry, 3)) == want
    odd = {**entry, "title": "第一条\x1f（附）", "summary": False, "ordinal": 0}
    packed = te._packed(odd, 0)
    assert packed.startswith(b"[")  # the separator inside a value: JSON
    assert te._unpacked(packed) == {**want, "title": "第一条\x1f（附）", "summary": False, "ordinal": 0}
    bare = te._unpacked(te._packed({"key": "doc:p", "entry": "document"}, 0))
    assert bare == {"key": "doc:p", "entry": "document", "ordinal": 0, "summary": False}


@needs_tantivy
def test_tantivy_lists_facet_values_in_the_order_a_search_shows(tmp_path):
    """The service does not sort facet values an engine lists most frequent first, equal counts
    by value (``facets_ordered``): tantivy's terms aggregation does, checked here over the
    bundled corpus so that an upgrade that changes it fails, not the pages."""
    from indexer.query import parse, plan
    from indexer.schema import FACETS
    from kb.corpus import default_corpus

    build_index([default_corpus()], tmp_path / "ix", engine="tantivy")
    service = SearchService(tmp_path / "ix", results_cached=0)
    engine = service.engine
    assert engine.facets_ordered
    ties = 0
    for q in ["", "处分", "形式主义", "会议", "公款 吃喝", "基层"]:
        counts = engine.facet_counts(list(FACETS), query=plan(parse(q), {}).query())
        for values in counts.values():
            items = list(values.items())
            assert items == sorted(items, key=lambda x: (-x[1], x[0])), q
            ties += sum(a[1] == b[1] for a, b in zip(items, items[1:], strict=False))
    assert ties > 20  # equal counts were there to order
    service.close()


def test_tantivy_facets_past_the_bucket_cap_keep_selected_counts(tmp_path, monkeypatch):
    """tantivy refuses more than 65,000 facet buckets a request: each facet gets a share, and a
    selected value past its facet's share is counted by a query of its own, not shown as 0."""
    pytest.importorskip("tantivy")
    from indexer import tantivy_engine as te
    from indexer.build import build_index
    from indexer.search import SearchService

    corpus = write_records(tmp_path / "corpus", dict(TINY))
    svc = SearchService(build_index([corpus], tmp_path / "ix", engine="tantivy").path.parent)
    kinds = {r["value"]: r["count"] for r in svc.search("")["facets"]["kind"]}
    assert kinds == {"provision": 5, "case": 3}
    monkeypatch.setattr(te, "FACET_BUCKETS", 1)  # one bucket a request: each facet's top value
    capped = svc.search("", filters={"kind": ["case"]})["facets"]["kind"]
    row = next(r for r in capped if r["value"] == "case")
    assert row["selected"] and row["count"] == 3  # past the cap, counted by a query of its own
