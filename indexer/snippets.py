"""Snippets that show why a hit was found.

The window of a hit's text with the most, and the rarest, of the matched words — the rare word
is usually the one that made the hit — cut where it does not split a 【…】 heading, with `…`
wherever text was left out. The text is escaped before matches are marked, so a snippet is safe
to insert as HTML.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections.abc import Mapping
from operator import itemgetter

from indexer.analysis import normalise, other_forms, segment, word_starts, written_word_plan

WINDOW = 160  # characters shown
LEAD = 24  # characters of context kept before the first match of the window
MAX_OCCURRENCES = 2_000  # occurrences of one term looked at in a long text
_OPEN, _CLOSE = "【〔[（(《", "】〕]）)》"
_END = itemgetter(1)


class Highlighter:
    """What the snippets of one search share, worked out once for all its hits: the terms with
    their weights (idf), longest first, the score of a term's first and further occurrences in a
    window, and the other written forms of the terms' characters (``normalise_for``)."""

    def __init__(self, weights: Mapping[str, float]):
        self.weights = dict(weights)
        self.terms = sorted(self.weights, key=len, reverse=True)  # at one start, the longer first
        self.first = {t: w + 1.0 for t, w in self.weights.items()}  # a window's first occurrence
        self.again = {t: 0.1 * w for t, w in self.weights.items()}  # every further one
        self.forms = other_forms(self.terms) if self.terms else None

    def __call__(self, text: str, cuts: bytes | None = None) -> str:
        """An HTML-escaped snippet of ``text`` with ``<mark>`` around matched terms; ``cuts``: how
        the text was cut when indexed, when the engine kept it. Without a match, the text's
        opening."""
        if not text:
            return ""
        found = self._occurrences(text) if self.terms else []
        start = 0
        if found:
            i, j = self._best_window(found)
            # begin just before the weightiest word of that window (the rare one that made the hit)
            weights = self.weights
            key = max(found[i : j + 1], key=lambda m: (weights[m[2]], -m[0]))
            start = max(0, key[0] - LEAD)
        end = min(len(text), start + WINDOW)
        start = max(0, min(start, end - WINDOW))  # near the end of the text: fill the window backwards
        start = _boundary(text, start)
        start, end = _unsplit(text, start, end)
        return _marked(text, start, end, _matches(text, start, end, found, cuts))

    def _occurrences(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, term) of each term's occurrences as substrings of the normalised text,
        by start, the longer first: a fast first look at where the matches are, at any length."""
        forms = self.forms  # a text holding none of them is searched as it is (``normalise_for``)
        norm = text if forms is not None and forms.search(text) is None else normalise(text)
        out: list[tuple[int, int, str]] = []
        for t in self.terms:
            i, n, size = norm.find(t), 0, len(t)
            while i >= 0 and n < MAX_OCCURRENCES:
                out.append((i, i + size, t))
                i, n = norm.find(t, i + 1), n + 1
        out.sort(key=itemgetter(0))  # stable: at one start, the longer term stays first
        return out

    def _best_window(self, matches: list[tuple[int, int, str]]) -> tuple[int, int]:
        """(first, last) index into matches of the window that holds the most weight: each
        distinct term counts its weight once, a repeat a tenth of it. One pass: the window's
        term counts and score change as its ends move, never recounted."""
        n, reach = len(matches), WINDOW - LEAD
        if max(map(_END, matches)) - matches[0][0] <= reach:  # all in the first window: none holds more
            return 0, n - 1
        best, best_score, j = (0, 0), -1.0, -1
        seen: dict[str, int] = dict.fromkeys(self.terms, 0)
        first, again = self.first, self.again
        score = 0.0
        for i in range(n):
            start, _, t = matches[i]
            if j < i:  # the window emptied: start it at i
                j = i
                score += first[t] if seen[t] == 0 else again[t]
                seen[t] += 1
            while j + 1 < n and matches[j + 1][1] - start <= reach:
                j += 1
                u = matches[j][2]
                score += first[u] if seen[u] == 0 else again[u]
                seen[u] += 1
            if score > best_score + 1e-9:
                best, best_score = (i, j), score
            seen[t] -= 1
            score -= first[t] if seen[t] == 0 else again[t]
        return best


def _matches(
    text: str,
    start: int,
    end: int,
    found: list[tuple[int, int, str]],
    cuts: bytes | None = None,
) -> list[tuple[int, int, str]]:
    """(start, end, term) of every matched token between ``start`` and ``end``, sub-words
    included, overlaps removed: what is marked. ``found``: the terms' occurrences as
    substrings; one is marked when the analysis cut the text so that it is a token or a
    sub-word of one (a term inside another word is not what the hit matched). ``cuts``: the
    words the text was cut into when it was indexed (analysis.word_spans); without them the
    piece shown is cut again."""
    window = [m for m in found if start <= m[0] and m[1] <= end]
    if not window:
        return []
    if cuts:
        starts = word_starts(cuts, start, end)
    else:  # the piece shown, cut again: its word boundaries
        starts = [start + a for _, a, _ in segment(normalise(text[start:end]))] + [end]
    out: list[tuple[int, int, str]] = []
    for s, e, t in window:  # by start, the longer first
        k = bisect_right(starts, s) - 1
        if k + 1 >= len(starts):
            continue
        ws, we = starts[k], starts[k + 1]
        if e > we:  # across two words
            continue
        word, keep, subs = written_word_plan(text[ws:we])
        if not keep:
            continue
        if (word, ws, we) != (t, s, e) and (t, s - ws, e - ws) not in subs:
            continue
        if not out or s >= out[-1][1]:
            out.append((s, e, t))
    return out


_MARK, _UNMARK = "\ue000", "\ue001"  # private-use characters: where <mark> and </mark> go


def _marked(text: str, start: int, end: int, matches: list[tuple[int, int, str]]) -> str:
    """``text[start:end]`` escaped, ``matches`` in <mark>, … where text was left out. Marks go
    in as private-use characters and the piece is escaped once (unless the text has them)."""
    piece = text[start:end]
    lead = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    if not matches:
        return lead + html.escape(piece).replace("\n", " ") + tail
    stand_in = _MARK not in piece and _UNMARK not in piece  # else: escape piece by piece
    escape = str if stand_in else html.escape
    mark, unmark = (_MARK, _UNMARK) if stand_in else ("<mark>", "</mark>")
    parts, pos = [], start
    for s, e, _ in matches:
        parts += [escape(text[pos:s]), mark, escape(text[s:e]), unmark]
        pos = e
    parts.append(escape(text[pos:end]))
    body = "".join(parts)
    if stand_in:
        body = html.escape(body).replace(_MARK, "<mark>").replace(_UNMARK, "</mark>")
    return lead + body.replace("\n", " ") + tail


_BREAKS = "。！？；;，,、\n "


def _boundary(text: str, start: int) -> int:
    """Start just after a nearby clause break, and never inside a Latin word or number."""
    if start <= 0:
        return 0
    for k in range(start, max(0, start - 12) - 1, -1):
        if text[k - 1] in _BREAKS:
            return k
    while start > 0 and text[start - 1].isascii() and text[start - 1].isalnum() and text[start].isascii():
        start -= 1
    return start


_STOPS_BEFORE = re.compile("[" + re.escape(_OPEN + _CLOSE) + "\n]")
_STOPS_AFTER = re.compile("[" + re.escape(_OPEN + _CLOSE) + "]")


def _unsplit(text: str, start: int, end: int) -> tuple[int, int]:
    """Move a cut so that it does not fall inside a bracketed heading (【基本案情】): the nearest
    bracket (or line break) within 40 characters before the start, when it opens, moves the start
    to it; the nearest bracket before the end, when it opens, moves the end to it."""
    lo = max(0, start - 39)
    m = _STOPS_BEFORE.search(text[lo:start][::-1])
    if m is not None and m.group() in _OPEN:
        start = start - 1 - m.start()
    lo = max(start, end - 40) + 1
    m = _STOPS_AFTER.search(text[lo:end][::-1]) if lo < end else None
    if m is not None and m.group() in _OPEN:
        end = end - 1 - m.start()
    return start, end


def snippet(text: str, weights: Mapping[str, float], cuts: bytes | None = None) -> str:
    """An HTML-escaped snippet of ``text`` with ``<mark>`` around matched terms; ``weights``:
    term → weight (idf). A search makes one ``Highlighter`` for all its hits instead."""
    return Highlighter(weights)(text, cuts)
