"""Resolve citations to provisions on evidence, or keep them unresolved with the reason.

Precision first: a wrong link under a rule misleads the discipline officer who trusts the rule's
list of cases, so a citation links only when the evidence settles both the document and its
edition. Otherwise it stays unresolved with one of these outcomes (``Resolution.outcome``):

``no-document``        nothing in the text names the document;
``document-not-held``  the document named is not in the knowledge base (刑法, 监察法实施条例);
``edition-not-held``   the edition meant is one the knowledge base does not hold (the 2015 条例);
``edition-uncertain``  the evidence leaves two or more editions possible (``candidates``);
``article-not-held``   the edition is held, but not that article (a summary of some articles);
``resolved``           linked.

The document comes from how the text names it (kb.links.find): an exact title or registered
name, an alias the text defined, 该条例 and the like, an article in a list after a named one, or
the record's only cited document — never a title that merely contains the name.

The edition, for a document with several, from evidence in this order:
1. the words of the citation: a year (2018年《条例》; 2016年 means the revision in force from
   2016), 新/修订后 and 原/修订前 (read against the text's date), a dated title heading;
2. agreement of content: what the sentence (and a quoted text after it) says the article is
   about, against that article's own words in each held edition — numbering differs between
   editions, so 2018 第八十七条 (纵容、默许亲属) is not 2023 第八十七条 (表决权);
3. dates: the record's own date, else a lower bound from the latest year its text mentions and
   the laws it cites (a text citing the 政务处分法 was written after July 2020); the editions in
   force in that window are the candidates. A window that admits an edition not held (the 2015
   条例) leaves the citation unresolved unless the content decides.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from kb.links import documents
from kb.links.find import Citation
from kb.models import Record

_SELF = ("本条例", "本规定", "本法", "本细则", "本办法")
_YEAR_BEFORE = re.compile(
    r"(\d{4})\s*年(?:\d{1,2}月(?:\d{1,2}日)?)?(?:第[一二三四五]次)?(?:修订|修正|施行|印发|颁布|发布|出台)?(?:后|前)?"
    r"(?:的|版|之)?\s*《?[^《》，。；、\d]{0,24}》?\s*(?:中|的)?\s*$"
)
_TITLE_YEAR = re.compile(r"(\d{4})\s*年")
_NEW = re.compile(r"(新修订|修订后|新版|新《|新的《|现行)[^，。；]{0,16}$")
_OLD = re.compile(r"(原《|原来的|修订前|旧《|原条例|老条例)[^，。；]{0,16}$")
_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?!\s*(?:修订|修正|版|《))")

AGREE = 0.25  # weighted share of the context found in the article it describes
AGREE_MARGIN = 0.05  # by how much that article must beat the edition's next best
DISAGREE = 0.6  # how well another article must fit for the context to rule article N out
OVERRIDE = 0.6  # agreement so close that it outweighs the dates (the number is edition-specific)
LAG = 1  # a text is taken to be written by the end of the year after the latest year it mentions
LIKELY = 0.8  # share of the date window an edition must cover to be taken on dates alone
POSSIBLE = 0.3  # share an edition the content points to must cover


@dataclass(frozen=True, slots=True)
class Resolution:
    citation: Citation
    target: str | None  # provision id, or None when unresolved
    reason: str = ""  # in words: why it is unresolved, or how it was chosen
    outcome: str = "resolved"
    candidates: tuple[str, ...] = ()  # the provisions an uncertain edition leaves possible
    evidence: tuple[str, ...] = ()  # what decided it, in order
    family: str = ""  # the document family, once known
    decided_by: str = ""  # words | content | dates | only (a document with one text)
    possible: tuple[int, ...] = ()  # for an uncertain edition: the edition years still possible

    def dump(self) -> dict[str, object]:
        return {
            "target": self.target,
            "reason": self.reason,
            "outcome": self.outcome,
            "candidates": list(self.candidates),
            "evidence": list(self.evidence),
            **self.citation.dump(),
        }


@dataclass
class Family:
    key: str  # catalogue family ("cdc") or the held record's family id
    versions: list[Record] = field(default_factory=list)  # held texts, oldest first

    def held(self, year: int) -> Record | None:
        return next((r for r in self.versions if _year(r) == year), None)


def _year(r: Record) -> int | None:
    d = r.date or r.effective
    return d.year if d else r.year


class PolicyIndex:
    """Held policies by every name they are cited by, grouped into families of editions, and
    the catalogue of documents not held (kb/data/documents.toml)."""

    def __init__(self, records: Iterable[Record]):
        self.by_id: dict[str, Record] = {}
        self.families: dict[str, Family] = {}
        self.by_name: dict[str, Family] = {}
        catalogue = documents.family_of_name()
        groups: dict[str, list[Record]] = {}
        for r in records:
            if r.kind != "policy":
                continue
            self.by_id[r.id] = r
            names = {documents.normalise_name(n) for n in (r.title, *r.short_names)}
            key = r.version_of or next((catalogue[n] for n in names if n in catalogue), "") or r.id
            groups.setdefault(key, []).append(r)
        for key, versions in groups.items():
            versions.sort(key=lambda r: r.effective or r.date or dt.date.min)
            fam = self.families[key] = Family(key, versions)
            names = {documents.normalise_name(n) for r in versions for n in (r.title, *r.short_names)}
            names |= {documents.normalise_name(n) for n in documents.catalogue().get(key, ())}
            for name in names:
                if name:
                    self.by_name.setdefault(name, fam)

    def content(self, record: Record) -> ContentIndex:
        """The content index of a held text, built once."""
        cache = self.__dict__.setdefault("_content", {})
        if record.id not in cache:
            cache[record.id] = ContentIndex(record)
        return cache[record.id]

    def family(self, title: str) -> Family | None:
        """The held family a name names exactly (after normalising), or None."""
        return self.by_name.get(documents.normalise_name(title))

    def versions(self, title: str) -> list[Record]:
        fam = self.family(title)
        return list(fam.versions) if fam else []


# ---------------------------------------------------------------- evidence


def _grams(text: str) -> set[str]:
    t = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {t[i : i + 2] for i in range(len(t) - 1)}


class ContentIndex:
    """The articles of one held edition as weighted bigram sets, to ask whether a citing
    context describes article N of this edition better than any other of its articles."""

    def __init__(self, record: Record):
        self.units = {u.anchor: _grams(u.text) for u in record.units}
        df: dict[str, int] = {}
        for grams in self.units.values():
            for g in grams:
                df[g] = df.get(g, 0) + 1
        n = max(1, len(self.units))
        import math

        self.idf = {g: math.log((n + 1) / (c + 0.5)) for g, c in df.items()}

    def scores(self, context: str) -> dict[str, float]:
        grams = {g for g in _grams(context) if g in self.idf}
        if not grams:
            return {}
        total = sum(self.idf[g] for g in grams)
        return {a: sum(self.idf[g] for g in grams & us) / total for a, us in self.units.items()}

    def agreement(self, context: str, anchor: str) -> tuple[str, float]:
        """("agrees" | "disagrees" | "silent", the article's score): agrees when article N is the
        one of this edition the context fits best, clearly; disagrees when another article fits
        clearly better and N is not among the five best."""
        scores = self.scores(context)
        if not scores or anchor not in scores:
            return "silent", 0.0
        ranked = sorted(scores.items(), key=lambda x: -x[1])
        own = scores[anchor]
        top_anchor, top = ranked[0]
        if top_anchor == anchor and own >= AGREE and (len(ranked) < 2 or own - ranked[1][1] >= AGREE_MARGIN):
            return "agrees", own
        rank = next(i for i, (a, _) in enumerate(ranked, 1) if a == anchor)
        if top >= DISAGREE and rank > 5 and own <= top / 2:
            return "disagrees", own
        return "silent", own


def content_similarity(context: str, article_text: str) -> float:
    """How much of what the citing text says is in the article: the share of the context's
    character bigrams found in the article (the article is longer; the context says less)."""
    a, b = _grams(context), _grams(article_text)
    if not a or not b:
        return 0.0
    return len(a & b) / len(a)


def _context(c: Citation) -> str:
    """What the text says the article is about: its sentence without the citation itself and
    without document titles, plus what follows it when that is a quotation of the article."""
    s = c.sentence.replace(c.text, " ")
    s = re.sub(r"《[^》]*》", " ", s)
    after = c.after
    m = re.match(r"[^“\"]{0,12}[“\"]([^”\"]{4,300})", after)
    return s + " " + (m.group(1) if m else "")


def text_window(record: Record) -> tuple[dt.date | None, dt.date | None, list[str]]:
    """(earliest, latest) date the citing text can have been written, and why: its own date
    fixes both; otherwise the latest year it mentions and the newest law it cites bound it
    from below."""
    if record.date:
        return record.date, record.date, [f"记录日期 {record.date.isoformat()}"]
    if record.year:
        return dt.date(record.year, 1, 1), dt.date(record.year, 12, 31), [f"记录年份 {record.year}"]
    text = record.text
    why: list[str] = []
    lo: dt.date | None = None
    years = [int(y) for y in _YEAR.findall(text) if 1990 <= int(y) <= dt.date.today().year]
    if years:
        lo = dt.date(max(years), 1, 1)
        why.append(f"文中最晚年份 {max(years)}")
    for fam, since in documents.since().items():
        if (
            since
            and (lo is None or since > lo)
            and any(n in text for n in documents.catalogue().get(fam, ()))
        ):
            lo = since
            why.append(f"引用了 {documents.catalogue()[fam][0]}（{since.isoformat()} 起）")
    hi = dt.date(lo.year + LAG, 12, 31) if lo else None
    if hi:
        why.append(f"推定写于 {lo.isoformat()} 至 {hi.isoformat()} 之间")
    return lo, hi, why


def _window_shares(family: str, lo: dt.date | None, hi: dt.date | None) -> dict[int, float]:
    """edition year → the share of the window [lo, hi] during which it was in force (the
    editions possible by date). Without a bounded window every edition is possible, at 0."""
    eds = documents.editions(family)
    out: dict[int, float] = {}
    for i, e in enumerate(eds):
        end = eds[i + 1].start if i + 1 < len(eds) else dt.date.max
        if lo is None or hi is None:
            if (hi is None or e.start <= hi) and (lo is None or end > lo):
                out[e.year] = 0.0
            continue
        overlap = (min(end, hi + dt.timedelta(days=1)) - max(e.start, lo)).days
        if overlap > 0:
            out[e.year] = overlap / ((hi - lo).days + 1)
    return out


# ---------------------------------------------------------------- resolution


def _named_edition(c: Citation, fam: Family, when: dt.date | None) -> tuple[int | None, str]:
    """The edition the citation's own words name: (year, how), or (None, "")."""
    key = fam.key
    m = (
        _TITLE_YEAR.search(c.title)
        or _YEAR_BEFORE.search(c.before)
        or (_YEAR_BEFORE.search(c.title_before) if c.title_before else None)
    )
    if m:
        e = documents.edition_for_year(key, int(m.group(1)))
        if e is not None:
            return e.year, f"引文写明 {m.group(1)} 年"
        held = next((r for r in fam.versions if _year(r) == int(m.group(1))), None)
        if held is not None:
            return int(m.group(1)), f"引文写明 {m.group(1)} 年"
        dated = all(_year(r) for r in fam.versions)  # an undated text cannot be told from another year's
        if dated and re.search(
            r"年[^《》]{0,8}(修订|修正|版|施行|印发|颁布)", m.group()
        ):  # 2015年修订的《…》
            return int(m.group(1)), f"引文写明 {m.group(1)} 年的版本"
    dm = _DATE.search(c.edition)
    if dm:
        try:
            on = dt.date(*map(int, dm.groups()))
        except ValueError:
            on = None
        if on is not None:
            e = next((e for e in documents.editions(key) if e.issued == on), None) or documents.in_force(
                key, on
            )
            if e is not None:
                return e.year, f"标题注明 {on.isoformat()}"
            held = next((r for r in fam.versions if r.date == on), None)
            if held is not None:
                return _year(held), f"标题注明 {on.isoformat()}"
    if when is not None and (_NEW.search(c.before) or _OLD.search(c.before)):
        now = documents.in_force(key, when)
        if now is not None:
            if _NEW.search(c.before):
                return now.year, f"“新”条例，按 {when.isoformat()} 施行的版本"
            eds = documents.editions(key)
            i = eds.index(now)
            if i > 0:
                return eds[i - 1].year, f"“原”条例，按 {when.isoformat()} 之前的版本"
    return None, ""


def _unresolved(
    c: Citation, outcome: str, reason: str, evidence: list[str], candidates: Iterable[str] = ()
) -> Resolution:
    return Resolution(c, None, reason, outcome, tuple(candidates), tuple(evidence))


def _article(
    c: Citation, r: Record, how: str, evidence: list[str], family: str = "", decided_by: str = ""
) -> Resolution:
    anchor = str(c.article)
    if r.unit(anchor) is None:
        last = max((int(u.anchor) for u in r.units if u.anchor.isdigit()), default=0)
        if c.article and c.article > last and not r.summary:
            why = f"{r.id} 共 {last} 条，没有第 {c.article} 条"
        else:
            why = f"{r.id} 中没有第 {c.article} 条" + ("（本库只收了部分条文的摘要）" if r.summary else "")
        return _unresolved(c, "article-not-held", why, evidence)
    return Resolution(c, f"{r.id}/{anchor}", how, "resolved", (), tuple(evidence), family, decided_by)


def resolve_one(c: Citation, record: Record, index: PolicyIndex, window: tuple | None = None) -> Resolution:
    """One citation (see the module docstring for the evidence and its order)."""
    evidence = [f"文件依据：{c.named or '无'}" + (f"（{c.title}）" if c.title else "")]
    if not c.title:
        return _unresolved(c, "no-document", "引文附近没有写明文件", evidence)
    if c.title in _SELF:
        if record.kind != "policy":
            return _unresolved(c, "no-document", f"“{c.title}”不在规定文本中", evidence)
        return _article(c, record, "本文件", evidence)
    fam = index.family(c.title)
    if fam is None:
        outside = documents.family_of_name().get(documents.normalise_name(c.title))
        why = f"《{c.title}》不在知识库中" + ("" if outside else "（未登记的文件名）")
        return _unresolved(c, "document-not-held", why, evidence)
    lo, hi, why_dates = window if window is not None else text_window(record)
    when = hi if hi == lo else None
    if when is None and lo and hi:  # 新《条例》 in a text of 2016–2017: the edition then in force
        shares = _window_shares(fam.key, lo, hi)
        if shares and max(shares.values()) >= LIKELY:
            when = lo
    year, how = _named_edition(c, fam, when)
    if year is not None:
        evidence.append(how)
        held = fam.held(year)
        if held is None:
            out = _unresolved(c, "edition-not-held", f"所引 {year} 年版不在知识库中", evidence)
            return replace(out, family=fam.key, decided_by="words", possible=(year,))
        return _article(c, held, how, evidence, fam.key, "words")
    if len(fam.versions) == 1 and not documents.editions(fam.key):
        only = fam.versions[0]
        start = only.effective or only.date
        if start and lo and hi and hi < start:
            return _unresolved(c, "edition-not-held", f"引文早于 {only.id} 的施行日期", evidence)
        return _article(c, only, "", evidence, fam.key, "only")
    # several editions: content, then dates
    context = _context(c)
    content: dict[int, str] = {}
    strength: dict[int, float] = {}
    for r in fam.versions:
        if r.unit(str(c.article)) is not None and not r.summary:
            verdict, score = index.content(r).agreement(context, str(c.article))
            content[_year(r)], strength[_year(r)] = verdict, score
            evidence.append(f"内容与 {_year(r)} 年版第 {c.article} 条：{_VERDICT[verdict]}（{score:.2f}）")
    evidence += why_dates
    shares = _window_shares(fam.key, lo, hi)
    bounded = any(shares.values())
    if bounded:
        evidence.append("按日期可能的版本：" + "，".join(f"{y}年 {p:.0%}" for y, p in shares.items()))
    agreeing = [y for y, v in content.items() if v == "agrees"]
    content_best = agreeing[0] if len(agreeing) == 1 else None
    if content_best is not None and any(v == "agrees" for y, v in content.items() if y != content_best):
        content_best = None
    unheld = sum(p for y, p in shares.items() if fam.held(y) is None)
    if content_best is not None and strength[content_best] >= OVERRIDE and len(content) > 1:
        # the other held edition has something else under this number: the number is edition-
        # specific here, and a description this close is of this edition's article
        evidence.append(f"内容与 {content_best} 年版第 {c.article} 条高度相符，且他版同号条文内容不同")
        return _article(
            c, fam.held(content_best), f"内容与 {content_best} 年版相符", evidence, fam.key, "content"
        )
    # content decides among the held editions the dates leave possible; it cannot rule out an
    # edition the knowledge base does not hold, so that one must be unlikely by date
    if (
        content_best is not None
        and bounded
        and shares.get(content_best, 0) >= POSSIBLE
        and unheld < 1 - LIKELY
    ):
        return _article(
            c, fam.held(content_best), f"内容与 {content_best} 年版相符", evidence, fam.key, "content"
        )
    if bounded:
        likely, share = max(shares.items(), key=lambda x: x[1])
        if share >= LIKELY:
            if fam.held(likely) is None:
                if content_best is None:
                    return _unresolved(
                        c, "edition-not-held", f"按日期应为 {likely} 年版，不在知识库中", evidence
                    )
            elif content.get(likely) != "disagrees" and (content_best in (None, likely)):
                evidence.append(f"按日期，{likely} 年版施行")
                return _article(c, fam.held(likely), "按日期施行的版本", evidence, fam.key, "dates")
    if content and all(v == "disagrees" for v in content.values()):
        return _unresolved(
            c,
            "edition-not-held",
            f"所述内容与知识库所收各版本第 {c.article} 条都不符，应为其他版本",
            evidence,
        )
    held_years = [y for y in shares if fam.held(y) is not None] or [y for y in content]
    if not held_years:
        names = "、".join(str(y) for y in shares)
        return _unresolved(c, "edition-not-held", f"按日期应为 {names} 年版，不在知识库中", evidence)
    ids = [
        f"{fam.held(y).id}/{c.article}"
        for y in held_years
        if fam.held(y) and fam.held(y).unit(str(c.article))
    ]
    names = "、".join(str(y) for y in (shares or content))
    out = _unresolved(c, "edition-uncertain", f"版本不确定：{names} 年版皆有可能", evidence, ids)
    possible = tuple(y for y in (shares or content) if content.get(y) != "disagrees")
    return replace(out, family=fam.key, possible=possible)


_VERDICT = {"agrees": "相符", "disagrees": "不符", "silent": "无从判断"}


def resolve_citations(citations: Iterable[Citation], record: Record, index: PolicyIndex) -> list[Resolution]:
    """Every article citation of a record, resolved. A text uses one edition of a document
    throughout unless it says otherwise: when the citations whose own words or content decided
    an edition all name the same one, a citation of that document whose edition stayed
    uncertain (and whose content does not rule it out) takes it too."""
    out: list[Resolution] = []
    window = None
    for c in citations:
        if c.article is None:
            continue  # 八项规定精神 without an article: a mention, not a provision citation
        if window is None:
            window = text_window(record)
        out.append(resolve_one(c, record, index, window))
    decided: dict[str, set[int | None]] = {}
    for r in out:
        if r.decided_by in ("words", "content") and r.family:
            year = _year(index.by_id[r.target.split("/")[0]]) if r.target else (r.possible or (None,))[0]
            decided.setdefault(r.family, set()).add(year)
    for i, r in enumerate(out):
        years = decided.get(r.family, set())
        if r.outcome != "edition-uncertain" or len(years) != 1:
            continue
        fam = index.families.get(r.family)
        held = fam.held(next(iter(years))) if fam else None
        if held is None or _year(held) not in r.possible:
            continue
        evidence = [*r.evidence, f"同一文本中其他引文已确定为 {held.id}"]
        out[i] = _article(
            r.citation, held, f"与本文其他引文同一版本（{held.id}）", evidence, r.family, "record"
        )
    return out
