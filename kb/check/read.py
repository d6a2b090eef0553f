"""Reading a draft as a reviewer does: what each clause demands, forbids, cancels or caps, and
the facts a demand carries — the action, the evidence, quantities with units, frequency, scope
and consequence.

A draft is cut into paragraphs, sentences (。！？ and line ends) and clauses (，；：). Each clause
gets a polarity from its own words (kb/data/draft_lexicon.toml):

``forbid``    不得、严禁 … — what it names is not asked for (but 不得少于、不得请假 are demands);
``cancel``    取消、不再、无需、不安排 … — the practice is being removed;
``permit``    可以、自愿 … — allowed, not demanded;
``cap``       不超过、以内、控制在 … — a limit, compared with the rule's own limit;
``describe``  a sentence about a problem or about what was done (个别部门仍…, 今年以来…减至…);
``question``  a question;
``demand``    须、请、要求 … or, with none of these, an arrangement (会议安排在…召开).

The words are found once over the whole draft, one pass per word class, and handed to the
clause they fall in, so a million characters are read in about a second.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from kb.numerals import QUANTITY, parse_number

LEXICON = Path(__file__).resolve().parent.parent / "data" / "draft_lexicon.toml"
# polarities under which what a clause names is asked for: demanded, allowed, or demanded with a
# cap (礼盒标准每份300元以内 still asks for a gift; the rules with figures compare the cap)
WORD_ACTIVE = ("demand", "permit", "cap")
NUMBER_ACTIVE = ("demand", "permit", "cap")  # … and under which its figures are set


@cache
def lexicon() -> tuple[dict[str, re.Pattern[str]], dict[str, re.Pattern[str]]]:
    """(polarity markers, word classes), each class one compiled alternation."""
    data = tomllib.loads(LEXICON.read_text(encoding="utf-8"))

    def compile_all(table: dict[str, list[str]]) -> dict[str, re.Pattern[str]]:
        return {
            k: re.compile("|".join(f"(?:{w})" for w in sorted(v, key=len, reverse=True)))
            for k, v in table.items()
        }

    return compile_all(data["polarity"]), compile_all(data["words"])


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float
    unit: str  # 字 分钟 小时 人 次 项 张 个 天 日 份 篇 分 条 % 元 …
    text: str
    start: int
    bound: str = ""  # "min" (不少于、以上), "max" (不超过、以内), "about" (约、左右), ""


@dataclass(slots=True)
class Clause:
    start: int
    end: int
    text: str
    polarity: str = "demand"
    words: dict[str, list[str]] = field(default_factory=dict)  # class → the words found
    quantities: list[Quantity] = field(default_factory=list)

    def has(self, *classes: str) -> bool:
        return any(self.words.get(c) for c in classes)

    @property
    def active(self) -> bool:
        return self.polarity in WORD_ACTIVE

    @property
    def sets_numbers(self) -> bool:
        return self.polarity in NUMBER_ACTIVE


@dataclass(slots=True)
class Sentence:
    start: int
    end: int
    text: str
    paragraph: int
    clauses: list[Clause] = field(default_factory=list)
    _active: dict[str, list[str]] | None = None
    _classes: set[str] | None = None

    def active_words(self, cls: str) -> list[str]:
        table = self._active
        if table is None:
            table = {}
            for c in self.clauses:
                if c.polarity in WORD_ACTIVE:
                    for k, ws in c.words.items():
                        table.setdefault(k, []).extend(ws)
            self._active = table
        return table.get(cls, ())

    def classes(self) -> set[str]:
        """The word classes asked for, allowed or capped anywhere in the sentence."""
        if self._classes is None:
            self._classes = {k for c in self.clauses if c.polarity in NUMBER_ACTIVE for k in c.words}
        return self._classes

    def has(self, *classes: str, active: bool = True) -> bool:
        return any(c.has(*classes) for c in self.clauses if c.active or not active)

    def quantities(self, active: bool = True) -> list[Quantity]:
        return [q for c in self.clauses if c.sets_numbers or not active for q in c.quantities]


_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*|\n")
_CLAUSE = re.compile(r"[^，,；;：:]+[，,；;：:]?")
_UNITS = "字|分钟|个小时|小时|人次|人|次|个小项|小项|个大类|大类|项|张|个工作日|工作日|个|天|日|份|篇|分|条|件|%|％|元|本|名|群|点位|点|条线路"
_QTY = re.compile(
    rf"(不少于|不低于|不得少于|至少|不超过|不多于|最多|至多|控制在|约|大约|左右)?\s*({QUANTITY})\s*({_UNITS})(以上|以内|以下|左右|之内)?"
)
_HOURS_MINUTES = re.compile(rf"({QUANTITY})\s*个?小时\s*({QUANTITY})\s*分钟?")
_SPAN = re.compile(
    r"([上下]午)?\s*([0-9０-９一二三四五六七八九十]{1,3})\s*[时点:：]\s*([0-9０-９一二三四五六七八九十]{1,3})?\s*分?\s*"
    r"(?:至|到|—|-|~|－)\s*([上下]午)?\s*([0-9０-９一二三四五六七八九十]{1,3})\s*[时点:：]\s*([0-9０-９一二三四五六七八九十]{1,3})?\s*分?"
)


def _minutes(hour: str, minute: str | None, half: str | None) -> float | None:
    h = parse_number(hour)
    m = parse_number(minute) if minute else 0.0
    if h is None or m is None:
        return None
    if half == "下午" and h < 12:
        h += 12
    return h * 60 + m


def _quantities(text: str, offset: int) -> list[Quantity]:
    out = []
    for m in _QTY.finditer(text):
        value = parse_number(m.group(2))
        if value is None:
            continue
        unit = m.group(3)
        if len(unit) > 1 and unit.startswith("个"):
            unit = unit[1:]
        pre, post = m.group(1) or "", m.group(4) or ""
        bound = ""
        if pre in ("不少于", "不低于", "不得少于", "至少") or post == "以上":
            bound = "min"
        elif pre in ("不超过", "不多于", "最多", "至多", "控制在") or post in ("以内", "以下", "之内"):
            bound = "max"
        elif pre in ("约", "大约") or post == "左右":
            bound = "about"
        out.append(Quantity(value, unit, m.group(), offset + m.start(), bound))
    for m in _HOURS_MINUTES.finditer(text):  # 一小时二十分钟: one duration, not two
        h, mins = parse_number(m.group(1)), parse_number(m.group(2))
        if h is not None and mins is not None:
            out = [q for q in out if not (m.start() <= q.start - offset < m.end())]
            pre = text[max(0, m.start() - 4) : m.start()]
            bound = "max" if any(w in pre for w in ("不超过", "以内", "控制在", "最多")) else ""
            out.append(Quantity(h * 60 + mins, "分钟", m.group(), offset + m.start(), bound))
    for m in _SPAN.finditer(text):  # 九时至十时四十分: a duration
        a = _minutes(m.group(2), m.group(3), m.group(1))
        b = _minutes(m.group(5), m.group(6), m.group(4) or m.group(1))
        if a is not None and b is not None and 0 < b - a <= 600:
            out.append(Quantity(b - a, "分钟", m.group(), offset + m.start(), "span"))
    return out


_NOT = re.compile(r"^[\s“”\"]*(也|并|且|均|一律|原则上|一般|都|概)?不(?![得少低超多要宜能])[\u4e00-\u9fff]")


@cache
def _opening() -> re.Pattern[str]:
    """The description markers that open a sentence (今年以来, 个别部门…): they scope all of it."""
    data = tomllib.loads(LEXICON.read_text(encoding="utf-8"))
    return re.compile("|".join(f"(?:{w})" for w in data["polarity"]["describe"] if w.startswith("^")))


@cache
def _any_marker() -> re.Pattern[str]:
    marks, _ = lexicon()
    names = ("forbid_but_demand", "cancel", "forbid", "voluntary", "permit", "cap")
    return re.compile("|".join(f"(?:{marks[n].pattern})" for n in names) + "|" + _NOT.pattern)


def clause_polarity(text: str, sentence_describes: bool) -> str:
    marks, _ = lexicon()
    if not _any_marker().search(text):  # most clauses carry no marker: one search decides
        return "describe" if sentence_describes else "demand"
    if marks["forbid_but_demand"].search(text):
        return "demand"
    if marks["cancel"].search(text) or _NOT.search(text):
        return "cancel"
    if marks["forbid"].search(text):
        return "forbid"
    if marks["voluntary"].search(text):
        return "voluntary"
    if marks["permit"].search(text):
        return "permit"
    if sentence_describes:
        return "describe"
    if marks["cap"].search(text):
        return "cap"
    return "demand"


def read_draft(text: str) -> list[Sentence]:
    """The draft's sentences with their clauses, polarities, words and quantities."""
    marks, classes = lexicon()
    describe, question, must = (
        marks["describe"].search,
        marks["question"].search,
        marks["forbid_but_demand"].search,
    )
    ordering = marks["ordering"].search
    opens = _opening().search
    sentences: list[Sentence] = []
    clauses: list[Clause] = []
    paragraph = 0
    for sm in _SENTENCE.finditer(text):
        raw = sm.group()
        if raw == "\n":
            paragraph += 1
            continue
        body = raw.strip()
        if not body:
            continue
        s_start = sm.start() + raw.index(body[0])
        sent = Sentence(s_start, s_start + len(body), body, paragraph)
        # a description scopes the whole sentence when it opens it, or when nothing in the sentence
        # orders anything (接待7人、陪餐11人，明显超出陪餐人数标准); otherwise only its own clause
        # (对存在问题整改不到位的乡镇，实行一票否决: the second clause still orders)
        found = describe(body)
        describes = found is not None and (opens(body) is not None or ordering(body) is None)
        asks = question(body) is not None
        for cm in _CLAUSE.finditer(body):
            ctext = cm.group()
            if not ctext.strip():
                continue
            polarity = (
                "question"
                if asks and not must(ctext)
                else clause_polarity(ctext, describes or describe(ctext) is not None)
            )
            c = Clause(s_start + cm.start(), s_start + cm.end(), ctext, polarity, {}, [])
            sent.clauses.append(c)
            clauses.append(c)
        sentences.append(sent)
    starts = [c.start for c in clauses]
    ends = [c.end for c in clauses]

    def owner(pos: int) -> int:
        i = bisect_right(starts, pos) - 1
        return i if i >= 0 and pos < ends[i] else -1

    for q in _quantities(text, 0):  # figures found once over the whole draft, then handed out
        i = owner(q.start)
        if i >= 0:
            clauses[i].quantities.append(q)
    for name, pattern in classes.items():
        for m in pattern.finditer(text):
            i = owner(m.start())
            if i >= 0:
                words = clauses[i].words
                if name in words:
                    words[name].append(m.group())
                else:
                    words[name] = [m.group()]
    return sentences
