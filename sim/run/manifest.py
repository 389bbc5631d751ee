"""``manifest.json``: everything needed to know where a result came from."""

from __future__ import annotations

import functools
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import sim
from sim.run.ownership import GENERATOR

KEY_PACKAGES = ["mesa", "numpy", "pandas", "scipy", "pyarrow", "seaborn", "dask", "SALib"]


@functools.cache
def _git() -> tuple[str | None, bool | None]:
    """The commit and dirty flag, read once per process.

    A command's first call (at its start, :func:`sim.cli.main.main`) is what its manifest
    records, even if the checkout changes while it runs.
    """
    root = Path(sim.__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return commit, bool(dirty.strip())
    except (OSError, subprocess.CalledProcessError):
        return None, None


def _versions() -> dict[str, str | None]:
    out = {}
    for name in KEY_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def scenario_entry(scenario) -> dict:
    """Name, description, resolved overrides and the text of every file in the chain."""
    return {
        "name": scenario.name,
        "description": scenario.description,
        "params": dict(sorted(scenario.overrides.items())),
        "files": [{"path": f.path, "sha256": f.sha256, "text": f.text} for f in scenario.files],
    }


def reference_discount_rate(scenarios: dict) -> float:
    """``cost.discount_rate`` of the reference (first) scenario."""
    first = next(iter(scenarios.values()), None)
    try:
        return float(first.params["cost.discount_rate"])
    except (AttributeError, KeyError, TypeError):  # no scenario, or not a Scenario
        return 0.04


def build_manifest(
    *,
    scenarios: dict,
    seed: int,
    replicate_seeds: list[int],
    scale: float,
    start: str,
    years: int,
    timing: dict,
    youth_months: int,
    draw_params: bool = False,
    discount_rate: float | None = None,
    **extra,
) -> dict:
    """Assemble the manifest (``scenarios`` maps label to Scenario, reference first)."""
    commit, dirty = _git()
    labels = list(scenarios)
    return {
        "generator": f"{GENERATOR} {sim.__version__}",
        "package_version": sim.__version__,
        "git_commit": commit,
        "git_dirty": dirty,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "packages": _versions(),
        "command": list(sys.argv),
        "scenarios": {label: scenario_entry(s) for label, s in scenarios.items()},
        "reference": labels[0] if len(labels) > 1 else None,
        "seed": seed,
        "replicate_seeds": replicate_seeds,
        "reps": len(replicate_seeds),
        "scale": scale,
        "start": start,
        "years": years,
        "draw_params": draw_params,
        "discount_rate": reference_discount_rate(scenarios)
        if discount_rate is None
        else discount_rate,
        "intervention_start": start,
        "timing": {k: round(float(v), 3) for k, v in timing.items()},
        "youth_months": int(youth_months),
        **extra,
    }
