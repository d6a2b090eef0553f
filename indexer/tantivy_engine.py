"""The tantivy engine: one generation of a tantivy index (Rust), for corpora where Whoosh, which
scores every matching posting in Python, is too slow.

It indexes the entries ``indexer.build.entries`` makes for Whoosh, cut by the same analysis:
text fields are handed to tantivy already tokenised (``PreTokenizedString``), with the project's
positions (dictionary sub-words at the position of their word, so phrases work as in Whoosh),
and the bigram recall net in a field of its own. Queries arrive as the same ``whoosh.query``
trees and are compiled here. Ranking, the kind prior (a fast field tantivy multiplies in),
facet counts (terms aggregations over fast fields) and date order (fast fields built so that
ties break by key) run inside tantivy; the page, version folding and snippets are the service's.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping
from operator import itemgetter
from pathlib import Path
from typing import Any

import tantivy
from whoosh import query as Q

from indexer.analysis import bigrams, tokens
from indexer.build import IndexDamaged, verify_generation
from indexer.engine import KIND_PRIOR
from indexer.schema import FACET_LEAVES_OUT, FACETS

#: text fields, their analysis, and the weight Whoosh's schema gives them (field_boost)
TEXT_FIELDS = {"doc_title": 1.5, "title": 3.0, "text": 1.0, "meta": 1.0, "anchor": 1.0, "bigram": 0.4}
RAW_FIELDS = ("key", "id", "entry", "kind", "doc_id", "year", "issuer", "region", "rank")
STORED_ONLY = ("number", "heading", "date")
MULTI_FIELDS = ("category", "sanction", "violates")
#: what a document keeps besides its text, the text's cuts and its record, stored as one value
#: (``_packed``): a hit is read as three values, not as twenty fields tantivy and then Python
#: make objects for (8.6 → 2.3 µs a document in tantivy)
PACKED = (*RAW_FIELDS, *MULTI_FIELDS, *STORED_ONLY, "doc_title", "title", "ordinal", "summary")
#: a facet that leaves some hits out of its counts (indexer/schema.py) is counted from a fast
#: field of its own that only the counted hits carry: every facet then counts in one request
COUNTED = {name: f"{FACETS[name]}_counted" for name in FACET_LEAVES_OUT}
#: matches read back for relaxation; beyond this the best-scored are kept (relaxation only runs
#: when the strict query found almost nothing)
MATCH_LIMIT = 20_000
#: hits read past the limit when the last score kept is shared (then doubled while it still is)
TIED_MARGIN = 200
FACET_BUCKETS = 60_000  # facet values one aggregation may return, all facets together
_BUCKET = itemgetter("key", "doc_count")  # a terms aggregation's bucket as (value, count)


def _schema() -> Any:
    sb = tantivy.SchemaBuilder()
    for name in RAW_FIELDS:
        sb.add_text_field(name, stored=False, fast=True, tokenizer_name="raw")
    for name in MULTI_FIELDS:
        sb.add_text_field(name, stored=False, fast=True, tokenizer_name="raw")
    for name in COUNTED.values():
        sb.add_text_field(name, stored=False, fast=True, tokenizer_name="raw", index_option="basic")
    for name in STORED_ONLY:
        sb.add_text_field(name, stored=False, tokenizer_name="raw", index_option="basic")
    for name in TEXT_FIELDS:
        sb.add_text_field(name, stored=name == "text", tokenizer_name="raw", index_option="position")
    sb.add_bytes_field("packed", stored=True, indexed=False)  # PACKED, one value (_packed)
    sb.add_bytes_field("record", stored=True, indexed=False)
    sb.add_bytes_field("cuts", stored=True, indexed=False)  # the text's words (analysis.word_spans)
    sb.add_unsigned_field("ordinal", stored=False, fast=True)
    sb.add_float_field("prior", fast=True)  # tantivy multiplies the score by log2(2 + prior)
    sb.add_unsigned_field("newest", fast=True)  # date, unit order, key: newest first when descending
    sb.add_unsigned_field("oldest", fast=True)  # the same, oldest first when descending
    sb.add_unsigned_field("tie", fast=True)  # equal scores: by the key's hash, the same every build
    sb.add_unsigned_field("kh", fast=True)  # the key's 64-bit hash: the build's proof reads keys by it
    return sb.build()


SCHEMA = _schema()


def _date_number(sort_date: str) -> int:
    digits = re.sub(r"\D", "", sort_date or "")[:8]
    return int(digits.ljust(8, "0")) if digits else 0


def _tie(key: str) -> int:
    return zlib.crc32(key.encode("utf-8")) & 0xFFFF


def key_hash(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=8).digest(), "big")


def prior_weight(kind: str) -> float:
    """What tantivy's weight_by_field needs to multiply a score by 2 × the kind's prior."""
    return 2 ** (2 * KIND_PRIOR.get(kind, 1.0)) - 2


def _pretokenized(value: str, field: str, cuts: bytearray | None = None) -> Any:
    stream = bigrams(value) if field == "bigram" else tokens(value, subwords=True, cuts=cuts)
    toks = [tantivy.Token(t, pos, start, end) for t, pos, start, end in stream]
    return tantivy.PreTokenizedString(value, toks)


def to_document(entry: dict[str, Any]) -> Any:
    """A tantivy document from one of ``indexer.build.entries``'s entries."""
    doc = tantivy.Document()
    for name in RAW_FIELDS + STORED_ONLY:
        value = entry.get(name)
        if value:
            doc.add_text(name, str(value))
    for name in MULTI_FIELDS:
        for v in (entry.get(name) or "").split(","):
            if v:
                doc.add_text(name, v)
    for name, field in COUNTED.items():
        left_out, value = FACET_LEAVES_OUT[name]
        if entry.get(FACETS[name]) and entry.get(FACETS[left_out]) != value:
            doc.add_text(field, str(entry[FACETS[name]]))
    for name in TEXT_FIELDS:
        value = entry.get(name)
        if value:
            cuts = bytearray() if name == "text" else None  # kept for snippets: no re-cutting
            doc.add_pre_tokenized_text(name, _pretokenized(str(value), name, cuts))
            if cuts:
                doc.add_bytes("cuts", bytes(cuts))
    if entry.get("record"):
        doc.add_bytes("record", entry["record"].encode("utf-8"))
    ordinal = int(entry.get("ordinal") or 0)
    doc.add_unsigned("ordinal", ordinal)
    doc.add_bytes("packed", _packed(entry, ordinal))
    doc.add_float("prior", prior_weight(entry.get("kind", "")))
    day, tie, unit = _date_number(entry.get("sort_date", "")), _tie(entry["key"]), min(ordinal, 0xFFFF)
    # descending order of these numbers is the order the service lists by date: the date, then
    # the unit's place in its record, then the key (by hash), as Whoosh's arrays give it
    doc.add_unsigned("newest", (day << 32) | ((0xFFFF - unit) << 16) | (0xFFFF - tie))
    doc.add_unsigned("oldest", ((99_999_999 - day) << 32) | ((0xFFFF - unit) << 16) | (0xFFFF - tie))
    doc.add_unsigned("tie", tie)
    doc.add_unsigned("kh", key_hash(entry["key"]))
    return doc


_UNIT = "\x1f"  # the separator of a packed document's values (a JSON list when one holds it)


def _packed(entry: dict[str, Any], ordinal: int) -> bytes:
    """PACKED's values joined by the unit separator, "" for an absent one (decoded and split in
    0.8 µs a hit, where JSON took 2.8); as a JSON list when a value holds the separator."""
    values: list[str] = []
    for name in PACKED:
        if name == "ordinal":
            values.append(str(ordinal))
        elif name == "summary":
            values.append("1" if entry.get("summary") else "")
        elif name in MULTI_FIELDS:
            values.append(",".join(v for v in (entry.get(name) or "").split(",") if v))
        else:
            values.append(str(entry[name]) if entry.get(name) else "")
    if any(_UNIT in v for v in values):
        return json.dumps(values, ensure_ascii=False).encode("utf-8")
    return _UNIT.join(values).encode("utf-8")


def _unpacked(packed: bytes) -> dict[str, Any]:
    text = packed.decode("utf-8")
    # the split form starts with the key (hit:…, doc:…), never with the bracket JSON starts with
    values = json.loads(text) if text.startswith("[") else text.split(_UNIT)
    out = {name: v for name, v in zip(PACKED, values, strict=True) if v}
    out["ordinal"] = int(out.get("ordinal") or 0)
    out["summary"] = bool(out.get("summary"))
    return out


def create_index(gen: Path) -> Any:
    return tantivy.Index(SCHEMA, path=str(gen))


def open_index(gen: Path) -> Any:
    return tantivy.Index(SCHEMA, path=str(gen), reuse=True)


def held_keys(index: Any, expected: Iterable[str] = ()) -> Counter[str]:
    """The keys of the live entries, each with how many documents carry it: every document's
    key hash read from its fast field (a terms aggregation over the keys stops at tantivy's
    65,000 buckets: 100k records hold 255k keys), named from the keys the build expects; a
    hash no expected key has is named from its document's stored key."""
    searcher = index.searcher()
    n = searcher.num_docs
    if not n:
        return Counter()
    addrs = [a for _, a in searcher.search(tantivy.Query.all_query(), n).hits]
    names = {key_hash(k): k for k in expected}
    out: Counter[str] = Counter()
    for value, addr in zip(searcher.fast_field_values("kh", addrs), addrs, strict=True):
        key = names.get(value)
        if key is None:  # not a key this build wrote: read it (there are few, or it is a defect)
            key = _stored(searcher, addr).get("key") or "?"
        out[key] += 1
    return out


def _stored(searcher: Any, addr: Any) -> dict[str, Any]:
    """A document's stored fields by name: the PACKED ones present, the text, its cuts (bytes)
    and the record (a document entry's JSON)."""
    raw = searcher.doc(addr).to_dict()
    packed = raw.get("packed")
    out = _unpacked(packed[0]) if packed else {}
    if "text" in raw:
        out["text"] = raw["text"][0]
    if "cuts" in raw:
        out["cuts"] = raw["cuts"][0]
    if "record" in raw:
        out["record"] = raw["record"][0].decode("utf-8")
    return out


# ---------------------------------------------------------------- queries


#: id(query) → (query, compiled); the query is held, so its id is not reused while kept
_compiled: dict[int, tuple[Any, Any]] = {}
COMPILED_KEPT = 256


def compile_query(q: Any) -> Any:
    """A whoosh.query tree as a tantivy query, boosts and field weights kept. The last queries
    compiled are remembered by identity (a search ranks and counts facets with one query), and
    a query built around one compiled before reuses it (the facets' query of a search whose
    editions were folded is its query AND NOT the folded units)."""
    hit = _compiled.get(id(q))
    if hit is not None and hit[0] is q:
        return hit[1]
    out = _compile(q)
    if len(_compiled) >= COMPILED_KEPT:
        _compiled.clear()
    _compiled[id(q)] = (q, out)
    return out


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _term(q: Any) -> Any:
    """The commonest node (a query for one word is some thirty of them): inlined."""
    text = q.text
    out = tantivy.Query.term_query(SCHEMA, q.fieldname, text if type(text) is str else _text(text))
    boost = (q.boost or 1.0) * TEXT_FIELDS.get(q.fieldname, 1.0)
    return tantivy.Query.boost_query(out, float(boost)) if boost != 1.0 else out


def _phrase(q: Any) -> Any:
    words = [_text(w) for w in q.words]
    out = (
        tantivy.Query.term_query(SCHEMA, q.fieldname, words[0])
        if len(words) == 1
        else tantivy.Query.phrase_query(SCHEMA, q.fieldname, words, getattr(q, "slop", 1) - 1)
    )
    return _weighted(q, out, TEXT_FIELDS.get(q.fieldname, 1.0))


def _prefix(q: Any) -> Any:
    return _weighted(q, tantivy.Query.regex_query(SCHEMA, q.fieldname, re.escape(str(q.text)) + ".*"))


def _and(q: Any) -> Any:
    must, must_not = tantivy.Occur.Must, tantivy.Occur.MustNot
    clauses = [(must_not, _part(s.query)) if isinstance(s, Q.Not) else (must, _part(s)) for s in q.subqueries]
    return _weighted(q, tantivy.Query.boolean_query(clauses))


def _or(q: Any) -> Any:
    should = tantivy.Occur.Should
    return _weighted(q, tantivy.Query.boolean_query([(should, _part(s)) for s in q.subqueries]))


def _and_maybe(q: Any) -> Any:
    occur = tantivy.Occur
    return _weighted(q, tantivy.Query.boolean_query([(occur.Must, _part(q.a)), (occur.Should, _part(q.b))]))


def _and_not(q: Any) -> Any:
    occur = tantivy.Occur
    return _weighted(q, tantivy.Query.boolean_query([(occur.Must, _part(q.a)), (occur.MustNot, _part(q.b))]))


def _not(q: Any) -> Any:
    occur = tantivy.Occur
    out = tantivy.Query.boolean_query(
        [(occur.Must, tantivy.Query.all_query()), (occur.MustNot, _part(q.query))]
    )
    return _weighted(q, out)


def _weighted(q: Any, out: Any, field_weight: float = 1.0) -> Any:
    """``out`` with the query's boost times its field's weight (Whoosh's field_boost)."""
    boost = (getattr(q, "boost", 1.0) or 1.0) * field_weight
    return tantivy.Query.boost_query(out, float(boost)) if boost != 1.0 else out


#: query class → how it compiles: looked up by the exact class (most of a query's nodes), the
#: chain in ``_compile`` for the rest (subclasses, restrictions, the match-all and the empty query)
_COMPILERS = {
    Q.Term: _term,
    Q.Phrase: _phrase,
    Q.Prefix: _prefix,
    Q.And: _and,
    Q.Or: _or,
    Q.AndMaybe: _and_maybe,
    Q.AndNot: _and_not,
    Q.Not: _not,
}


def _compile(q: Any) -> Any:
    compiler = _COMPILERS.get(type(q))
    if compiler is not None:
        return compiler(q)
    if isinstance(q, Q.ConstantScoreQuery):  # a restriction (indexer.query.Restrict)
        return tantivy.Query.const_score_query(_part(q.child), float(q.score))
    if isinstance(q, Q.Every):
        return _weighted(q, tantivy.Query.all_query())
    if isinstance(q, Q.NullQuery) or q is Q.NullQuery:
        return tantivy.Query.empty_query()
    for cls, compiler in _COMPILERS.items():  # a subclass of one of them
        if isinstance(q, cls):
            return compiler(q)
    raise TypeError(f"tantivy engine cannot compile {type(q).__name__}")


def _part(q: Any) -> Any:
    """A subquery, from the remembered ones when it is one of them. A restriction is remembered
    as it is compiled (a generation keeps one, indexer.generation.Generation.edition_filter)."""
    if type(q) is Q.Term:  # a word is never compiled on its own before: no lookup
        return _term(q)
    if isinstance(q, Q.ConstantScoreQuery):
        return compile_query(q)
    hit = _compiled.get(id(q))
    return hit[1] if hit is not None and hit[0] is q else _compile(q)


# ---------------------------------------------------------------- the engine


Handle = tuple[int, int]  # (segment ordinal, document) of this generation's searcher


class TantivyEngine:
    name = "tantivy"
    facets_ordered = True  # a terms aggregation's order (tests/test_engines.py checks it)

    def __init__(self, gen: Path):
        self.path = gen
        self.generation = gen.name
        problems = verify_generation(gen, checksums=False)
        if problems:
            raise IndexDamaged(gen, problems)
        try:
            self.index = open_index(gen)
            self.searcher = self.index.searcher()
            self._docs = self.searcher.num_docs  # a damaged index fails here; a generation never changes
        except Exception as e:  # tantivy raises ValueError / OSError on damaged files
            raise IndexDamaged(gen, [f"tantivy 无法打开：{type(e).__name__}: {e}"]) from e
        self._keys: dict[Handle, str] = {}
        self._specs: dict[tuple[str, ...], dict[str, Any]] = {}  # facet names → aggregation request

    def close(self) -> None:
        self.searcher = None

    def doc_count(self) -> int:
        return self._docs

    @staticmethod
    def _addr(h: Handle) -> Any:
        return tantivy.DocAddress(h[0], h[1])

    def _hits(self, query: Any, limit: int, **kw: Any) -> tuple[int, list[tuple[Any, Handle]]]:
        if limit <= 0:
            return self.searcher.search(compile_query(query), 1, count=True).count, []
        r = self.searcher.search(compile_query(query), limit, count=True, **kw)
        return r.count, [(k, (a.segment_ord, a.doc)) for k, a in r.hits]

    # ------------------------------------------------------------ matching

    def ranked(self, query: Any, limit: int | None = None) -> tuple[int, list[tuple[float, Handle]]]:
        n = self.doc_count() if limit is None else min(limit, max(1, self.doc_count()))
        compiled = compile_query(query)
        r = self.searcher.search(compiled, n + 1, count=True, weight_by_field="prior")  # one more: below
        total, hits = r.count, r.hits  # (score, DocAddress), best first
        # the last score kept may be shared by hits past the limit, of which tantivy keeps some
        # by where they lie in the index: read on until the score changes, so that all of them
        # are ordered by key below and a page does not depend on how many hits were asked for
        if len(hits) > n:
            boundary, more = hits[n - 1][0], n + TIED_MARGIN
            while len(hits) < total and hits[-1][0] == boundary:
                r = self.searcher.search(compiled, more, count=True, weight_by_field="prior")
                total, hits = r.count, r.hits
                more *= 2
            hits = [h for h in hits if h[0] >= boundary]  # past the limit, only the shared score
        # equal scores by the key's hash, read for the hits that share a score only (tantivy
        # lists them best first already; equal scores stand next to each other)
        scores = [score for score, _ in hits]
        if len(set(scores)) < len(scores):
            counts = Counter(scores)
            where = [i for i, score in enumerate(scores) if counts[score] > 1]
            values = self.searcher.fast_field_values("tie", [hits[i][1] for i in where])
            tied = sorted(zip([hits[i] for i in where], values, strict=True), key=lambda x: (-x[0][0], x[1]))
            for i, (hit, _) in zip(where, tied, strict=True):
                hits[i] = hit
        # weight_by_field doubled the prior
        return total, [(score / 2, (a.segment_ord, a.doc)) for score, a in hits]

    def by_date(self, query: Any, newest_first: bool, start: int, limit: int) -> tuple[int, list[Handle]]:
        field = "newest" if newest_first else "oldest"
        total, hits = self._hits(query, limit, order_by_field=field, offset=start)
        return total, [h for _, h in hits]

    def sort_by_date(self, docs: Iterable[Handle], newest_first: bool) -> list[Handle]:
        docs = list(docs)
        values = self.searcher.fast_field_values(
            "newest" if newest_first else "oldest", [self._addr(h) for h in docs]
        )
        return [h for _, h in sorted(zip(values, docs, strict=True), key=lambda x: -(x[0] or 0))]

    def matches(self, query: Any) -> dict[Handle, float]:
        _, hits = self._hits(query, min(MATCH_LIMIT, max(1, self.doc_count())))
        return {h: float(s) for s, h in hits}

    def docs(self, query: Any) -> set[Handle]:
        _, hits = self._hits(query, min(MATCH_LIMIT, max(1, self.doc_count())))
        return {h for _, h in hits}

    def keys(self, docs: Iterable[Handle]) -> list[str]:
        out = []
        for h in docs:
            key = self._keys.get(h)
            if key is None:
                key = self._keys[h] = self.stored(h)["key"]
            out.append(key)
        return out

    def priors(self, docs: Iterable[Handle]) -> list[float]:
        values = self.searcher.fast_field_values("prior", [self._addr(h) for h in docs])
        return [math.log2(2 + (v or 0.0)) / 2 for v in values]

    def facet_counts(
        self, names: Iterable[str], query: Any = None, docs: Iterable[Handle] | None = None
    ) -> dict[str, Mapping[str, int]]:
        names = list(names)  # ``docs`` unused: the query, run in tantivy, is faster than a list
        # tantivy refuses a request of more than 65,000 buckets in all: the facets share 60,000
        # (a facet with more values than its share lists its most frequent ones; a search page
        # shows 20, a facet's own page 2,000)
        spec = self._facet_spec(tuple(names))
        agg = self.searcher.aggregate(compile_query(query if query is not None else Q.Every()), spec)
        return {name: dict(map(_BUCKET, agg[name]["buckets"])) for name in names}

    def _facet_spec(self, names: tuple[str, ...]) -> dict[str, Any]:
        """The aggregation request for these facets, made once per generation (read-only)."""
        spec = self._specs.get(names)
        if spec is None:
            size = max(1, min(self.doc_count(), FACET_BUCKETS // max(1, len(names))))
            spec = {
                name: {"terms": {"field": COUNTED.get(name, FACETS[name]), "size": size}} for name in names
            }
            self._specs[names] = spec
        return spec

    # ------------------------------------------------------------ stored fields

    def stored(self, doc: Handle) -> dict[str, Any]:
        return _stored(self.searcher, self._addr(doc))

    def find(self, key: str) -> Handle | None:
        _, hits = self._hits(Q.Term("key", key), 1)
        return hits[0][1] if hits else None

    def top(self, query: Any, limit: int, *, filter: Any = None, newest_first: bool = False) -> list[dict]:
        q = Q.And([query, filter]) if filter is not None else query
        kw: dict[str, Any] = {"order_by_field": "newest"} if newest_first else {}
        _, hits = self._hits(q, min(limit, max(1, self.doc_count())), **kw)
        return [self.stored(h) for _, h in hits]

    def idf(self, term: str) -> float:
        n = self.doc_count()
        df = self.searcher.doc_freq("text", term)
        return math.log(n / (df + 1)) + 1 if df else 0.0

    def similar(self, doc: Handle, kind: str, limit: int) -> list[tuple[float, dict]]:
        """The document's key terms by tf × idf, leaving out words in more than 5% of hits (as
        the Whoosh engine does), as one weighted OR within ``kind``. Computed from the stored
        text with the project's analysis: tantivy's own more-like-this would re-cut the text
        with the field's tokenizer, which for pre-tokenised fields is none."""
        text = self.stored(doc).get("text", "")
        n = max(1, self.doc_count())
        common = max(50, n // 20)
        weights = {}
        for term, tf in Counter(t for t, _, _, _ in tokens(text)).items():
            df = self.searcher.doc_freq("text", term)
            if 0 < df <= common:
                weights[term] = tf * (math.log(n / (df + 1)) + 1)
        best = sorted(weights.items(), key=lambda x: (-x[1], x[0]))[:12]
        if not best:
            return []
        top = best[0][1]
        like = Q.Or([Q.Term("text", t, boost=w / top) for t, w in best])
        _, hits = self._hits(Q.And([like, Q.Term("kind", kind)]), limit)
        return [(float(score), self.stored(h)) for score, h in hits]


__all__ = [
    "SCHEMA",
    "TantivyEngine",
    "compile_query",
    "create_index",
    "held_keys",
    "open_index",
    "to_document",
]
