"""Where a model came from: the git commit of the library's source tree."""

from __future__ import annotations

import subprocess
from pathlib import Path


def code_version() -> str:
    """Git commit of the library's source tree (with ``-dirty`` if modified), else ``unknown``."""
    source = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, capture_output=True,
                                text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "training", "riskmodel", "features", "evaluation"],
                               cwd=source, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit}-dirty" if dirty else commit
