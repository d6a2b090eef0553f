"""A 通报 (discipline notice) imported as its cases: one record per case it reports.

Discipline staff receive cases as notices listing several at once, numbered (1. / 1、 / 一、 /
（一）), inline (分别是：…；…), one paragraph per case under a heading sentence that ends in 问题,
or as examples in a news report (如…再如…). ``split_notice`` finds the scheme the text uses —
the longest run of numbers counting up from one, else an inline list, else headings, else
examples — and cuts the text into cases. The introduction and the closing exhortation (通报强调,
各级党组织要…) are not cases; site text after the notice is dropped. A case the copy cuts off
mid-sentence is not written: it is reported as a warning naming the file and line.

Each case's facts are read from its own text only: region, post, sanctions as published, and a
date or year only where written. Nothing is guessed: an empty field is honest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field

from kb.ingest.metadata import find_rank, find_sanctions
from kb.numerals import cn_to_int

_TERMINAL = '。！？!?”"』」）)'
_NUMBERED = (
    ("arabic", re.compile(r"^\s*(\d{1,2})\s*[、.．](?!\d)")),
    ("chinese", re.compile(r"^\s*([一二三四五六七八九十]{1,3})\s*[、.．]")),
    ("paren-chinese", re.compile(r"^\s*[（(]([一二三四五六七八九十]{1,3})[）)]")),
    ("paren-arabic", re.compile(r"^\s*[（(](\d{1,2})[）)]")),
)
_INLINE_CHINESE = re.compile(r"(?:^|[。；;\s])([一二三四五六七八九十]{1,3})、")
_INLINE_LIST = re.compile(r"(?:分别是|分别为)[:：]?")
_PLACE_HEAD = r"[\u4e00-\u9fff]{2,12}?(?:省|自治区|市|县|区|州)"
_EXAMPLE = re.compile(
    r"(?:^|[。！？]\s*)(?:[^。！？，,]{0,20}[，,])?(?:再如|又如|例如|比如|其中[，,]|如)(?="
    + _PLACE_HEAD
    + ")"
)
_HEADING = re.compile(r"^[^。！？，,]{2,40}[，,]?[^。！？]{0,40}?问题(?:[。.]|$)")
_CLOSING = re.compile(
    r"^\s*(?:[^。]{0,20}(?:强调|指出|要求|提醒|警示)[，,：:]|各级(?:党组织|纪检监察机关|党员|领导干部)|广大党员|党员干部要|以上|上述|这些(?:问题|案例)|"
    r"这\d+起|[一二三四五六七八九十\d]+起(?:问题|案例)中|通报(?:指出|强调|要求)|责任编辑|相关(?:新闻|阅读|链接)|扫一扫|版权|声明)"
)
_NOISE = re.compile(
    r"(点击|扫码|关注|分享|责任编辑|编辑[:：]|来源[:：]|发布时间|阅读原文|上一篇|下一篇|返回|首页|网站地图)"
)
_ISSUER = re.compile(
    r"([\u4e00-\u9fff（）()、]{2,40}?(?:纪委监委|纪委|监委|工作机制办公室|办公室|办公厅|监察部))"
    r"(?:会同[\u4e00-\u9fff（）()]{2,30}?(?:办公厅|纪委|办公室))?"
    r"[^。，,]{0,16}?(?:通报|曝光|发出通报|公开通报)"
)
_PLACE = re.compile(
    r"^(?:(?:[\u4e00-\u9fff]{2,7}?(?:省|自治区|市|自治州|州|盟|地区))?(?:[\u4e00-\u9fff]{1,7}?(?:市|州|盟|地区))?"
    r"(?:[\u4e00-\u9fff]{1,7}?(?:市|县|区|旗))?)"
)
_ORG = re.compile(
    r"[\u4e00-\u9fff]{1,30}?(?:纪委国家监委|纪委监委|纪委办公厅|专项工作机制办公室|领导小组办公室|工作机制办公室|办公厅|纪委|监委|监察部)"
)
_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_POST = re.compile(
    r"([\u4e00-\u9fff（）()、]{0,30}?(?:书记|局长|主任|县长|市长|区长|镇长|乡长|科长|股长|所长|院长|站长|校长|总经理|董事长|经理|会长|馆长|"
    r"处长|厅长|部长|主席|委员|干部|民警|队长|组长|出纳|会计|常委|主管))"
    r"([\u4e00-\u9fff]{2,3})(?=[，,、等违利借在以的因于被组擅多超未]|问题)"
)


@dataclass
class CaseText:
    n: int
    text: str
    line: int  # line in the notice where the case starts (1-based)
    complete: bool = True
    why_incomplete: str = ""


@dataclass
class Notice:
    cases: list[CaseText] = field(default_factory=list)
    scheme: str = ""
    issuer: str = ""
    title: str = ""  # the notice's own title line, else its first sentence
    intro: str = ""
    warnings: list[tuple[int, str]] = field(default_factory=list)  # (line, message)


def _lines(text: str) -> list[tuple[int, str]]:
    """Non-empty lines with their numbers; a short line without an ending that is followed by
    one ending in 问题 is a heading split in two, and is joined to it."""
    raw = [(i + 1, line.strip()) for i, line in enumerate(text.splitlines())]
    raw = [(i, s) for i, s in raw if s]
    out: list[tuple[int, str]] = []
    k = 0
    while k < len(raw):
        i, s = raw[k]
        if (
            k + 1 < len(raw)
            and len(s) <= 30
            and s[-1] not in _TERMINAL
            and _HEADING.match(raw[k + 1][1])
            and len(raw[k + 1][1]) <= 40
        ):
            out.append((i, s + raw[k + 1][1]))
            k += 2
            continue
        out.append((i, s))
        k += 1
    return out


def _number(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else cn_to_int(raw)


def _run(numbers: list[tuple[int, int]]) -> list[int]:
    """Indexes of the longest run 1, 2, 3 … in (index, number) pairs, in order."""
    best: list[int] = []
    for start, (_, n) in enumerate(numbers):
        if n != 1:
            continue
        run, want = [numbers[start][0]], 2
        for idx, m in numbers[start + 1 :]:
            if m == want:
                run.append(idx)
                want += 1
        if len(run) > len(best):
            best = run
    return best


def _numbered(lines: list[tuple[int, str]]) -> tuple[str, list[int]]:
    best_name, best = "", []
    for name, pattern in _NUMBERED:
        numbers = []
        for idx, (_, s) in enumerate(lines):
            m = pattern.match(s)
            if m:
                n = _number(m.group(1))
                if n is not None:
                    numbers.append((idx, n))
        run = _run(numbers)
        if len(run) > len(best):
            best_name, best = name, run
    return best_name, best


def _split_inline_numbers(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A paragraph holding 一、…二、…三、… inline is cut at those numbers when they count up."""
    out = []
    for i, s in lines:
        marks = [(m.start(1), _number(m.group(1))) for m in _INLINE_CHINESE.finditer(s)]
        run = _run([(pos, n) for pos, n in marks if n])
        if len(run) >= 2:
            cuts = [0, *run]
            for a, b in zip(cuts, [*run, len(s)], strict=False):
                piece = s[a:b].strip()
                if piece:
                    out.append((i, piece))
        else:
            out.append((i, s))
    return out


def _is_closing(s: str) -> bool:
    return bool(_CLOSING.match(s)) or (len(s) < 40 and bool(_NOISE.search(s)))


def _segments(lines: list[tuple[int, str]], starts: list[int]) -> list[tuple[int, list[str]]]:
    """The lines from each start to the next, stopping at the closing after the last."""
    out = []
    for k, idx in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        body = []
        for j in range(idx, end):
            s = lines[j][1]
            if j > idx and (_is_closing(s) or (k + 1 == len(starts) and _NOISE.search(s))):
                break
            if j > idx and len(s) < 25 and s[-1] not in _TERMINAL and not _HEADING.match(s):
                continue  # a stray short line (a caption, a slogan of an infographic)
            body.append(s)
        out.append((lines[idx][0], body))
    return out


def _inline_list(lines: list[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    """分别是：甲…；乙…；丙… (items to the end of the list, across lines)."""
    for idx, (i, s) in enumerate(lines):
        m = _INLINE_LIST.search(s)
        if not m:
            continue
        rest = s[m.end() :]
        tail_lines = [rest] if rest.strip() else []
        for _, t in lines[idx + 1 :] if not rest.rstrip().endswith("。") else []:
            if _is_closing(t):
                break
            tail_lines.append(t)
            if t.endswith("。") and not t.endswith("；"):
                break
        joined = "".join(x + ("" if x.endswith(("；", ";", "、")) else "；") for x in tail_lines)
        if joined.count("；") >= 2:
            items = re.split(r"[；;]", joined)
        else:  # 甲…、乙…、丙…: cut only where the next item opens with a place
            items = re.split(r"、(?=" + _PLACE_HEAD + ")", joined)
        items = [x.strip(" ；;。") for x in items]
        items = [x for x in items if len(x) >= 12]
        if len(items) >= 2:
            out = [(i, [x + "。"]) for x in items]
            # an example told after the list (其中，山东省…) is one more case
            out += [e for e in _by_example(lines[idx + 1 :], first=0) if e[0] > i]
            return out
    return []


def _by_heading(lines: list[tuple[int, str]]) -> list[int]:
    """Lines that open with a heading sentence ending in 问题 and tell the case after it (on the
    line or the next); a repeated title line is not a case."""
    starts = []
    for idx, (_, s) in enumerate(lines):
        if idx == 0 or not _HEADING.match(s) or _is_closing(s) or s == lines[0][1]:
            continue
        rest = s[_HEADING.match(s).end() :].strip()
        following = lines[idx + 1][1] if idx + 1 < len(lines) else ""
        if rest or (following and not _HEADING.match(following)):
            starts.append(idx)
    return starts if len(starts) >= 2 else []


def _by_example(lines: list[tuple[int, str]], first: int = 1) -> list[tuple[int, list[str]]]:
    """如…再如… in a report: each example (a sentence naming a place and a person or unit) is a
    case, to the next example or the end of its paragraph."""
    out: list[tuple[int, list[str]]] = []
    for idx, (i, s) in enumerate(lines):
        if idx < first or _is_closing(s):
            continue
        marks = [m.end() for m in _EXAMPLE.finditer(s)]
        for k, start in enumerate(marks):
            end = marks[k + 1] if k + 1 < len(marks) else len(s)
            piece = s[start:end]
            if k + 1 < len(marks):  # stop at the sentence that opens the next example
                cut = max(piece.rfind("。"), piece.rfind("！"), piece.rfind("？"))
                piece = piece[: cut + 1] if cut >= 0 else piece
            if len(piece.strip()) >= 20:
                out.append((i, [piece.strip()]))
    return out if len(out) >= 2 or (first == 0 and out) else []


def _by_paragraph(lines: list[tuple[int, str]]) -> list[int]:
    """Each paragraph after the introduction that tells of a case (a date, a place or 经查 opens
    it), up to the closing."""
    starts = []
    for idx, (_, s) in enumerate(lines):
        if idx == 0:
            continue
        if _is_closing(s):
            break
        if len(s) >= 40 and (
            _DATE.match(s)
            or s.startswith(("经查", "经核查"))
            or (_PLACE.match(s) and _PLACE.match(s).group())
        ):
            starts.append(idx)
    return starts if len(starts) >= 2 else []


def _short(sentence: str, limit: int = 40) -> str:
    if len(sentence) <= limit:
        return sentence
    cut = max(sentence.rfind("，", 0, limit), sentence.rfind(",", 0, limit))
    return (sentence[:cut] if cut > 10 else sentence[:limit]) + "…"


def _issuer(head: str) -> str:
    """Who issued the notice: the last office named before 通报 or 曝光 in the same sentence
    of the opening lines (an office 会同 another: both)."""
    for sentence in re.split(r"[。！？\n]", head):
        k = max(sentence.find("通报"), sentence.find("曝光"))
        if k < 0:
            continue
        orgs = [m.group().split("会同")[-1] for m in _ORG.finditer(sentence[:k])]
        if orgs:
            name = orgs[-1]
            if len(orgs) > 1 and f"会同{orgs[-1]}" in sentence[:k]:
                name = f"{orgs[-2]}、{name}"
            return re.sub(
                r"^(?:今天|昨日|日前|近日|近期|记者从|据|新华社[\u4e00-\u9fff]{0,4}电)", "", name
            ).strip("，, ")
    return ""


def split_notice(text: str) -> Notice:
    """The cases a 通报 reports (see the module docstring)."""
    notice = Notice()
    lines = _split_inline_numbers(_lines(text))
    if not lines:
        return notice
    notice.issuer = _issuer(" ".join(s for _, s in lines[:5]))
    scheme, starts = _numbered(lines)
    segments: list[tuple[int, list[str]]] = []
    if len(starts) >= 2:
        notice.scheme = scheme
        segments = _segments(lines, starts)
    else:
        headings = _by_heading(lines)
        if headings:
            notice.scheme, segments = "heading", _segments(lines, headings)
        else:
            for name, found in (("inline", _inline_list(lines)), ("example", _by_example(lines))):
                if found:
                    notice.scheme, segments = name, found
                    break
            else:
                paragraphs = _by_paragraph(lines)
                if paragraphs:
                    notice.scheme, segments = "paragraph", _segments(lines, paragraphs)
    if not segments:
        return notice
    first = segments[0][0]
    notice.intro = "\n".join(s for i, s in lines if i < first)
    notice.title = next(
        (x for _, x in lines if "通报" in x and len(x) <= 60 and x[-1:] not in "。，,"),
        _short(re.split(r"[。！？]", notice.intro or lines[0][1], maxsplit=1)[0]),
    )
    last_line = lines[-1][1]
    for n, (line, body) in enumerate(segments, start=1):
        body_text = "\n".join(body)
        body_text = re.sub(
            r"^\s*(?:[（(][一二三四五六七八九十\d]{1,3}[）)]\s*|[一二三四五六七八九十\d]{1,3}\s*[、.．](?!\d)\s*)",
            "",
            body_text,
            count=1,
        )
        case = CaseText(n, body_text.strip(), line)
        if body_text.rstrip()[-1:] not in _TERMINAL:
            case.complete, case.why_incomplete = False, "结尾不完整，疑被截断"
        elif n == len(segments) and body and body[-1] == last_line and last_line[-1:] not in _TERMINAL:
            case.complete, case.why_incomplete = False, "文本在此中断"
        notice.cases.append(case)
    return notice


# ------------------------------------------------------------------ the facts of one case


def case_facts(case: CaseText) -> dict[str, object]:
    """Title, region, role, rank, sanctions and dates, as the case's own text gives them."""
    text = case.text
    first = re.split(r"[。！？]", text, maxsplit=1)[0]
    title = first if len(first) <= 60 else first[:58] + "…"
    place = _PLACE.match(text)
    region = place.group() if place else ""
    post = _POST.search(first)
    role = (post.group(1) + post.group(2)) if post else ""
    facts: dict[str, object] = {
        "title": title.strip(" ，,"),
        "region": region,
        "role": role[:80],
        "rank": find_rank(text),
        "sanctions": tuple(find_sanctions(text)),
    }
    decided = [
        d
        for d in _DATE.finditer(text)
        if re.search(r"(给予|处分|免职|问责|移送)", text[d.end() : d.end() + 60])
    ]
    if decided:
        y, mth, day = map(int, decided[-1].groups())
        with contextlib.suppress(ValueError):
            facts["date"] = dt.date(y, mth, day)
    return facts
