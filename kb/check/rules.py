"""The rules a draft is read against, each with the provisions it rests on.

A rule looks at what a sentence *asks for* (words in clauses whose polarity is a demand or a
cap, kb.check.read) and at the numbers it sets, never at keywords alone: a notice that cancels a
photo check-in, forbids a banquet or caps a speech at forty minutes names the practice without
asking for it. What a demand needs to bite — a frequency, an assessment, a consequence — may
stand in the next sentence of the same paragraph (the demand and its evidence are often split).

Limits are the rules' own figures: documents 5000 字 (4000 for a special task; no figure for
work of a comprehensive kind), a speech or main report 1 hour, one comprehensive work meeting a
year (若干规定 一、二); 陪餐 3 people for up to 10 guests (接待规定 第十条).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kb.check.read import Quantity, Sentence
from kb.numerals import QUANTITY, parse_number

Context = list[
    Sentence
]  # the sentences around this one in its paragraph (two either side), this one included
Finder = Callable[[Sentence, Context, str], str | None]  # → the facts that triggered it, or None


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    category: str
    severity: str  # high: forbidden outright; medium: breaches as a rule; low: check the context
    provisions: tuple[str, ...]
    explain: str
    kind: str  # limit (a figure of the rules) | pattern (a practice on the negative lists)
    find: Finder
    yields_to: tuple[str, ...] = ()  # rules that, firing on the same sentence, already say it
    needs: tuple[str, ...] = ()  # word classes one of which a sentence must ask for (a fast pre-check)


def _any(s: Sentence, *classes: str) -> list[str]:
    """The words of these classes the sentence asks for (a new list the caller may extend)."""
    table = s.active
    if len(classes) == 1:
        return list(table.get(classes[0], ()))
    return [w for c in classes if c in table for w in table[c]]


def _nearby(s: Sentence, ctx: Context, *classes: str) -> list[str]:
    """Words of these classes asked for in this sentence or the next one of the paragraph."""
    out = _any(s, *classes)
    if s.after is not None:
        out += _any(s.after, *classes)
    return out


def _fmt(*parts: list[str] | str) -> str:
    flat = []
    for p in parts:
        flat += [p] if isinstance(p, str) else list(dict.fromkeys(p))
    return "、".join(x for x in flat if x)


def _minutes(q: Quantity) -> float | None:
    if q.unit == "分钟":
        return q.value
    if q.unit == "小时":
        return q.value * 60
    return None


# ------------------------------------------------------------------ practices


def photo_checkin(s: Sentence, ctx: Context, title: str) -> str | None:
    photos = _any(s, "photo")
    if not photos or _any(s, "evidence_use"):
        return None
    why = (
        _nearby(s, ctx, "frequent", "assess")
        + _any(s, "group")
        + [w for w in _any(s, "trace") if "留痕" in w]
    )
    return _fmt(photos, why) if why else None


def trace_criterion(s: Sentence, ctx: Context, title: str) -> str | None:
    """Records taken as the measure of work: the record and the grading stand in one clause or
    in two clauses next to each other."""
    active = [c for c in s.clauses if c.active]
    for i, c in enumerate(active):
        if not c.has("trace"):
            continue
        near = active[i : i + 2] + [x for x in active[max(0, i - 1) : i]]
        grade = [w for x in near for w in x.words.get("judged", [])]
        if grade:
            return _fmt(c.words["trace"], grade)
    return None


def repeat_report(s: Sentence, ctx: Context, title: str) -> str | None:
    rep = _any(s, "repeat")
    return _fmt(rep, _any(s, "form")) if rep and (_nearby(s, ctx, "form") or "报" in s.text) else None


def form_filling(s: Sentence, ctx: Context, title: str) -> str | None:
    forms = _any(s, "form")
    if not forms or s.has("emergency", active=False):
        return None
    rush = _any(s, "short_deadline")
    daily = _any(s, "daily") + _any(s, "weekly")
    many = [f"{q.value:g}{q.unit}" for q in s.quantities() if q.unit in ("张", "项", "小项") and q.value > 10]
    if rush or daily or many:
        return _fmt(forms, rush, daily, many)
    return None


def meeting_attendance(s: Sentence, ctx: Context, title: str) -> str | None:
    para = " ".join(x.text for x in ctx)
    attend = _any(s, "attend")
    active = [c for c in s.clauses if c.active]
    leaders = [  # the top people and the attending, in one clause or the next (局长带队，…一同参加)
        w
        for i, c in enumerate(active)
        if any(x.has("attend") or "参会人员" in x.text for x in active[i : i + 2])
        for w in c.words.get("top_leader", [])
    ]
    if not leaders:
        return None
    deputy = [w for x in ctx for c in x.clauses for w in c.words.get("deputy_convener", [])]
    insist = _any(s, "insist")
    if deputy or (insist and ("会" in para)):
        return _fmt(leaders, attend or ["参会"], deputy, insist)
    return None


def meeting_relay(s: Sentence, ctx: Context, title: str) -> str | None:
    relay = _any(s, "relay")
    if not relay or s.has("approved", active=False):
        return None
    if all(w.startswith("开到") or "分会场" in w for w in relay):  # a meeting reaching down is fine in itself
        scope = _any(s, "insist") + [
            w for w in ("全体", "全部", "均须", "都要", "均要", "班子成员", "负责人") if w in s.text
        ]
        return _fmt(relay, scope) if scope else None
    return _fmt(relay)


_PLEDGE = re.compile(
    r"(一票否决)(?!.{0,4}(情况|数量|事项|清单))|(签订|签署|层层签|立下|递交|上交)[^，。；]{0,8}(责任状|责任书|军令状|承诺书|保证书)(?!.{0,4}(情况|数量))"
)


def veto_pledge(s: Sentence, ctx: Context, title: str) -> str | None:
    """一票否决 imposed, or pledges to be signed — not a report of how many were signed."""
    for c in s.clauses:
        if c.active and c.has("veto"):
            m = _PLEDGE.search(c.text)
            if m:
                return m.group()
    return None


def inspection_load(s: Sentence, ctx: Context, title: str) -> str | None:
    """督检考 too often (daily or weekly checks, rankings and reports, or more than the level
    above set) or with too many items."""
    checks = _any(s, "inspect")
    if not checks:
        return None
    escalated = _any(s, "escalate")
    often = [w for w in _any(s, "frequent") if w not in ("每月", "每次")]
    cadence = _any(s, "daily") + _any(s, "weekly")
    many = [
        f"{q.value:g}{q.unit}" for q in s.quantities() if q.unit in ("项", "小项", "大类") and q.value >= 20
    ]
    if escalated and (often or len(checks) >= 2):
        return _fmt(escalated, checks, often)
    if cadence and len(checks) >= 2:
        return _fmt(cadence, checks)
    if many:
        return _fmt(checks, many, _nearby(s, ctx, "trace"))
    return None


def ranking(s: Sentence, ctx: Context, title: str) -> str | None:
    ranks = _any(s, "rank")
    if not ranks:
        return None
    push = _nearby(s, ctx, "pressure") + _any(s, "frequent")
    return _fmt(ranks, push) if push else None


_BY_PROCEDURE = re.compile(r"(确需|确因)[^。]{0,40}(审批|报批|按程序|备案)")


def secondment(s: Sentence, ctx: Context, title: str) -> str | None:
    """People taken up from the county, townships, villages or schools: the taking and where
    from stand in one clause. The rule's own exception (确需…按程序审批) is not a breach."""
    if _BY_PROCEDURE.search(s.text):
        return None
    active = [c for c in s.clauses if c.active]
    for i, c in enumerate(active):  # the taking and where from, in one clause or two neighbours
        near = active[max(0, i - 1) : i + 2]
        below = [w for x in near for w in x.words.get("below", [])]
        if c.has("second") and below:
            return _fmt(c.words["second"], below)
    return None


def _around(s: Sentence, ctx: Context, cls: str) -> list[str]:
    """Words of a class asked for in this sentence or the one before it (the object is often
    named first: 启用某平台。请各校督促家长下载注册…)."""
    return _any(s, cls) + (_any(s.before, cls) if s.before is not None else [])


def app_forcing(s: Sentence, ctx: Context, title: str) -> str | None:
    apps = _around(s, ctx, "app")
    push = _any(s, "app_push")
    if not (apps and push):
        return None
    bite = _nearby(s, ctx, "assess") + _any(s, "frequent", "quota", "insist")
    if any(w in ("下载", "注册", "安装", "关注", "注册率", "下载量", "下载率") for w in push) or bite:
        return _fmt(apps, push, bite)
    return None


def work_group(s: Sentence, ctx: Context, title: str) -> str | None:
    groups = _around(s, ctx, "group")
    burden = _any(s, "group_burden")
    if groups and burden:
        return _fmt(groups, burden)
    if groups and _any(s, "top_leader") and "入群" in s.text:
        return _fmt(groups, _any(s, "top_leader"))
    return None


_ORGANISE = (
    "开展",
    "组织",
    "决定",
    "启动",
    "部署",
    "申报",
    "评定",
    "授牌",
    "纳入",
    "一年一",
    "每年",
    "自行",
    "举办",
    "推荐",
    "参评",
)


def creation_demo(s: Sentence, ctx: Context, title: str) -> str | None:
    creating = _any(s, "create")
    if not creating or s.has("approved", active=False):
        return None
    organised = [w for w in _ORGANISE if w in s.text]
    return _fmt(creating, organised) if organised else None


def scenic_venue(s: Sentence, ctx: Context, title: str) -> str | None:
    place = _any(s, "scenic")
    if not place:
        return None
    if _any(s, "meeting") or any(w in s.text for w in ("召开", "开会", "举办", "培训")):
        return _fmt(place, "会议")
    return None


_OFFICIAL = (
    "公款",
    "单位",
    "组织",
    "安排",
    "考察",
    "学习",
    "培训",
    "教育",
    "会议",
    "为名",
    "统一购买",
    "经费",
)


def public_tour(s: Sentence, ctx: Context, title: str) -> str | None:
    """A scenic visit inside an official activity: 变相公款旅游."""
    tour = _any(s, "tour")
    place = [w for x in ctx for w in x.active_words("scenic")]
    official = [w for w in _OFFICIAL if w in s.text]
    if tour and place and official:
        return _fmt(tour, place, official)
    return None


def banquet_gift(s: Sentence, ctx: Context, title: str) -> str | None:
    feast = _any(s, "banquet")
    if feast:
        return _fmt(feast)
    gifts = _any(s, "gift")
    guests = [w for x in ctx for c in x.clauses for w in c.words.get("guests", [])]
    if (
        gifts
        and not s.has("poor", active=False)
        and (_any(s, "public_money") or "发放" in s.text or "赠送" in s.text or guests)
    ):
        return _fmt(gifts, _any(s, "public_money"), guests[:1])
    return None


_ESCORT_COUNT = re.compile(
    rf"(?:陪餐|作陪|陪同用餐)(?:人员|人数)?[^，。；\d]{{0,8}}?({QUANTITY})\s*人|({QUANTITY})\s*人[^，。；\d]{{0,4}}(?:陪餐|作陪|陪同用餐)"
)
_GUESTS = re.compile(
    rf"(?:接待对象|检查组|考核组|考察组|调研组|督查组|一行|来宾)[^，。；\d]{{0,6}}?({QUANTITY})\s*人"
)


def escort_dinner(s: Sentence, ctx: Context, title: str) -> str | None:
    """陪餐 above the 接待规定 figure: 3 people for up to 10 guests, a third of them above 10."""
    guests: float | None = None
    read_guests = False
    for c in s.clauses:
        if not c.sets_numbers or not any(w in c.text for w in ("陪餐", "作陪", "陪同用餐")):
            continue
        m = _ESCORT_COUNT.search(c.text)
        value = parse_number(m.group(1) or m.group(2)) if m else None
        if value is None:
            continue
        if not read_guests:  # the number of guests, from the paragraph, once a 陪餐 figure is set
            read_guests = True
            for x in ctx:
                g = _GUESTS.search(x.text)
                if g:
                    guests = parse_number(g.group(1))
        limit = 3 if not guests or guests <= 10 else guests // 3
        if value > limit:
            return f"陪餐{value:g}人（上限 {limit:g} 人）"
    return None


def leader_meets(s: Sentence, ctx: Context, title: str) -> str | None:
    """A visit, inspection or assessment that calls the top people out to escort, meet or
    report."""
    visit = [w for c in s.clauses for w in c.words.get("research", [])]
    if not visit:
        before = [s.before] if s.before is not None else []
        visit = [w for x in before for c in x.clauses for w in c.words.get("research", [])]
    for c in s.clauses:  # the top people and what they are called out to do, in one clause
        if c.active and c.has("top_leader") and c.has("meet"):
            return _fmt(visit[:1], c.words["top_leader"], c.words["meet"])
    return None


def reception(s: Sentence, ctx: Context, title: str) -> str | None:
    welcome = _any(s, "reception")
    if welcome:
        return _fmt(welcome)
    for c in s.clauses:  # the escort and who is made to escort, in one clause
        if c.active and c.has("escort") and (c.has("top_leader") or "三级" in c.text or "全体" in c.text):
            return _fmt(c.words["escort"], c.words.get("top_leader", []))
    return None


_SCORED_VISIT = re.compile(
    r"调研[^。；]{0,20}(打分|评分|评等次|排名|计入.{0,6}考核|纳入.{0,6}考核|考核对象|评分方式)"
)


def research_burden(s: Sentence, ctx: Context, title: str) -> str | None:
    """A visit that makes work below: materials, routes, display boards, waiting and escorts
    asked of the visited; or a 调研 that scores (督检考 under another name)."""
    here = [w for c in s.clauses for w in c.words.get("research", [])]
    before = [s.before] if s.before is not None else []
    visit = here or [w for x in before for c in x.clauses for w in c.words.get("research", [])]
    if not visit:
        return None
    burden = _any(s, "research_burden")
    if burden:
        return _fmt(visit[:1], burden)
    scored = _SCORED_VISIT.search(s.text)
    if scored and any(c.active for c in s.clauses):
        return scored.group()
    return None


_SCORING = re.compile(
    r"(加|扣|计|得)\s*[0-9０-９一二三四五六七八九十半.]+\s*分|计分|加分|考核内容|评为|评先|不得评|先进|考核.{0,4}指标|纳入.{0,6}考核|计入.{0,6}考核"
)


def approval_criterion(s: Sentence, ctx: Context, title: str) -> str | None:
    """Leaders' endorsements and media articles counted in an assessment (批示精神, a central
    instruction's spirit, is not an endorsement)."""
    praise = [w for w in _any(s, "approval") if not ("批示" in w and "批示精神" in s.text)]
    if not praise:
        return None
    scored = _SCORING.search(s.text) or (_any(s, "quota") and _nearby(s, ctx, "assess"))
    return (
        _fmt(praise, scored.group() if isinstance(scored, re.Match) else _any(s, "quota")) if scored else None
    )


def publicity_quota(s: Sentence, ctx: Context, title: str) -> str | None:
    posts = _any(s, "publicity")
    quota = _any(s, "quota")
    if posts and quota and _nearby(s, ctx, "assess"):
        return _fmt(posts, quota)
    return None


def supporting_docs(s: Sentence, ctx: Context, title: str) -> str | None:
    docs = [w for w in _any(s, "supporting") if f"《{w}" not in s.text]
    if docs and any(w in s.text for w in ("各", "下级", "报送", "制定", "上报")):
        return _fmt(docs)
    return None


def task_dumping(s: Sentence, ctx: Context, title: str) -> str | None:
    moved = _any(s, "dumping")
    return _fmt(moved) if moved else None


def facade(s: Sentence, ctx: Context, title: str) -> str | None:
    show = _any(s, "facade")
    return _fmt(show) if len(set(show)) >= 2 else None


_PARTY_SPEAKS = re.compile(r"(?<!副)书记(?:(?![不未])[^，；。、]){0,6}(讲话|致辞|部署|作.{0,8}报告)")
_GOV_SPEAKS = re.compile(
    r"(?<!副)(县长|市长|区长|镇长|乡长|省长)(?:(?![不未])[^，；。、]){0,6}(讲话|致辞|部署|作.{0,8}报告)"
)


def both_speak(s: Sentence, ctx: Context, title: str) -> str | None:
    """The party and government heads both speaking at one meeting (stated together, or as two
    items of one agenda)."""
    if not any(c.active for c in s.clauses):
        return None
    pair = _any(s, "speaking_pair")
    speak = _any(s, "both_speak")
    if pair and speak:
        return _fmt(pair, speak)
    party, gov = _PARTY_SPEAKS.search(s.text), _GOV_SPEAKS.search(s.text)
    return _fmt(party.group(), gov.group()) if party and gov else None


_RAISED = re.compile(r"调整为|提高到|提高至|加到|增加到|上调为|上调到|加码为|加码到")


def escalation(s: Sentence, ctx: Context, title: str) -> str | None:
    """A deadline or target brought forward or raised on the way down (层层加码)."""
    up = [w for w in ("省里", "市里", "上级", "省定", "市定") if w in s.text]
    raised = _any(s, "escalate")
    if up and raised:
        return _fmt(up, raised)
    figures = s.quantities(active=False)
    for q1 in figures:  # 市里下达100亿元，县里调整为160亿元
        for q2 in figures:
            if (
                q2.start > q1.start
                and q2.unit == q1.unit
                and q2.value > q1.value
                and _RAISED.search(s.text[q1.start - s.start : q2.start - s.start + len(q2.text)])
            ):
                return _fmt(up, f"{q1.text}→{q2.text}")
    years = [q for q in s.quantities(active=False) if q.unit in ("%", "％")]
    if up and years and ("要求" in s.text or "完成" in s.text) and ("前" in s.text):
        return _fmt(up, [q.text for q in years])
    return None


# ------------------------------------------------------------------ limits


_WHOLE_MEETING = re.compile(
    r"(会议时长|总时长|会期|会议.{0,4}(控制|不超过|时间)|全县性会议|半天|全天|全会|全程|整个会议|会议全程)"
)
_CONTINUES = re.compile(r"(时长|时间|用时|约|大约|控制|讲|宣读|篇幅)")


def speech_length(s: Sentence, ctx: Context, title: str) -> str | None:
    """A speech or main report set at over an hour (a meeting's own length is another matter)."""
    if not [w for c in s.clauses for w in c.words.get("speech", [])]:
        return None
    previous = None
    for c in s.clauses:
        spoken = c.has("speech") or (
            previous is not None and previous.has("speech") and _CONTINUES.search(c.text)
        )
        if c.sets_numbers and spoken and not _WHOLE_MEETING.search(c.text):
            for q in c.quantities:
                m = _minutes(q)
                if m is not None and m > 60:
                    return f"{q.text}（约 {m:g} 分钟）"
        previous = c
    return None


def doc_length(s: Sentence, ctx: Context, title: str) -> str | None:
    if not _any(s, "doc") and "篇幅" not in s.text and "字数" not in s.text:
        return None
    para = " ".join(x.text for x in ctx) + title
    if any(w in para for w in ("综合性工作", "部署综合")) and not any(
        w in para for w in ("专项", "具体任务")
    ):
        return None  # the rule sets no figure for a document deploying work of a comprehensive kind
    if not any(w in para for w in ("专项", "具体任务")):
        para = ""
    last = s.start
    for c in s.clauses:
        if not c.sets_numbers:
            last = c.end
            continue
        for q in c.quantities:
            if q.unit != "字":
                continue
            # the document a figure is for is named between the previous figure and this one
            before = s.text[last - s.start : q.start - s.start] or para
            if any(w in before for w in ("讲话", "主报告", "报告稿", "发言", "致辞")):
                continue  # a speech is limited by its time (speech-length), not its characters
            limit = 4000 if any(w in before for w in ("专项", "具体任务")) else 5000
            last = q.start + len(q.text)
            if q.value > 200_000:
                continue  # no document runs to this: an advertisement's figure, not a length
            if q.value > limit and q.bound in ("max", "about", "", "span"):
                return f"{q.text}（上限 {limit} 字）"
            if q.value >= 4000 and q.bound == "min":
                return f"{q.text}（要求的篇幅超过文件 {limit} 字的上限）"
    return None


_SYSTEM_MEETING = re.compile(r"(综合性|全面|全县|全市|全区|全省|系统)[^，。；]{0,10}工作(会议|会)")
_TWICE = re.compile(r"每半年|每季度|每月|[2-9两二三四五六七八九]\s*次|上、?下半年各|半年一次|一年两")


def meeting_count(s: Sentence, ctx: Context, title: str) -> str | None:
    """A comprehensive work meeting of a system held more than once a year."""
    m = _SYSTEM_MEETING.search(s.text)
    if not m or not _any(s, "general_meeting", "meeting"):
        return None
    t = _TWICE.search(s.text[m.start() :])
    return f"{m.group()}{t.group()}" if t else None


RULES: tuple[Rule, ...] = (
    Rule(
        "photo-check-in",
        "要求拍照打卡、上传截图留痕",
        "过度留痕",
        "high",
        ("jfrg-2024/3", "jfqd-2024/11", "cdc-2023/132"),
        "把拍照、截图、打卡、定位作为工作是否落实的凭据，并按日按周上传或纳入考核，属于过度留痕；若干规定明确不以拍照留痕评判工作。",
        "pattern",
        photo_checkin,
        needs=("photo",),
    ),
    Rule(
        "trace-criterion",
        "以台账、笔记、留痕多少评判工作",
        "过度留痕",
        "high",
        ("jfrg-2024/3", "jfqd-2024/11", "cdc-2023/132"),
        "把台账、会议记录、学习笔记、开会发文的数量作为考核评分的依据，属于以留痕代替实绩。",
        "pattern",
        trace_criterion,
        needs=("trace",),
    ),
    Rule(
        "repeat-reporting",
        "同一材料重复报送、多头填报",
        "督检考",
        "high",
        ("jfrg-2024/3", "jfqd-2024/9"),
        "要求基层把同一材料、数据向多个部门重复报送或重新填报，属于频繁要求基层填表报材料。",
        "pattern",
        repeat_report,
        needs=("repeat",),
    ),
    Rule(
        "frequent-forms",
        "频繁、限时要求基层填表报数",
        "督检考",
        "medium",
        ("jfrg-2024/3", "jfqd-2024/9"),
        "按日报送、数小时内或次日即要、一次下发大量表格指标，属于频繁要求基层填表报材料（应急值守另有规定的除外）。",
        "pattern",
        form_filling,
        ("repeat-reporting", "photo-check-in"),
        needs=("form",),
    ),
    Rule(
        "leader-attendance",
        "分管或部门会议要求主要负责同志本人参会",
        "文山会海",
        "medium",
        ("jfrg-2024/2", "jfqd-2024/5"),
        "分管负责同志召集的会议、部门业务会一般不要求下级主要负责同志参加；要求本人参加、不得请假，属于层层陪会。",
        "pattern",
        meeting_attendance,
        needs=("attend", "top_leader"),
    ),
    Rule(
        "meeting-relay",
        "层层开会传达、视频会开到村",
        "文山会海",
        "medium",
        ("jfrg-2024/2", "jfqd-2024/3", "cdc-2023/132"),
        "以会议贯彻会议、层层开会传达或层层设分会场，属于文山会海。",
        "pattern",
        meeting_relay,
        needs=("relay",),
    ),
    Rule(
        "speech-length",
        "讲话或主报告超过1小时",
        "文山会海",
        "medium",
        ("jfrg-2024/2", "jfqd-2024/6"),
        "主要负责同志讲话或会议主报告不超过1小时。",
        "limit",
        speech_length,
        needs=("speech",),
    ),
    Rule(
        "doc-length",
        "文件或材料篇幅超过字数上限",
        "文山会海",
        "medium",
        ("jfrg-2024/1", "jfqd-2024/1"),
        "除部署综合性工作外，文件一般不超过5000字，部署专项工作或具体任务的文件一般不超过4000字。",
        "limit",
        doc_length,
    ),
    Rule(
        "meeting-frequency",
        "综合性工作会议一年不止一次",
        "文山会海",
        "medium",
        ("jfrg-2024/2", "jfqd-2024/4"),
        "本系统本领域综合性工作会议原则上每年不超过1次。",
        "limit",
        meeting_count,
        needs=("meeting", "general_meeting"),
    ),
    Rule(
        "both-speak",
        "党政主要负责同志同一会议都讲话",
        "文山会海",
        "low",
        ("jfrg-2024/2", "jfqd-2024/7"),
        "地方党政主要负责同志同时出席的会议一般不同时讲话。",
        "pattern",
        both_speak,
        needs=("speaking_pair", "top_leader"),
    ),
    Rule(
        "veto-pledge",
        "层层签责任状、动辄一票否决",
        "层层加码",
        "medium",
        ("cdc-2023/132", "jfqd-2024/12"),
        "以一票否决、责任状把责任层层压到基层，属于层层加码；请核对是否有上级明确规定。",
        "pattern",
        veto_pledge,
        needs=("veto",),
    ),
    Rule(
        "escalation",
        "上级要求层层提前、层层加码",
        "层层加码",
        "medium",
        ("cdc-2023/132", "jfqd-2024/12"),
        "在上级要求基础上提前时限、提高标准或加密频次，属于层层加码。",
        "pattern",
        escalation,
    ),
    Rule(
        "inspection-load",
        "督查检查考核过多过频",
        "督检考",
        "medium",
        ("jfrg-2024/3", "jfqd-2024/8", "cdc-2023/132"),
        "督检考层层加码、频次加密，或考核指标繁多并要求逐项准备佐证材料，加重基层负担。",
        "pattern",
        inspection_load,
        needs=("inspect",),
    ),
    Rule(
        "ranking-pressure",
        "以排名通报、末位表态施压",
        "督检考",
        "medium",
        ("jfrg-2024/3", "jfqd-2024/12"),
        "对常态化工作按日按周排名通报、排名靠后的约谈表态，属于以排名施压、层层加码。",
        "pattern",
        ranking,
        needs=("rank",),
    ),
    Rule(
        "approval-criterion",
        "以领导批示、见报发文计分考核",
        "督检考",
        "medium",
        ("jfrg-2024/3", "jfqd-2024/10"),
        "不把获得领导批示、在刊物媒体发表文章和经验做法等列为考核内容。",
        "pattern",
        approval_criterion,
        needs=("approval",),
    ),
    Rule(
        "publicity-quota",
        "下达发稿转发点赞数量并纳入考评",
        "指尖上的形式主义",
        "medium",
        ("jfrg-2024/5", "jfqd-2024/14"),
        "给干部下达发布、转发、点赞、评论数量并纳入考评，属于指尖上的形式主义。",
        "pattern",
        publicity_quota,
        ("forced-app", "approval-criterion"),
        needs=("publicity",),
    ),
    Rule(
        "secondment",
        "从县乡和学校借调、抽调人员",
        "借调",
        "high",
        ("jfrg-2024/4", "jfqd-2024/13"),
        "上级机关原则上不得从县及县以下单位借调干部；以跟班、帮忙等名义变相借调同样不可。",
        "pattern",
        secondment,
        needs=("second",),
    ),
    Rule(
        "forced-app",
        "强制下载注册政务App、下达积分指标",
        "指尖上的形式主义",
        "high",
        ("jfrg-2024/5", "jfqd-2024/14"),
        "不得强制推广、要求下载使用政务应用程序，不得以注册率、积分、点赞等考核基层。",
        "pattern",
        app_forcing,
        needs=("app", "app_push"),
    ),
    Rule(
        "work-group",
        "工作群要求接龙、限时回复、一把手入群",
        "指尖上的形式主义",
        "medium",
        ("jfrg-2024/5", "jfqd-2024/14"),
        "工作群要求打卡接龙、限时回复、主要负责同志全部入群，属于指尖上的形式主义。",
        "pattern",
        work_group,
        ("photo-check-in",),
        needs=("group", "group_burden"),
    ),
    Rule(
        "creation-demo",
        "未经批准搞创建示范、评比达标",
        "创建示范",
        "medium",
        ("jfrg-2024/7", "jfqd-2024/17", "cdc-2023/118"),
        "未经批准不得开展创建示范、评比达标活动，已批准的也不得层层加码、另搞一套。",
        "pattern",
        creation_demo,
        needs=("create",),
    ),
    Rule(
        "scenic-meeting",
        "到风景名胜区开会",
        "四风",
        "high",
        ("cdc-2023/118",),
        "不得到禁止召开会议的风景名胜区开会。",
        "pattern",
        scenic_venue,
        needs=("scenic",),
    ),
    Rule(
        "public-tour",
        "借活动之名公款游览",
        "四风",
        "high",
        ("cdc-2023/115",),
        "借学习、考察、党性教育等名义用公款组织游览，属于变相公款旅游。",
        "pattern",
        public_tour,
        needs=("tour",),
    ),
    Rule(
        "banquet-gift",
        "宴请、酒水或公款发放礼品",
        "四风",
        "high",
        ("cdc-2023/113", "jdgd-2013/16", "jdgd-2013/10"),
        "公务活动安排宴请、酒水、会餐，或用公款购买发放礼品、实物，违反八项规定精神和接待规定。",
        "pattern",
        banquet_gift,
        needs=("banquet", "gift"),
    ),
    Rule(
        "escort-dinner",
        "陪餐人数超过标准",
        "四风",
        "medium",
        ("jdgd-2013/10", "cdc-2023/116"),
        "接待对象10人以内的，陪餐人数不超过3人；超过10人的，不超过接待对象人数的三分之一。",
        "limit",
        escort_dinner,
    ),
    Rule(
        "leader-meets",
        "督查检查调研动辄要求主要负责同志陪同汇报",
        "督检考",
        "medium",
        ("jfrg-2024/3", "jfqd-2024/8"),
        "上级到地方督查检查考核和调研，不得动辄要求见主要负责同志、要求其全程陪同汇报。",
        "pattern",
        leader_meets,
        needs=("top_leader",),
    ),
    Rule(
        "reception",
        "迎来送往、横幅地毯、层层陪同",
        "四风",
        "medium",
        ("jdgd-2013/8", "bxgd-2012/1"),
        "不得组织迎送、挂横幅、铺地毯、摆花草，严格控制陪同人数。",
        "pattern",
        reception,
        ("leader-meets",),
        needs=("reception", "escort"),
    ),
    Rule(
        "research-burden",
        "调研检查要基层准备材料、线路和陪同",
        "督检考",
        "medium",
        ("jfrg-2024/3", "bxgd-2012/1", "jfqd-2024/16"),
        "调研不得要求基层准备汇报材料、精品线路和陪同迎候，不得以调研名义变相开展考核评比。",
        "pattern",
        research_burden,
        needs=("research_burden", "research"),
    ),
    Rule(
        "supporting-docs",
        "要求下级制定配套文件、报送贯彻落实情况",
        "文山会海",
        "medium",
        ("jfrg-2024/1", "jfqd-2024/3"),
        "制发文件一般不要求下级报送贯彻落实情况或制定配套文件。",
        "pattern",
        supporting_docs,
        needs=("supporting",),
    ),
    Rule(
        "task-dumping",
        "把部门职责转交基层负责",
        "层层加码",
        "low",
        ("jfrg-2024/6", "jfqd-2024/12"),
        "把部门职责以属地管理为名转交乡镇、村（社区），加重基层负担；请核对权责清单。",
        "pattern",
        task_dumping,
        needs=("dumping",),
    ),
    Rule(
        "facade",
        "只做看得见的面子工程",
        "形式主义",
        "medium",
        ("cdc-2023/132", "jfqd-2024/15"),
        "只在领导看得见的地方突击整治、粉刷装点，属于形式主义。",
        "pattern",
        facade,
        needs=("facade",),
    ),
)


def checked() -> list[dict[str, object]]:
    """What the checker looks for, for a result that says what was checked."""
    return [
        {
            "id": r.id,
            "title": r.title,
            "category": r.category,
            "kind": r.kind,
            "provisions": list(r.provisions),
        }
        for r in RULES
    ]
