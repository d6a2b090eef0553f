"""kb.check.skipahead: a lookahead of first characters changes how fast a pattern scans, never
what it finds."""

from __future__ import annotations

import re
import tomllib

import pytest

from kb.check.read import _QTY, LEXICON, lexicon
from kb.check.skipahead import compile_skipping

TEXT = (
    "请各村每日在工作群打卡上传照片，各乡镇将台账分别报送县委办和县政府办。"
    "设宴3桌，作陪8人；24小时内报送，报告不少于１０,000字，一万二千字亦可。"
    "个别部门仍然存在过度留痕现象。今年以来，已取消考核12项。\n"
    "ab12桌 aab 接风。"
)


def spans(p: re.Pattern[str], text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in p.finditer(text)]


@pytest.mark.parametrize(
    "pattern",
    [
        r"[答庆谢]{1,2}宴|\d+\s*桌|宴请",  # a class and a digit first: a lookahead is added
        r"(上级)?(部门|单位)",  # an optional group first: its characters and the next ones
        r"a*b",  # an optional run, then a character
        r"^个别|部门",  # an anchor: no lookahead (it cannot be known)
        r"a?",  # may match empty: no lookahead
        r"[^，。]{0,3}以来",  # a negated class first: no lookahead
        r"\s*台账",
    ],
)
def test_same_matches_as_plain(pattern: str) -> None:
    assert spans(compile_skipping(pattern), TEXT) == spans(re.compile(pattern), TEXT)


def test_lookahead_added_only_where_the_engine_does_not_skip() -> None:
    assert compile_skipping(r"[答庆谢]宴|\d+桌").pattern.startswith("(?=[")
    assert not compile_skipping("宴请|接风").pattern.startswith("(?=")  # literals: the engine skips
    assert not compile_skipping(r"^个别|部门").pattern.startswith("(?=")
    assert not compile_skipping(r"a?").pattern.startswith("(?=")


def test_every_lexicon_class_finds_what_the_plain_pattern_finds() -> None:
    data = tomllib.loads(LEXICON.read_text(encoding="utf-8"))
    marks, classes = lexicon()
    for section, table in (("polarity", marks), ("words", classes)):
        for name, words in data[section].items():
            plain = re.compile("|".join(f"(?:{w})" for w in sorted(words, key=len, reverse=True)))
            assert spans(table[name], TEXT) == spans(plain, TEXT), name
    assert spans(_QTY, TEXT)  # figures are still read: 3桌, 8人, 24小时, １０,000字 …
