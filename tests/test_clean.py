"""Each cleaning rule, table-driven on the real seeds, plus properties over any text."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.ingest.clean import (
    AD_MARKERS,
    MASK,
    clean_text,
    mark_masked,
    normalise_punctuation,
    rejoin_page_breaks,
    remove_ads,
    remove_web_furniture,
    split_source_note,
)
from tests.conftest import seed_file

# (seed, text that must be gone after cleaning, text that must read whole after cleaning)
SEED_TABLE = [
    ("000", "哒哒", "整治形式主义为基层减负"),
    ("000", "客服", "指尖上的形式主义"),
    ("000", "paidbegin", "思想行动统一"),
    ("000", "paidend", "进一步减文控会"),
    ("000", "素材库", "文山会海"),
    ("004", "由会员分享", "在2024年基层减负工作会上的主持讲话"),
    ("004", "课桌文档", "形式主义和官僚主义问题"),
    ("004", "\n2、", "为基层减负的通知"),
    ("004", "\n40、", "件、会议、督导数量只减不增"),
    ("001", "XXX", "整治形式主义为基层减负"),
    ("002", "〔*〕", "同比下降" + MASK + "%"),
    ("003", "**", MASK + "市委"),
]


@pytest.mark.parametrize(("seed", "gone", "whole"), SEED_TABLE)
def test_seed_cleaning(seed, gone, whole):
    raw = seed_file(seed).read_text(encoding="utf-8")
    assert gone in raw, "the seed should hold the mess this row is about"
    cleaned = clean_text(raw).text
    assert gone not in cleaned
    assert whole in cleaned


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_seed_cleaning_is_idempotent(seed):
    once = clean_text(seed_file(seed).read_text(encoding="utf-8")).text
    assert clean_text(once).text == once


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_no_page_counter_or_ad_survives(seed):
    cleaned = clean_text(seed_file(seed).read_text(encoding="utf-8")).text
    if seed == "004":  # the seed whose pages are numbered 1、 … 40、 at line starts
        assert not re.search(r"(?m)^\d{1,3}、", cleaned)
    assert not any(m in cleaned for m in ("哒哒", "客服", "paidbegin", "会员群", "svip"))


RULES = [
    # page counters cut words; a run of 1、2、3、… mid-sentence is rejoined
    (
        rejoin_page_breaks,
        "1、整治形式主\n2、义为基层减\n3、负的通知等\n4、文件",
        "整治形式主义为基层减负的通知等文件",
    ),
    # a real numbered list (each line a sentence) is left alone
    (rejoin_page_breaks, "1、第一项。\n2、第二项。\n3、第三项。", "1、第一项。\n2、第二项。\n3、第三项。"),
    (rejoin_page_breaks, "正文一段。\n- 3 -\n正文二段。", "正文一段。\n正文二段。"),
    (remove_ads, "二、工作成效[【某某服务】高质量，绝对保密，包满意，直接添加客服]", "二、工作成效"),
    (remove_ads, "引用[【注】见附件]保留", "引用[【注】见附件]保留"),
    (remove_ads, "##paidbegin##正文##paidend##", "正文"),
    (normalise_punctuation, "基层减负,形式主义;官僚主义", "基层减负，形式主义；官僚主义"),
    (normalise_punctuation, "(一)突出政治建设", "（一）突出政治建设"),
    (normalise_punctuation, '开设"我为群众办实事"专栏', "开设“我为群众办实事”专栏"),
    (normalise_punctuation, "版本 v1.2, see note", "版本 v1.2, see note"),
    (mark_masked, "查处XXX人", f"查处{MASK}人"),
    (mark_masked, "请X同志传达", f"请{MASK}同志传达"),
    (mark_masked, "下降〔*〕%", f"下降{MASK}%"),
    (mark_masked, "**市委", f"{MASK}市委"),
    (mark_masked, "XML 与 X光", "XML 与 X光"),
]


@pytest.mark.parametrize(("rule", "before", "after"), RULES)
def test_rule(rule, before, after):
    assert rule(before) == after


def test_masks_are_counted():
    assert clean_text("查处XXX人，立案XX件，下降〔*〕%").masked == 3


# ------------------------------------------------------------------ properties

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
ordinary = st.lists(
    st.one_of(
        st.text(CJK, min_size=1, max_size=12),
        st.sampled_from(["。", "，", "\n", "；", "、", "2024年", "（一）"]),
    ),
    max_size=60,
).map("".join)


def _cjk(s: str) -> str:
    return "".join(c for c in s if "\u4e00" <= c <= "\u9fff")


@settings(max_examples=300, deadline=None)
@given(ordinary)
def test_cleaning_never_deletes_ordinary_text(text):
    if any(m in text for m in AD_MARKERS):
        return
    assert _cjk(clean_text(text).text) == _cjk(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(ordinary, st.text(max_size=200)))
def test_cleaning_is_idempotent(text):
    once = clean_text(text).text
    assert clean_text(once).text == once


def test_web_furniture_goes_and_sentences_stay():
    page = (
        "第一条 会议要短。\n"
        "![](http://example.org/a.jpeg) ![](http://example.org/b.jpeg)\n"
        ">>点击查看更多回复 >>点击进入留言咨询\n"
        "群众反映，点击查看更多信息后仍找不到办事指南。\n"
        "文中配图![](http://example.org/c.jpeg)说明了流程。"
    )
    out = remove_web_furniture(page)
    assert "![" not in out and "点击进入" not in out
    assert "群众反映，点击查看更多信息后仍找不到办事指南。" in out  # said in a sentence: kept
    assert "文中配图说明了流程。" in out


@pytest.mark.parametrize(
    ("text", "body", "source"),
    [
        (
            "80.原单位的办公用房应及时腾退。\n\n（来源：人民日报）",
            "80.原单位的办公用房应及时腾退。",
            "人民日报",
        ),
        ("正文一句。\n来源：新华网\n责任编辑：张三", "正文一句。", "新华网"),
        ("正文一句。\n（责任编辑：李四）", "正文一句。", ""),
        ("五、本办法所称来源：指资金的来源渠道。", "五、本办法所称来源：指资金的来源渠道。", ""),
        ("只有正文。", "只有正文。", ""),
    ],
)
def test_source_note_comes_off_the_end(text, body, source):
    assert split_source_note(text) == (body, source)


def test_normalise_is_the_two_mappings_in_turn():
    """normalise reads one merged table; it must give what full-width → ASCII, then traditional
    → simplified, then lower case give one after the other."""
    from indexer.analysis import _FULLWIDTH, _t2s, normalise

    for text in ("ＡＢＣ１２３，紀委監察（試行）", "İstanbul 公車私用", "", "普通的简体文字。"):
        stepwise = text.translate(_FULLWIDTH).translate(_t2s())
        lowered = stepwise.lower()
        assert normalise(text) == (lowered if len(lowered) == len(stepwise) else stepwise)
