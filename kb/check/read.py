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
from itertools import repeat
from pathlib import Path

from kb.check.skipahead import compile_skipping
from kb.numerals import QUANTITY, parse_number

LEXICON = Path(__file__).resolve().parent.parent / "data" / "draft_lexicon.toml"
# polarities under which what a clause names is asked for: demanded, allowed, or demanded with a
# cap (礼盒标准每份300元以内 still asks for a gift; the rules with figures compare the cap)
WORD_ACTIVE = ("demand", "permit", "cap")
_EMPTY: list[str] = []  # shared, never changed
NUMBER_ACTIVE = ("demand", "permit", "cap")  # … and under which its figures are set


@cache
def _lexicon_data() -> dict[str, dict[str, list[str]]]:
    """kb/data/draft_lexicon.toml, read once."""
    return tomllib.loads(LEXICON.read_text(encoding="utf-8"))


@cache
def lexicon() -> tuple[dict[str, re.Pattern[str]], dict[str, re.Pattern[str]]]:
    """(polarity markers, word classes), each class one compiled alternation."""
    data = _lexicon_data()

    def compile_all(table: dict[str, list[str]]) -> dict[str, re.Pattern[str]]:
        return {
            k: compile_skipping("|".join(f"(?:{w})" for w in sorted(v, key=len, reverse=True)))
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
    # class → the words asked for, allowed or capped anywhere in the sentence (filled by read_draft)
    active: dict[str, list[str]] = field(default_factory=dict)
    # the sentences before and after this one in its paragraph (not compared or shown: they link)
    before: Sentence | None = field(default=None, repr=False, compare=False)
    after: Sentence | None = field(default=None, repr=False, compare=False)

    def active_words(self, cls: str) -> list[str]:
        return self.active.get(cls, _EMPTY)

    def has(self, *classes: str, active: bool = True) -> bool:
        if active:
            table = self.active
            return any(c in table for c in classes)
        return any(c.has(*classes) for c in self.clauses)

    def quantities(self, active: bool = True) -> list[Quantity]:
        if len(self.clauses) == 1 and (not active or self.clauses[0].sets_numbers):
            return self.clauses[0].quantities  # the common case, without a new list
        return [q for c in self.clauses if c.sets_numbers or not active for q in c.quantities]


_SENTENCE = re.compile(r"[^。！？!?\n]+[。！？!?]*|\n")
_PIECE = re.compile(r"[^，,；;：:。！？!?\n]+[，,；;：:。！？!?”’』」）)]*|\n")
_SENTENCE_END = "。！？!?”’』」）)"
_CLAUSE = re.compile(r"[^，,；;：:]+[，,；;：:]?")
_UNITS = "字|分钟|个小时|小时|人次|人|次|个小项|小项|个大类|大类|项|张|个工作日|工作日|个|天|日|份|篇|分|条|件|%|％|元|本|名|群|点位|点|条线路"
_QTY = compile_skipping(
    rf"(不少于|不低于|不得少于|至少|不超过|不多于|最多|至多|控制在|约|大约|左右)?\s*({QUANTITY})\s*({_UNITS})(以上|以内|以下|左右|之内)?"
)
_HEADING_LINE = re.compile(
    r"^(?:第[一二三四五六七八九十]+[章节部分条]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．])?\s*"
    r"(?:关于)?[^。！？；，,]{0,30}(?:要求|规定|意见|通知|办法|事项|安排|措施|说明|目标|原则|任务|内容)$"
)
_HOURS_MINUTES = compile_skipping(rf"({QUANTITY})\s*个?小时\s*({QUANTITY})\s*分钟?")
_SPAN = compile_skipping(
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
    data = _lexicon_data()
    return re.compile("|".join(f"(?:{w})" for w in data["polarity"]["describe"] if w.startswith("^")))


@cache
def _unanchored(name: str) -> re.Pattern[str]:
    """A polarity class without its sentence-opening (^…) entries, for a pass over the whole
    draft (the opening ones are matched sentence by sentence, _opening)."""
    data = _lexicon_data()
    words = [w for w in data["polarity"][name] if not w.startswith("^")]
    return compile_skipping("|".join(f"(?:{w})" for w in sorted(words, key=len, reverse=True)))


@cache
def _any_marker() -> re.Pattern[str]:
    marks, _ = lexicon()
    names = ("forbid_but_demand", "cancel", "forbid", "voluntary", "permit", "cap")
    return re.compile("|".join(f"(?:{marks[n].pattern})" for n in names) + "|" + _NOT.pattern)


_ORDER = ("forbid_but_demand", "cancel", "forbid", "voluntary", "permit", "cap")
_CLAUSE_START = re.compile(
    r"(?:^|(?<=[，,；;：:。！？!?\n]))[\s“”\"]*(?:也|并|且|均|一律|原则上|一般|都|概)?不(?![得少低超多要宜能])[\u4e00-\u9fff]"
)


def polarity_of(marks: set[str], describes: bool) -> str:
    """A clause's polarity from the markers found in it (see the module docstring)."""
    if "forbid_but_demand" in marks:
        return "demand"
    if "cancel" in marks:
        return "cancel"
    for name in ("forbid", "voluntary", "permit"):
        if name in marks:
            return name
    if describes:
        return "describe"
    return "cap" if "cap" in marks else "demand"


def clause_polarity(text: str, sentence_describes: bool) -> str:
    """The polarity of one clause on its own (read_draft finds the markers over the whole draft
    at once; this is the same decision for a single clause)."""
    marks, _ = lexicon()
    found = {name for name in _ORDER if marks[name].search(text)}
    if _NOT.search(text):
        found.add("cancel")
    return polarity_of(found, sentence_describes)


def read_draft(text: str) -> list[Sentence]:
    """The draft's sentences with their clauses, polarities, words and quantities. Every marker
    and word class is looked for once over the whole draft and handed to the clause (or the
    sentence) it falls in: a million characters take about a second."""
    marks, classes = lexicon()
    sentences: list[Sentence] = []
    clauses: list[Clause] = []
    paragraph = 0
    current: Sentence | None = None
    for m in _PIECE.finditer(text):  # clauses, in one pass; a sentence ends at 。！？ or a line end
        piece = m.group()
        if piece == "\n":
            paragraph += 1
            current = None
            continue
        lead = len(piece) - len(piece.lstrip())
        body = piece.strip()
        if not body:
            continue
        start = m.start() + lead
        if current is None:
            current = Sentence(start, start, "", paragraph)
            sentences.append(current)
        c = Clause(start, start + len(body), body, "", {}, [])
        current.clauses.append(c)
        clauses.append(c)
        current.end = c.end
        if body[-1] in _SENTENCE_END:
            current = None
    for sent in sentences:
        sent.text = text[sent.start : sent.end]
        if _HEADING_LINE.match(sent.text):
            for c in sent.clauses:
                c.polarity = "heading"
    # which clause each character of the draft is in (-1 between clauses): a list index per word
    # found, where a bisect was a call (a million characters: one 8 MB list, built by C loops)
    at: list[int] = []
    for i, c in enumerate(clauses):
        at.extend(repeat(-1, c.start - len(at)))
        at.extend(repeat(i, c.end - c.start))
    at.extend(repeat(-1, len(text) - len(at)))
    s_starts = [sent.start for sent in sentences]

    def sentences_with(found: list[int]) -> dict[int, int]:
        """sentence index → where in it the first of these positions falls (from its start)."""
        hit: dict[int, int] = {}
        for pos in found:
            si = bisect_right(s_starts, pos) - 1
            if si >= 0 and pos < sentences[si].end and si not in hit:
                hit[si] = pos - s_starts[si]
        return hit

    described = [m.start() for m in _unanchored("describe").finditer(text)]  # one pass, used twice
    describing = sentences_with(described)
    opening = _opening()
    ordering = sentences_with([m.start() for m in marks["ordering"].finditer(text)])
    asking = sentences_with([m.start() for m in marks["question"].finditer(text)])
    clause_marks: list[set[str]] = [set() for _ in clauses]
    for name in _ORDER:
        for m in marks[name].finditer(text):
            i = at[m.start()]
            if i >= 0:
                clause_marks[i].add(name)
    for m in _CLAUSE_START.finditer(text):
        i = at[m.end() - 1]
        if i >= 0:
            clause_marks[i].add("cancel")
    clause_describes = {at[pos] for pos in described}
    clause_describes.discard(-1)
    k = 0
    for si, sent in enumerate(sentences):
        # a description scopes the whole sentence when it opens it, or when nothing in the sentence
        # orders anything (接待7人、陪餐11人，明显超出陪餐人数标准); otherwise only its own clause
        # (对存在问题整改不到位的乡镇，实行一票否决: the second clause still orders)
        describes = opening.match(sent.text) is not None or (si in describing and si not in ordering)
        for c in sent.clauses:
            if c.polarity != "heading":
                if si in asking and "forbid_but_demand" not in clause_marks[k]:
                    c.polarity = "question"
                else:
                    c.polarity = polarity_of(clause_marks[k], describes or k in clause_describes)
            k += 1
    for q in _quantities(text, 0):  # figures found once over the whole draft, then handed out
        i = at[q.start]
        if i >= 0:
            clauses[i].quantities.append(q)
    # class by class: each word handed to its clause and, when the clause asks for it, to its
    # sentence
    clause_words = [c.words for c in clauses]
    asked_in = [
        sent.active if c.polarity in WORD_ACTIVE else None for sent in sentences for c in sent.clauses
    ]
    for name, pattern in classes.items():
        deputy_matters = name == "top_leader"
        for m in pattern.finditer(text):
            pos = m.start()
            i = at[pos]
            if i < 0 or (deputy_matters and pos and text[pos - 1] == "副"):
                continue  # between clauses; 副书记, 副镇长: not the top person
            word = m.group()
            words = clause_words[i]
            if name in words:
                words[name].append(word)
            else:
                words[name] = [word]
            table = asked_in[i]
            if table is not None:
                if name in table:
                    table[name].append(word)
                else:
                    table[name] = [word]
    previous: Sentence | None = None
    for sent in sentences:
        if previous is not None and previous.paragraph == sent.paragraph:
            sent.before, previous.after = previous, sent
        previous = sent
    return sentences
