"""Relevance of the bundled corpus: success@3 and MRR over tests/relevance.toml.

The thresholds are set a little below what was measured when the set was written (see the
printout with ``pytest -s``); a change that makes ranking worse fails here."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.search import SearchService
from kb.corpus import default_corpus

pytestmark = pytest.mark.engines  # run once per search engine (tests/conftest.py)

JUDGEMENTS = tomllib.loads((Path(__file__).parent / "relevance.toml").read_text(encoding="utf-8"))["q"]
MIN_SUCCESS_AT_3 = 0.95
MIN_MRR = 0.90


@pytest.fixture(scope="module")
def bundled(tmp_path_factory, kb_engine):
    root = tmp_path_factory.mktemp("bundled")
    build_index([default_corpus()], root)
    return SearchService(root)


def evaluate(service: SearchService) -> tuple[float, float, list[str]]:
    hits3, rr, misses = 0, 0.0, []
    for j in JUDGEMENTS:
        got = [h["id"] for h in service.search(j["query"], per_page=10, facets=False, snippets=False)["hits"]]
        rank = next((i for i, g in enumerate(got, 1) if g in j["relevant"]), None)
        if rank and rank <= 3:
            hits3 += 1
        else:
            misses.append(f"{j['query']}: got {got[:3]}")
        rr += 1 / rank if rank else 0.0
    return hits3 / len(JUDGEMENTS), rr / len(JUDGEMENTS), misses


def test_relevance_set_is_big_enough_and_points_at_real_ids(bundled):
    assert len(JUDGEMENTS) >= 40
    for j in JUDGEMENTS:
        for rid in j["relevant"]:
            assert bundled.get(rid) is not None, rid


def test_success_at_3_and_mrr(bundled):
    s3, mrr, misses = evaluate(bundled)
    print(f"\nrelevance: {len(JUDGEMENTS)} queries, success@3 = {s3:.3f}, MRR = {mrr:.3f}")
    for m in misses:
        print("  miss:", m)
    assert s3 >= MIN_SUCCESS_AT_3, misses
    assert mrr >= MIN_MRR
