"""Data flows one way: kb (the domain) imports neither indexer nor web; indexer does not import
web; only kbcli (the command) wires all three."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imports(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            else:
                continue
            for n in names:
                found.setdefault(n.split(".")[0], set()).add(str(path.relative_to(ROOT)))
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("kb", {"indexer", "web", "kbcli", "flask", "whoosh"}),
        ("indexer", {"web", "kbcli", "flask"}),
        ("web", {"kbcli"}),
    ],
)
def test_layers_import_only_downwards(package, forbidden):
    found = imports(package)
    wrong = {name: sorted(found[name]) for name in forbidden & set(found)}
    assert not wrong, wrong
