"""Freeze the code a long benchmark measures (others edit the working tree meanwhile)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def freeze(folder: Path) -> Path:
    """Copy ``sim/`` and ``scenarios/`` into ``folder`` and put the copy first on PYTHONPATH.

    Every subprocess, pool worker and Dask worker started afterwards (with ``cwd=folder``, so
    the working tree is not first on ``sys.path``) imports this frozen code. Returns the
    frozen baseline scenario.
    """
    code = folder / "code"
    shutil.copytree(ROOT / "sim", code / "sim", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "scenarios", folder / "scenarios")
    os.environ["PYTHONPATH"] = str(code)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no", "sim"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    print(f"code frozen at {commit}{' + uncommitted changes in sim/' if dirty else ''}")
    return folder / "scenarios" / "baseline.toml"
