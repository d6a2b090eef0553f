"""The 处理依据 of a negative list: a companion document that restates each item (一、… 八十、)
and names the rules that govern it. Only the citations are taken, as labels (《title》第N条)."""

from __future__ import annotations

import re

from kb.links.find import find_citations
from kb.numerals import CN_NUMERAL, cn_to_int

_ITEM = re.compile(rf"(?m)^\s*([{CN_NUMERAL}]{{1,4}})[、．.]")


def handling_basis(text: str) -> dict[int, list[str]]:
    """Item number → the citations its 处理依据 names, in order, without repeats."""
    marks = [(m.start(), cn_to_int(m.group(1))) for m in _ITEM.finditer(text)]
    expected = 1
    items: list[tuple[int, int]] = []
    for pos, n in marks:
        if n == expected:  # the running 1 … 80; sub-points (一、二、 inside an item) are skipped
            items.append((pos, n))
            expected += 1
    out: dict[int, list[str]] = {}
    for i, (pos, n) in enumerate(items):
        end = items[i + 1][0] if i + 1 < len(items) else len(text)
        labels: list[str] = []
        for c in find_citations(text[pos:end]):
            if c.article is not None and c.title and c.label not in labels:
                labels.append(c.label)
        out[n] = labels
    return out
