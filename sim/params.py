"""Parameters: one line each in ``sim/data/parameters.csv`` (value, unit, range, source).

A :class:`Params` object is an immutable mapping from name to value. Scenario files override
values by name; unknown names, wrong types and values outside a parameter's valid domain are
rejected. The valid domain follows the unit (fractions and probabilities in [0, 1], counts and
ratios non-negative); ``lo``/``hi`` are the plausible range used for uncertainty analysis.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources

COLUMNS = ["name", "value", "unit", "lo", "hi", "source", "calibrate"]
_UNIT_DOMAIN = {
    "fraction": (0.0, 1.0),
    "probability": (0.0, 1.0),
    "elasticity": (-math.inf, math.inf),
    "percentage points": (-math.inf, math.inf),
    "IPS-25 score": (25.0, 125.0),
}


@dataclass(frozen=True)
class ParamSpec:
    """One parameter's line: its default value, unit, plausible range and source."""

    name: str
    value: float
    unit: str
    lo: float
    hi: float
    source: str
    calibrate: bool

    @property
    def is_assumption(self) -> bool:
        """True when the value is an assumption rather than a sourced figure."""
        return self.source.strip().lower().startswith("assumption")

    def domain(self) -> tuple[float, float]:
        """The valid domain of values, from the unit."""
        head = self.unit.split("/")[0].strip()
        return _UNIT_DOMAIN.get(head, (0.0, math.inf))


def _parse_rows(text: str) -> dict[str, ParamSpec]:
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != COLUMNS:
        raise ValueError(f"parameter file columns must be {COLUMNS}, got {reader.fieldnames}")
    specs = {}
    for row in reader:
        specs[row["name"]] = ParamSpec(
            name=row["name"],
            value=float(row["value"]),
            unit=row["unit"],
            lo=float(row["lo"]),
            hi=float(row["hi"]),
            source=row["source"],
            calibrate=row["calibrate"].strip().lower() == "true",
        )
    return specs


_REGISTRY: dict[str, ParamSpec] = {}


def package_specs() -> dict[str, ParamSpec]:
    """The parameters in the package's own file (without plugin additions)."""
    text = resources.files("sim").joinpath("data/parameters.csv").read_text("utf-8")
    return _parse_rows(text)


def specs() -> dict[str, ParamSpec]:
    """All known parameters: the package file plus any registered by plugins."""
    if not _REGISTRY:
        _REGISTRY.update(package_specs())
    return _REGISTRY


def register_parameters(csv_text: str) -> None:
    """Add parameter lines (same columns as the package file), e.g. from a plugin service."""
    new = _parse_rows(csv_text)
    clash = sorted(set(new) & set(specs()))
    if clash and any(new[k] != specs()[k] for k in clash):
        raise ValueError(f"parameters already defined differently: {clash}")
    _REGISTRY.update(new)


def parameter_table():
    """The parameter lines as a pandas DataFrame (for docs and reports)."""
    import pandas as pd

    return pd.DataFrame([s.__dict__ for s in specs().values()])


class Params(Mapping[str, float]):
    """Immutable parameter values: package defaults plus validated overrides."""

    def __init__(self, overrides: Mapping[str, float] | None = None):
        self._values = {name: s.value for name, s in specs().items()}
        self._values.update(overrides or {})
        self.overrides = dict(overrides or {})

    def __getitem__(self, key: str) -> float:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def with_overrides(self, more: Mapping[str, float]) -> Params:
        """A new Params with further overrides applied."""
        return Params({**self.overrides, **more})

    def __repr__(self) -> str:
        return f"Params(overrides={self.overrides!r})"


def check_value(name: str, value: object) -> str | None:
    """Return a problem description for one override, or None when it is valid."""
    known = specs()
    if name not in known:
        from sim.names import unknown

        return unknown(name, known, "parameter")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number, got {type(value).__name__} {value!r}"
    lo, hi = known[name].domain()
    if not math.isfinite(float(value)) or not (lo <= float(value) <= hi):
        return f"value {value} outside its valid range [{lo}, {hi}] ({known[name].unit})"
    return None
