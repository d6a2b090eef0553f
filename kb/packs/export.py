"""Exports: Word (.docx, in the look of official documents), Markdown, printable HTML."""

from __future__ import annotations

import html
import io
from typing import Any

from kb.numerals import int_to_cn
from kb.packs.resolve import ResolvedPack

TITLE_FONT = "方正小标宋简体"  # 小标宋; Word substitutes a serif font where it is missing
BODY_FONT = "仿宋_GB2312"
HEAD1_FONT = "黑体"
HEAD2_FONT = "楷体_GB2312"


def _cn_section(i: int) -> str:
    return f"{int_to_cn(i)}、"


def _cn_item(i: int) -> str:
    return f"（{int_to_cn(i)}）"


# ------------------------------------------------------------------ Markdown


def to_markdown(p: ResolvedPack) -> str:
    out = [f"# {p.title}", ""]
    if p.subtitle:
        out += [p.subtitle, ""]
    if p.preface:
        out += ["## 前言", "", p.preface, ""]
    for si, (title, entries) in enumerate(p.sections, 1):
        out += [f"## {_cn_section(si)}{title}", ""]
        for ii, e in enumerate(entries, 1):
            out += [f"### {_cn_item(ii)}{e.heading}", ""]
            for name, text in e.facts:
                out += [f"**{name}**　{text}", ""]
            if e.text:
                out += [e.text, ""]
            if e.citation:
                out += [f"> {e.citation}", ""]
            if e.note:
                out += [f"**学习提示**：{e.note}", ""]
    if p.quiz:
        out += ["## 附：学习测试", ""]
        out += [f"{i}. {q}" for i, (q, _) in enumerate(p.quiz, 1)] + [""]
        out += ["### 参考答案", ""] + [f"{i}. {a}" for i, (_, a) in enumerate(p.quiz, 1)] + [""]
    return "\n".join(out)


# ------------------------------------------------------------------ HTML

_CSS = """
@page { size: A4; margin: 3.7cm 2.6cm 3.5cm 2.8cm; }
body { font-family: "FangSong", "仿宋_GB2312", "仿宋", "STFangsong", "Noto Serif CJK SC", serif; font-size: 16pt; line-height: 1.75; color: #000; max-width: 48em; margin: 2em auto; }
h1 { font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "STZhongsong", "Noto Serif CJK SC", serif; font-size: 22pt; text-align: center; font-weight: normal; margin: 0 0 .5em; }
.subtitle { text-align: center; font-family: "KaiTi", "楷体_GB2312", "楷体", "Noto Serif CJK SC", serif; }
h2 { font-family: "SimHei", "黑体", "Noto Sans CJK SC", sans-serif; font-size: 16pt; font-weight: normal; margin: 1.2em 0 .4em; }
h3 { font-family: "KaiTi", "楷体_GB2312", "楷体", "Noto Serif CJK SC", serif; font-size: 16pt; font-weight: normal; margin: .8em 0 .2em; }
p { text-indent: 2em; margin: 0 0 .3em; }
.citation, .note { text-indent: 0; font-size: 14pt; }
.citation { color: #333; }
.missing { color: #a00; }
nav.toc p { text-indent: 0; }
section.quiz { page-break-before: always; }
@media print { a { color: inherit; text-decoration: none; } }
"""


def to_html(p: ResolvedPack) -> str:
    e_ = html.escape
    out = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{e_(p.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e_(p.title)}</h1>",
    ]
    if p.subtitle:
        out.append(f"<p class='subtitle'>{e_(p.subtitle)}</p>")
    out.append("<nav class='toc'><h2>目　录</h2>")
    out += [f"<p>{_cn_section(i)}{e_(t)}</p>" for i, (t, _) in enumerate(p.sections, 1)]
    out.append("</nav>")
    if p.preface:
        out.append("<h2>前　言</h2>" + "".join(f"<p>{e_(x)}</p>" for x in p.preface.split("\n") if x.strip()))
    for si, (title, entries) in enumerate(p.sections, 1):
        out.append(f"<section><h2>{_cn_section(si)}{e_(title)}</h2>")
        for ii, e in enumerate(entries, 1):
            cls = " class='missing'" if e.kind == "missing" else ""
            out.append(f"<h3{cls}>{_cn_item(ii)}{e_(e.heading)}</h3>")
            out += [f"<p><b>{e_(n)}</b>　{e_(t)}</p>" for n, t in e.facts]
            out += [f"<p>{e_(x)}</p>" for x in e.text.split("\n") if x.strip()]
            if e.citation:
                out.append(f"<p class='citation'>{e_(e.citation)}</p>")
            if e.note:
                out.append(f"<p class='note'><b>学习提示：</b>{e_(e.note)}</p>")
        out.append("</section>")
    if p.quiz:
        out.append("<section class='quiz'><h2>附：学习测试</h2>")
        out += [f"<p>{i}. {e_(q)}</p>" for i, (q, _) in enumerate(p.quiz, 1)]
        out.append(
            "<h3>参考答案</h3>" + "".join(f"<p>{i}. {e_(a)}</p>" for i, (_, a) in enumerate(p.quiz, 1))
        )
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out)


# ------------------------------------------------------------------ Word


def _font(run: Any, east_asia: str, size: float, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def _para(
    doc: Any,
    text: str,
    font: str = BODY_FONT,
    size: float = 16,
    *,
    align: str | None = None,
    indent: bool = True,
    style: str | None = None,
    bold: bool = False,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    para = doc.add_paragraph(style=style) if style else doc.add_paragraph()
    fmt = para.paragraph_format
    fmt.line_spacing = Pt(28)
    fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align == "center":
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(para.add_run(text), font, size, bold)
    return para


def _field(paragraph: Any, instr: str, placeholder: str = "") -> None:
    """A Word field (PAGE, TOC …): begin, instruction, separate, placeholder result, end."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> Any:
        r = OxmlElement("w:r")
        fc = OxmlElement("w:fldChar")
        fc.set(qn("w:fldCharType"), kind)
        r.append(fc)
        return r

    p = paragraph._p
    p.append(char("begin"))
    r = OxmlElement("w:r")
    t = OxmlElement("w:instrText")
    t.set(qn("xml:space"), "preserve")
    t.text = f" {instr} "
    r.append(t)
    p.append(r)
    p.append(char("separate"))
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = placeholder
    r.append(t)
    p.append(r)
    p.append(char("end"))


def to_docx(p: ResolvedPack) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = docx.Document()
    sec = doc.sections[0]
    sec.page_height, sec.page_width = Cm(29.7), Cm(21.0)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
    # headings use Word's Heading styles (so the TOC field finds them), dressed in 公文 fonts
    for name, font, size in (("Heading 1", HEAD1_FONT, 16), ("Heading 2", HEAD2_FONT, 16)):
        st = doc.styles[name]
        st.font.size, st.font.bold = Pt(size), False
        st.font.color.rgb = None
        st.element.get_or_add_rPr()
        fonts = st.element.rPr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = st.element.rPr.makeelement(qn("w:rFonts"), {})
            st.element.rPr.append(fonts)
        fonts.set(qn("w:eastAsia"), font)
    _para(doc, p.title, TITLE_FONT, 22, align="center", indent=False)
    if p.subtitle:
        _para(doc, p.subtitle, HEAD2_FONT, 16, align="center", indent=False)
    _para(doc, "目　录", HEAD1_FONT, 16, align="center", indent=False)
    toc = doc.add_paragraph()
    _field(toc, 'TOC \\o "1-2" \\h \\z \\u', "（打开文档后，右键此处选择“更新域”生成目录）")
    doc.add_page_break()
    if p.preface:
        _para(doc, "前　言", HEAD1_FONT, 16, indent=False, style="Heading 1")
        for line in p.preface.split("\n"):
            if line.strip():
                _para(doc, line.strip())
    for si, (title, entries) in enumerate(p.sections, 1):
        _para(doc, f"{_cn_section(si)}{title}", HEAD1_FONT, 16, indent=False, style="Heading 1")
        for ii, e in enumerate(entries, 1):
            _para(doc, f"{_cn_item(ii)}{e.heading}", HEAD2_FONT, 16, indent=False, style="Heading 2")
            for name, text in e.facts:
                para = _para(doc, "")
                _font(para.add_run(f"{name}　"), HEAD1_FONT, 16)
                _font(para.add_run(text), BODY_FONT, 16)
            for line in e.text.split("\n"):
                if line.strip():
                    _para(doc, line.strip())
            if e.citation:
                _para(doc, e.citation, HEAD2_FONT, 14, indent=False)
            if e.note:
                para = _para(doc, "", indent=False)
                _font(para.add_run("学习提示："), HEAD1_FONT, 14)
                _font(para.add_run(e.note), BODY_FONT, 14)
    if p.quiz:
        doc.add_page_break()
        _para(doc, "附：学习测试", HEAD1_FONT, 16, indent=False, style="Heading 1")
        for i, (q, _) in enumerate(p.quiz, 1):
            _para(doc, f"{i}. {q}", indent=False)
        _para(doc, "参考答案", HEAD2_FONT, 16, indent=False, style="Heading 2")
        for i, (_, a) in enumerate(p.quiz, 1):
            _para(doc, f"{i}. {a}", indent=False)
    # page numbers: — 1 — centred in the footer
    footer = sec.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("— "), BODY_FONT, 14)
    _field(footer, "PAGE", "1")
    _font(footer.add_run(" —"), BODY_FONT, 14)
    # ask Word to update fields (the table of contents) when the file is opened
    settings = doc.settings.element
    upd = OxmlElement("w:updateFields")
    upd.set(qn("w:val"), "true")
    settings.append(upd)
    doc.core_properties.title = p.title
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


FORMATS = {"docx": to_docx, "md": to_markdown, "html": to_html}
