"""The query language a cadre can type, parsed without ever raising.

    公款吃喝 通报            both words (AND)
    "基层减负"               exact phrase
    -乡镇                    exclude
    文山会海 OR 督检考       either (也可写 或 |)
    类型:案例 年份:2023      field filters with Chinese names (see schema.FIELD_NAMES)

Whatever is typed, ``parse`` returns a ParsedQuery; what it could not use is said in
``notes`` and shown back to the user with the rest ("您检索的是…").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from whoosh import query as Q

from indexer.analysis import bigrams, cut, domain_terms, normalise, question_words, subwords, synonym_groups
from indexer.schema import FACET_LABELS, FACETS, FIELD_NAMES, KIND_VALUES, value_label

MAX_QUERY = 256  # characters kept from a query; the rest is dropped with a note
MAX_CLAUSES = 24

_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "＂": '"', "「": '"', "」": '"', "：": ":", "－": "-", "｜": "|"}
)
_LEX = re.compile(r'\s*(-?)"([^"]*)("?)|\s*(\S+)')


@dataclass
class Clause:
    kind: str  # word | phrase | filter
    value: str
    field: str = ""  # facet name, for filters
    negated: bool = False
    synonyms: tuple[str, ...] = ()
    origin: str = ""  # where the synonyms came from: "table" (synonyms.txt) or "thesaurus"

    def describe(self) -> str:
        if self.kind == "filter":
            s = f"{FACET_LABELS.get(self.field, self.field)}={value_label(self.field, self.value)}"
        elif self.kind == "phrase":
            s = f"“{self.value}”（精确短语）"
        else:
            s = self.value + (f"（含同义词：{'、'.join(self.synonyms)}）" if self.synonyms else "")
        return ("不含 " if self.negated else "") + s

    def dump(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "value": self.value,
            "field": self.field,
            "negated": self.negated,
            "synonyms": list(self.synonyms),
        }


@dataclass
class ParsedQuery:
    raw: str
    groups: list[list[Clause]] = field(default_factory=list)  # AND of OR-groups
    filters: list[Clause] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    explicit_and: bool = False  # the user wrote AND (且, +): no word may be left out

    @property
    def empty(self) -> bool:
        return not self.groups and not self.filters

    def describe(self) -> str:
        parts = [" 或 ".join(c.describe() for c in g) for g in self.groups]
        parts += [c.describe() for c in self.filters]
        return " 且 ".join(parts) if parts else "（全部）"

    def dump(self) -> dict[str, Any]:
        return {
            "described": self.describe(),
            "groups": [[c.dump() for c in g] for g in self.groups],
            "filters": [c.dump() for c in self.filters],
            "notes": self.notes,
        }

    def words(self) -> list[str]:
        return [c.value for g in self.groups for c in g if not c.negated]


def _sanitize(raw: str, notes: list[str]) -> str:
    s = "".join(" " if unicodedata.category(c)[0] in "CZ" and c != " " else c for c in raw or "")
    s = s.translate(_QUOTES)
    if len(s) > MAX_QUERY:
        notes.append(f"检索式过长，只用了前 {MAX_QUERY} 个字符")
        s = s[:MAX_QUERY]
    return s.strip()


def _has_tokens(text: str) -> bool:
    return bool(cut(text)) or any(True for _ in bigrams(text))


def _filter_value(facet: str, value: str) -> str | None:
    if facet == "kind":
        return KIND_VALUES.get(value) or KIND_VALUES.get(value.lower())
    if facet == "year":
        m = re.fullmatch(r"(\d{4})年?", value)
        return m.group(1) if m else None
    return value


def parse(raw: str) -> ParsedQuery:
    """Parse a typed query. Never raises."""
    notes: list[str] = []
    text = _sanitize(raw, notes)
    pq = ParsedQuery(raw=raw or "", notes=notes)
    pending_or = False
    for m in _LEX.finditer(text):
        if len(pq.groups) + len(pq.filters) >= MAX_CLAUSES:
            notes.append(f"检索词过多，只用了前 {MAX_CLAUSES} 个")
            break
        made: list[Clause] = []
        if m.group(2) is not None or m.group(3):
            value = m.group(2).strip()
            if not m.group(3):
                notes.append("引号未闭合，已按短语处理")
            if value and _has_tokens(value):
                made.append(Clause("phrase", value, negated=bool(m.group(1))))
            elif value:
                notes.append(f"已忽略无法检索的内容：{value}")
        else:
            token = m.group(4)
            if token.upper() in ("OR", "或", "|", "||"):
                pending_or = bool(pq.groups)
                if not pq.groups:
                    notes.append(f"“{token}”前面没有检索词，已忽略")
                continue
            if token.upper() in ("AND", "且", "&", "&&", "+"):
                pq.explicit_and = True
                continue
            if token.startswith("+") and len(token) > 1:
                pq.explicit_and = True
            negated = token.startswith("-")
            body = token.lstrip("-+")
            if not body:
                notes.append("单独的“-”已忽略")
                continue
            if ":" in body:
                name, _, value = body.partition(":")
                facet = FIELD_NAMES.get(name.strip().lower()) or FIELD_NAMES.get(name.strip())
                value = value.strip().strip('"')
                if facet and value:
                    v = _filter_value(facet, value)
                    if v is None:
                        notes.append(f"“{name}:{value}”不是有效的取值，已忽略")
                    else:
                        pq.filters.append(Clause("filter", v, field=facet, negated=negated))
                    continue
                if not facet and name:
                    notes.append(f"没有“{name}”这个字段，已按关键词检索")
                elif not value:
                    notes.append(f"“{body}”缺少取值，已忽略")
                body = " ".join(p for p in (name, value) if p and (facet is None))
                if not body.strip():
                    continue
            for word in body.split():
                if not _has_tokens(word):
                    notes.append(f"已忽略无法检索的内容：{word}")
                    continue
                syn = synonym_groups().get(normalise(word), ())
                made.append(
                    Clause("word", word, negated=negated, synonyms=syn, origin="table" if syn else "")
                )
        for clause in made:
            if pending_or and pq.groups and not clause.negated:
                pq.groups[-1].append(clause)
            else:
                pq.groups.append([clause])
            pending_or = False
    if pending_or:
        notes.append("“OR”后面没有检索词，已忽略")
    return pq


# ---------------------------------------------------------------- to Whoosh

#: fields a word is looked for in besides the unit's text and title, with the weight of a match
#: there: a record's metadata, and the words of the records that link to a unit (anchor text)
OTHER_FIELDS = {"meta": 0.8, "anchor": 0.1}  # tuned on the practitioners' dev split (tests/evaluation.py)


def _token_query(token: str) -> Q.Query:
    """One token, or any of its synonyms (each as a phrase of its own tokens)."""
    alts: list[Q.Query] = [Q.Term("text", token)]
    for syn in synonym_groups().get(token, ()):
        toks = cut(syn)
        if toks:
            alts.append(Q.Term("text", toks[0]) if len(toks) == 1 else Q.Phrase("text", toks))
    return Q.Or(alts) if len(alts) > 1 else alts[0]


def _content(toks: list[str]) -> list[str]:
    """The words a phrasing must contain: not one-character fillers (不, 就, 哪), not words of
    asking (如何, 是否 — indexer/data/question_words.txt), unless nothing else is left."""
    asked = question_words()
    return (
        [t for t in toks if (len(t) > 1 or t.isdigit()) and t not in asked]
        or [t for t in toks if len(t) > 1 or t.isdigit()]
        or toks
    )


def _in_field(fieldname: str, toks: list[str], content: list[str], boost: float) -> list[Q.Query]:
    """A typed word in one more field: its tokens as a phrase, or all its content words."""
    if len(toks) == 1:
        return [Q.Term(fieldname, toks[0], boost=boost)]
    return [
        Q.Phrase(fieldname, toks, boost=boost),
        Q.And([Q.Term(fieldname, t) for t in content], boost=0.5 * boost),
    ]


def _text_query(value: str, boost: float = 1.0, exact: bool = False, synonym: bool = False) -> Q.Query | None:
    """The typed word in every field it may stand in. A synonym gets the same words but not
    the recall nets (its sub-words apart, its bigrams): those walked long posting lists of
    common words (文件, 会议) for hits the typed word's own nets already find."""
    toks = cut(value)
    grams = [g for g, _, _, _ in bigrams(value)]
    parts: list[Q.Query] = []
    content = _content(toks)
    if toks:
        if len(toks) == 1:
            parts += [Q.Term("text", toks[0], boost=boost), Q.Term("title", toks[0], boost=boost)]
            if not exact:  # an exact phrase must stand in the unit itself, not only in its document's title
                parts.append(Q.Term("doc_title", toks[0], boost=boost * 0.5))
            subs = subwords(toks[0]) if not exact and not synonym else []
            if len(subs) > 1:  # 收受礼金 also finds 收受…礼金 apart, ranked below the whole word
                parts.append(Q.And([Q.Term("text", t) for t in subs], boost=0.5 * boost))
        else:
            parts += [Q.Phrase("text", toks, boost=2.0 * boost), Q.Phrase("title", toks, boost=2.0 * boost)]
            if not exact:
                # one-character fillers (不, 就, 有, 哪) do not have to match; the rest do
                parts += [Q.And([Q.Term("text", t) for t in content], boost=boost)]
                if 3 <= len(content) <= 6:  # a long natural phrasing: all but one of its words
                    parts.append(
                        Q.Or(
                            [
                                Q.And([Q.Term("text", t) for t in combo])
                                for combo in combinations(content, len(content) - 1)
                            ],
                            boost=0.5 * boost,
                        )
                    )
                key = [t for t in content if t in domain_terms()]
                generic = [t for t in content if t not in key]
                if key and generic:
                    # 给领导送礼: the domain term (送礼, with its synonyms) must match; 给, 领导 only add score
                    required = Q.And([_token_query(t) for t in key]) if len(key) > 1 else _token_query(key[0])
                    loose = Q.AndMaybe(required, Q.Or([Q.Term("text", t) for t in generic]))
                    parts.append(Q.Or([loose], boost=0.6 * boost))
        if not exact:  # an exact phrase must stand in the unit's own words
            for fieldname, weight in OTHER_FIELDS.items():
                parts += _in_field(fieldname, toks, content, weight * boost)
    if not exact:
        topic = normalise(value).strip()
        parts.append(Q.Term("category", topic, boost=2.0 * boost))  # curated categories
        # a provision curated as governing this topic (第一百一十三条 → 公款吃喝): the rule itself
        # rarely uses the everyday word, so without this its cases and list items bury it
        parts.append(Q.And([Q.Term("category", topic), Q.Term("kind", "provision")], boost=6.0 * boost))
    if grams and not synonym:
        parts.append(
            Q.Term("bigram", grams[0], boost=boost)
            if len(grams) == 1
            else Q.Phrase("bigram", grams, boost=boost)
        )
    if not parts:
        return None
    return Q.Or(parts)


def clause_query(c: Clause) -> Q.Query | None:
    if c.kind == "phrase":
        return _text_query(c.value, exact=True)
    alts = [_text_query(c.value)] + [
        _text_query(s, boost=SYNONYM_WEIGHT.get(c.origin, 0.7), synonym=True) for s in c.synonyms
    ]
    alts = [a for a in alts if a is not None]
    return Q.Or(alts) if len(alts) > 1 else (alts[0] if alts else None)


#: weight of a synonym's match by where the synonym came from
SYNONYM_WEIGHT = {"": 0.7, "table": 0.7, "thesaurus": 0.5}


def filter_query(c: Clause) -> Q.Query:
    fieldname = FACETS[c.field]
    if c.field in ("region", "issuer"):
        return Q.Prefix(fieldname, c.value)
    return Q.Term(fieldname, c.value)


class Restrict(Q.ConstantScoreQuery):
    """The documents ``child`` matches, adding nothing to their scores: a restriction that leaves
    the ranking of what it keeps as it was (engines compile it as a filter)."""

    def __init__(self, child: Q.Query, score: float = 0.0):  # Whoosh rewraps with (child, score)
        super().__init__(child, score)

    def __str__(self) -> str:
        return f"RESTRICT({self.child})"


@dataclass
class Unit:
    """One part of a query that relaxation may leave unmatched: a typed word (with its
    synonyms), or a group of words joined by OR."""

    label: str
    query: Q.Query


@dataclass
class Plan:
    """A parsed query as Whoosh queries, split by what relaxation may and may not touch.

    ``required`` always holds: hits only, field filters, exact phrases and, when the user wrote
    an explicit AND, every word. ``units`` are the words relaxation may leave out; ``must_not``
    the exclusions, always applied. ``facets``: the filter of each facet clicked (OR within a
    facet, AND across facets)."""

    required: list[Q.Query]
    units: list[Unit]
    must_not: list[Q.Query]
    facets: dict[str, Q.Query]
    _made: dict[tuple, Q.Query] = field(default_factory=dict, repr=False, compare=False)

    def query(self, facets: Iterable[str] | None = None, units: bool = True) -> Q.Query:
        """The strict query (every unit), with the facet filters named (all by default). The
        same arguments give the same query object: an engine compiles one once (the ranking and
        the facet counts of a search without filters ask for the same query)."""
        wanted = self.facets.keys() if facets is None else set(facets)
        names = tuple(n for n in self.facets if n in wanted)
        made = self._made.get((names, units))
        if made is None:
            made = self._made[(names, units)] = self._query(names, units)
        return made

    def _query(self, names: tuple[str, ...], units: bool) -> Q.Query:
        must = list(self.required) + [self.facets[n] for n in names]
        scored = [u.query for u in self.units] if units else []
        base: Q.Query = Q.And(scored + must) if len(scored + must) > 1 else (scored + must)[0]
        if self.must_not:
            # And([a, Not(b)]), not AndNot(a, b): Whoosh's AndNot matcher let through a hit whose
            # document title held the excluded word when ``a`` was a conjunction of unions
            # (-纪律 kept 示例纪律规定 第1条); tests/test_engines.py compares both engines
            excluded = Q.Or(self.must_not) if len(self.must_not) > 1 else self.must_not[0]
            base = Q.And([base, Q.Not(excluded)])
        return base

    def any_unit(self) -> Q.Query:
        return Q.Or([u.query for u in self.units]) if len(self.units) > 1 else self.units[0].query


def plan(pq: ParsedQuery, extra_filters: dict[str, list[str]] | None = None) -> Plan:
    """The Whoosh queries for a parsed query; ``extra_filters`` (facet → values) come from
    facet clicks. Words are cut and their synonyms looked up once, here."""
    required: list[Q.Query] = [Q.Term("entry", "hit")]
    units: list[Unit] = []
    must_not: list[Q.Query] = []
    for group in pq.groups:
        qs = [(c, clause_query(c)) for c in group]
        qs = [(c, q) for c, q in qs if q is not None]
        if not qs:
            continue
        if len(qs) == 1 and qs[0][0].negated:
            must_not.append(qs[0][1])
            continue
        q = Q.Or([q for _, q in qs]) if len(qs) > 1 else qs[0][1]
        if pq.explicit_and or any(c.kind == "phrase" for c, _ in qs):
            required.append(q)  # phrases and explicit AND are never relaxed
        else:
            units.append(Unit(" 或 ".join(c.value for c, _ in qs), q))
    for c in pq.filters:
        (must_not if c.negated else required).append(filter_query(c))
    facets: dict[str, Q.Query] = {}
    for facet, values in (extra_filters or {}).items():
        if facet in FACETS and values:
            fq = [filter_query(Clause("filter", v, field=facet)) for v in values]
            facets[facet] = Q.Or(fq) if len(fq) > 1 else fq[0]
    return Plan(required, units, must_not, facets)


def word_units(value: str) -> list[Unit]:
    """A typed word's own words as units (调研扰民 → 调研, 扰民), for relaxing a word that
    matches nowhere as a whole."""
    out = []
    for t in dict.fromkeys(_content(cut(value))):
        syn = synonym_groups().get(t, ())
        q = clause_query(Clause("word", t, synonyms=syn))
        if q is not None:
            out.append(Unit(t, q))
    return out


def to_whoosh(pq: ParsedQuery, extra_filters: dict[str, list[str]] | None = None) -> Q.Query:
    """The strict Whoosh query for a parsed query (every word, every filter)."""
    return plan(pq, extra_filters).query()
