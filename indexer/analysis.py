"""Chinese analysis for index and query alike.

One jieba tokenizer with the domain user dictionary, HMM off at index and query time (HMM
invents words such as 纠治四风 that hide 四风). The words are cut by rjieba (jieba-rs, the same
algorithm and dictionary in Rust) when it is installed: on the seeds and the 940 case analyses it
gives token for token what jieba gives, about ten times faster, and tokenising was a quarter of a
build. jieba stays the reference (its dictionary decides sub-words), and the fallback. Token
positions are ordinals, so phrase queries work. Long words also emit the dictionary words inside them at the same position (形式主义官僚主义
→ 形式主义, 官僚主义), which keeps recall without the overlapping positions of cut_for_search. A
character-bigram analyzer is the recall net for words jieba splits differently.

Text is normalised one character for one character (full-width ASCII, upper case, common
traditional forms), so character offsets stay valid for highlighting.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable, Iterator
from functools import cache
from itertools import accumulate
from operator import itemgetter
from pathlib import Path
from typing import Any

import jieba
from whoosh.analysis import Token, Tokenizer

from kb.ingest.clean import MASK, t2s_table

ANALYSIS_VERSION = "2"  # bump when tokens change: builds then re-index everything (2: OpenCC's t2s table)
HMM = False
USE_RJIEBA = os.environ.get("KB_JIEBA") != "python"  # KB_JIEBA=python: jieba only

_lock = threading.Lock()
_tokenizer: jieba.Tokenizer | None = None
_fast: Any = None  # rjieba.Jieba with the same user words, or None


DATA = Path(__file__).resolve().parent / "data"


def _data(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def _lines(name: str) -> list[str]:
    return [line.strip() for line in _data(name).splitlines() if line.strip() and not line.startswith("#")]


def _t2s() -> dict[int, str]:
    return t2s_table()


@cache
def stopwords() -> frozenset[str]:
    return frozenset(_lines("stopwords.txt"))


@cache
def question_words() -> frozenset[str]:
    """Words of asking (如何, 是否, 定性 …, indexer/data/question_words.txt): not required by a
    query that has other words, and weighed little."""
    return frozenset(normalise(w) for w in _lines("question_words.txt"))


@cache
def synonym_groups() -> dict[str, tuple[str, ...]]:
    """term → the terms it also finds, from synonyms.txt (groups, and one-way ``a => b c``)."""
    table: dict[str, list[str]] = {}

    def add(term: str, others: list[str]) -> None:
        bucket = table.setdefault(term, [])
        bucket.extend(o for o in others if o != term and o not in bucket)

    for line in _lines("synonyms.txt"):
        if "=>" in line:
            head, _, tail = line.partition("=>")
            for t in head.split():
                add(normalise(t), [normalise(o) for o in tail.split()])
        else:
            group = [normalise(t) for t in line.split()]
            for t in group:
                add(t, group)
    return {k: tuple(v) for k, v in table.items()}


@cache
def domain_terms() -> frozenset[str]:
    """Words of the domain: the user dictionary and every term of the synonym table."""
    terms = {normalise(line.split()[0]) for line in _lines("userdict.txt")}
    for key, others in synonym_groups().items():
        terms.add(key)
        terms.update(others)
    return frozenset(terms)


def _user_words() -> Iterator[tuple[str, int | None, str | None]]:
    for line in _lines("userdict.txt"):
        parts = line.split()
        yield parts[0], int(parts[1]) if len(parts) > 1 else None, parts[2] if len(parts) > 2 else None


def _load_fast(tk: jieba.Tokenizer) -> Any:
    """rjieba with jieba's user words at the frequencies jieba gave them, or None."""
    if not USE_RJIEBA:
        return None
    try:
        import rjieba
    except ImportError:
        return None
    fast = rjieba.Jieba()
    for word, _, tag in _user_words():
        fast.add_word(word, tk.FREQ[word], tag)
    return fast


def get_tokenizer() -> jieba.Tokenizer:
    """The one jieba tokenizer, with the user dictionary; loaded once (about a second).
    Call it at start-up, before any worker forks; never add words while serving."""
    global _tokenizer, _fast
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                for word, freq, tag in _user_words():
                    tk.add_word(word, freq, tag)
                _fast = _load_fast(tk)
                _tokenizer = tk
    return _tokenizer


def segment(norm: str) -> list[tuple[str, int, int]]:
    """(word, start, end) of normalised text, HMM off: rjieba when loaded, else jieba."""
    tk = get_tokenizer()
    if _fast is not None:
        return _fast.tokenize(norm, hmm=HMM)
    return list(tk.tokenize(norm, HMM=HMM))


_FULLWIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}


@cache
def _normalising() -> dict[int, str]:
    """One table for both mappings (full-width first, then traditional → simplified): one pass
    of str.translate instead of two is three times faster on Chinese text."""
    return {c: chr(c).translate(_FULLWIDTH).translate(_t2s()) for c in set(_FULLWIDTH) | set(_t2s())}


def normalise(text: str) -> str:
    """Same length out as in: full-width ASCII → ASCII, lower case, traditional → simplified."""
    out = text.translate(_normalising())
    lowered = out.lower()
    return lowered if len(lowered) == len(out) else out


@cache
def normal_forms() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """Over the Basic Multilingual Plane, in one pass: character → the other characters that
    normalise to it (处 ← 處; a ← A, Ａ, ａ), and the characters normalising leaves as they are.
    About 30 ms; a server makes them before its workers fork (SearchService)."""
    variants: dict[str, set[str]] = {}
    unchanged: set[str] = set()
    for i in range(0x10000):
        if 0xD800 <= i <= 0xDFFF:
            continue
        x = chr(i)
        c = normalise(x)
        if c == x:
            unchanged.add(x)
        elif len(c) == 1:
            variants.setdefault(c, set()).add(x)
    return {c: frozenset(xs) for c, xs in variants.items()}, frozenset(unchanged)


def other_forms(terms: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern for the characters of a text that are another form of a character of ``terms``
    (normalised words): where it finds none, the terms are found at the same places in the text
    as in ``normalise(text)`` (``normalise_for``). None when the terms are not normalised words
    (then nothing can be skipped). Worked out once for the terms of a search, used per hit."""
    chars = {c for t in terms for c in t}
    variants, unchanged = normal_forms()
    if not unchanged.issuperset(chars):
        return None
    forms = sorted({x for c in chars for x in variants.get(c, ())})
    return re.compile("[" + "".join(re.escape(x) for x in forms) + "]") if forms else _NOTHING


_NOTHING = re.compile(r"(?!)")


def normalise_for(text: str, terms: Iterable[str]) -> str:
    """``text`` as searched for ``terms`` (normalised words): ``normalise(text)`` where it
    matters, the text itself when none of its characters is another form of a character of the
    terms — the terms are then found at the same places in either, and a translate of every
    character (most of a snippet's time) is saved. Snippets work ``other_forms`` out once for a
    page and decide the same way."""
    forms = other_forms(terms)
    if forms is None or forms.search(text) is not None:
        return normalise(text)
    return text


_WORD = re.compile(r"[\w\u4e00-\u9fff]")


def _is_word(tok: str) -> bool:
    return bool(_WORD.search(tok)) and MASK not in tok and not tok.isspace()


_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")
_plans: dict[str, tuple[bool, tuple[tuple[str, int, int], ...]]] = {}


def token_plan(word: str) -> tuple[bool, tuple[tuple[str, int, int], ...]]:
    """Whether a segmented word is indexed, and the dictionary words inside it with their
    offsets. Depends on the word alone (the dictionary is fixed once loaded), so it is worked
    out once per distinct word: the vocabulary is small next to the text."""
    plan = _plans.get(word)
    if plan is None:
        stops = stopwords()
        keep = bool(word) and _is_word(word) and word not in stops
        subs: list[tuple[str, int, int]] = []
        if keep and len(word) > 2 and _CJK_WORD.fullmatch(word):
            freq = get_tokenizer().FREQ
            for n in (2, 3, 4):
                for i in range(len(word) - n + 1):
                    sub = word[i : i + n]
                    if sub != word and freq.get(sub) and sub not in stops:
                        subs.append((sub, i, i + n))
        if len(_plans) > 500_000:
            _plans.clear()
        plan = _plans[word] = (keep, tuple(subs))
    return plan


def tokens(
    text: str, *, subwords: bool = False, cuts: bytearray | None = None
) -> Iterator[tuple[str, int, int, int]]:
    """(token, position, start, end) for every indexable token of the text. With ``subwords``,
    dictionary words inside a long token follow it at the same position. ``cuts``: the length
    of every word the text was cut into, tokens or not, is added to it (``add_cut``), so that
    the words can be found again without cutting the text (``word_spans``)."""
    norm = normalise(text)
    words = segment(norm)
    if cuts is not None:
        mark = len(cuts)
        try:  # one byte a word, counted in C
            cuts.extend(map(len, map(itemgetter(0), words)))
        except ValueError:  # a word of 256 characters or more
            del cuts[mark:]
            for word, _, _ in words:
                add_cut(cuts, len(word))
    pos = 0
    for word, start, end in words:
        word = word.strip()
        keep, subs = token_plan(word)
        if not keep:
            continue
        yield word, pos, start, end
        if subwords:
            for sub, i, j in subs:
                yield sub, pos, start + i, start + j
        pos += 1


_written: dict[str, tuple[str, bool, tuple[tuple[str, int, int], ...]]] = {}


def written_word_plan(written: str) -> tuple[str, bool, tuple[tuple[str, int, int], ...]]:
    """A word as written in a text: its normalised form and that form's ``token_plan``. Worked
    out once per distinct written word (snippets look up the words around each match)."""
    plan = _written.get(written)
    if plan is None:
        word = normalise(written).strip()
        if len(_written) > 500_000:
            _written.clear()
        plan = _written[written] = (word, *token_plan(word))
    return plan


def add_cut(cuts: bytearray, length: int) -> None:
    """A word's length as one byte; a longer word as 0 and three bytes."""
    if 0 < length < 256:
        cuts.append(length)
    else:
        cuts.append(0)
        cuts.extend(length.to_bytes(3, "big"))


def word_spans(cuts: bytes) -> list[int]:
    """Where each word starts, and the end of the last, from ``cuts`` (see ``tokens``)."""
    if 0 not in cuts:
        return [0, *accumulate(cuts)]
    out, at, i = [0], 0, 0
    while i < len(cuts):
        if cuts[i]:
            at += cuts[i]
            i += 1
        else:
            at += int.from_bytes(cuts[i + 1 : i + 4], "big")
            i += 4
        out.append(at)
    return out


def word_starts(cuts: bytes, start: int, end: int) -> list[int]:
    """Where words start (``word_spans``), from the word holding character ``start`` through the
    first one past ``end``: what marking a window needs. Whole blocks of words before the window
    are skipped by their sum, so a window late in a long text costs no more than an early one."""
    if 0 in cuts:  # a word of 256 characters or more: the escapes need the walk from the start
        return word_spans(cuts)
    at, k, n = 0, 0, len(cuts)
    while k + 64 < n:
        block = sum(cuts[k : k + 64])
        if at + block > start:
            break
        at, k = at + block, k + 64
    return list(accumulate(cuts[k : k + end - at + 2], initial=at))


def subwords(word: str) -> list[str]:
    """Dictionary words that tile a long word left to right (收受礼金 → 收受, 礼金), or [] when
    it cannot be tiled. Used at query time for recall when the text splits the word."""
    tk = get_tokenizer()
    out, i = [], 0
    while i < len(word):
        for n in range(min(4, len(word) - i), 1, -1):
            piece = word[i : i + n]
            if piece != word and tk.FREQ.get(piece):
                out.append(piece)
                i += n
                break
        else:
            return []
    return out


def cut(text: str) -> list[str]:
    """The query-time token sequence (no sub-words): what a phrase must match in order."""
    return [t for t, _, _, _ in tokens(text)]


_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")


def bigrams(text: str) -> Iterator[tuple[str, int, int, int]]:
    """(gram, position, start, end): overlapping character bigrams of each Chinese run (a lone
    character stands alone), and whole ASCII words."""
    norm = normalise(text)
    pos = 0
    for m in _CJK_RUN.finditer(norm):
        run, base = m.group(), m.start()
        if run.isascii() or len(run) == 1:
            yield run, pos, base, base + len(run)
            pos += 1
            continue
        for i in range(len(run) - 1):
            yield run[i : i + 2], pos, base + i, base + i + 2
            pos += 1
        pos += 1  # a gap between runs: a phrase does not bridge punctuation


class _Base(Tokenizer):
    def _stream(self, value: str, mode: str) -> Iterator[tuple[str, int, int, int]]:
        raise NotImplementedError

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for text, pos, start, end in self._stream(value, mode):
            t.text = text
            t.boost = 1.0
            t.stopped = False
            if keeporiginal:
                t.original = text
            if positions:
                t.pos = start_pos + pos
            if chars:
                t.startchar = start_char + start
                t.endchar = start_char + end
            yield t

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other)

    __hash__ = object.__hash__


class JiebaTokenizer(_Base):
    """Whoosh tokenizer over ``tokens``; sub-words only when indexing (mode 'index')."""

    def _stream(self, value: str, mode: str) -> Iterator[tuple[str, int, int, int]]:
        return tokens(value, subwords=mode == "index")


class BigramTokenizer(_Base):
    def _stream(self, value: str, mode: str) -> Iterator[tuple[str, int, int, int]]:
        return bigrams(value)


def ChineseAnalyzer() -> JiebaTokenizer:  # noqa: N802 - named like Whoosh's analyzers
    return JiebaTokenizer()


def BigramAnalyzer() -> BigramTokenizer:  # noqa: N802
    return BigramTokenizer()
