"""The search service: the current generation of an index, opened once and refreshed when a build
swaps a new one in.

Every reader of the index (``kb search``, ``kb show``, the web app) goes through SearchService.
It holds one engine per generation (indexer/engine.py: Whoosh or tantivy, as the generation's
manifest says); searching is in indexer/results.py and the knowledge base (records, links,
suggestions) in indexer/records_view.py, both engine-free. A request pins the engine it started
with (``pinned``), so it reads one generation throughout and checks ``CURRENT`` once; engines a
swap retires are closed after a grace period, when no request can still be reading them.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from indexer.analysis import get_tokenizer, normal_forms
from indexer.build import (
    CURRENT,
    IndexDamaged,
    IndexOutdated,
    NoIndex,
    built_by,
    current_generation,
    outdated,
    read_manifest,
)
from indexer.engine import Engine, EngineMissing, open_engine
from indexer.generation import RESULTS_CACHED, Generation, ResultCache
from indexer.records_view import RecordsMixin
from indexer.results import MAX_PAGE, MAX_PER_PAGE, SearchMixin
from indexer.search_result import SearchResult

RETIRE_AFTER = 30.0  # seconds a retired engine stays open for requests that pinned it


class SearchService(SearchMixin, RecordsMixin):
    def __init__(self, root: Path, *, results_cached: int = RESULTS_CACHED):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._current: Generation | None = None
        self._retired: list[tuple[float, Generation]] = []
        self._pins = threading.local()
        self._stamp: tuple[int, int, int] | None = None  # CURRENT's inode, mtime, size when last read
        self.results_cached = results_cached
        get_tokenizer()
        normal_forms()  # what snippets read, made before any worker forks, as the dictionary is
        self.refresh()

    # ------------------------------------------------------------ lifecycle

    def _current_stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.root / CURRENT)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def refresh(self) -> bool:
        """Open the current generation if it changed. Returns True when it switched. A stat of
        CURRENT comes first: a swap replaces the file, so an unchanged stat means no new build."""
        stamp = self._current_stamp()
        if stamp is not None and stamp == self._stamp and self._current is not None:
            if self._retired and time.monotonic() - self._retired[0][0] > RETIRE_AFTER:
                with self._lock:  # a retired generation's grace is over: free it now, not at the next swap
                    self._close_retired()
            return False
        gen = current_generation(self.root)
        if gen is None:
            if self._current is None:
                raise NoIndex(f"{self.root} 还没有索引：请先运行 kb build")
            return False
        if self._current is not None and gen == self._current.path:
            self._stamp = stamp
            return False
        with self._lock:
            if self._current is not None and gen == self._current.path:
                return False
            manifest = read_manifest(gen)
            if outdated(manifest):  # Whoosh would read it all the same
                raise IndexOutdated(gen, built_by(manifest))
            engine = open_engine(gen, manifest)  # IndexDamaged / EngineMissing name what is wrong
            opened = Generation(engine, gen, manifest, results=ResultCache(self.results_cached))
            if self._current is not None:
                self._retired.append((time.monotonic(), self._current))
            self._current = opened
            self._stamp = stamp
            self._close_retired()
        return True

    def _close_retired(self) -> None:
        now = time.monotonic()
        keep = []
        for retired_at, generation in self._retired:
            if now - retired_at > RETIRE_AFTER:
                generation.engine.close()
            else:
                keep.append((retired_at, generation))
        self._retired = keep

    def close(self) -> None:
        with self._lock:
            for generation in [g for _, g in self._retired] + ([self._current] if self._current else []):
                generation.engine.close()
            self._retired, self._current = [], None

    @property
    def snapshot(self) -> Generation:
        """The generation this request pinned, else the current one (checking for a swap first)."""
        pinned = getattr(self._pins, "generation", None)
        if pinned is not None:
            return pinned
        try:
            self.refresh()
        except (IndexDamaged, EngineMissing):
            if self._current is None:
                raise  # nothing to serve; a damaged *new* generation leaves the open one serving
        assert self._current is not None
        return self._current

    @property
    def engine(self) -> Engine:
        return self.snapshot.engine

    @property
    def manifest(self) -> dict[str, Any]:
        return self.snapshot.manifest

    def pin(self) -> Generation:
        """Read one generation until ``unpin``: CURRENT is checked once, here (a web request)."""
        self._pins.generation = None
        generation = self.snapshot
        self._pins.generation = generation
        return generation

    def unpin(self) -> None:
        self._pins.generation = None

    @contextmanager
    def pinned(self) -> Iterator[Generation]:
        """One generation for the block; inside a block already pinned (a web request), that one."""
        if getattr(self._pins, "generation", None) is not None:
            yield self._pins.generation
            return
        generation = self.pin()
        try:
            yield generation
        finally:
            self.unpin()

    def search(self, q: str = "", **kw: Any) -> SearchResult:
        """SearchMixin.search on one generation: outside a web request (the CLI, the benchmark)
        CURRENT is checked once per search too, not at each of its reads. The same search again
        on the same generation is answered from its cache: the result is shared, read it only."""
        with self.pinned() as generation:
            if generation.results.size <= 0:  # no cache: no key to make
                return super().search(q, **kw)
            filters = kw.get("filters") or {}
            key = (
                q,
                tuple((name, tuple(values)) for name, values in filters.items()),
                tuple(sorted((k, v) for k, v in kw.items() if k != "filters")),
            )
            return generation.results.get_or_compute(key, lambda: super(SearchService, self).search(q, **kw))

    def warm(self) -> None:
        """Build the current generation's per-document tables now rather than on the first search
        (at 100k records the first search took 11 s): `kb serve` calls it before it listens."""
        warm = getattr(self.engine, "warm", None)
        if warm is not None:
            warm()

    @property
    def generation(self) -> str:
        return self._current.name if self._current else ""


__all__ = ["MAX_PAGE", "MAX_PER_PAGE", "IndexDamaged", "NoIndex", "SearchService"]
