"""The draft checker: sentences → flags."""

from __future__ import annotations

import gc
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from typing import Any

from kb.check.read import Sentence, read_draft
from kb.check.rules import RULES, checked

RULES_BY_ID = {r.id: r for r in RULES}

MAX_CHARS = 1_000_000
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}

Similar = Callable[[str], list[dict[str, Any]]]  # sentence → [{"id", "title", "score", "provisions"}]
Cite = Callable[[str], str]  # provision id → citation label
Cases = Callable[[list[str]], list[dict[str, Any]]]  # provision ids → up to three cases


@dataclass
class Flag:
    start: int
    end: int
    sentence: str
    kind: str  # limit | pattern | similar
    rule: str
    title: str
    category: str
    severity: str
    explain: str
    provisions: list[dict[str, str]] = field(default_factory=list)
    cases: list[dict[str, Any]] = field(default_factory=list)
    confidence: str = ""  # 规则匹配 / 数量超限 / 相似度推荐（仅供参考）
    matched: str = ""  # the words that matched

    def dump(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CheckResult:
    flags: list[Flag]
    chars: int
    sentences: int
    notes: list[str] = field(default_factory=list)
    checked: list[dict[str, Any]] = field(default_factory=checked)  # the rules read against

    @property
    def verdict(self) -> str:
        """What the result says — never a clearance: the rules checked are named."""
        if any(f.kind != "similar" for f in self.flags):
            return "发现可能违反规定的表述，请逐条核对"
        return "未发现下列规定所列情形（这不是合规结论，请结合实际把关）"

    def dump(self) -> dict[str, Any]:
        counts = {k: sum(1 for f in self.flags if f.kind == k) for k in ("limit", "pattern", "similar")}
        return {
            "chars": self.chars,
            "sentences": self.sentences,
            "counts": counts,
            "verdict": self.verdict,
            "notes": self.notes,
            "checked": self.checked,
            "flags": [f.dump() for f in self.flags],
        }


_SENT = re.compile(r"[^。！？；\n]+[。！？；]?|\n")


def split_sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, sentence) with character offsets into the draft; 。！？； and line ends close a sentence."""
    out = []
    for m in _SENT.finditer(text):
        s = m.group()
        if not s.strip():
            continue
        lead = len(s) - len(s.lstrip())
        start = m.start() + lead
        body = s.strip()
        out.append((start, start + len(body), body))
    return out


_DEPLOYING = re.compile(r"(通知|方案|意见|办法|规定|要点|计划|决定|细则|规划|安排)")
_COMPREHENSIVE = re.compile(r"(综合性工作|工作要点|年度工作|全面工作)")
_SPECIAL = re.compile(r"(专项|专题|具体任务)")


_SPACE = re.compile(r"\s+")


def visible_chars(text: str) -> int:
    """Characters other than white space (what 字数 counts)."""
    return len(text) - sum(len(m) for m in _SPACE.findall(text))


def length_flag(text: str, first: Sentence | None) -> Flag | None:
    """The draft's own length against 若干规定 一: a document deploying work is generally ≤ 5000
    字, ≤ 4000 字 for a special task; the rule sets no figure for comprehensive work."""
    title = first.text if first else ""
    if not _DEPLOYING.search(title) or _COMPREHENSIVE.search(title):
        return None
    chars = visible_chars(text)
    limit = 4000 if _SPECIAL.search(title) else 5000
    if chars <= limit:
        return None
    kind = "部署专项工作或具体任务的文件" if limit == 4000 else "文件"
    return Flag(
        first.start,
        first.end,
        first.text,
        "limit",
        "doc-length",
        "文件篇幅超过字数上限",
        "文山会海",
        "medium",
        f"全文约 {chars} 字；{kind}一般不超过 {limit} 字（按标题判断，请核对）。",
        provisions=[{"id": "jfrg-2024/1"}, {"id": "jfqd-2024/1"}],
        confidence="数量超限",
        matched=f"{chars}字",
    )


_REPORTING = re.compile(r"(报告|总结|汇报|讲话|发言|致辞|情况通报|经验|做法|调研报告|心得|综述)")
_ORDERING = re.compile(r"(通知|方案|意见|办法|规定|细则|计划|安排|要点|议程|提示|函)")
LOWER = {"high": "medium", "medium": "low", "low": "low"}
WINDOW = 2  # sentences either side that a demand's frequency or consequence may stand in


def reports(title: str) -> bool:
    """A report, summary or speech (its title says so): what it says was done is described, not
    demanded of anyone."""
    return bool(_REPORTING.search(title)) and not _ORDERING.search(title)


@cache
def _rules_by_class() -> tuple[tuple[int, ...], dict[str, tuple[int, ...]]]:
    """(the rules every sentence is read against, word class → the rules that need it), as
    positions in RULES: a sentence is read only against the rules whose words it has."""
    always = tuple(i for i, r in enumerate(RULES) if not r.needs)
    by_class: dict[str, list[int]] = {}
    for i, r in enumerate(RULES):
        for c in r.needs:
            by_class.setdefault(c, []).append(i)
    return always, {c: tuple(v) for c, v in by_class.items()}


_COUNTERING = ("cancel", "forbid", "voluntary")


def rule_flags(sentences: list[Sentence], title: str) -> list[Flag]:
    """Every rule over every sentence, with the sentence's paragraph as context. In a report or
    speech each flag is one severity lower and says why."""
    describing = reports(title)
    by_paragraph: dict[int, list[Sentence]] = {}
    for s in sentences:
        by_paragraph.setdefault(s.paragraph, []).append(s)
    flags = []
    position = {id(s): i for para in by_paragraph.values() for i, s in enumerate(para)}
    always, by_class = _rules_by_class()
    suffix = "（本文是报告或讲话，所述多为已做的工作；请核对是否仍在这样要求基层）" if describing else ""
    chosen: dict[frozenset[str], list[int]] = {}  # the rules for a set of classes, worked out once
    for s in sentences:
        present = frozenset(s.active)
        candidates = chosen.get(present)
        if candidates is None:
            pick = set(always)
            for c in present:
                pick.update(by_class.get(c, ()))
            candidates = chosen[present] = sorted(pick)  # in RULES order, as flags are listed
        para = by_paragraph[s.paragraph]
        i = position[id(s)]
        ctx = para[max(0, i - WINDOW) : i + WINDOW + 1]  # bounded: a long paragraph stays linear
        # what a clause of the sentence cancels or forbids is not asked for by the rest of it
        # (请…自行下载App，不作统一要求，不统计下载率)
        countered = {k for c in s.clauses if c.polarity in _COUNTERING for k in c.words}
        fired: dict[str, str] = {}
        for ri in candidates:
            rule = RULES[ri]
            if countered and rule.needs and rule.kind == "pattern" and countered.intersection(rule.needs):
                continue
            if rule.yields_to and any(other in fired for other in rule.yields_to):
                continue  # a rule it yields to has fired already: its flag would be dropped
            m = rule.find(s, ctx, title)
            if m:
                fired[rule.id] = m
        for rule_id, matched in fired.items():
            rule = RULES_BY_ID[rule_id]
            if any(other in fired for other in rule.yields_to):
                continue
            flags.append(
                Flag(
                    s.start,
                    s.end,
                    s.text,
                    rule.kind,
                    rule.id,
                    rule.title,
                    rule.category,
                    LOWER[rule.severity] if describing else rule.severity,
                    rule.explain + suffix,
                    provisions=[{"id": p} for p in rule.provisions],
                    confidence="数量超限" if rule.kind == "limit" else "规则匹配",
                    matched=matched,
                )
            )
    return flags


def check_draft(
    text: str,
    *,
    similar: Similar | None = None,
    cite: Cite | None = None,
    cases: Cases | None = None,
    similar_limit: int = 20,
) -> CheckResult:
    """Check a draft. Never raises on odd input; over-long text is checked up to MAX_CHARS.
    The cyclic garbage collector is paused meanwhile: reading makes hundreds of thousands of
    small objects and no cycles, and the collector's passes over them were a third of the time
    of a million characters."""
    was = gc.isenabled()
    gc.disable()
    try:
        return _check(text, similar=similar, cite=cite, cases=cases, similar_limit=similar_limit)
    finally:
        if was:
            gc.enable()


def _check(
    text: str,
    *,
    similar: Similar | None = None,
    cite: Cite | None = None,
    cases: Cases | None = None,
    similar_limit: int = 20,
) -> CheckResult:
    """Check a draft. Never raises on odd input; over-long text is checked up to MAX_CHARS."""
    notes: list[str] = []
    text = text or ""
    if len(text) > MAX_CHARS:
        notes.append(f"文本过长，只检查了前 {MAX_CHARS} 个字符")
        text = text[:MAX_CHARS]
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # one offset convention, web and CLI
    if not text.strip():
        return CheckResult([], 0, 0, ["没有可检查的文字"])
    read = read_draft(text)
    title = read[0].text if read else ""
    flags = rule_flags(read, title)
    whole = length_flag(text, read[0] if read else None)
    if whole is not None:
        flags.insert(0, whole)
    sentences = [(s.start, s.end, s.text) for s in read]
    if similar is not None:
        flagged = {(f.start, f.end) for f in flags}
        asked = 0
        for start, end, s in sentences:
            if (start, end) in flagged or len(s) < 12 or asked >= similar_limit * 10:
                continue
            asked += 1
            for hit in similar(s)[:1]:
                flags.append(
                    Flag(
                        start,
                        end,
                        s,
                        "similar",
                        f"similar:{hit['id']}",
                        hit["title"],
                        hit.get("category", ""),
                        "low",
                        "这句话与负面清单事项或条文相近，请对照核实；这是相似度推荐，不是认定。",
                        provisions=[{"id": p} for p in hit.get("provisions", [hit["id"]])],
                        confidence="相似度推荐（仅供参考）",
                        matched=hit["id"],
                    )
                )
            if sum(1 for f in flags if f.kind == "similar") >= similar_limit:
                notes.append(f"相似度推荐只列前 {similar_limit} 条")
                break
    for f in flags:
        for p in f.provisions:
            p["citation"] = cite(p["id"]) if cite else p["id"]
        if cases is not None:
            f.cases = cases([p["id"] for p in f.provisions])[:3]
    flags.sort(key=lambda f: (f.start, SEVERITY_ORDER.get(f.severity, 3), f.kind))
    return CheckResult(flags, visible_chars(text), len(sentences), notes)
