"""Parse clean text into units: articles under 编/章/节 headings, numbered items under group
headings, 一、 sections, or a case's named sections. Headings never end up inside a unit's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.models import Unit
from kb.numerals import CN_NUMERAL, cn_to_int

N = f"[{CN_NUMERAL}]+"
_ARTICLE = re.compile(rf"^第({N}|\d+)条(?:[\s\u3000]+|(?=[^\s]))(.*)$", re.S)
_LEVELS = {"编": 0, "分编": 0, "章": 1, "节": 2}
_HEADING = re.compile(rf"^第({N}|\d+)(编|分编|章|节)(?:[\s\u3000]*)(\S.{{0,30}})?$")
_GLUED_HEADING = re.compile(rf"(?<=[。；：）])\s*(第{N}(?:编|章|节)[\s\u3000]+[^\s。，；]{{2,30}})$")
_ITEM = re.compile(r"^(\d{1,3})[.．、](?!\d)\s*(.*)$", re.S)
_CN_ITEM = re.compile(rf"^([{CN_NUMERAL}]{{1,3}})、\s*(.*)$", re.S)
_GROUP = re.compile(rf"^(?:([{CN_NUMERAL}]{{1,3}})、|第({N})部分\s*)\s*(\S.{{0,24}})$")
_TERMINAL = re.compile(r"[。；！？]")

CASE_SECTIONS = (
    "基本案情及处理结果",
    "基本案情",
    "案情简介",
    "简要案情",
    "案情",
    "查处过程",
    "处理结果",
    "处理建议",
    "分歧意见",
    "意见分歧",
    "评析意见",
    "分析意见",
    "意见分析",
    "难点辨析",
    "罪名剖析",
    "纪法解析",
    "点评解析",
    "案例评析",
    "以案说纪",
    "焦点问题",
    "争议焦点",
    "编者按",
    "典型案例",
    "相关知识点",
    "关键词",
    "执纪执法要点",
    "指导意义",
    "问题",
    "观点一",
    "观点二",
    "观点三",
    "问",
    "答",
    "解析",
    "点评",
    "党纪政务处分",
    "立案审查调查",
    "移送审查起诉",
    "提起公诉",
    "一审判决",
    "二审判决",
)
_CASE_WORDS = "|".join(sorted(CASE_SECTIONS, key=len, reverse=True))
_CASE_HEADING = re.compile(rf"^(?:【([^】\n]{{2,14}})】|({_CASE_WORDS})(?:[：:]|$))\s*(.*)$", re.S)


@dataclass(frozen=True)
class Structure:
    preface: str
    units: list[Unit]
    mode: str  # articles | numbered | sections | case | plain


def paragraphs(text: str) -> list[str]:
    """Non-empty lines; a lone number marker (``二、``) is joined to the line after it, and a
    chapter heading glued to the end of an article becomes a paragraph of its own."""
    out: list[str] = []
    pending = ""
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if re.fullmatch(rf"(?:[{CN_NUMERAL}]{{1,3}}、|\d{{1,3}}[.．、]|第{N}条)", line):
            pending += line
            continue
        line, pending = pending + line, ""
        m = _GLUED_HEADING.search(line)
        if m and not _HEADING.match(line):
            out += [line[: m.start()].rstrip(), m.group(1)]
        else:
            out.append(line)
    if pending:
        out.append(pending)
    return out


def _title_of(text: str, limit: int = 16) -> str:
    """The short lead phrase of an item (``注重实际效果。安排…`` → 注重实际效果)."""
    m = re.match(rf"^([^。；，：！？\n]{{2,{limit}}})[。：]", text)
    return m.group(1) if m and len(text) > len(m.group(0)) + 4 else ""


def _topic_of(text: str, limit: int = 20) -> str:
    """A title for an item that has no lead phrase: its first clause, cut at a 、 (or, failing
    that, at ``limit`` with an ellipsis) when longer — ``严禁用公款购买、印制、邮寄…``."""
    first = re.split(r"[。；，：！？\n（(]", text, maxsplit=1)[0].strip()
    if len(first) < 4:
        return ""
    if len(first) <= limit:
        return first
    cut = first.rfind("、", 0, limit)
    return (first[:cut] if cut >= 8 else first[: limit - 1]) + "…"


def _articles(paras: list[str]) -> Structure:
    preface: list[str] = []
    units: list[dict] = []
    stack: list[tuple[int, str]] = []
    for p in paras:
        h = _HEADING.match(p)
        if h and len(p) <= 40 and not _TERMINAL.search(p):
            level = _LEVELS[h.group(2)]
            while stack and stack[-1][0] >= level:
                stack.pop()
            label = f"第{h.group(1)}{h.group(2)}"
            rest = re.sub(r"[\s\u3000]+", " ", (h.group(3) or "").strip())
            stack.append((level, f"{label} {rest}".strip()))
            continue
        a = _ARTICLE.match(p)
        if a and cn_to_int(a.group(1)) is not None:
            n = cn_to_int(a.group(1))
            units.append(
                {
                    "anchor": str(n),
                    "number": f"第{a.group(1)}条",
                    "text": [a.group(2).strip()],
                    "heading": tuple(h for _, h in stack),
                }
            )
        elif units:
            units[-1]["text"].append(p)
        else:
            preface.append(p)
    return Structure("\n".join(preface), _finish(units), "articles")


def _numbered(paras: list[str]) -> Structure:
    preface: list[str] = []
    units: list[dict] = []
    group = ""
    groups = 0
    for p in paras:
        g = _GROUP.match(p)
        if g and not _TERMINAL.search(p) and not _ITEM.match(p):
            groups += 1
            group = f"{g.group(1) or g.group(2)}、{g.group(3).strip()}" if g.group(1) else p
            continue
        m = _ITEM.match(p)
        if m:
            units.append(
                {
                    "anchor": m.group(1),
                    "number": m.group(1),
                    "text": [m.group(2).strip()],
                    "heading": (group,) if group else (),
                    "group": groups,
                }
            )
        elif units:
            units[-1]["text"].append(p)
        else:
            preface.append(p)
    anchors = [u["anchor"] for u in units]
    if len(set(anchors)) != len(anchors):  # numbering restarts in each group
        for u in units:
            u["anchor"] = f"{u['group']}.{u['anchor']}"
    for u in units:
        u["title"] = _title_of(u["text"][0]) or _topic_of(u["text"][0])
    return Structure("\n".join(preface), _finish(units), "numbered")


def _sections(paras: list[str], anchor_prefix: str) -> Structure:
    """一、 sections (a report's headings, or the eight items of 八项规定)."""
    preface: list[str] = []
    units: list[dict] = []
    expect = 1
    for p in paras:
        m = _CN_ITEM.match(p)
        if m and cn_to_int(m.group(1)) == expect:
            expect += 1
            body = m.group(2).strip()
            heading_like = len(body) <= 30 and not _TERMINAL.search(body)
            units.append(
                {
                    "anchor": f"{anchor_prefix}{cn_to_int(m.group(1))}",
                    "number": f"{m.group(1)}、",
                    "text": [] if heading_like else [body],
                    "title": body if heading_like else _title_of(body),
                    "heading": (),
                }
            )
        elif units:
            units[-1]["text"].append(p)
        else:
            preface.append(p)
    return Structure("\n".join(preface), _finish(units), "sections")


def _case(paras: list[str]) -> Structure:
    preface: list[str] = []
    units: list[dict] = []
    for p in paras:
        m = _CASE_HEADING.match(p)
        if m and (m.group(1) or len(m.group(3)) < 400):
            name = (m.group(1) or m.group(2)).strip()
            units.append(
                {
                    "anchor": f"s{len(units) + 1}",
                    "number": name,
                    "text": [m.group(3).strip()] if m.group(3).strip() else [],
                    "heading": (),
                }
            )
        elif units:
            units[-1]["text"].append(p)
        else:
            preface.append(p)
    return Structure("\n".join(preface), _finish(units), "case")


def _finish(units: list[dict]) -> list[Unit]:
    return [
        Unit(
            anchor=u["anchor"],
            number=u["number"],
            text="\n".join(t for t in u["text"] if t),
            heading=u.get("heading", ()),
            title=u.get("title", ""),
        )
        for u in units
    ]


def parse_structure(text: str, kind: str) -> Structure:
    """Split clean text into units for a record of the given kind."""
    paras = paragraphs(text)
    if kind == "case":
        s = _case(paras)
        return (
            s if s.units else Structure("", [Unit("s1", "正文", "\n".join(paras))] if paras else [], "plain")
        )
    articles = sum(1 for p in paras if _ARTICLE.match(p))
    items = {m.group(1) for p in paras if (m := _ITEM.match(p))}
    if kind in ("policy", "list", "material") and articles >= 3:
        return _articles(paras)
    if kind in ("policy", "list") and len(items) >= 3:
        return _numbered(paras)
    s = _sections(paras, "s" if kind == "material" else "")
    if s.units:
        if kind == "material" and s.preface:
            lead = Unit("s0", "导语", s.preface)
            return Structure("", [lead, *s.units], s.mode)
        return s
    return Structure(
        "", [Unit("s1" if kind == "material" else "1", "正文", "\n".join(paras))] if paras else [], "plain"
    )
