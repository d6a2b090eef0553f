"""What a search returns: typed, frozen, read by views and never written.

A result may be shared — the generation's cache hands the same one to every request that asks
the same search (indexer/generation.py) — so it cannot be changed: the dataclasses are frozen,
their lists are tuples and their tables read-only mappings. Each reads like the dict it
replaced (``result["total"]``, ``hit.get("date")``, ``{**hit, "url": …}``), as sqlite3.Row reads
like a tuple, and ``dump()`` gives plain dicts and lists for JSON.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


class _Readable(Mapping):
    """Field access by name, as a read-only mapping of the dataclass's fields."""

    __dataclass_fields__: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dataclass_fields__)

    def __len__(self) -> int:
        return len(self.__dataclass_fields__)

    def dump(self) -> dict[str, Any]:
        return {name: plain(getattr(self, name)) for name in self.__dataclass_fields__}


def plain(value: Any) -> Any:
    """Dicts, lists and scalars all the way down: what JSON takes."""
    if isinstance(value, _Readable):
        return value.dump()
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def frozen_map(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Hit(_Readable):
    """One listed article, case or item."""

    id: str
    kind: str
    title: str
    document_id: str
    document_title: str
    number: str
    heading: str
    date: str
    year: str
    sanctions: tuple[str, ...]
    summary: bool
    snippet: str  # HTML: escaped text with <mark> around matched words
    other_versions: tuple[Mapping[str, str], ...]  # the same article in another edition, folded in
    score: float | None


@dataclass(frozen=True)
class FacetValue(_Readable):
    value: str
    count: int
    selected: bool
    label: str

    @classmethod
    def row(cls, value: str, count: int, selected: bool, label: str) -> FacetValue:
        """``FacetValue(value, count, selected, label)`` made at half the cost: a search page
        makes a hundred or more, and a frozen dataclass sets each field through
        ``object.__setattr__``. The fields are filled as ``__init__`` fills them."""
        row = _new(cls)
        fields = row.__dict__
        fields["value"], fields["count"], fields["selected"], fields["label"] = value, count, selected, label
        return row


_new = object.__new__


@dataclass(frozen=True)
class SearchResult(_Readable):
    query: str
    parsed: Mapping[str, Any]  # how the query was read (indexer.query.ParsedQuery.dump)
    total: int
    page: int
    per_page: int
    pages: int
    sort: str
    filters: Mapping[str, tuple[str, ...]]
    hits: tuple[Hit, ...]
    provisions: tuple[Mapping[str, Any], ...]  # 相关条文: what the best-ranked cases broke
    facets: Mapping[str, tuple[FacetValue, ...]]  # the first values of each facet
    facet_sizes: Mapping[str, int]  # how many values each facet has in all


__all__ = ["FacetValue", "Hit", "SearchResult", "frozen_map", "plain"]
