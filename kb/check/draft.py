"""The draft checker: sentences → flags."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

RULES = Path(__file__).resolve().parent.parent / "data" / "check_rules.toml"
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

    def dump(self) -> dict[str, Any]:
        counts = {k: sum(1 for f in self.flags if f.kind == k) for k in ("limit", "pattern", "similar")}
        return {
            "chars": self.chars,
            "sentences": self.sentences,
            "counts": counts,
            "notes": self.notes,
            "flags": [f.dump() for f in self.flags],
        }


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    category: str
    severity: str
    provisions: tuple[str, ...]
    explain: str
    patterns: tuple[re.Pattern[str], ...]
    unless: tuple[re.Pattern[str], ...]


@cache
def load_rules(path: Path = RULES) -> tuple[Rule, ...]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    describing = [re.compile(p) for p in data.get("describing", [])]
    rules = []
    for r in data["rule"]:
        rules.append(
            Rule(
                id=r["id"],
                title=r["title"],
                category=r["category"],
                severity=r["severity"],
                provisions=tuple(r["provisions"]),
                explain=r["explain"],
                patterns=tuple(re.compile(p) for p in r["patterns"]),
                unless=tuple(re.compile(p) for p in r.get("unless", [])) + tuple(describing),
            )
        )
    return tuple(rules)


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


# ------------------------------------------------------------------ limits

_DEPLOYING = re.compile(r"(通知|方案|意见|办法|规定|要点|计划|决定|细则|规划|安排)")
_COMPREHENSIVE = re.compile(r"(工作要点|工作报告|综合|总体|规划|纲要|全面|年度工作)")
_SPEECH = re.compile(r"(讲话|主报告|会议报告|发言)[^。；]{0,12}?(\d+(?:\.\d+)?)\s*个?(小时|分钟)")
_MEETINGS = re.compile(r"每(季度|月|两个月|半年)(召开|举行).{0,8}(综合性|全面|全体).{0,6}(工作)?会议")


def _limit(
    span: tuple[int, int, str], rule: str, title: str, explain: str, provisions: list[str], matched: str
) -> Flag:
    """A flag for a measurable limit of the 若干规定 (all rest on its 一 and 二 parts)."""
    start, end, sentence = span
    return Flag(
        start,
        end,
        sentence,
        "limit",
        rule,
        title,
        "文山会海",
        "medium",
        explain,
        provisions=[{"id": p} for p in provisions],
        confidence="数量超限",
        matched=matched,
    )


def length_flags(text: str, sentences: list[tuple[int, int, str]]) -> list[Flag]:
    """若干规定 (2024) 一: documents generally ≤ 5000 字, ≤ 4000 字 for a special task."""
    chars = sum(1 for c in text if not c.isspace())
    title = sentences[0][2] if sentences else ""
    if not _DEPLOYING.search(title):
        return []  # reports, speeches and minutes are not documents that deploy work
    comprehensive = bool(_COMPREHENSIVE.search(title))
    limit = 5000 if comprehensive else 4000
    if chars <= limit:
        return []
    kind_text = "部署综合性工作的文件" if comprehensive else "部署专项工作或具体任务的文件"
    explain = f"全文约 {chars} 字；{kind_text}一般不超过 {limit} 字（按标题判断为{'综合性' if comprehensive else '专项'}文件，请核对）。"
    return [
        _limit(
            sentences[0],
            "doc-length",
            "文件篇幅超过字数上限",
            explain,
            ["jfrg-2024/1", "jfqd-2024/1"],
            f"{chars}字",
        )
    ]


def speech_flags(sentences: list[tuple[int, int, str]]) -> list[Flag]:
    flags = []
    for span in sentences:
        s = span[2]
        for m in _SPEECH.finditer(s):
            minutes = float(m.group(2)) * (60 if m.group(3) == "小时" else 1)
            if minutes > 60:
                explain = f"安排的讲话或主报告约 {minutes:g} 分钟；主要负责同志讲话或会议主报告不超过1小时。"
                flags.append(
                    _limit(
                        span,
                        "speech-length",
                        "讲话或主报告超过1小时",
                        explain,
                        ["jfrg-2024/2", "jfqd-2024/6"],
                        m.group(),
                    )
                )
        m = _MEETINGS.search(s)
        if m:
            explain = "本系统本领域综合性工作会议原则上每年不超过1次。"
            flags.append(
                _limit(
                    span,
                    "meeting-frequency",
                    "综合性工作会议过多",
                    explain,
                    ["jfrg-2024/2", "jfqd-2024/4"],
                    m.group(),
                )
            )
    return flags


# ------------------------------------------------------------------ patterns


def pattern_flags(sentences: list[tuple[int, int, str]], rules: tuple[Rule, ...]) -> list[Flag]:
    flags = []
    for start, end, s in sentences:
        for rule in rules:
            hit = next((m for p in rule.patterns if (m := p.search(s))), None)
            if hit is None or any(u.search(s) for u in rule.unless):
                continue
            flags.append(
                Flag(
                    start,
                    end,
                    s,
                    "pattern",
                    rule.id,
                    rule.title,
                    rule.category,
                    rule.severity,
                    rule.explain,
                    provisions=[{"id": p} for p in rule.provisions],
                    confidence="规则匹配",
                    matched=hit.group(),
                )
            )
    return flags


def check_draft(
    text: str,
    *,
    rules: tuple[Rule, ...] | None = None,
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
    if not text.strip():
        return CheckResult([], 0, 0, ["没有可检查的文字"])
    sentences = split_sentences(text)
    flags = (
        length_flags(text, sentences)
        + speech_flags(sentences)
        + pattern_flags(sentences, rules or load_rules())
    )
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
    return CheckResult(flags, sum(1 for c in text if not c.isspace()), len(sentences), notes)
