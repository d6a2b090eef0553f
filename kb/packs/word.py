"""A study pack as a Word document laid out as a 公文 (GB/T 9704-2012, 党政机关公文格式).

What the standard fixes and where it is done here:

- A4, 版心 156 mm × 225 mm: margins 37 mm top, 28 mm left (so 26 mm right, 35 mm bottom).
- 22 lines a page, 28 characters a line: a line grid (``w:docGrid``) of 225 mm / 22, and the
  body's characters set 0.25 pt closer than their 3号 (16 pt) size, so that 28 fit the 156 mm
  line (28 × 15.75 pt = 441 pt ≤ 442.2 pt). A character grid (linesAndChars with a negative
  charSpace) does the same in Word, but LibreOffice then gives each character two cells, 14 a
  line; character spacing reads the same in Word, WPS and LibreOffice.
- Title 2号 小标宋, body 3号 仿宋_GB2312, first-level headings 黑体, second-level 楷体.
- Page numbers 4号 (14 pt) half-width 宋体 digits between two 一字线 (``— 1 —``), 7 mm below the
  版心; odd pages at the right and even pages at the left, each one character in from the edge.

The table of contents is written from the pack's own headings when the pack is long enough to
need one (no field for Word to update, so it reads the same in every program and on paper).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from kb.numerals import int_to_cn
from kb.packs.resolve import ResolvedPack

TITLE_FONT = "方正小标宋简体"  # 小标宋; Word substitutes a serif font where it is missing
BODY_FONT = "仿宋_GB2312"
HEAD1_FONT = "黑体"
HEAD2_FONT = "楷体_GB2312"
NUMBER_FONT = "宋体"

MM = 36000  # EMU per millimetre
PAGE_W, PAGE_H = 210, 297  # mm
TOP, LEFT, RIGHT, BOTTOM = 37, 28, 26, 35  # mm: 版心 156 × 225
TEXT_W, TEXT_H = PAGE_W - LEFT - RIGHT, PAGE_H - TOP - BOTTOM
LINES, CHARS = 22, 28
BODY_PT = 16  # 3号
NUMBER_PT = 14  # 4号
PT_PER_MM = 72 / 25.4
LINE_PITCH_PT = TEXT_H * PT_PER_MM / LINES  # 28.95 pt
CHAR_PITCH_PT = TEXT_W * PT_PER_MM / CHARS  # 15.79 pt
#: Word's docGrid line pitch, in twentieths of a point
GRID_LINE_PITCH = round(LINE_PITCH_PT * 20)
#: character spacing (w:spacing, twentieths of a point): the largest step below the pitch
CONDENSE_TWIPS = -(int((BODY_PT - CHAR_PITCH_PT) * 20) + 1)  # -5: 16 pt − 0.25 pt = 15.75 pt
NUMBER_GAP_MM = 7  # 一字线上距版心下边缘 7 mm
#: a pack this short gets no table of contents
TOC_MIN_SECTIONS, TOC_MIN_ENTRIES = 2, 8


#: the Word styles used, by name → their id in python-docx's default template
STYLE_IDS = {"Heading 1": "Heading1", "Heading 2": "Heading2"}


def _cn_section(i: int) -> str:
    return f"{int_to_cn(i)}、"


def _cn_item(i: int) -> str:
    return f"（{int_to_cn(i)}）"


def _set_fonts(rpr: Any, east_asia: str, latin: str = "Times New Roman") -> None:
    from docx.oxml.ns import qn

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)  # a theme font would win over the font named here
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _font(run: Any, east_asia: str, size: float, bold: bool = False, latin: str = "Times New Roman") -> None:
    from docx.shared import Pt

    run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    _set_fonts(run._element.get_or_add_rPr(), east_asia, latin)


def _para(
    doc: Any,
    text: str,
    font: str = BODY_FONT,
    size: float = BODY_PT,
    *,
    align: str | None = None,
    indent: bool = True,
    style: str | None = None,
    bold: bool = False,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    para = doc.add_paragraph()
    if style:  # by id, straight into the XML: python-docx looked the style up by name each time
        para._p.get_or_add_pPr().get_or_add_pStyle().val = STYLE_IDS[style]
    fmt = para.paragraph_format
    fmt.line_spacing = Pt(LINE_PITCH_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt((size + CONDENSE_TWIPS / 20) * 2)  # 首行缩进两字
    if align == "center":
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if text:
        run = para.add_run(text)
        # what the paragraph's style (Normal: 3号 仿宋; Heading 1/2: 黑体/楷体) already says is not
        # repeated on every run: a 500-item pack exported in 2.6 s, 0.6 s without the repeats
        inherited = (font, size) == (BODY_FONT, BODY_PT) if not style else size == BODY_PT
        if bold or not inherited:
            _font(run, font, size, bold)
    return para


def _field(paragraph: Any, instr: str, placeholder: str, font: str, size: float) -> None:
    """A Word field (PAGE): begin, instruction, separate, the value shown until updated, end."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(child: Any) -> Any:
        r = paragraph.add_run()
        _font(r, font, size, latin=font)
        r._r.append(child)
        return r

    def char(kind: str) -> Any:
        fc = OxmlElement("w:fldChar")
        fc.set(qn("w:fldCharType"), kind)
        return fc

    run_with(char("begin"))
    t = OxmlElement("w:instrText")
    t.set(qn("xml:space"), "preserve")
    t.text = f" {instr} "
    run_with(t)
    run_with(char("separate"))
    r = paragraph.add_run(placeholder)
    _font(r, font, size, latin=font)
    run_with(char("end"))


def _page_number(footer: Any, odd: bool) -> None:
    """— 1 —, 4号 半角宋体, one character in from the right edge (odd pages) or the left (even)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    para = footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    fmt = para.paragraph_format
    fmt.line_spacing = Pt(NUMBER_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    if odd:
        fmt.right_indent = Pt(NUMBER_PT)  # 空一字
    else:
        fmt.left_indent = Pt(NUMBER_PT)
    _font(para.add_run("— "), NUMBER_FONT, NUMBER_PT, latin=NUMBER_FONT)
    _field(para, "PAGE", "1", NUMBER_FONT, NUMBER_PT)
    _font(para.add_run(" —"), NUMBER_FONT, NUMBER_PT, latin=NUMBER_FONT)


def _layout(doc: Any) -> None:
    """Page, margins, grid, odd/even footers, the body's default font and language."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Emu, Pt

    sec = doc.sections[0]
    sec.page_width, sec.page_height = Emu(PAGE_W * MM), Emu(PAGE_H * MM)
    sec.top_margin, sec.bottom_margin = Emu(TOP * MM), Emu(BOTTOM * MM)
    sec.left_margin, sec.right_margin = Emu(LEFT * MM), Emu(RIGHT * MM)
    sec.header_distance = Emu(15 * MM)
    # the number's line ends NUMBER_GAP_MM below the text block, its top at the gap
    sec.footer_distance = Emu(round((BOTTOM - NUMBER_GAP_MM) * MM - NUMBER_PT / PT_PER_MM * MM))
    sectpr = sec._sectPr
    grid = sectpr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sectpr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(GRID_LINE_PITCH))
    if grid.get(qn("w:charSpace")) is not None:
        del grid.attrib[qn("w:charSpace")]
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(sec.footer, odd=True)
    _page_number(sec.even_page_footer, odd=False)
    # the defaults every run inherits: 3号 仿宋, Chinese (zh-CN) for spelling and line breaking
    normal = doc.styles["Normal"]
    normal.font.size = Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    _set_fonts(rpr, BODY_FONT)
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.append(spacing)
    spacing.set(qn("w:val"), str(CONDENSE_TWIPS))
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    targets = [rpr]
    if defaults is not None:
        d_rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if d_rpr is not None:
            targets.append(d_rpr)
    for target in targets:
        lang = target.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            target.append(lang)
        lang.set(qn("w:val"), "zh-CN")
        lang.set(qn("w:eastAsia"), "zh-CN")
        lang.set(qn("w:bidi"), "ar-SA")
    # headings use Word's Heading styles (the navigation pane finds them), dressed as 公文
    for name, font in (("Heading 1", HEAD1_FONT), ("Heading 2", HEAD2_FONT)):
        st = doc.styles[name]
        st.font.size, st.font.bold, st.font.italic = Pt(BODY_PT), False, False
        st.font.color.rgb = None
        _set_fonts(st.element.get_or_add_rPr(), font)


def _toc(doc: Any, p: ResolvedPack) -> bool:
    """目录 from the pack's own headings (no field): only for packs long enough to need it."""
    from docx.shared import Pt

    entries = sum(len(e) for _, e in p.sections)
    if len(p.sections) < TOC_MIN_SECTIONS and entries < TOC_MIN_ENTRIES:
        return False
    _para(doc, "目　录", HEAD1_FONT, BODY_PT, align="center", indent=False)
    if p.preface:
        _para(doc, "前　言", indent=False)
    for si, (title, items) in enumerate(p.sections, 1):
        _para(doc, f"{_cn_section(si)}{title}", HEAD1_FONT, indent=False)
        for ii, e in enumerate(items, 1):
            para = _para(doc, f"{_cn_item(ii)}{e.heading}", indent=False)
            para.paragraph_format.left_indent = Pt((BODY_PT + CONDENSE_TWIPS / 20) * 2)
    if p.quiz:
        _para(doc, "附：学习测试", HEAD1_FONT, indent=False)
    return True


def to_docx(p: ResolvedPack, *, author: str = "", now: dt.datetime | None = None) -> bytes:
    import docx

    doc = docx.Document()
    _layout(doc)
    body = doc.paragraphs[0]._p if doc.paragraphs else None  # the template's empty first paragraph
    if body is not None:
        body.getparent().remove(body)
    _para(doc, p.title, TITLE_FONT, 22, align="center", indent=False)  # 2号 小标宋
    if p.subtitle:
        _para(doc, p.subtitle, HEAD2_FONT, align="center", indent=False)
    _para(doc, "", indent=False)  # a blank line between the title block and what follows
    if _toc(doc, p):
        doc.add_page_break()
    if p.preface:
        _para(doc, "前　言", HEAD1_FONT, indent=False, style="Heading 1")
        for line in p.preface.split("\n"):
            if line.strip():
                _para(doc, line.strip())
    for si, (title, entries) in enumerate(p.sections, 1):
        _para(doc, f"{_cn_section(si)}{title}", HEAD1_FONT, indent=False, style="Heading 1")
        for ii, e in enumerate(entries, 1):
            _para(doc, f"{_cn_item(ii)}{e.heading}", HEAD2_FONT, indent=False, style="Heading 2")
            for name, text in e.facts:
                para = _para(doc, "")
                _font(para.add_run(f"{name}　"), HEAD1_FONT, BODY_PT)
                _font(para.add_run(text), BODY_FONT, BODY_PT)
            for line in e.text.split("\n"):
                if line.strip():
                    _para(doc, line.strip())
            if e.citation:
                _para(doc, e.citation, HEAD2_FONT, NUMBER_PT, indent=False)
            if e.note:
                para = _para(doc, "", indent=False)
                _font(para.add_run("学习提示："), HEAD1_FONT, NUMBER_PT)
                _font(para.add_run(e.note), BODY_FONT, NUMBER_PT)
    if p.quiz:
        doc.add_page_break()
        _para(doc, "附：学习测试", HEAD1_FONT, indent=False, style="Heading 1")
        for i, (q, _) in enumerate(p.quiz, 1):
            _para(doc, f"{i}. {q}", indent=False)
        doc.add_page_break()  # the answers on a page of their own, to hand out after the test
        _para(doc, "参考答案", HEAD2_FONT, indent=False, style="Heading 2")
        for i, (_, a) in enumerate(p.quiz, 1):
            _para(doc, f"{i}. {a}", indent=False)
    props = doc.core_properties
    stamp = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0, tzinfo=None)
    props.title, props.author, props.last_modified_by = p.title, author, author
    props.created = props.modified = stamp
    props.language, props.revision = "zh-CN", 1
    props.comments = props.keywords = props.subject = ""
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


__all__ = ["to_docx"]
