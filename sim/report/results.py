"""Read a results directory (the contract in DESIGN.md) and the parameter metadata."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from sim.errors import InputError


@dataclass
class Results:
    """The saved output of ``sim run``/``compare``/``batch``; optional pieces may be None."""

    path: Path
    manifest: dict
    summary: dict
    yearly: pd.DataFrame
    paired: pd.DataFrame | None = None
    trial: dict | None = None

    @property
    def stems(self) -> list[str]:
        """Scenario stems in manifest order (the reference first)."""
        present = list(dict.fromkeys(self.yearly["scenario"]))
        order = list(self.manifest.get("scenarios", {}))
        return [s for s in order if s in present] + [s for s in present if s not in order]

    @property
    def reference(self) -> str | None:
        """The reference scenario, when there is a comparison."""
        ref = self.manifest.get("reference")
        return ref if self.paired is not None and ref else None


def _json(path: Path, required: bool) -> dict | None:
    if not path.exists():
        if required:
            raise InputError(f"{path}: missing (not a results directory?)")
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: not valid JSON: {exc}") from exc


def _parquet(path: Path, required: bool) -> pd.DataFrame | None:
    if not path.exists():
        if required:
            raise InputError(f"{path}: missing (not a results directory?)")
        return None
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError(f"{path}: cannot read Parquet: {exc}") from exc


def load_results(path: Path) -> Results:
    """Load a results directory; raises :class:`InputError` when required files are missing."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(f"{path}: not a directory")
    yearly = _parquet(path / "yearly.parquet", True)
    missing = {"scenario", "replicate", "period", "metric", "group", "value", "n"} - set(yearly)
    if missing:
        raise InputError(f"{path / 'yearly.parquet'}: {sorted(missing)[0]}: missing column")
    return Results(
        path=path,
        manifest=_json(path / "manifest.json", True),
        summary=_json(path / "summary.json", False) or {},
        yearly=yearly,
        paired=_parquet(path / "paired.parquet", False),
        trial=_json(path / "trial.json", False),
    )


def load_parameters(path: Path | None = None) -> pd.DataFrame | None:
    """The parameter file (name, value, unit, lo, hi, source, calibrate); None if absent."""
    source = path or resources.files("sim").joinpath("data", "parameters.csv")
    if not source.is_file():
        return None
    with source.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"name": str, "unit": str, "source": str})
    return df.fillna({"unit": "", "source": ""})
