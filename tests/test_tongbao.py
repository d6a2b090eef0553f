"""A 通报 imported as its cases, measured on 15 real notices as found (../shared/real/tongbao):
the cases each holds were labelled by reading (tests/data/tongbao.jsonl) before the splitter
was written. Cut-off cases are reported, not written; nothing is guessed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kb.ingest import import_paths
from kb.ingest.clean import clean_text
from kb.ingest.read import text_header
from kb.ingest.tongbao import split_notice
from tests.conftest import REAL, need

LABELS = {
    row["file"]: row
    for row in (
        json.loads(x)
        for x in (Path(__file__).parent / "data/tongbao.jsonl").read_text(encoding="utf-8").splitlines()
    )
}
FORMAL = (
    "开除党籍",
    "留党察看",
    "撤销党内职务",
    "党内严重警告",
    "党内警告",
    "开除公职",
    "政务撤职",
    "政务降级",
    "政务记大过",
    "政务记过",
    "政务警告",
    "诫勉",
    "通报批评",
    "免职",
    "移送司法机关",
)


def _formal(sanctions) -> set[str]:
    out = set()
    for s in sanctions:
        out |= {f for f in FORMAL if f in s}
        if s.startswith("行政"):
            out.add("政务" + s[2:])
        if s.startswith("免去"):
            out.add("免职")
    return out


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    folder = need(REAL / "tongbao")
    out = tmp_path_factory.mktemp("tongbao")
    report = import_paths([folder], "case", out)
    return report


def test_every_notice_imports_to_its_cases(imported):
    assert not imported.errors, imported.errors
    by_file: dict[str, list] = {}
    for r in imported.records:
        by_file.setdefault(r.source_file, []).append(r)
    assert set(by_file) == set(LABELS)
    for name, label in LABELS.items():
        complete = [c for c in label["cases"] if c["complete"]]
        assert len(by_file[name]) == len(complete), name
        cut = len(label["cases"]) - len(complete)
        warned = [w for w in imported.warnings if w.file.endswith(name) and "未导入" in w.message]
        assert len(warned) == cut, (name, warned)
        assert all("第" in w.message and "行" in w.message for w in warned)


def test_each_case_is_the_one_labelled_with_its_sanctions(imported):
    by_file: dict[str, list] = {}
    for r in imported.records:
        by_file.setdefault(r.source_file, []).append(r)
    total = same_subject = same_sanctions = 0
    for name, label in LABELS.items():
        records = sorted(by_file[name], key=lambda r: int(r.id.rsplit("-", 1)[1]))
        for record, case in zip(records, [c for c in label["cases"] if c["complete"]], strict=True):
            total += 1
            text = record.units[0].text.replace(",", "，")
            same_subject += case["starts_with"].replace(",", "，")[:6] in text[:80]
            same_sanctions += _formal(record.sanctions) == _formal(case["sanctions"])
    print(f"\n通报 import: {total} cases; subject {same_subject}/{total}; sanctions {same_sanctions}/{total}")
    assert same_subject / total >= 0.95 and same_sanctions / total >= 0.9


def test_no_date_is_guessed(imported):
    for r in imported.records:
        if r.date is not None:
            text = (REAL / "tongbao" / r.source_file).read_text(encoding="utf-8")
            assert (
                r.date.isoformat() in text
                or f"{r.date.year}年{r.date.month}月{r.date.day}日" in text.replace(" ", "")
            )
        assert r.genre == "典型问题通报" and r.source


def _split(text: str):
    return split_notice(clean_text(text_header(text)[0]).text)


INTRO = "日前，某市纪委监委通报了3起违反中央八项规定精神典型问题。\n"


@pytest.mark.parametrize(
    "body",
    [
        # numbered, 1、
        "1、某县财政局局长张某违规收受礼金问题。2023年，张某收受礼金2万元。张某受到党内警告处分。\n"
        "2、某镇党委书记李某公款吃喝问题。2023年，李某公款宴请。李某受到党内严重警告处分。\n"
        "3、某局干部王某公车私用问题。2023年，王某私用公车。王某受到诫勉谈话。\n",
        # no numbering: one paragraph per case under its heading sentence
        "某县财政局局长张某违规收受礼金问题。2023年，张某收受礼金2万元，受到党内警告处分。\n"
        "某镇党委书记李某公款吃喝问题。2023年，李某公款宴请，受到党内严重警告处分。\n"
        "某局干部王某公车私用问题。2023年，王某私用公车，受到诫勉谈话。\n",
        # inline list
        "分别是：某县财政局局长张某违规收受礼金，受到党内警告处分；某镇党委书记李某公款吃喝，受到党内严重警告处分；"
        "某局干部王某公车私用，受到诫勉谈话。\n",
    ],
)
def test_numbering_headings_and_inline_lists(body):
    notice = _split(INTRO + body + "市纪委监委强调，各级党组织要引以为戒。\n")
    assert [c.complete for c in notice.cases] == [True, True, True]
    assert "强调" not in notice.cases[-1].text  # the closing exhortation is not a case


def test_a_numbering_that_restarts_and_a_case_cut_off():
    body = (
        "1、某县财政局局长张某违规收受礼金问题。张某受到党内警告处分。\n"
        "2、某镇党委书记李某公款吃喝问题。李某受到党内严重警告处分。\n"
        "3、某局干部王某公车私用问题。2023年5月，王某\n"
        "（相关链接）1、学习资料\n"
    )
    notice = _split(INTRO + body)
    assert [c.complete for c in notice.cases] == [True, True, False]


def test_traditional_characters_and_inserted_pinyin(tmp_path):
    text = (
        "某市紀(jì)委監委通報3起典型問題。\n"
        "1、某縣財政局局長張某違規收受禮金問題。張某受到黨內警告處分。\n"
        "2、某鎮黨委書記李某公款吃喝問題。李某受到黨內嚴重警告處分。\n"
        "3、某局幹部王某公車私用問題。王某受到誡勉談話。\n"
    )
    (tmp_path / "tb.txt").write_text(text, encoding="utf-8")
    report = import_paths([tmp_path / "tb.txt"], "case", tmp_path / "out")
    assert not report.errors and len(report.records) == 3
    assert report.records[0].sanctions == ("党内警告",)
    assert any("繁体" in w.message for w in report.warnings)
    assert "(jì)" not in report.records[0].units[0].text


def test_a_single_case_file_stays_one_record(tmp_path):
    (tmp_path / "one.txt").write_text(
        "张某违规收受礼金案\n经查，2023年张某收受礼金2万元，受到党内警告处分。" * 2, encoding="utf-8"
    )
    report = import_paths([tmp_path / "one.txt"], "case", tmp_path / "out")
    assert len(report.records) == 1
