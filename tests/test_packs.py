"""Study packs: the file format, export to Word / Markdown / HTML, and print from Chromium."""

from __future__ import annotations

import io
import json
import shutil
import subprocess

import docx
import pytest
from click.testing import CliRunner

from indexer.search import SearchService
from kb.packs import Pack, PackError, PackItem, PackSection, dump_pack, load_pack, resolve_pack
from kb.packs.export import to_docx, to_html, to_markdown
from kbcli.main import main

pytestmark = pytest.mark.engines  # run once per search engine (tests/conftest.py)

PACK = Pack(
    "整治形式主义学习包",
    "供乡镇干部学习",
    "前言第一段。",
    True,
    [
        PackSection("相关规定", [PackItem("demo/2", "重点：层层加码"), PackItem("demo/5")]),
        PackSection("典型案例", [PackItem("c2", "对照检查"), PackItem("gone/9", "旧条目")]),
    ],
)


def test_roundtrip(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(dump_pack(PACK), encoding="utf-8")
    assert load_pack(path) == PACK


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("title = \n", 1, "不是有效的学习包文件"),
        ("subtitle = 'x'\n", 1, "字段 'title'"),
        ("title = 't'\ncolour = 1\n", 1, "未知字段 'colour'"),
        ("title = 't'\n\n[[section]]\ntitle = 's'\n[[section.item]]\nid = 'Bad Id!'\n", 5, "字段 'id'"),
        (
            "title = 't'\n[[section]]\ntitle = 's'\n[[section.item]]\nid = 'a/1'\nnote = 3\n",
            4,
            "字段 'note'",
        ),
        ("title = 't'\nquiz = 'yes'\n", 1, "字段 'quiz'"),
        ("title = '" + "长" * 300 + "'\n", 1, "太长"),
    ],
)
def test_invalid_pack_files_name_line_and_field(tmp_path, text, line, fragment):
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PackError) as e:
        load_pack(path)
    assert fragment in e.value.message and e.value.line == line and e.value.path.endswith("bad.toml")


def test_json_pack_errors_name_the_line(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"title": "t",\n "section": [\n}', encoding="utf-8")
    with pytest.raises(PackError) as e:
        load_pack(path)
    assert e.value.line == 3


@pytest.fixture
def resolved(tiny_service):
    return resolve_pack(PACK, tiny_service.get)


def test_missing_ids_become_placeholders_with_warnings(resolved):
    assert resolved.warnings == ["gone/9: 已不在知识库中"]
    entry = resolved.sections[1][1][1]
    assert entry.kind == "missing" and "已不在知识库中" in entry.heading and entry.note == "旧条目"


def test_docx_structure(resolved):
    d = docx.Document(io.BytesIO(to_docx(resolved)))
    paras = [p.text for p in d.paragraphs]
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    assert paras[0] == "整治形式主义学习包" and paras[1] == "供乡镇干部学习"
    assert headings[:6] == [
        "前　言",
        "一、相关规定",
        "（一）《示例纪律规定》第2条",
        "（二）《示例纪律规定》第5条",
        "二、典型案例",
        "（一）某乙文山会海案（党内严重警告、政务记过）",
    ]
    body = "\n".join(paras)
    assert "学习提示：重点：层层加码" in body and "学习提示：对照检查" in body
    assert "《示例纪律规定》（测试机关，2023年12月19日）第2条" in body  # each provision with its citation
    assert "〔gone/9〕已不在知识库中" in body
    assert "附：学习测试" in body and "参考答案" in body
    assert "fldChar" not in d.element.body.xml  # no field to update: the 目录 is written out
    rfonts = d.paragraphs[0].runs[0]._element.rPr.rFonts
    assert "小标宋" in rfonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")


def test_markdown_and_html_escape(tiny_service):
    p = Pack("<b>标题</b>", sections=[PackSection("s", [PackItem("c3", "<script>x</script>")])])
    r = resolve_pack(p, tiny_service.get)
    page = to_html(r)
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;标题" in page
    assert to_markdown(r).startswith("# <b>标题</b>")


def test_quiz_only_from_the_pack(resolved):
    qs = dict(resolved.quiz)
    assert any(a == "党内严重警告、政务记过" for a in qs.values())
    for q, a in resolved.quiz:
        assert a
        assert ("____" in q) or q.endswith("受到了什么处分？")


@pytest.mark.skipif(
    not (shutil.which("chromium") and shutil.which("pdfinfo")),
    reason="needs Debian's chromium and poppler-utils (.ci/run installs them)",
)
def test_html_prints_to_pdf_in_chromium(resolved, tmp_path):
    html_path = tmp_path / "pack.html"
    html_path.write_text(to_html(resolved), encoding="utf-8")
    pdf = tmp_path / "pack.pdf"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            html_path.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert pages >= 2  # the quiz starts on a page of its own
    from tests.test_browser import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(pdf), str(ARTIFACTS / "pack-page")],
        check=True,
    )


def test_bundled_pack_for_fingertip_formalism_exports(tmp_path):
    from indexer.build import build_index
    from kb.corpus import default_corpus

    root = tmp_path / "ix"
    build_index([default_corpus()], root)
    service = SearchService(root)
    hits = service.search("指尖上的形式主义", per_page=10)["hits"]
    ids = [h["id"] for h in hits]
    runner = CliRunner()
    pack_file = tmp_path / "p.toml"
    assert (
        runner.invoke(
            main,
            ["pack", "create", *ids, "--title", "指尖上的形式主义学习包", "--quiz", "-o", str(pack_file)]
            + ["--index", str(root)],
        ).exit_code
        == 0
    )
    # an id the knowledge base does not hold is refused by name, and nothing is written
    bad = tmp_path / "bad.toml"
    r = runner.invoke(
        main, ["pack", "create", ids[0], "nosuch-id", "--title", "t", "-o", str(bad), "--index", str(root)]
    )
    assert r.exit_code != 0 and "nosuch-id" in r.output and not bad.exists()
    for fmt in ("docx", "md", "html"):
        out = tmp_path / f"p.{fmt}"
        r = runner.invoke(
            main, ["pack", "export", str(pack_file), "--format", fmt, "-o", str(out), "--index", str(root)]
        )
        assert r.exit_code == 0, r.output
        assert out.stat().st_size > 0
    resolved = resolve_pack(load_pack(pack_file), service.get)
    for _, entries in resolved.sections:
        for e in entries:
            if e.kind in ("provision", "list-item"):
                assert e.citation.startswith("《") and "）" in e.citation, e.citation
    gathered = tmp_path / "g.toml"
    r = runner.invoke(
        main, ["pack", "for-provision", "cdc-2023/132", "-o", str(gathered), "--index", str(root)]
    )
    assert r.exit_code == 0
    g = load_pack(gathered)
    assert g.sections[0].items[1].id == "cdc-2023/132" and "ccdi-zd-01" in g.ids()


def test_invalid_pack_is_refused_by_the_cli(tmp_path, tiny_index):
    bad = tmp_path / "bad.toml"
    bad.write_text("title = 't'\n[[section]]\ntitle = 's'\n[[section.item]]\nid = 'Bad!'\n", encoding="utf-8")
    r = CliRunner().invoke(
        main, ["pack", "export", str(bad), "-o", str(tmp_path / "x.docx"), "--index", str(tiny_index)]
    )
    assert r.exit_code == 1 and "bad.toml:4" in r.output and "字段 'id'" in r.output


def test_a_reposted_source_prints_as_such():
    from kb.models import source_line

    record = {
        "source": "据转载页整理",
        "source_url": "http://example.org/copy.html",
        "original_publisher": "中央纪委国家监委网站",
        "repost": True,
    }
    assert source_line(record) == "中央纪委国家监委网站发布；转载：http://example.org/copy.html"
    assert source_line({**record, "repost": False}).endswith("见：http://example.org/copy.html")
    assert source_line({"source": "人民日报2013年7月30日"}) == "人民日报2013年7月30日"


def test_a_pack_loads_whatever_its_name_says(tmp_path):
    """The file the page downloads (TOML) and a JSON pack load alike, told apart by content."""
    from kb.packs import loads_pack

    as_toml = tmp_path / "p.json"  # a TOML pack saved under a .json name
    as_toml.write_text(dump_pack(PACK), encoding="utf-8")
    assert load_pack(as_toml) == PACK
    as_json = tmp_path / "p.toml"
    as_json.write_text(
        json.dumps(
            PACK.dump()
            | {
                "sections": [
                    {"title": s.title, "items": [{"id": i.id, "note": i.note} for i in s.items]}
                    for s in PACK.sections
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    assert load_pack(as_json) == PACK
    with pytest.raises(PackError, match="不是有效的学习包文件"):
        loads_pack("<html>这不是学习包</html>")


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (
            {"title": "t", "section": [{"title": "s", "item": [{"id": f"a/{i}"} for i in range(10_000)]}]},
            "条目太多",
        ),
        ({"title": "题" * 2000}, "太长"),
        ({"title": "t", "section": [{"title": "s", "item": [{"id": "a/1", "note": "注" * 5000}]}]}, "太长"),
        ({"title": "t", "section": [{"title": f"{i}"} for i in range(100)]}, "分组太多"),
    ],
)
def test_oversized_packs_are_refused_in_chinese(data, fragment):
    from kb.packs import pack_from_dict

    with pytest.raises(PackError, match=fragment):
        pack_from_dict(data)


def test_a_huge_pack_file_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.toml"
    big.write_bytes(b"title = 't'\n" + b"#" * 3_000_000)
    with pytest.raises(PackError, match="文件太大"):
        load_pack(big)
