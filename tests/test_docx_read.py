"""A draft uploaded as .docx is read whole and in order: body paragraphs, tables (a merged cell
once, a nested table after its row), and text boxes, which python-docx's `paragraphs` skips —
a demand in a text box must not escape the check."""

from __future__ import annotations

import io

import pytest

docx = pytest.importorskip("docx")
from docx.oxml import parse_xml  # noqa: E402

from kb.check import check_draft  # noqa: E402
from kb.ingest.read import docx_to_text, read_draft  # noqa: E402

NS = (
    'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:v="urn:schemas-microsoft-com:vml" '
    'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
)


def text_box(text: str) -> str:
    """A text box as Word writes it: DrawingML, and the same box again as a VML fallback."""
    content = f"<w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"
    return (
        f'<w:r {NS}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor>'
        f"<a:graphic><a:graphicData><wps:wsp><wps:txbx>{content}</wps:txbx></wps:wsp>"
        f"</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict>"
        f"<v:shape><v:textbox>{content}</v:textbox></v:shape></w:pict></mc:Fallback>"
        f"</mc:AlternateContent></w:r>"
    )


def notice() -> bytes:
    d = docx.Document()
    d.add_paragraph("关于开展人居环境整治的通知")
    t = d.add_table(rows=3, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "事项", "要求"
    t.cell(1, 0).merge(t.cell(1, 1)).text = "每月报送一次工作小结"
    t.cell(2, 1).text = "按季度汇总"
    t.cell(2, 1).add_table(rows=1, cols=1).cell(0, 0).text = "嵌套表格里的一行"
    top = t.cell(2, 0)._tc  # a vertically merged pair: the lower part is empty in the file
    top.get_or_add_tcPr().append(parse_xml(f'<w:vMerge {NS} w:val="restart"/>'))
    p = d.add_paragraph("请各村按要求落实。")
    p._p.append(parse_xml(text_box("各村每日在工作群拍照打卡上传照片，纳入月度考核。")))
    d.add_paragraph("县委办公室")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_paragraphs_tables_and_text_boxes_in_document_order() -> None:
    lines = docx_to_text(io.BytesIO(notice()), "notice.docx").split("\n")
    assert lines[0] == "关于开展人居环境整治的通知"
    assert lines[1] == "事项\t要求"
    assert lines[2] == "每月报送一次工作小结"  # a horizontally merged cell, once
    assert lines[3] == "\t按季度汇总"
    assert lines[4] == "嵌套表格里的一行"  # the nested table, after its row
    assert lines[5] == "请各村按要求落实。"
    assert lines[6] == "各村每日在工作群拍照打卡上传照片，纳入月度考核。"  # the text box, once
    assert lines[7] == "县委办公室"
    assert len(lines) == 8


def test_a_demand_in_a_text_box_is_flagged() -> None:
    text = read_draft(notice(), "notice.docx")
    rules = {f.rule for f in check_draft(text).flags}
    assert "photo-check-in" in rules
