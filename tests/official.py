"""The official full texts in ../shared, imported beside the bundled corpus the README's way.

Search, citation and benchmark evaluations run on the bundled corpus plus these texts (never
copied into the project: they are imported into a temporary folder at test time). Each row is
what a user would type: ``kb import FILE --type KIND --id ID --issuer … --date …``. The ids of
the 条例, 政务处分法, 八项规定, 80-item list and 接待规定 are the bundled ids, so the official
text and the bundled summary become one work (kb.works).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: (path under ../shared/real, kind, overrides, 处理依据 file for a list)
OFFICIAL: list[tuple[str, str, dict[str, Any], str | None]] = [
    (
        "xt/dangfa/dangfa008.md",
        "policy",
        {"id": "cdc-2023", "issuer": "中共中央", "date": "2023-12-19"},
        None,
    ),
    (
        "xt/dangfa/dangfa009.md",
        "policy",
        {"id": "cdc-2018", "issuer": "中共中央", "date": "2018-08-18"},
        None,
    ),
    (
        "lawrefbook/gongzhi-renyuan-zhengwu-chufen-fa-2020.md",
        "policy",
        {"id": "zwcf-2020", "issuer": "全国人民代表大会常务委员会", "date": "2020-06-20"},
        None,
    ),
    ("xt/8gui/00.md", "policy", {"id": "bxgd-2012", "issuer": "中共中央政治局", "date": "2012-12-04"}, None),
    ("xt/8gui/01.md", "policy", {"id": "bxgd-xz", "issuer": "中共中央政治局"}, None),
    ("xt/8gui/02.md", "list", {"id": "bxqd-80"}, "xt/8gui/03.md"),
    ("xt/8gui/15.md", "policy", {"id": "gwyc", "issuer": "中共中央办公厅、国务院办公厅"}, None),
    ("xt/8gui/16.md", "policy", {"id": "jdgd-2013", "issuer": "中共中央办公厅、国务院办公厅"}, None),
    ("xt/8gui/18.md", "policy", {"id": "hyf", "issuer": "财政部、国管局、中直管理局"}, None),
    ("xt/8gui/19.md", "policy", {"id": "pxf", "issuer": "财政部、中共中央组织部、国家公务员局"}, None),
]


def import_official(real: Path, into: Path) -> list[str]:
    """Import every official text into ``into``; returns the problems reported (none expected)."""
    from kb.ingest.importer import import_paths

    problems = []
    for rel, kind, overrides, basis in OFFICIAL:
        report = import_paths([real / rel], kind, into, dict(overrides), real / basis if basis else None)
        problems += [str(e) for e in report.errors]
    return problems
