"""Exports: Word (.docx, in the look of official documents), Markdown, printable HTML."""

from __future__ import annotations

import html

from kb.numerals import int_to_cn
from kb.packs.resolve import ResolvedPack


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


from kb.packs.word import to_docx  # noqa: E402  (the Word export lives in its own module)

FORMATS = {"docx": to_docx, "md": to_markdown, "html": to_html}
