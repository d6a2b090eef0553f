"""Guess a record's metadata from its text: title, issuer, dates, year, genre, level, and for
cases the person's role, the sanctions and the articles cited. Flags override every guess; a
field that cannot be found stays empty (an empty field is honest, a guessed one is a defect)."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

from kb.links.find import article_citations

_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_ISSUED = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*([^\s\d（）()]{2,30}?)(?:发布|印发|公布)")
_PASSED = re.compile(
    r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(第[^\s]{2,20}?(?:全国人民代表大会常务委员会|全国人民代表大会))"
)
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,8}[〔\[【（(]\d{4}[〕\]】）)]\s*\d{1,4}\s*号")
_GUIDING = re.compile(r"（(\d{4})年指导性案例第(\d+)号")
_YEAR = re.compile(r"(20[012]\d|19[89]\d)年")

PARTY = (
    ("开除党籍", "开除党籍"),
    ("留党察看", "留党察看"),
    ("撤销党内职务", "撤销党内职务"),
    ("党内严重警告", "党内严重警告"),
    ("党内警告", "党内警告"),
)
GOV = (
    ("开除公职", "开除公职"),
    ("政务撤职", "政务撤职"),
    ("政务降级", "政务降级"),
    ("政务记大过", "政务记大过"),
    ("政务记过", "政务记过"),
    ("政务警告", "政务警告"),
)
_GIVEN = re.compile(
    r"(?:(?:给予|予以|受到)(?:其|他|她|[\u4e00-\u9fff]{1,3}某)?|(?<=处分)(?:和|及|、|并(?:给予)?))([^。；，]{2,40}?)(?:处分|处理)"
)
_OTHER = ("诫勉", "批评教育", "责令检查", "通报批评", "免职", "调离岗位", "移送司法机关")
_STANDALONE = re.compile(r"被免职|免职处理|予以免职|免去[^。；]{0,12}职务|诫勉谈话|进行诫勉|予以诫勉")


def _date(y: str, m: str, d: str) -> dt.date | None:
    try:
        return dt.date(int(y), int(m), int(d))
    except ValueError:
        return None


def clean_title(title: str) -> str:
    title = re.sub(r"[《》]", "", title).strip()
    title = re.sub(r"[（(]全文[）)]$", "", title).strip()
    return re.sub(r"\.(docx?|pdf|txt)$", "", title)


def guess_title(text: str, hint: str = "") -> str:
    if hint:
        return clean_title(hint)
    for line in text.split("\n"):
        line = line.strip()
        if line:
            return clean_title(line) if len(line) <= 60 and not re.search(r"[。；]$", line) else ""
    return ""


_ABOUT = re.compile(
    r"(?<![《〈“\"])关于[^，。；：\n]{4,40}?的(?:调研报告|报告|通知|意见|方案|情况|讲话|总结)"
)
_STUDIED = re.compile(r"就([^，。；\n]{4,30}?)(?:工作)?(?:进行|开展)了?(?:专题)?(调研|研究|检查|督查)")


def title_from_text(text: str) -> str:
    """A title for a text that has no title line: the 关于…的报告 it names itself, else what its
    opening says was studied (就…进行了专题调研 → 关于…的调研报告), else its first sentence, cut."""
    head = text[:400]
    m = _ABOUT.search(head)
    if m:
        return m.group()
    m = _STUDIED.search(head)
    if m:
        return f"关于{m.group(1)}的{m.group(2)}报告"
    first = re.split(r"[。！？\n]", text.strip(), maxsplit=1)[0].strip()
    return first if len(first) <= 30 else first[:29] + "…"


def policy_metadata(text: str, title: str) -> dict[str, object]:
    """Issuer and date from the issuing note (``2023年12月19日中共中央发布``) or a law's
    ``…通过`` line; the version year in a title (``… 2023``) is split off."""
    meta: dict[str, object] = {}
    m = re.match(r"^(.*?)[\s（(]*((?:19|20)\d{2})(?:年)?(?:修订|版)?[）)]?$", title)
    if m:
        meta["title"] = m.group(1).strip()
        meta["year"] = int(m.group(2))
    head = text[:600]
    issued = list(_ISSUED.finditer(head))
    if issued:
        last = issued[-1]
        meta["date"] = _date(*last.group(1, 2, 3))
        meta["issuer"] = last.group(4)
    else:
        passed = _PASSED.search(head)
        if passed:
            meta["date"] = _date(*passed.group(1, 2, 3))
            meta["issuer"] = (
                "全国人民代表大会常务委员会" if "常务委员会" in passed.group(4) else "全国人民代表大会"
            )
        else:
            d = _DATE.search(head)
            if d:
                meta["date"] = _date(*d.groups())
    if meta.get("date") and "year" not in meta:
        meta["year"] = meta["date"].year  # type: ignore[union-attr]
    doc_no = _DOC_NUMBER.search(head)
    if doc_no:
        meta["doc_number"] = re.sub(r"\s+", "", doc_no.group())
    return meta


def find_sanctions(text: str) -> list[str]:
    """Sanctions as published, normalised to the names of 条例 第八条 and 政务处分法 第七条
    (党内警告 … 开除党籍; 政务警告 … 开除公职), plus 诫勉 and the like where given."""
    found: list[str] = []
    for m in _GIVEN.finditer(text):
        phrase = m.group(1)
        clause = text[max(0, m.start() - 30) : m.start()]
        if "或者" in phrase or "情节" in clause or "可以" in clause or "应当" in clause:
            continue  # a rule's range of sanctions, quoted, is not the sanction imposed
        for needle, name in PARTY + GOV:
            if needle in phrase and name not in found:
                found.append(name)
        if "留党察看" in phrase and "留党察看" not in found:
            found.append("留党察看")
        for gov in ("警告", "记过", "记大过", "降级", "撤职"):
            if f"政务{gov}" in phrase or re.search(rf"(?<!大){gov}政务", phrase):
                name = f"政务{gov}"
                if name not in found:
                    found.append(name)
        if "开除" in phrase and "公职" in phrase and "开除公职" not in found:
            found.append("开除公职")
        for other in _OTHER:
            if other in phrase and other not in found:
                found.append(other)
        for old in ("警告", "记过", "记大过", "降级", "撤职", "开除"):  # 行政处分, the name before 2020
            if f"行政{old}" in phrase and f"行政{old}" not in found:
                found.append(f"行政{old}")
        if re.search(r"(?<![销政务])撤职", phrase) and not any(x in found for x in ("政务撤职", "行政撤职")):
            found.append("撤职")
    # sanctions stated without 给予…处分 around them: 被免职, 免去…职务, 诫勉谈话
    for m in _STANDALONE.finditer(text):
        clause = text[max(0, m.start() - 20) : m.start()]
        if "可以" in clause or "应当" in clause or "或者" in clause:
            continue
        name = "诫勉" if "诫勉" in m.group() else "免职"
        if name not in found:
            found.append(name)
    return found


_POST = re.compile(
    r"(书记|局长|主任|县长|市长|区长|镇长|乡长|科长|股长|所长|院长|站长|校长|经理|董事长|会长|馆长|处长|厅长|部长|主席|委员|"
    r"干部|职工|员|人员|负责人|工作人员|党员|会计|出纳|民警|教师|医生|代表|成员|领导|主管|助理|秘书|组长|队长|专员|调研员|巡视员)"
)


def find_role(text: str) -> str:
    """The person's post as the case states it: ``贺某，中共党员，某县国有农场主要负责人。``"""
    m = re.search(
        r"(?:^|[\n。])\s*([\u4e00-\u9fff]{1,2}某[\u4e00-\u9fff]?)[，,](?:男[，,])?(?:[^，。]{0,12}?(?:党员|群众|无党派人士)[，,])?([^。；\n]{4,80})[。；]",
        text,
    )
    if not m:
        return ""
    role = m.group(2).strip()
    role = re.sub(r"[（(]以下简称[^）)]*[）)]", "", role)
    role = re.split(r"[，,]", role, maxsplit=1)[0]  # the post, not the story that follows it
    moved = re.search(r"(?:调任|改任|转任|提任|升任)(.{4,})$", role)  # 2010年从…调任A公司书记
    role = moved.group(1) if moved else re.sub(r"^(?:现系|系|是|现任)", "", role)
    if role.startswith(("“", '"', "‘")) or not _POST.search(role):
        return ""  # a quotation or a sentence, not a post
    return role[:80]


_RANKS = (
    "省部级",
    "厅局级",
    "县处级",
    "乡科级",
    "正厅级",
    "副厅级",
    "正处级",
    "副处级",
    "正县级",
    "副县级",
    "正科级",
    "副科级",
    "正乡级",
    "副乡级",
)


def find_rank(text: str) -> str:
    for r in _RANKS:
        if r in text:
            return r
    return ""


FACT_SECTIONS = (
    "基本案情及处理结果",
    "基本案情",
    "案情简介",
    "简要案情",
    "案情",
    "处理结果",
    "查处过程",
    "党纪政务处分",
    "典型案例",
)


def case_metadata(text: str, title: str, hints: dict[str, str], facts: str = "") -> dict[str, object]:
    """``facts``: the text of the sections that tell what happened. Role, rank and sanctions are
    read there only, never from quoted rules or general discussion; without it they stay empty."""
    meta: dict[str, object] = {}
    g = _GUIDING.search(text[:300])
    if g:
        meta["genre"] = "执纪执法指导性案例"
        meta["publisher"] = "中央纪委国家监委"
        meta["year"] = int(g.group(1))
    else:
        meta["genre"] = "案例分析"
    if hints.get("publisher"):
        meta["publisher"] = hints["publisher"]
    if hints.get("date"):
        try:
            d = dt.date.fromisoformat(hints["date"])
            meta["date"] = d
            meta["year"] = d.year
        except ValueError:
            pass
    if facts:  # without a section telling what happened, a text names sanctions only in general
        meta["role"] = find_role(facts)
        meta["rank"] = find_rank(facts)
        meta["sanctions"] = tuple(find_sanctions(facts))
    labels: list[str] = []
    for c in article_citations(text):
        if c.label not in labels:
            labels.append(c.label)
    meta["cites"] = tuple(labels)
    return meta


def material_metadata(text: str, title: str) -> dict[str, object]:
    meta: dict[str, object] = {}
    for genre in ("调研报告", "讲话", "发言", "汇报", "报告", "总结", "方案", "通知"):
        if genre in title:
            meta["genre"] = {"发言": "讲话", "汇报": "报告"}.get(genre, genre)
            break
    if "讲话" not in str(meta.get("genre", "")) and re.search(r"同志们[：:，,]", text[:2000]):
        meta["genre"] = "讲话"
    counts = Counter(re.findall(r"(?:我|全|本)(县|市|区|省|镇|乡)", text))
    if counts:
        meta["level"] = counts.most_common(1)[0][0]
    ty = _YEAR.search(title)
    if ty:
        meta["year"] = int(ty.group(1))
    else:
        years = Counter(int(y) for y in _YEAR.findall(text) if 1990 <= int(y) <= dt.date.today().year)
        if years:
            meta["year"] = max(years)  # a report speaks of its own year last; the most recent year named
    return meta
