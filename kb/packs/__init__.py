"""Study packs (学习包): chosen provisions, list items and cases, in sections, annotated,
exported as Word, Markdown or printable HTML."""

from kb.packs.model import (
    Pack,
    PackError,
    PackItem,
    PackSection,
    dump_pack,
    load_pack,
    loads_pack,
    pack_from_dict,
)
from kb.packs.resolve import ResolvedPack, resolve_pack

__all__ = [
    "Pack",
    "PackError",
    "PackItem",
    "PackSection",
    "ResolvedPack",
    "dump_pack",
    "load_pack",
    "loads_pack",
    "pack_from_dict",
    "resolve_pack",
]
