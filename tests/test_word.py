"""The Word export against GB/T 9704-2012 (党政机关公文格式), row by row, read from the .docx XML;
then rendered by LibreOffice to check where the page numbers land on odd and even pages."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from kb.packs import Pack, PackItem, PackSection, resolve_pack
from kb.packs.word import to_docx

pytestmark = pytest.mark.engines  # run once per search engine (tests/conftest.py)

MM_EMU = 36000
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def pack(n_sections: int = 2, per_section: int = 3, quiz: bool = True) -> Pack:
    items = ["demo/1", "demo/2", "demo/3", "demo/4", "demo/5", "c1", "c2"]
    return Pack(
        "整治形式主义为基层减负学习包",
        "供乡镇干部学习",
        "前言。",
        quiz,
        [
            PackSection(
                f"第{s + 1}组",
                [PackItem(items[(s * per_section + i) % len(items)]) for i in range(per_section)],
            )
            for s in range(n_sections)
        ],
    )


@pytest.fixture(scope="module")
def document(tiny_service):
    data = to_docx(resolve_pack(pack(), tiny_service.get), now=dt.datetime(2026, 11, 30, 9, 0))
    return data, docx.Document(io.BytesIO(data))


def _mm(emu: int) -> float:
    return emu / MM_EMU


def test_page_and_text_block(document):
    """A4; 天头 37 mm, 订口 28 mm; 版心 156 × 225 mm."""
    sec = document[1].sections[0]
    assert round(_mm(sec.page_width)) == 210 and round(_mm(sec.page_height)) == 297
    assert round(_mm(sec.top_margin)) == 37 and round(_mm(sec.left_margin)) == 28
    assert round(_mm(sec.page_width - sec.left_margin - sec.right_margin)) == 156
    assert round(_mm(sec.page_height - sec.top_margin - sec.bottom_margin)) == 225


def test_grid_is_22_lines_of_28_characters(document):
    grid = document[1].sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) in ("lines", "linesAndChars")
    line_pt = int(grid.get(qn("w:linePitch"))) / 20
    assert abs(line_pt * 22 - 225 * 72 / 25.4) < 2  # 22 lines fill the 225 mm block
    normal = document[1].styles["Normal"]
    spacing = normal.element.rPr.find(qn("w:spacing"))
    char_pt = normal.font.size.pt + int(spacing.get(qn("w:val"))) / 20
    assert normal.font.size.pt == 16 and int((156 * 72 / 25.4) // char_pt) == 28  # 28 characters of 3号


def test_fonts_title_body_headings(document):
    d = document[1]
    title = d.paragraphs[0]
    assert title.runs[0].font.size.pt == 22 and "小标宋" in title.runs[0]._element.rPr.rFonts.get(
        qn("w:eastAsia")
    )
    for name, font in (("Heading 1", "黑体"), ("Heading 2", "楷体")):
        rfonts = d.styles[name].element.rPr.rFonts
        assert font in rfonts.get(qn("w:eastAsia")) and d.styles[name].font.size.pt == 16
        assert rfonts.get(qn("w:eastAsiaTheme")) is None  # a theme font would override it
    assert "仿宋" in d.styles["Normal"].element.rPr.rFonts.get(qn("w:eastAsia"))


def _footer_runs(footer) -> tuple[str, list]:
    para = footer.paragraphs[0]
    return para, para.runs


def test_page_numbers_are_4hao_songti_with_dashes_odd_right_even_left(document):
    d = document[1]
    assert d.settings.odd_and_even_pages_header_footer
    sec = d.sections[0]
    for footer, side in ((sec.footer, "right"), (sec.even_page_footer, "left")):
        para = footer.paragraphs[0]
        xml = para._p.xml
        assert "PAGE" in xml and "fldChar" in xml
        assert para.text.replace(" ", "").startswith("—") and para.text.replace(" ", "").endswith("—")
        assert para.alignment == (2 if side == "right" else 0)  # RIGHT / LEFT
        indent = para.paragraph_format.right_indent if side == "right" else para.paragraph_format.left_indent
        assert indent is not None and round(indent.pt) == 14  # 空一字 (one 4号 character)
        for r in para._p.iter(f"{W}r"):
            rpr = r.find(f"{W}rPr")
            assert rpr is not None
            assert rpr.find(f"{W}sz").get(f"{W}val") == "28"  # 4号 = 14 pt, in half points
            fonts = rpr.find(f"{W}rFonts")
            assert fonts.get(f"{W}ascii") == "宋体" and fonts.get(f"{W}eastAsia") == "宋体"
    # the number's top sits 7 mm below the text block
    gap = _mm(sec.bottom_margin - sec.footer_distance) - 14 / 72 * 25.4
    assert abs(gap - 7) < 0.5, gap


def test_properties_language_author_created(document):
    data, d = document
    props = d.core_properties
    assert props.author == "" and props.last_modified_by == ""
    assert props.created.replace(tzinfo=None) == dt.datetime(2026, 11, 30, 9, 0) and props.language == "zh-CN"
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert 'w:eastAsia="zh-CN"' in styles and 'w:val="en-US"' not in styles.split("</w:docDefaults>")[0]


def test_table_of_contents_is_written_from_the_headings(document):
    d = document[1]
    texts = [p.text for p in d.paragraphs]
    assert "fldChar" not in d.element.body.xml  # nothing to update
    start = texts.index("目　录")
    headings = [p.text for p in d.paragraphs if p.style.name.startswith("Heading")]
    for h in headings[:4]:
        assert h in texts[start + 1 :], h
    assert texts[0] == "整治形式主义为基层减负学习包"  # page 1 opens with the title, not a blank


def test_a_short_pack_has_no_table_of_contents(tiny_service):
    d = docx.Document(io.BytesIO(to_docx(resolve_pack(pack(1, 2, False), tiny_service.get))))
    assert "目　录" not in [p.text for p in d.paragraphs]


def test_quiz_answers_sit_on_a_page_of_their_own(document):
    body = document[1].element.body
    paras = list(body.iter(f"{W}p"))
    texts = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in paras]
    quiz = len(texts) - 1 - texts[::-1].index("附：学习测试")  # the quiz itself, not its 目录 line
    answers = texts.index("参考答案")
    breaks = [i for i, p in enumerate(paras) if any(b.get(f"{W}type") == "page" for b in p.iter(f"{W}br"))]
    assert any(quiz < b < answers for b in breaks)
    assert any(b < quiz for b in breaks)


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(
    not (SOFFICE and shutil.which("pdftotext")),
    reason="needs LibreOffice and poppler-utils (.ci/run installs libreoffice-writer-nogui, poppler-utils)",
)
def test_rendered_page_numbers_land_right_on_odd_and_left_on_even_pages(tiny_service, tmp_path):
    """LibreOffice lays the document out; pdftotext -bbox gives where each page's number is."""
    big = Pack("页码测试", "", "", False, [PackSection("组", [PackItem("c2") for _ in range(40)])])
    src = tmp_path / "pack.docx"
    src.write_bytes(to_docx(resolve_pack(big, tiny_service.get)))
    subprocess.run(
        [
            SOFFICE,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    bbox = tmp_path / "bbox.html"
    subprocess.run(["pdftotext", "-bbox", str(tmp_path / "pack.pdf"), str(bbox)], check=True)
    import re

    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox.read_text(), re.S)
    assert len(pages) >= 2
    for n, (width, height, words) in enumerate(pages[:4], start=1):
        width, height = float(width), float(height)
        boxes = [
            (float(a), float(b), float(c), float(d), w)
            for a, b, c, d, w in re.findall(
                r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', words
            )
        ]
        number = [b for b in boxes if b[4] == str(n)]
        assert number, (n, boxes[-3:])
        x0, y0, x1, _, _ = number[-1]
        mm = 25.4 / 72
        text_bottom = (297 - 35) / mm  # the text block's lower edge, in points from the top
        assert 0 < (y0 - text_bottom) * mm < 12, (n, y0)  # just below the text block
        if n % 2:  # odd: at the right, inside the right margin line
            assert x1 > width * 0.7 and x1 < width - 26 / mm
        else:  # even: at the left, inside the left margin line
            assert x0 < width * 0.3 and x0 > 28 / mm
    from tests.test_browser import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "2",
            str(tmp_path / "pack.pdf"),
            str(ARTIFACTS / "word-page"),
        ],
        check=True,
    )
