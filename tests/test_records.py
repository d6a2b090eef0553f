"""The record format: round trip, and every problem named by file and line."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from kb.corpus import load_corpus
from kb.models import Record, Unit
from kb.records import RecordError, dump_record, parse_record
from kbcli.main import main

POLICY = """+++
id = "demo-2024"
kind = "policy"
title = "示例规定"
issuer = "示例机关"
date = 2024-08-01
summary = true
source = "https://example.org/demo"

[units."2"]
category = "文山会海"
+++

前言一段。

## 第一章 总则

### 第一条 {#1}

第一条的要点。

### 第二条 {#2}

第二条的要点。
\\# 以井号开头的正文行

## 第二章 附则

### 第三条 {#3}

第三条。
"""


def test_parse_policy():
    r = parse_record(POLICY, "demo.md")
    assert r.id == "demo-2024" and r.date == dt.date(2024, 8, 1) and r.summary
    assert [u.anchor for u in r.units] == ["1", "2", "3"]
    assert r.units[0].heading == ("第一章 总则",)
    assert r.units[2].heading == ("第二章 附则",)
    assert r.units[1].category == "文山会海"
    assert r.units[1].text.endswith("# 以井号开头的正文行")
    assert r.preface == "前言一段。"


def test_roundtrip():
    r = parse_record(POLICY, "demo.md")
    again = parse_record(dump_record(r), "demo.md")
    assert again.dump() | {"path": ""} == r.dump() | {"path": ""}


def test_roundtrip_of_a_built_record():
    r = Record(
        id="c1",
        kind="case",
        title="某案",
        sanctions=("党内警告",),
        violates=("demo-2024/1",),
        units=(Unit("s1", "基本案情", "甲。\n#乙"), Unit("s2", "处理结果", "丙。")),
    )
    assert parse_record(dump_record(r)).units == r.units


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("no fence", 1, "以 '+++' 行"),
        ("+++\nid = 'x'\n", 1, "没有以第二个"),
        ("+++\nid = 'x'\nkind = \n+++\n", 3, "不是有效的 TOML"),
        ("+++\nid = 'x'\nkind = 'policy'\n+++\n", 2, "缺少必填字段 'title'"),
        ("+++\nid = 'x'\nkind = 'memo'\ntitle = 't'\n+++\n", 3, "字段 'kind' 应为"),
        ("+++\nid = 'x'\nkind = 'case'\ntitle = 't'\ndate = '2024-13-01'\n+++\n", 5, "不是日期"),
        ("+++\nid = 'x'\nkind = 'case'\ntitle = 't'\nsanctions = 3\n+++\n", 5, "文字列表"),
        ("+++\nid = 'x'\nkind = 'case'\ntitle = 't'\ncolour = 'red'\n+++\n", 5, "未知字段 'colour'"),
        (
            "+++\nid = 'x'\nkind = 'case'\ntitle = 't'\n+++\n## A {#a}\n\n## B {#a}\n",
            8,
            "duplicate unit anchor",
        ),
        ("+++\nid = 'x'\nkind = 'case'\ntitle = 't'\n[units.zz]\ntitle = 'q'\n+++\n", 5, "没有对应的单元"),
    ],
)
def test_errors_name_file_and_line(text, line, fragment):
    with pytest.raises(RecordError) as e:
        parse_record(text, "bad.md")
    assert e.value.path == "bad.md"
    assert fragment in e.value.message
    assert e.value.line == line, str(e.value)


def _write(folder, name, text):
    (folder / name).write_text(text, encoding="utf-8")


def test_validate_reports_every_problem_and_keeps_the_rest(tmp_path):
    _write(tmp_path, "good.md", POLICY)
    _write(tmp_path, "broken.md", "+++\nid = 'b'\nkind = \n+++\n")
    _write(tmp_path, "dup.md", POLICY)
    _write(
        tmp_path,
        "case.md",
        "+++\nid = 'c'\nkind = 'case'\ntitle = 't'\nviolates = ['demo-2024/9']\n+++\n## 案情 {#s1}\n甲。\n",
    )
    _write(tmp_path, "README.md", "# not a record")
    corpus = load_corpus([tmp_path])
    assert {r.id for r in corpus.records} == {"demo-2024", "c"}
    messages = [str(p) for p in corpus.errors]
    assert any("broken.md:3" in m and "TOML" in m for m in messages)
    assert any("编号 'demo-2024' 重复" in m for m in messages)
    assert any("case.md:5" in m and "demo-2024/9" in m for m in messages)
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    assert "broken.md:3" in result.stderr


def test_validate_passes_a_clean_folder(tmp_path):
    _write(tmp_path, "good.md", POLICY)
    _write(
        tmp_path,
        "case.md",
        "+++\nid = 'c'\nkind = 'case'\ntitle = 't'\nviolates = ['demo-2024/2']\n+++\n## 案情 {#s1}\n甲。\n",
    )
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 0, result.stderr


def test_summary_needs_a_source(tmp_path):
    _write(tmp_path, "s.md", POLICY.replace('source = "https://example.org/demo"\n', ""))
    assert any("source" in p.message for p in load_corpus([tmp_path]).errors)
