"""The search service on a tiny index built in tmp: traps, facets, snippets, hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.query import parse

pytestmark = pytest.mark.engines  # run once per search engine (tests/conftest.py)


def ids(result):
    return [h["id"] for h in result["hits"]]


def test_phrase_query_finds_the_phrase(tiny_service):
    r = tiny_service.search('"基层减负"')
    assert ids(r) == ["demo/1"]


def test_phrase_needs_the_words_together(tiny_service):
    assert tiny_service.search('"减负 基层"')["total"] == 0


def test_term_inside_hmm_compound_is_found(tiny_service):
    r = tiny_service.search('"四风"')  # a phrase: no synonym expansion involved
    assert "demo/1" in ids(r)


def test_synonym_finds_the_long_form(tiny_service):
    r = tiny_service.search("督检考")
    assert r["hits"] and r["hits"][0]["id"] == "demo/2"
    assert "督查检查考核" in r["parsed"]["groups"][0][0]["synonyms"]


def test_gongche_finds_the_article_on_official_vehicles(tiny_service):
    assert "demo/4" in ids(tiny_service.search("公车私用"))


def test_hongtou_wenjian_is_found_whole(tiny_service):
    assert ids(tiny_service.search("红头文件"))[0] == "demo/3"
    assert ids(tiny_service.search('"红头文件"')) == ["demo/3"]


def test_exclude_and_or(tiny_service):
    assert "c1" not in ids(tiny_service.search("公车私用 -礼金"))
    either = ids(tiny_service.search("层层加码 OR 礼金"))
    assert {"demo/2", "demo/5"} <= set(either)


def test_field_filters_with_chinese_names(tiny_service):
    r = tiny_service.search("类型:案例 年份:2023")
    assert sorted(ids(r)) == ["c2", "c3"]
    assert r["parsed"]["described"] == "类型=案例 且 年份=2023"
    assert ids(tiny_service.search("处分:党内严重警告")) == ["c2"]


def test_multi_valued_facet_counts_a_case_under_each_rule(tiny_service):
    r = tiny_service.search("类型:案例")
    violates = {row["value"]: row["count"] for row in r["facets"]["violates"]}
    assert violates["demo/4"] == 2  # c1 and c3
    assert violates["demo/5"] == 1  # c1 counted again, under its second rule
    sanctions = {row["value"]: row["count"] for row in r["facets"]["sanction"]}
    assert sanctions == {"党内警告": 1, "党内严重警告": 1, "政务记过": 1}


def test_selected_facet_values_or_within_and_keep_their_counts(tiny_service):
    r = tiny_service.search("", filters={"year": ["2021", "2023"], "kind": ["case"]})
    assert sorted(ids(r)) == ["c1", "c2", "c3"]
    years = {row["value"]: (row["count"], row["selected"]) for row in r["facets"]["year"]}
    assert years["2021"] == (1, True) and years["2023"] == (2, True)


def test_snippets_escape_document_text(tiny_service):
    r = tiny_service.search("公车私用 类型:案例")
    hit = next(h for h in r["hits"] if h["id"] == "c3")
    assert "<script>" not in hit["snippet"]
    assert "&lt;/script&gt;" in hit["snippet"]
    assert "<mark>" in hit["snippet"]


def test_sort_by_date_and_paging(tiny_service):
    r = tiny_service.search("类型:案例", sort="date", per_page=2, page=1)
    assert r["total"] == 3 and r["pages"] == 2 and len(r["hits"]) == 2
    assert [h["date"] for h in r["hits"]] == sorted([h["date"] for h in r["hits"]], reverse=True)
    last = tiny_service.search("类型:案例", sort="date", per_page=2, page=2)
    assert len(last["hits"]) == 1
    assert last["hits"][0]["date"] <= r["hits"][-1]["date"]
    asc = tiny_service.search("类型:案例", sort="date-asc", per_page=10)
    assert [h["date"] for h in asc["hits"]] == sorted(h["date"] for h in asc["hits"])
    # one record's provisions share its date: they keep the record's order
    provisions = tiny_service.search("类型:条文", sort="date", per_page=10)["hits"]
    same_doc = [h["id"] for h in provisions if h["document_id"] == provisions[0]["document_id"]]
    assert len(same_doc) > 1
    order = [u["id"] for u in tiny_service.get(provisions[0]["document_id"])["units"]]
    assert same_doc == sorted(same_doc, key=order.index)


def test_json_shape(tiny_service):
    r = tiny_service.search("礼金")
    assert set(r) >= {"query", "parsed", "total", "hits", "facets"}
    for h in r["hits"]:
        assert set(h) >= {
            "id",
            "kind",
            "title",
            "document_id",
            "document_title",
            "number",
            "date",
            "snippet",
            "score",
        }
        assert h["kind"] in ("provision", "list-item", "case", "material")
    assert all("count" in row for rows in r["facets"].values() for row in rows)


def test_show_record_and_provision(tiny_service):
    doc = tiny_service.get("demo")
    assert [u["id"] for u in doc["units"]][:2] == ["demo/1", "demo/2"]
    p = tiny_service.get("demo/2")
    assert p["number"] == "第2条" and p["document_id"] == "demo" and p["next"] == "demo/3"
    assert set(p["links"]) == {"violated_by", "cited_by", "cites", "related"}
    assert tiny_service.get("demo/2/1")["id"] == "demo/2"
    assert tiny_service.get("nope") is None and tiny_service.get("demo/99") is None


HOSTILE = [
    '"',
    '"""',
    '"未闭合',
    "OR",
    "OR OR",
    "-",
    "--",
    ":",
    "::",
    "类型:",
    ":案例",
    "foo:bar",
    "年份:abc",
    "x" * 10_000,
    "\x00\x01\x07",
    "😀🙈",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "*",
    "?",
    "(",
    ")",
    "AND",
    "NOT",
    "类型:案例 类型:未知",
    "处分:",
    "\u202e反转",
    "　",
    "第一百三十二条",
    "a" * 300 + " 四风",
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_raise(tiny_service, q):
    r = tiny_service.search(q)
    assert isinstance(r["total"], int)
    assert r["parsed"]["described"]


def test_out_of_range_paging_and_unknown_filters(tiny_service):
    r = tiny_service.search(
        "礼金", page=10**9, per_page=10**9, filters={"nope": ["x"], "year": ["1999"]}, sort="bogus"
    )
    assert r["total"] == 0 and r["page"] == 1000 and r["per_page"] == 100 and r["sort"] == "relevance"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_and_searches(tiny_service, text):
    parse(text)
    tiny_service.search(text, per_page=3)


def test_cases_known_only_by_year_sort_among_dated_ones(tmp_path):
    """A 2025 case with no day comes before a dated 2024 one; within 2024 the dated ones come
    first, newest first (and last oldest first); the year facet counts them all (issue 17)."""
    import datetime as dt

    from indexer.build import build_index
    from indexer.search import SearchService
    from tests.conftest import case, policy, write_records

    corpus = write_records(
        tmp_path / "corpus",
        {
            "p.md": policy("p", "测试规定", {"1": "不得违规公款吃喝。"}),
            "a.md": case("a", "甲案", "公款吃喝。", ["p/1"], year=2024, date=dt.date(2024, 3, 2)),
            "b.md": case("b", "乙案", "公款吃喝。", ["p/1"], year=2025, dated=False),
            "c.md": case("c", "丙案", "公款吃喝。", ["p/1"], year=2024, dated=False),
            "d.md": case("d", "丁案", "公款吃喝。", ["p/1"], year=2024, date=dt.date(2024, 11, 30)),
            "e.md": case("e", "戊案", "公款吃喝。", ["p/1"], year=2023, dated=False),
        },
    )
    build_index([corpus], tmp_path / "index")
    svc = SearchService(tmp_path / "index")
    newest = svc.search("", filters={"kind": ["case"]}, sort="date", per_page=10)
    assert ids(newest) == ["b", "d", "a", "c", "e"]
    oldest = svc.search("", filters={"kind": ["case"]}, sort="date-asc", per_page=10)
    assert ids(oldest) == ["e", "c", "a", "d", "b"]
    years = {f["value"]: f["count"] for f in newest["facets"]["year"]}
    assert years == {"2025": 1, "2024": 3, "2023": 1}
    by = svc.violated_by("p/1")
    assert [c["when"] for c in by["cases"]] == ["2025年", "2024-11-30", "2024-03-02", "2024年", "2023年"]
    assert [c["date"] for c in svc.cases_for(["p/1"], limit=2)] == ["2025年", "2024-11-30"]


def test_a_placeholder_unit_is_a_page_but_never_a_hit(tmp_path):
    """A unit marked ``stub = true`` (its 要点 not yet written) is shown on its page and counted
    by its document, but never ranks as a search hit (issue 17)."""
    from indexer.build import build_index
    from indexer.search import SearchService
    from tests.conftest import policy, write_records

    text = policy(
        "p", "测试规定", {"1": "严控文件数量，精简会议。", "2": "规范创建示范活动（要点暂不概括）。"}
    )
    text = text.replace("+++\n\n", '[units."2"]\nstub = true\n+++\n\n', 1)
    corpus = write_records(tmp_path / "corpus", {"p.md": text})
    build_index([corpus], tmp_path / "index")
    svc = SearchService(tmp_path / "index")
    assert ids(svc.search("精简会议")) == ["p/1"]
    assert ids(svc.search("创建示范")) == []
    unit = svc.get("p/2")
    assert unit is not None and unit["stub"] is True
    assert [u["anchor"] for u in svc.get("p")["units"]] == ["1", "2"]


def test_unknown_unit_fields_are_refused_by_name(tmp_path):
    from kb.records import RecordError, parse_record
    from tests.conftest import policy

    text = policy("p", "测试规定", {"1": "严控文件数量。"}).replace(
        "+++\n\n", '[units."1"]\nstubb = true\n+++\n\n', 1
    )
    with pytest.raises(RecordError, match="stubb"):
        parse_record(text, "p.md")


def test_an_excluded_word_in_the_document_title_excludes_the_hit(tiny_service):
    """-纪律 drops every provision of 示例纪律规定: Whoosh's AndNot matcher once let one through."""
    assert tiny_service.search("四风")["total"] >= 1
    assert tiny_service.search("四风 -纪律")["total"] == 0
    kept = {h["id"] for h in tiny_service.search("公车私用 -礼金")["hits"]}
    assert "c1" not in kept and "c3" in kept  # c1 also took 礼金


def test_document_facet_lists_the_documents_hits_belong_to_not_cases(tiny_service):
    """所属文件 names the policy, list or material a hit is part of; a case is its own document,
    so it is not listed there (at 100k records that was 100k one-count values and most of a
    search's facet time) — unless it is the selected one."""
    docs = {r["value"]: r["count"] for r in tiny_service.search("")["facets"]["document"]}
    assert docs == {"demo": 5}
    chosen = tiny_service.search("", filters={"document": ["c1"]})
    assert chosen["total"] == 1
    assert {r["value"]: r["selected"] for r in chosen["facets"]["document"]}["c1"] is True


def test_facet_values_keeps_the_first_and_every_selected_one(tiny_service):
    whole = tiny_service.search("")
    name, rows = max(whole["facets"].items(), key=lambda x: len(x[1]))
    assert len(rows) >= 3 and whole["facet_sizes"][name] == len(rows)
    last = rows[-1]["value"]
    cut = tiny_service.search("", filters={name: [last]}, facet_values=1)
    kept = cut["facets"][name]
    assert [r["value"] for r in kept][-1] == last and kept[-1]["selected"]
    assert len(kept) == 2 and cut["facet_sizes"][name] >= len(kept) + 1
    assert all(row["label"] for rows in cut["facets"].values() for row in rows)


def test_a_facet_row_made_fast_is_the_row_made_plainly(tiny_service):
    """FacetValue.row skips the frozen dataclass's __init__: the row it makes equals, reads,
    dumps and refuses changes as one made by FacetValue(...) does."""
    import dataclasses

    from indexer.search_result import FacetValue

    fast, plain = FacetValue.row("2021", 3, True, "2021年"), FacetValue("2021", 3, True, "2021年")
    assert fast == plain and hash(fast) == hash(plain) and repr(fast) == repr(plain)
    assert fast.dump() == plain.dump() == {"value": "2021", "count": 3, "selected": True, "label": "2021年"}
    assert {**fast} == {**plain} and fast["count"] == 3
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.count = 4  # type: ignore[misc]
    rows = [r for rows in tiny_service.search("")["facets"].values() for r in rows]
    assert rows and all(r == FacetValue(r.value, r.count, r.selected, r.label) for r in rows)


def test_a_result_is_typed_frozen_and_dumps_to_plain_json(tiny_service):
    import dataclasses
    import json

    from indexer.search_result import Hit, SearchResult

    r = tiny_service.search("公车私用")
    assert isinstance(r, SearchResult) and all(isinstance(h, Hit) for h in r.hits)
    assert r["total"] == r.total and r.hits[0]["id"] == r.hits[0].id  # reads like the dict it was
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.hits[0].title = "改过"  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.facets["year"] = ()  # type: ignore[index]
    with pytest.raises(TypeError):
        r.facet_sizes["year"] = 0  # type: ignore[index]
    with pytest.raises(AttributeError):
        r.hits.append(r.hits[0])  # type: ignore[attr-defined]
    dumped = r.dump()
    assert json.loads(json.dumps(dumped, ensure_ascii=False)) == dumped
    assert dumped["hits"][0]["id"] == r.hits[0].id and isinstance(dumped["facets"]["kind"], list)


def test_equal_scores_keep_one_order_whatever_order_the_index_holds_them(tmp_path):
    """Hits that score the same (identical cases) are listed in an order of their keys, not of
    where the index happens to hold them: built at once, and built in two steps so that the
    later half sits in another segment, the order is the same, page by page."""
    from indexer.build import build_index
    from indexer.search import SearchService
    from tests.conftest import case, write_records

    ids_ = [f"tie{i:02d}" for i in range(24)]
    records = {f"{r}.md": case(r, "某局违规发放津贴案", "某局违规发放津贴补贴，受到处理。") for r in ids_}
    whole = write_records(tmp_path / "whole", records)
    build_index([whole], tmp_path / "ix1")
    steps = write_records(tmp_path / "steps", {k: records[k] for k in sorted(records)[1::2]})
    build_index([steps], tmp_path / "ix2")
    write_records(steps, records)
    build_index([steps], tmp_path / "ix2")

    def order(root):
        service = SearchService(root, results_cached=0)
        first = service.search("违规发放津贴", per_page=10, facets=False, snippets=False)
        scores = {h["score"] for h in first["hits"]}
        assert len(scores) == 1, scores  # the hits do score the same
        return [
            h["id"]
            for page in (1, 2, 3)
            for h in service.search("违规发放津贴", per_page=10, page=page, facets=False, snippets=False)[
                "hits"
            ]
        ]

    once, twice = order(tmp_path / "ix1"), order(tmp_path / "ix2")
    assert sorted(once) == ids_ and once == twice
