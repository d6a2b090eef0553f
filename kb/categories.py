"""One name per category across the corpus, so a facet lists each once.

Editors write categories freely; two habits make the 类别 facet list one thing twice: a compound
(``形式主义、官僚主义``) beside its parts, and a 违规 prefix on one record and not on another
(``操办婚丧喜庆`` / ``违规操办婚丧喜庆``). ``category_map`` reads the whole corpus and maps a compound
whose parts are all categories in their own right to those parts, and the rarer of a 违规 pair
to the commoner. Nothing else is renamed: a value is only ever mapped to values in use.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from kb.models import Record

_SEP = re.compile(r"[、，,/／]")


def category_counts(records: Iterable[Record]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for r in records:
        counts.update(c.strip() for c in r.categories if c.strip())
        counts.update(u.category.strip() for u in r.units if u.category.strip())
    return counts


def category_map(records: Iterable[Record]) -> dict[str, tuple[str, ...]]:
    counts = category_counts(records)
    out: dict[str, tuple[str, ...]] = {}
    for v in counts:
        parts = tuple(p.strip() for p in _SEP.split(v) if p.strip())
        if len(parts) > 1 and all(p in counts for p in parts):
            out[v] = parts
        elif v.startswith("违规") and v[2:] in counts:
            bare = v[2:]
            if counts[bare] > counts[v] or (counts[bare] == counts[v] and len(bare) < len(v)):
                out[v] = (bare,)
            else:
                out[bare] = (v,)
    return out


def canonical(values: Iterable[str], mapping: dict[str, tuple[str, ...]]) -> list[str]:
    """The values as the facet lists them: mapped, stripped, each once, in order."""
    seen: list[str] = []
    for v in values:
        v = v.strip()
        for c in mapping.get(v, (v,)):
            if c and c not in seen:
                seen.append(c)
    return seen


__all__ = ["canonical", "category_counts", "category_map"]
