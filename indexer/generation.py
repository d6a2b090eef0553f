"""One generation of the index as a request reads it: its engine, its manifest and everything
derived from them (labels, parsed records, the link graph, edition pairs) plus a cache of search
results. A request pins one (indexer/search.py), so all it reads comes from the same build; a
swap opens a new Generation and never touches the old one, which requests still pinned to it
go on reading until they finish.

The derived tables fill lazily; what they hold is a function of the generation alone, so
filling them from two threads at once can only write the same value twice (the bounded ones,
``Bounded``, empty when they grow past their bound, and refill).
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
KEPT = 50_000  # entries a per-document table of a generation keeps before it empties (a few MB)
RELATED_KEPT = 5_000  # pages whose suggestions a generation keeps


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
    #: (item, kind, limit, excluded) → more-like-this suggestions (records_view.related)
    related: Bounded = field(default_factory=lambda: Bounded(RELATED_KEPT))
    results: ResultCache = field(default_factory=lambda: ResultCache(RESULTS_CACHED))
    _edition_docs: dict[Any, str] | None = field(default=None, repr=False)
    _edition_filter: Any = field(default=None, repr=False)
    #: unit or record id → its record's kind ("" for an id no record has), read once each
    unit_kinds: Bounded = field(default_factory=lambda: Bounded(KEPT))
    #: document → the provisions it broke (a case; () for any other hit), for 相关条文
    cases_broke: Bounded = field(default_factory=lambda: Bounded(KEPT))

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

    def edition_filter(self) -> Any:
        """A restriction of a query to the units another edition corresponds to (None when the
        generation holds no editions). One object per generation, so an engine compiles it once."""
        if self._edition_filter is None and self.versions:
            from whoosh import query as Q  # here: the CLI reads this module's defaults, not jieba

            from indexer.query import Restrict

            units = Q.Or([Q.Term("key", f"hit:{uid}") for uid in sorted(self.versions)])
            self._edition_filter = Restrict(units)
        return self._edition_filter

    def edition_docs(self) -> dict[Any, str]:
        """The documents of the units another edition corresponds to (``versions``), by the
        engine's document handle: folding editions looks only at these, and never reads the
        stored fields of the other hits of a search. Found once per generation."""
        found = self._edition_docs
        if found is None:
            found = {}
            for uid in self.versions:
                doc = self.engine.find(f"hit:{uid}")
                if doc is not None:
                    found[doc] = uid
            self._edition_docs = found
        return found


class Bounded(dict):
    """A table filled as documents are read, emptied when it grows past ``size`` (it refills
    with what is read again): values a function of the generation alone, so two threads can
    only write the same one twice. A dict, so a lookup is ``dict.get``; ``put`` fills it."""

    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def put(self, key: Hashable, value: Any) -> Any:
        if len(self) >= self.size:
            self.clear()
        self[key] = value
        return value


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


__all__ = ["KEPT", "RESULTS_CACHED", "Bounded", "Generation", "ResultCache"]
