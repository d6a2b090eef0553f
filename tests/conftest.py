"""Shared fixtures. Real third-party documents are read from ../shared (never copied here);
tests that need them skip, with the reason, when that folder is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("KB_SHARED", ROOT.parent / "shared"))
REAL = SHARED / "real"
SEEDS = SHARED / "seeds"


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the real documents live in ../shared beside the checkout")
    return path


@pytest.fixture
def real() -> Path:
    return need(REAL)


@pytest.fixture
def seeds() -> Path:
    return need(SEEDS)


def seed_file(prefix: str) -> Path:
    need(SEEDS)
    matches = sorted(SEEDS.glob(f"{prefix}*.txt"))
    if not matches:
        pytest.skip(f"no seed {prefix}* in {SEEDS}")
    return matches[0]
