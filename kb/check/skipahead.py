"""Compiling a word list so that a scan over a million characters skips what cannot start a match.

Python's regular-expression engine jumps straight to the next possible first character only when
every alternative of a pattern starts with a plain character. One alternative that starts with
a class (``[答庆谢]宴``), a digit (``\\d+桌``), a group or an optional word, and the engine tries
the whole alternation at every position: the description markers took 100 ms over a million
characters instead of 15. ``compile_skipping`` works out the set of characters a match can start
with (from the parsed pattern, not from a list kept by hand) and puts it in front as a lookahead
— ``(?=[…])`` — which the engine does use to skip. When that set cannot be known (a pattern that
may match the empty string, starts with an anchor, a negated class or any character), the
pattern is compiled as it is: the result is always the same set of matches, only found sooner.
"""

from __future__ import annotations

import re

try:  # the parser is private; Python 3.11+ names it re._parser, older ones sre_parse
    from re import _constants as _c  # type: ignore[attr-defined]
    from re import _parser as _p  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - older layouts
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_WORD": r"\w",
}
_MAX_RANGE = 0x3000  # a class wider than this is not worth a lookahead


def _class_of(items: list) -> list[str] | None:
    """The members of a [...] class as lookahead-class pieces, or None (negated, too wide)."""
    out = []
    for op, av in items:
        if op is _c.LITERAL:
            out.append(re.escape(chr(av)))
        elif op is _c.RANGE:
            lo, hi = av
            if hi - lo > _MAX_RANGE:
                return None
            out.append(f"{re.escape(chr(lo))}-{re.escape(chr(hi))}")
        elif op is _c.CATEGORY and str(av) in _CATEGORIES:
            out.append(_CATEGORIES[str(av)])
        else:  # NEGATE, other categories, character sets compiled to bitmaps
            return None
    return out


def first_chars(items: list) -> list[str] | None:
    """Lookahead-class pieces for every character a match of the parsed sequence can start with;
    None when that is unknown or when the sequence may match the empty string."""
    out: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            return out + [re.escape(chr(av))]
        if op is _c.IN:
            members = _class_of(list(av))
            return None if members is None else out + members
        if op is _c.SUBPATTERN:
            inner = first_chars(list(av[-1]))  # may not be empty (None when it can be)
            return None if inner is None else out + inner
        if op is _c.BRANCH:
            for branch in av[1]:
                inner = first_chars(list(branch))
                if inner is None:
                    return None
                out += inner
            return out
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            low, _high, sub = av
            inner = first_chars(list(sub))
            if inner is None:
                return None
            out += inner
            if low > 0:
                return out
            continue  # optional: the next item may start the match too
        return None  # anchors, look-arounds, back-references, any character
    return None  # every item optional: the empty string matches


def engine_skips(items: list) -> bool:
    """Whether the engine already skips by first character: the pattern (inside its groups)
    starts with a character, a class, or alternatives that each start with a character."""
    while items and items[0][0] is _c.SUBPATTERN:
        items = list(items[0][1][-1])
    if not items:
        return False
    op, av = items[0]
    if op in (_c.LITERAL, _c.IN):
        return True
    if op is _c.BRANCH:
        return all(branch and list(branch)[0][0] is _c.LITERAL for branch in av[1])
    return False


def compile_skipping(pattern: str) -> re.Pattern[str]:
    """The pattern, with a lookahead of its possible first characters in front when they can be
    known and the engine would not skip by itself (a lookahead in front of a pattern the engine
    already skips for makes it slower). Matches are exactly those of ``re.compile(pattern)``."""
    try:
        parsed = list(_p.parse(pattern))
        pieces = None if engine_skips(parsed) else first_chars(parsed)
    except Exception:  # noqa: BLE001 - a pattern the private parser reads differently: no lookahead
        pieces = None
    if not pieces:
        return re.compile(pattern)
    return re.compile(f"(?=[{''.join(dict.fromkeys(pieces))}])(?:{pattern})")
