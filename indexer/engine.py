"""The search engine behind the service: one generation of the index, opened read-only.

Queries reach an engine as trees of ``whoosh.query`` objects (Term, Phrase, And, Or, AndMaybe,
AndNot, Prefix, with boosts), built once by ``indexer.query.plan``: the project's query
language, compiled by each engine to its own. Documents are opaque, hashable handles (``Doc``)
that are only meaningful to the engine and the generation that returned them.

Two engines implement the protocol: ``WhooshEngine`` (the default, pure Python) and
``TantivyEngine`` (Rust, for large corpora). The manifest of a generation names its engine;
``open_engine`` opens whichever it names, or says how to install the missing one.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

Doc = Hashable
ENGINES = ("whoosh", "tantivy")
#: relevance multiplier per hit kind, applied by every engine; tuned on tests/relevance.toml
KIND_PRIOR = {"provision": 1.0, "list-item": 0.9, "case": 0.5, "material": 0.5}


class EngineMissing(RuntimeError):
    """The generation was built with an engine this installation lacks."""


class Engine(Protocol):
    name: str
    generation: str
    #: facet_counts lists each facet's values most frequent first, equal counts by value (the
    #: order a search shows them), so the service need not sort them
    facets_ordered: bool

    def doc_count(self) -> int: ...

    def ranked(self, query: Any, limit: int | None = None) -> tuple[int, list[tuple[float, Doc]]]:
        """(total, best first): score times KIND_PRIOR, equal scores by key; every match when
        ``limit`` is None, else at least the best ``limit``."""
        ...

    def by_date(self, query: Any, newest_first: bool, start: int, limit: int) -> tuple[int, list[Doc]]:
        """(total, one page): by date, then unit order, then key."""
        ...

    def sort_by_date(self, docs: Iterable[Doc], newest_first: bool) -> list[Doc]: ...

    def matches(self, query: Any) -> dict[Doc, float]:
        """Every match (the engine may bound very large sets) with its raw score."""
        ...

    def docs(self, query: Any) -> set[Doc]: ...

    def keys(self, docs: Iterable[Doc]) -> list[str]: ...

    def priors(self, docs: Iterable[Doc]) -> list[float]: ...

    def facet_counts(
        self, names: Iterable[str], query: Any = None, docs: Iterable[Doc] | None = None
    ) -> dict[str, Mapping[str, int]]:
        """Value counts of each facet over the query's matches. ``docs``: the same matches as a
        list, when the caller holds them all; an engine may count those instead."""
        ...

    def stored(self, doc: Doc) -> dict[str, Any]: ...

    def find(self, key: str) -> Doc | None: ...

    def top(self, query: Any, limit: int, *, filter: Any = None, newest_first: bool = False) -> list[dict]:
        """The stored fields of the best ``limit`` matches (by score, or newest first)."""
        ...

    def idf(self, term: str) -> float:
        """The weight of a text term: rarer terms weigh more."""
        ...

    def similar(self, doc: Doc, kind: str, limit: int) -> list[tuple[float, dict]]:
        """Hits of ``kind`` that read like ``doc`` (more-like-this), best first."""
        ...

    def close(self) -> None: ...


def engine_of(manifest: dict[str, Any]) -> str:
    return manifest.get("engine", "whoosh")


def open_engine(gen: Path, manifest: dict[str, Any]) -> Engine:
    """The engine of a generation, as its manifest names it."""
    name = engine_of(manifest)
    if name == "tantivy":
        try:
            from indexer.tantivy_engine import TantivyEngine
        except ImportError:
            raise EngineMissing(
                f"索引 {gen.name} 由 tantivy 建成，但本机没有安装 tantivy：请运行 "
                "pip install 'jianfu-kb[tantivy]'，或用 kb build --engine whoosh --full 重建"
            ) from None
        return TantivyEngine(gen)
    from indexer.whoosh_engine import WhooshEngine

    return WhooshEngine(gen)


__all__ = ["ENGINES", "KIND_PRIOR", "Doc", "Engine", "EngineMissing", "engine_of", "open_engine"]
