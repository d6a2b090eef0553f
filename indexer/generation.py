"""One generation of the index as a request reads it: its engine, its manifest and everything
derived from them (labels, parsed records, the link graph, edition pairs) plus a cache of search
results. A request pins one (indexer/search.py), so all it reads comes from the same build; a
swap opens a new Generation and never touches the old one, which requests still pinned to it
go on reading until they finish.

The derived tables fill lazily; what they hold is a function of the generation alone, so
filling them from two threads at once can only write the same value twice (``related`` is
emptied when it grows past its bound, and refills).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.engine import Engine

RESULTS_CACHED = 128  # search results kept per generation and worker (least recently used go)


@dataclass(eq=False)
class Generation:
    engine: Engine
    path: Path
    manifest: dict[str, Any]
    labels: dict[str, str] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # parsed stored records; read-only
    tokens: dict[str, set[str]] = field(default_factory=dict)
    policy_index: Any = None
    by_target: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    by_source: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    unresolved: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    versions: dict[str, list[str]] = field(default_factory=dict)
    related: dict[tuple, list[dict[str, Any]]] = field(default_factory=dict)
    results: ResultCache = field(default_factory=lambda: ResultCache(RESULTS_CACHED))

    def __post_init__(self) -> None:
        for e in self.manifest.get("edges", []):
            self.by_target.setdefault(e["target"], []).append(e)
            self.by_source.setdefault(e["source"], []).append(e)
        for u in self.manifest.get("unresolved", []):
            self.unresolved.setdefault(u["source"].split("/")[0], []).append(u)
        for row in self.manifest.get("correspondence", []):
            a, b = row.get("old"), row.get("new")
            if a and b:
                for x, y in ((a, b), (b, a)):
                    bucket = self.versions.setdefault(x, [])
                    if y not in bucket:
                        bucket.append(y)

    @property
    def name(self) -> str:
        return self.path.name


class ResultCache:
    """Search results of one generation, least recently used dropped first. A generation never
    changes, so an entry is right for as long as the generation serves; the cache goes with it.
    What it returns is shared between requests: callers read it and never change it (the web
    views build their own dicts around it). ``size`` 0 keeps nothing."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        if self.size <= 0:
            return compute()
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
        value = compute()  # outside the lock: two threads may both compute one key, never wait
        with self._lock:
            self.misses += 1
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def __len__(self) -> int:
        return len(self._items)


__all__ = ["RESULTS_CACHED", "Generation", "ResultCache"]
