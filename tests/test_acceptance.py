"""What the Search engine issue asks to be shown, on an index built from the bundled corpus plus
the imports of ../shared (seeds, the 11 guiding cases, both 条例)."""

from __future__ import annotations

import re

import pytest

from indexer.build import build_index
from indexer.search import SearchService
from kb.corpus import default_corpus
from kb.ingest import import_paths
from tests.conftest import REAL, SEEDS, need

pytestmark = pytest.mark.engines  # run once per search engine (tests/conftest.py)


@pytest.fixture(scope="module")
def combined(tmp_path_factory, kb_engine):
    need(REAL)
    need(SEEDS)
    root = tmp_path_factory.mktemp("combined")
    imported = root / "imported"
    for paths, kind, over in [
        ([SEEDS], "material", {}),
        ([REAL / "xt/cases-ccdi-guiding"], "case", {}),
        ([REAL / "xt/dangfa/dangfa008.md"], "policy", {"id": "real-cdc-2023"}),
        ([REAL / "xt/dangfa/dangfa009.md"], "policy", {"id": "real-cdc-2018", "issuer": "中共中央"}),
    ]:
        report = import_paths(paths, kind, imported, over)
        assert not report.errors, report.errors
    build_index([default_corpus(), imported], root / "index")
    return SearchService(root / "index")


def _texts(service, result):
    out = []
    for h in result["hits"]:
        item = service.get(h["id"])
        if "units" in item:  # a case: all its sections
            out.append("\n".join(u["number"] + u["text"] for u in item["units"]))
        else:
            out.append(f"{item['number']} {item['title']}\n{item['text']}")
    return out


def test_phrase_finds_texts_that_contain_it(combined):
    r = combined.search('"基层减负"', per_page=50)
    assert r["total"] >= 5
    for text in _texts(combined, r):
        assert "基层减负" in re.sub(r"\s", "", text)


def test_sifeng_finds_jiuzhi_sifeng(combined):
    r = combined.search('"四风"', per_page=100)
    texts = _texts(combined, r)
    assert any("纠治“四风”" in t or "纠治四风" in t or "纠治“四风" in t for t in texts)
    assert all("四风" in t for t in texts)


def test_dujiankao_finds_ducha_jiancha_kaohe(combined):
    r = combined.search("督检考", per_page=50)
    assert r["total"] > 0
    assert any("督查检查考核" in t for t in _texts(combined, r))


def test_ads_are_not_searchable(combined):
    assert combined.search("哒哒")["total"] == 0
    assert combined.search("客服")["total"] == 0


def test_a_case_under_two_rules_counts_under_both(combined):
    r = combined.search("类型:案例", per_page=1)
    counts = {row["value"]: row["count"] for row in r["facets"]["violates"]}
    two_rule_cases = [
        h for h in combined.search("类型:案例", per_page=100)["hits"] if h["id"] == "ccdi-zd-06"
    ]
    assert two_rule_cases  # 骗领补贴 and 收受礼金: the 条例 and the 政务处分法 articles both
    assert counts["cdc-2018/88"] >= 1 and counts["zwcf-2020/34"] >= 1
    total_links = sum(counts.values())
    cases_with_links = sum(
        1 for h in combined.search("类型:案例", per_page=100)["hits"] if combined.get(h["id"])["violates"]
    )
    assert total_links > cases_with_links  # overlap: multi-rule cases are counted once per rule
