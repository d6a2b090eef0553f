"""kb import on the real documents in ../shared, as a new user runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.corpus import load_corpus
from kb.ingest import import_paths
from kb.records import read_record
from kbcli.main import main
from tests.conftest import seed_file


def run_import(*args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["import", *args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_seeds_import_as_clean_materials(seeds, tmp_path):
    code, report = run_import(str(seeds), "--type", "material", "--into", str(tmp_path))
    assert code == 0, report["errors"]
    assert len(report["records"]) >= 8
    ids = [r["id"] for r in report["records"]]
    assert not any(re.match(r"m-\d|\d", i) for i in ids), ids  # ids from titles, never file numbers
    four = [r for r in report["records"] if read_record(Path(r["file"])).source_file.startswith("004")]
    assert len(four) == 4  # four speeches in one file
    for row in report["records"]:
        assert set(row) >= {"id", "kind", "title", "file", "provisions", "items", "sections"}
        assert all(isinstance(row[k], int) for k in ("provisions", "items", "sections"))
        text = Path(row["file"]).read_text(encoding="utf-8")
        for bad in ("哒哒", "客服", "paidbegin", "会员分享", "素材库"):
            assert bad not in text, (row["id"], bad)
        assert not re.search(r"(?m)^\d{1,3}、", text), row["id"]
    speeches = "".join(Path(r["file"]).read_text(encoding="utf-8") for r in four)
    assert "形式主义和官僚主义问题" in speeches
    assert "为基层减负的通知" in speeches
    # every record reads back and validates
    corpus = load_corpus([tmp_path])
    assert not corpus.errors, corpus.errors


def _only(report: dict) -> dict:
    assert len(report["records"]) == 1, report
    return report["records"][0]


@pytest.mark.parametrize(
    ("path", "articles", "extra"),
    [
        ("xt/dangfa/dangfa008.md", 158, []),
        ("xt/dangfa/dangfa009.md", 142, ["--issuer", "中共中央"]),  # its text names no issuer
        ("lawrefbook/gongzhi-renyuan-zhengwu-chufen-fa-2020.md", 68, []),
    ],
)
def test_policies_parse_into_articles(real, tmp_path, path, articles, extra):
    code, report = run_import(str(real / path), "--type", "policy", "--into", str(tmp_path), *extra)
    assert code == 0, report["errors"]
    row = _only(report)
    assert row["provisions"] == articles
    record = read_record(Path(row["file"]))
    assert [u.anchor for u in record.units] == [str(n) for n in range(1, articles + 1)]
    for u in record.units:
        assert not re.search(r"第[一二三四五六七八九十]+[编章节]\s", u.text), (u.number, u.text[-40:])
        assert u.heading, f"{u.number} has no chapter"


def test_a_policy_whose_text_names_no_issuer_is_refused_with_the_flag_to_add(real, tmp_path):
    code, report = run_import(
        str(real / "xt/dangfa/dangfa009.md"), "--type", "policy", "--into", str(tmp_path)
    )
    assert code == 1 and not report["records"]
    (err,) = report["errors"]
    assert err["file"].endswith("dangfa009.md") and "--issuer" in err["message"]
    assert not list(tmp_path.rglob("*.md"))  # nothing written that the build would refuse


def test_the_eight_point_rules_name_their_issuer(real, tmp_path):
    code, report = run_import(str(real / "xt/8gui/00.md"), "--type", "policy", "--into", str(tmp_path))
    assert code == 0
    assert read_record(Path(_only(report)["file"])).issuer == "中共中央政治局"


def test_ids_come_from_titles_not_file_numbers(real, tmp_path):
    code, report = run_import(str(real / "xt/8gui/00.md"), "--type", "policy", "--into", str(tmp_path))
    rid = _only(report)["id"]
    assert rid != "00" and re.fullmatch(r"[a-z]+-[a-z0-9-]+", rid)


def test_near_empty_files_are_refused_with_a_warning(tmp_path):
    (tmp_path / "a.txt").write_text("人\n", encoding="utf-8")
    code, report = run_import(str(tmp_path / "a.txt"), "--type", "case", "--into", str(tmp_path / "out"))
    assert code == 0 and not report["records"] and "不像一份文件" in report["warnings"][0]["message"]


def test_cdc_2023_structure_and_metadata(real, tmp_path):
    code, report = run_import(
        str(real / "xt/dangfa/dangfa008.md"), "--type", "policy", "--into", str(tmp_path), "--id", "cdc-2023"
    )
    record = read_record(Path(_only(report)["file"]))
    assert record.id == "cdc-2023"
    assert record.title == "中国共产党纪律处分条例"
    assert record.issuer == "中共中央"
    assert str(record.date) == "2023-12-19"
    a132 = record.unit("132")
    assert a132 is not None and a132.number == "第一百三十二条"
    assert a132.heading[-1].startswith("第十章")
    assert "形式主义" in a132.text


def test_eight_point_list_has_80_items_in_7_groups(real, tmp_path):
    code, report = run_import(str(real / "xt/8gui/02.md"), "--type", "list", "--into", str(tmp_path))
    assert code == 0
    row = _only(report)
    assert row["items"] == 80
    record = read_record(Path(row["file"]))
    assert len({u.heading for u in record.units}) == 7
    assert record.unit("26").text.startswith("二、三、四类会议")  # an item that opens with 二、 stays an item
    # every item has a title; the closing （来源：人民日报） is the record's source, not item 80's text
    assert all(u.title for u in record.units), [u.anchor for u in record.units if not u.title]
    assert "来源" not in record.unit("80").text and record.unit("80").text.endswith("腾退。")
    assert record.source == "人民日报"


def test_guiding_cases(real, tmp_path):
    code, report = run_import(str(real / "xt/cases-ccdi-guiding"), "--type", "case", "--into", str(tmp_path))
    assert code == 0, report["errors"]
    assert len(report["records"]) == 11
    by_id = {r["id"]: read_record(Path(r["file"])) for r in report["records"]}
    for record in by_id.values():
        names = [u.number for u in record.units]
        assert "基本案情及处理结果" in names and "指导意义" in names, names
        assert record.year in (2021, 2022)
    he = by_id["alj001"]
    assert "《中国共产党纪律处分条例》第一百二十二条" in he.cites
    assert "《中国共产党纪律处分条例》第五十条" in he.cites
    assert he.sanctions == ("党内警告",)
    assert "农场" in he.role
    assert by_id["alj010"].sanctions == ("开除党籍", "开除公职")
    assert sum(1 for r in by_id.values() if r.sanctions) >= 10


@pytest.mark.slow
def test_case_analyses_import_without_loss(real, tmp_path):
    folder = real / "xt/case-analyses"
    files = sorted(folder.glob("*.md"))
    report = import_paths([folder], "case", tmp_path)
    assert not report.errors
    # a document published twice (byte-identical files) is kept once, the other file named
    same = [w for w in report.warnings if "内容相同" in w.message]
    empty = [w for w in report.warnings if "不像一份文件" in w.message]  # a cartoon's caption, a stray page
    assert len(report.records) + len(same) + len(empty) == len(files) == 940
    assert len(empty) < 30
    assert same and all(".md" in w.message for w in same)
    assert len({r.id for r in report.records}) == len(report.records)
    # whatever could not be split into sections is reported by file, not dropped
    warned = {Path(w.file).name for w in report.warnings}
    plain = {r.source_file for r in report.records if [u.number for u in r.units] == ["正文"]}
    assert plain <= warned
    assert any(r.title.startswith("卢某") for r in report.records)  # titles from the folder's index.tsv
    # the page's furniture is not the document: image links and 点击查看更多 lines are gone
    furniture = [r.id for r in report.records if re.search(r"!\[|点击(查看|进入)|>>", r.text)]
    assert not furniture, furniture


# ------------------------------------------------------------------ bad input


def test_bad_files_each_get_one_line_and_the_rest_import(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.txt").write_text(
        "关于精简会议的通知\n一、总体要求\n会议要短，讲话要精，能合并的会议一律合并。\n二、具体措施\n文件要精，篇幅从严控制。",
        encoding="utf-8",
    )
    (src / "gbk.txt").write_bytes(
        "关于督查检查考核的报告\n一、基本情况\n今年以来减少督查检查考核事项二十余项，基层负担明显减轻。\n".encode(
            "gb18030"
        )
    )
    (src / "bom.txt").write_bytes(
        "\ufeff关于指尖上的形式主义\n一、问题\n工作群太多，打卡接龙频繁，基层干部疲于应付。".encode()
    )
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(b"\x00\x01\x02\xff\xfe\x00" * 100)
    (src / "latin.txt").write_bytes(bytes(range(0x80, 0x100)) * 20)
    (src / "notzip.docx").write_bytes(b"this is not a zip archive")
    (src / "word97.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    (src / "odd16.txt").write_bytes(b"\xff\xfe" + "公车".encode("utf-16-le") + b"\x00")
    out = tmp_path / "out"
    code, report = run_import(str(src), "--type", "material", "--into", str(out))
    assert code == 1
    errors = {Path(e["file"]).name: e["message"] for e in report["errors"]}
    assert set(errors) == {"empty.txt", "binary.txt", "latin.txt", "notzip.docx", "word97.docx", "odd16.txt"}
    assert "空" in errors["empty.txt"]
    assert "不是文本文件" in errors["binary.txt"]
    assert "编码" in errors["latin.txt"]
    assert "另存为 .docx" in errors["notzip.docx"]
    assert ".doc" in errors["word97.docx"] and "另存为 .docx" in errors["word97.docx"]
    assert "UTF-16" in errors["odd16.txt"]
    titles = {r["title"] for r in report["records"]}
    assert titles == {"关于精简会议的通知", "关于督查检查考核的报告", "关于指尖上的形式主义"}


def test_docx_imports(tmp_path):
    import docx

    d = docx.Document()
    for line in [
        "关于规范督查检查考核的通知",
        "一、总体要求",
        "严格控制督查检查考核总量。",
        "二、工作措施",
        "不得要求基层填报重复台账。",
    ]:
        d.add_paragraph(line)
    d.save(tmp_path / "notice.docx")
    report = import_paths([tmp_path / "notice.docx"], "material", tmp_path / "out")
    assert not report.errors
    (record,) = report.records
    assert record.title == "关于规范督查检查考核的通知"
    assert [u.title for u in record.units] == ["总体要求", "工作措施"]


def test_two_files_of_one_name_in_one_import_are_both_kept(tmp_path):
    (tmp_path / "a.txt").write_text(
        "甲文件\n一、甲\n正文写得足够长，才像一份文件的样子，有三十多个字。", encoding="utf-8"
    )
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "a.txt").write_text(
        "乙文件\n一、乙\n正文写得足够长，才像一份文件的样子，有三十多个字。", encoding="utf-8"
    )
    report = import_paths([tmp_path / "a.txt", tmp_path / "b" / "a.txt"], "material", tmp_path / "out")
    assert not report.errors and len({r.id for r in report.records}) == 2


def test_an_import_never_overwrites_silently(tmp_path):
    """a/report.txt then b/report.txt: the second is refused and the first named."""
    for folder, word in (("a", "甲"), ("b", "乙")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "report.txt").write_text(
            f"{word}县关于精简会议的报告\n一、情况\n{word}县今年压减会议三成，讲话时间明显缩短，基层反映良好。",
            encoding="utf-8",
        )
    first = import_paths([tmp_path / "a" / "report.txt"], "material", tmp_path / "out")
    second = import_paths([tmp_path / "b" / "report.txt"], "material", tmp_path / "out")
    assert not first.errors and not second.records
    (err,) = second.errors
    assert "report" in err.message and "--replace" in err.message
    assert "甲县" in next((tmp_path / "out").rglob("report.md")).read_text(encoding="utf-8")


def test_replace_keeps_hand_edits_and_replace_all_does_not(tmp_path):
    src = tmp_path / "关于精简会议的报告.txt"
    src.write_text(
        "关于精简会议的报告\n一、情况\n今年压减会议三成，讲话时间明显缩短，基层反映良好。", encoding="utf-8"
    )
    (first,) = import_paths([src], "material", tmp_path / "out").written
    text = first.read_text(encoding="utf-8").replace(
        "+++\n", '+++\ncategories = ["文山会海"]\nnotes = "编辑已核对"\n', 1
    )
    first.write_text(text, encoding="utf-8")
    src.write_text(
        "关于精简会议工作的报告\n一、情况\n今年压减会议四成，讲话时间明显缩短，基层反映良好。",
        encoding="utf-8",
    )
    assert import_paths([src], "material", tmp_path / "out").errors  # refused without --replace
    again = import_paths([src], "material", tmp_path / "out", replace="keep-edits")
    assert not again.errors and again.written == [first]  # the same file keeps its id: no stale twin
    kept = read_record(first)
    assert kept.categories == ("文山会海",) and kept.notes == "编辑已核对" and "四成" in kept.text
    import_paths([src], "material", tmp_path / "out", replace="all")
    assert read_record(first).categories == ()
    assert len(list((tmp_path / "out").rglob("*.md"))) == 1


def test_an_id_cannot_leave_the_folder(tmp_path):
    (tmp_path / "a.txt").write_text(
        "关于精简会议的通知\n会议要短，讲话要精，能合并的会议一律合并召开。", encoding="utf-8"
    )
    code, report = run_import(
        str(tmp_path / "a.txt"), "--type", "material", "--into", str(tmp_path / "out"), "--id", "../../x"
    )
    assert code == 1 and "--id" in report["errors"][0]["file"]
    assert not list(tmp_path.rglob("x.md"))


def test_missing_path_is_an_error(tmp_path):
    code, report = run_import(str(tmp_path / "nope.txt"), "--type", "case", "--into", str(tmp_path))
    assert code == 1 and "没有这个文件" in report["errors"][0]["message"]


def test_html_import_drops_markup_and_scripts(tmp_path):
    page = (
        "<html><head><title>关于规范督查检查考核的通知</title><script>var ad='哒哒';</script></head>"
        "<body><nav>首页 | 下载</nav><h1>关于规范督查检查考核的通知</h1>"
        "<p>一、总体要求</p><p>严格控制督查检查考核总量。</p><p>二、工作措施</p><p>不得要求基层重复填报台账。</p>"
        "<footer>版权所有</footer></body></html>"
    )
    (tmp_path / "n.html").write_text(page, encoding="utf-8")
    report = import_paths([tmp_path / "n.html"], "material", tmp_path / "out")
    assert not report.errors
    (record,) = report.records
    assert record.title == "关于规范督查检查考核的通知"
    assert [u.title for u in record.units if u.anchor != "s0"] == ["总体要求", "工作措施"]
    assert "哒哒" not in record.text and "版权所有" not in record.text and "首页" not in record.text


@pytest.mark.parametrize(
    ("facts", "role"),
    [
        ("贺某，中共党员，某县国有农场主要负责人。", "某县国有农场主要负责人"),
        ("王某，系甲市A村第三村民小组的小组长。", "甲市A村第三村民小组的小组长"),
        ("李某，中共党员，2010年从某省国有集团公司调任A市某国有公司党委书记。", "A市某国有公司党委书记"),
        ("张某，“我们村的事我说了算”。", ""),  # a quotation, not a post
        ("赵某，在一次会议上发言很长。", ""),  # a sentence, not a post
    ],
)
def test_role_is_the_post_not_the_story(facts, role):
    from kb.ingest.metadata import find_role

    assert find_role(facts) == role


def test_a_text_without_a_title_line_gets_one_from_its_opening(seeds, tmp_path):
    """Seed 003 opens straight into its first paragraph: the title is drafted from what the
    opening says was studied, not taken from the file name or a document it mentions."""
    code, report = run_import(str(seed_file("003")), "--type", "material", "--into", str(tmp_path))
    assert code == 0
    record = read_record(Path(_only(report)["file"]))
    assert record.title == "关于改进作风为基层减负的调研报告"
    assert "据正文拟定" in record.notes
    assert not re.match(r"m-\d", record.id)
