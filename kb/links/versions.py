"""Article correspondence between two versions of a policy (条例 2018 → 2023), computed from
their texts: an order-preserving alignment that maximises character-bigram similarity."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kb.models import Unit

MIN_SCORE = 0.45  # below this, an article is taken to have no counterpart


@dataclass(frozen=True)
class Pair:
    old: str  # anchor in the old version ("122")
    new: str  # anchor in the new version ("132")
    score: float
    source: str = "computed"  # or "editor"


def _grams(text: str) -> set[str]:
    t = re.sub(r"[^\u4e00-\u9fff]", "", text)
    return {t[i : i + 2] for i in range(len(t) - 1)}


def similarity(a: set[str], b: set[str]) -> float:
    """Dice coefficient of two bigram sets."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def align(old: Sequence[Unit], new: Sequence[Unit], min_score: float = MIN_SCORE) -> list[Pair]:
    """Monotone alignment (like a diff of two article lists): each old article maps to at most one
    new article, order kept, total similarity maximal; pairs below ``min_score`` are dropped."""
    og = [_grams(u.text) for u in old]
    ng = [_grams(u.text) for u in new]
    n, m = len(old), len(new)
    # score[i][j]: best total aligning old[:i] with new[:j]
    score = [[0.0] * (m + 1) for _ in range(n + 1)]
    move = [[0] * (m + 1) for _ in range(n + 1)]  # 0 diag, 1 skip old, 2 skip new
    sims: dict[tuple[int, int], float] = {}
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            s = similarity(og[i - 1], ng[j - 1]) if abs(i - j) < 60 else 0.0
            sims[(i, j)] = s
            diag = score[i - 1][j - 1] + (s if s >= min_score else -1.0)
            best, mv = diag, 0
            if score[i - 1][j] > best:
                best, mv = score[i - 1][j], 1
            if score[i][j - 1] > best:
                best, mv = score[i][j - 1], 2
            score[i][j], move[i][j] = best, mv
    pairs: list[Pair] = []
    i, j = n, m
    while i > 0 and j > 0:
        mv = move[i][j]
        if mv == 0:
            s = sims[(i, j)]
            if s >= min_score:
                pairs.append(Pair(old[i - 1].anchor, new[j - 1].anchor, round(s, 3)))
            i, j = i - 1, j - 1
        elif mv == 1:
            i -= 1
        else:
            j -= 1
    pairs.reverse()
    return pairs
