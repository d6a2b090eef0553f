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

from indexer.analysis import get_tokenizer
from indexer.build import CURRENT, IndexDamaged, NoIndex, current_generation, read_manifest
from indexer.engine import Engine, EngineMissing, open_engine
from indexer.records_view import RecordsMixin
from indexer.results import MAX_PAGE, MAX_PER_PAGE, SearchMixin

RETIRE_AFTER = 30.0  # seconds a retired engine stays open for requests that pinned it


class SearchService(SearchMixin, RecordsMixin):
    def __init__(self, root: Path):
        self.root = Path(root)
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._gen: Path | None = None
        self._retired: list[tuple[float, Engine]] = []
        self._pins = threading.local()
        self.manifest: dict[str, Any] = {}
        self._stamp: tuple[int, int, int] | None = None  # CURRENT's inode, mtime, size when last read
        self._reset_generation_state()
        get_tokenizer()
        self.refresh()

    # ------------------------------------------------------------ lifecycle

    def _reset_generation_state(self) -> None:
        """Everything derived from one generation: emptied when another is opened."""
        self._labels: dict[str, str] = {}
        self._records: dict[str, dict[str, Any]] = {}  # parsed stored records; read-only
        self._tokens: dict[str, set[str]] = {}
        self._policy_index: Any = None
        self._by_target: dict[str, list[dict[str, Any]]] = {}
        self._by_source: dict[str, list[dict[str, Any]]] = {}
        self._unresolved: dict[str, list[dict[str, Any]]] = {}
        self._versions: dict[str, list[str]] = {}
        self._related: dict[tuple, list[dict[str, Any]]] = {}

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
        if stamp is not None and stamp == self._stamp and self._engine is not None:
            return False
        gen = current_generation(self.root)
        if gen is None:
            if self._engine is None:
                raise NoIndex(f"{self.root} 还没有索引：请先运行 kb build")
            return False
        if gen == self._gen:
            self._stamp = stamp
            return False
        with self._lock:
            if gen == self._gen:
                return False
            manifest = read_manifest(gen)
            engine = open_engine(gen, manifest)  # IndexDamaged / EngineMissing name what is wrong
            if self._engine is not None:
                self._retired.append((time.monotonic(), self._engine))
            self._reset_generation_state()
            self._engine, self._gen, self.manifest = engine, gen, manifest
            self._index_edges()
            self._stamp = stamp
            self._close_retired()
        return True

    def _index_edges(self) -> None:
        by_target: dict[str, list[dict[str, Any]]] = {}
        by_source: dict[str, list[dict[str, Any]]] = {}
        for e in self.manifest.get("edges", []):
            by_target.setdefault(e["target"], []).append(e)
            by_source.setdefault(e["source"], []).append(e)
        unresolved: dict[str, list[dict[str, Any]]] = {}
        for u in self.manifest.get("unresolved", []):
            unresolved.setdefault(u["source"].split("/")[0], []).append(u)
        versions: dict[str, list[str]] = {}
        for row in self.manifest.get("correspondence", []):
            a, b = row.get("old"), row.get("new")
            if a and b:
                for x, y in ((a, b), (b, a)):
                    bucket = versions.setdefault(x, [])
                    if y not in bucket:
                        bucket.append(y)
        self._by_target, self._by_source, self._unresolved = by_target, by_source, unresolved
        self._versions = versions

    def _close_retired(self, grace: float = RETIRE_AFTER) -> None:
        now = time.monotonic()
        keep = []
        for retired_at, engine in self._retired:
            if now - retired_at > grace:
                engine.close()
            else:
                keep.append((retired_at, engine))
        self._retired = keep

    def close(self) -> None:
        with self._lock:
            for engine in [e for _, e in self._retired] + ([self._engine] if self._engine else []):
                engine.close()
            self._retired, self._engine, self._gen = [], None, None

    @property
    def engine(self) -> Engine:
        """The engine this request pinned, else the current one (checking for a swap first)."""
        pinned = getattr(self._pins, "engine", None)
        if pinned is not None:
            return pinned
        try:
            self.refresh()
        except (IndexDamaged, EngineMissing):
            if self._engine is None:
                raise  # nothing to serve; a damaged *new* generation leaves the open one serving
        assert self._engine is not None
        return self._engine

    def pin(self) -> Engine:
        """Read one generation until ``unpin``: CURRENT is checked once, here (a web request)."""
        self._pins.engine = None
        engine = self.engine
        self._pins.engine = engine
        return engine

    def unpin(self) -> None:
        self._pins.engine = None

    @contextmanager
    def pinned(self) -> Iterator[Engine]:
        """One generation for the block; inside a block already pinned (a web request), that one."""
        if getattr(self._pins, "engine", None) is not None:
            yield self._pins.engine
            return
        engine = self.pin()
        try:
            yield engine
        finally:
            self.unpin()

    def search(self, q: str = "", **kw: Any) -> dict[str, Any]:
        """SearchMixin.search on one generation: outside a web request (the CLI, the benchmark)
        CURRENT is checked once per search too, not at each of its reads."""
        with self.pinned():
            return super().search(q, **kw)

    def warm(self) -> None:
        """Build the current generation's per-document tables now rather than on the first search
        (at 100k records the first search took 11 s): `kb serve` calls it before it listens."""
        warm = getattr(self.engine, "warm", None)
        if warm is not None:
            warm()

    @property
    def generation(self) -> str:
        return self._gen.name if self._gen else ""


__all__ = ["MAX_PAGE", "MAX_PER_PAGE", "IndexDamaged", "NoIndex", "SearchService"]
