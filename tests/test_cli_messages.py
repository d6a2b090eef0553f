"""What the command line says is Chinese, names what it shows, and points the same offsets as
the web page."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from kbcli.main import main

pytestmark = pytest.mark.engines  # run once per search engine (tests/conftest.py)


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_show_a_case_in_chinese_with_sanctions_and_violated_provisions(tiny_index):
    r = run("show", "c1", "--index", str(tiny_index))
    assert r.exit_code == 0, r.output
    assert "处分：党内警告" in r.output
    assert "违反条文：" in r.output and "demo/4" in r.output
    assert not re.search(r"^\s*(publisher|source|issuer):", r.output, re.M)


def test_show_a_provision_lists_the_cases_that_broke_it(tiny_index):
    r = run("show", "demo/4", "--index", str(tiny_index))
    assert r.exit_code == 0 and "违反本条的案例" in r.output and "某甲公车私用案" in r.output


def test_errors_are_chinese_and_exit_non_zero(tiny_index):
    r = run("show", "nosuch", "--index", str(tiny_index))
    assert r.exit_code == 1 and "错误：知识库中没有 nosuch" in r.output and "Error:" not in r.output


def test_check_offsets_match_the_web_page(tiny_index, tmp_path):
    """The same CRLF draft: the CLI and /check.json flag the same sentence at the same place,
    and both print positions counted from 1."""
    from web import create_app

    draft = "关于开展检查的通知\r\n各乡镇：\r\n请每天拍照打卡上传工作群留痕，纳入考核。\r\n"
    path = tmp_path / "draft.txt"
    path.write_bytes(draft.encode("utf-8"))
    cli = run("check", str(path), "--index", str(tiny_index), "--json")
    assert cli.exit_code in (0, 1), cli.output
    import json

    cli_flags = [(f["start"], f["end"]) for f in json.loads(cli.output)["flags"]]
    app = create_app({"INDEX_DIR": str(tiny_index), "TESTING": True})
    web_flags = [
        (f["start"], f["end"])
        for f in app.test_client().post("/check.json", data={"text": draft}).get_json()["result"]["flags"]
    ]
    assert cli_flags and cli_flags == web_flags
    text = run("check", str(path), "--index", str(tiny_index)).output
    start = cli_flags[0][0]
    assert f"第{start + 1}–" in text
    assert "high" not in text and "medium" not in text


def test_help_and_usage_errors_are_chinese():
    r = run("--help")
    assert r.exit_code == 0 and "用法" in r.output and "Usage:" not in r.output and "Options" not in r.output
    assert "检索" in r.output and "学习包" in r.output
    bad = run("build", "--nosuch")
    assert bad.exit_code == 2 and "没有选项" in bad.output and "Error" not in bad.output
