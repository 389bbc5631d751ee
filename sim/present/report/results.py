"""Read a results directory (the contract in DESIGN.md) and the parameter metadata."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, partial
from importlib import resources
from pathlib import Path

import pandas as pd

from sim.analysis.variants import read_variants, relabel
from sim.errors import InputError
from sim.present.i18n.numbers import number
from sim.present.report.checks import MANIFEST, SUMMARY, TRIAL, check, check_table


@dataclass
class Results:
    """The saved output of ``sim run``/``compare``/``batch``; optional pieces may be None."""

    path: Path
    manifest: dict
    summary: dict
    yearly: pd.DataFrame
    paired: pd.DataFrame | None = None
    trial: dict | None = None
    effects: pd.DataFrame | None = None  # effects/yearly.parquet: a batch over weak effects
    effects_scale: float | None = None
    effects_variants: dict | None = None  # the sweep's label → overrides (its manifest)
    variants: pd.DataFrame | None = None  # variants.csv of a sweep (sim.analysis.variants)
    thresholds: pd.DataFrame | None = None  # thresholds.csv of ``sim thresholds``

    @property
    def stems(self) -> list[str]:
        """Scenario stems in manifest order (the reference first)."""
        present = list(dict.fromkeys(self.yearly["scenario"]))
        order = list(self.manifest.get("scenarios", {}))
        return [s for s in order if s in present] + [s for s in present if s not in order]

    @cached_property
    def replicates(self) -> dict[str, int]:
        """The number of replicates with results, per scenario stem (counted in the data)."""
        return self.yearly.groupby("scenario", sort=False)["replicate"].nunique().to_dict()

    @cached_property
    def failed(self) -> list[str]:
        """Scenarios of the manifest with no finished run (no rows): they failed."""
        present = set(self.yearly["scenario"])
        return [s for s in self.manifest.get("scenarios", {}) if s not in present]

    def failures(self, stem: str) -> list[dict]:
        """The failed runs of one scenario in the manifest (``replicate``, ``traceback``, ...)."""
        return [f for f in self.manifest.get("failures") or [] if f.get("scenario") == stem]

    @property
    def reference(self) -> str | None:
        """The reference scenario, when there is a comparison."""
        ref = self.manifest.get("reference")
        return ref if self.paired is not None and ref else None


def regular_file(path: Path, required: bool = True) -> Path | None:
    """``path`` when it is a regular file; None when absent and optional; else InputError.

    Pipes, devices and folders are refused before they are opened (reading one could hang).
    """
    if not path.exists():
        if required:
            raise InputError(f"{path}: missing (not a results directory?)")
        return None
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    return path


def read_json(path: Path, schema: object, required: bool = True) -> dict | None:
    """Read a JSON file of a results folder and check its shape (:mod:`~.report.checks`)."""
    if regular_file(path, required) is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise InputError(f"{path}: not valid JSON: {one_line(exc)}") from None
    check(data, schema, str(path))
    return data


def read_table(path: Path, required: bool = True) -> pd.DataFrame | None:
    """Read a tidy Parquet table of a results folder and check its columns."""
    if regular_file(path, required) is None:
        return None
    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError(f"{path}: cannot read Parquet: {one_line(exc)}") from None
    return check_table(df, str(path))


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (for ``sim: error: ...``)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def load_results(path: Path) -> Results:
    """Load and check a results directory; :class:`InputError` names a missing or damaged file."""
    path = Path(path)
    if not path.is_dir():
        what = "is a file" if path.exists() else "no such folder"
        raise InputError(f"{path}: not a results directory ({what})")
    manifest = read_json(path / "manifest.json", MANIFEST)
    variants = read_variants(path, manifest)  # a sweep: variants ordered and named apart
    manifest = relabel(manifest, variants, {c: partial(value_text, c) for c in ("nb", "en")})
    sweep = path / "effects"
    effects_manifest = read_json(sweep / "manifest.json", MANIFEST, False) or {}
    return Results(
        path=path,
        manifest=manifest,
        summary=read_json(path / "summary.json", SUMMARY, False) or {},
        yearly=read_table(path / "yearly.parquet"),
        paired=read_table(path / "paired.parquet", False),
        trial=read_json(path / "trial.json", TRIAL, False)
        or read_json(path / "trial" / "trial.json", TRIAL, False),  # make run's trial/
        effects=read_table(sweep / "yearly.parquet", False) if effects_manifest else None,
        effects_scale=effects_manifest.get("scale"),
        effects_variants=effects_manifest.get("variants") or {},
        variants=variants,
        thresholds=read_thresholds(path / "thresholds.csv"),
    )


def read_thresholds(path: Path) -> pd.DataFrame | None:
    """``thresholds.csv`` (:mod:`sim.analysis.thresholds`); None when it was never made.

    Its columns and kinds are checked, so a damaged file is named rather than half shown.
    """
    from sim.analysis.thresholds import COLUMNS

    if regular_file(path, required=False) is None:
        return None
    try:
        df = pd.read_csv(path, dtype={"factor": str, "scenario": str, "other": str})
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{path}: cannot read: {one_line(exc)}") from None
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{path}: {missing[0]}: missing column")
    numbers = ["threshold", "central", "lo", "hi"]
    if not all(pd.api.types.is_numeric_dtype(df[c]) for c in numbers):
        raise InputError(f"{path}: threshold, central, lo and hi must be numbers")
    unknown = sorted(set(df["kind"].astype(str)) - {"sign", "rank", "none"})
    if unknown:
        raise InputError(f"{path}: kind: unknown value {unknown[0]!r} (sign, rank or none)")
    return df


def value_text(code: str, value: float) -> str:
    """A swept value with the decimals it has, in the language's format (``0,15``, ``50``)."""
    return number(value, len(f"{value:g}".partition(".")[2]), code)


def load_parameters(path: Path | None = None) -> pd.DataFrame | None:
    """The parameter file (name, value, unit, lo, hi, role, source, ...); None if absent."""
    source = path or resources.files("sim").joinpath("data", "parameters.csv")
    if not source.is_file():
        return None
    with source.open("r", encoding="utf-8") as fh:
        df = pd.read_csv(fh, dtype={"name": str, "unit": str, "source": str})
    return df.fillna({"unit": "", "source": ""})
