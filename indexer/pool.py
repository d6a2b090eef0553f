"""Whoosh's posting pool, with its sorted runs written in chunks.

Whoosh sorts every posting of a segment in a pool that spills sorted runs to temporary files
when it passes ``limitmb``; it pickles and unpickles each posting on its own. On a 1,000-case
build that was 1.8 million ``pickle.dump`` and as many ``pickle.load`` calls, about a fifth of
the build. Here a run is a few pickled lists of postings instead, which pickle at C speed; the
order, the merge and the files are Whoosh's own.

``install()`` swaps this class in for ``whoosh.writing.PostingPool`` (the name SegmentWriter
looks up when it starts a segment, in the build process and in forked sub-writers alike).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from whoosh import writing

CHUNK = 20_000  # postings per pickled list: a few MB, so memory stays bounded while merging


class ChunkedPostingPool(writing.PostingPool):
    def _write_run(self, f: BinaryIO, items: Iterable[Any]) -> None:
        chunk: list[Any] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= CHUNK:
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
                chunk = []
        if chunk:
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self, path: str) -> Iterator[Any]:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                yield from chunk
        finally:
            f.close()
            self._remove_run(path)


def install() -> None:
    writing.PostingPool = ChunkedPostingPool
