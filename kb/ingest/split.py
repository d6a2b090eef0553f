"""Split a file that holds several documents (``【共四篇第一篇】…【共四篇第二篇】…``)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.numerals import cn_to_int

_PIECE = re.compile(r"【共([一二三四五六七八九十\d]+)篇第([一二三四五六七八九十\d]+)篇】")


@dataclass(frozen=True)
class Piece:
    number: int  # 1-based; 0 when the file is one document
    total: int
    title: str  # the title that stood before the first marker, if any
    text: str


def split_pieces(text: str) -> list[Piece]:
    """One Piece per document. The title standing right before the first marker (on the same
    line) is taken as the shared title."""
    marks = list(_PIECE.finditer(text))
    if not marks:
        return [Piece(0, 1, "", text)]
    total = cn_to_int(marks[0].group(1)) or len(marks)
    line_start = text.rfind("\n", 0, marks[0].start()) + 1
    candidate = text[line_start : marks[0].start()].strip()
    title = candidate if 0 < len(candidate) <= 60 and not re.search(r"[。！？]", candidate) else ""
    head = text[: line_start if title else marks[0].start()].strip()
    pieces: list[Piece] = []
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[m.end() : end].strip()
        if i == 0 and head:
            body = head + "\n" + body
        pieces.append(Piece(cn_to_int(m.group(2)) or i + 1, total, title, body))
    return pieces
