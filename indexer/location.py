"""Where the index lives unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path


def default_index() -> Path:
    """$KB_INDEX, else a per-user folder ($XDG_DATA_HOME/jianfu-kb/index)."""
    env = os.environ.get("KB_INDEX")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "jianfu-kb" / "index"


__all__ = ["default_index"]
