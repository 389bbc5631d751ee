"""Parameters: one line each in ``sim/data/parameters.csv`` (value, unit, domain, role, source).

A :class:`Params` object is an immutable mapping from name to value. Scenario files override
values by name; unknown names, wrong types and values outside a parameter's domain are
rejected. The domain ``[min, max]`` is every value the model runs at (``tests/
test_param_domain.py`` runs each parameter at both ends); ``lo``/``hi`` are the plausible range
used for uncertainty analysis and lie inside the domain.

Columns: ``name, value, unit, min, max, lo, hi, prior, role, label_nb, label_en, source``. The
labels are short names in Norwegian and English that reports show instead of the code name
(a file without them, or an empty cell, shows the name). ``role`` says what a run may do
with the value (:data:`ROLES`): ``lever`` (a policy dose that scenarios set; never drawn),
``calibrated`` (fitted to targets; drawn from the calibrated posterior once one exists),
``uncertain`` (drawn in probabilistic runs, ``--draw-params``: from the calibrated posterior
when the targets constrain it, else from its prior) or ``fixed``
(sourced; never drawn).

``prior`` is the shape of the value's prior on ``[lo, hi]`` (:data:`PRIORS`): ``uniform``, or
``triangular`` with its mode at ``value`` (the sourced best estimate, with ``lo``/``hi`` the
plausible extremes, so a lopsided range does not move the centre as a uniform draw would).
Probabilistic runs and the posterior fit work in the prior's quantiles (:meth:`ParamSpec.
from_unit`), so a uniform point of the unit cube is a draw from the prior. Levers and fixed
values are never drawn: their cell is ``none`` or empty. A file without the column (a plugin's
written before it existed) reads ``uniform`` for calibrated and uncertain lines.

``min``/``max``, ``prior`` and ``role`` may be missing (a plugin's file written before they
existed) or left empty on a line: a missing domain is then derived from the unit as before the
columns existed (fractions and probabilities in [0, 1], an IPS-25 score in [25, 125],
elasticities and percentage points unbounded, everything else non-negative), so scenarios valid
before stay valid; such a domain may be unbounded, and the plugin is then responsible for the
values it accepts. A missing role is ``fixed``. A file of the earlier format with a
``calibrate`` column instead of ``role`` is read as ``role``: ``true`` is ``calibrated``,
``false`` (or empty) is ``fixed``, so an old plugin's parameters, its capacity among them, are
never drawn.

A parameter that belongs to one service or process carries its prefix (``followup.advisers``,
``nav.followup_boost``). The names they had before are aliases (:func:`renamed`, from
``sim/data/renamed_parameters.csv``): a scenario file, a batch file, overrides given in
Python and code that reads a parameter by its old name keep working, each with a one-line
:class:`RenamedParameterWarning` naming the new name.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources

COLUMNS = [
    "name", "value", "unit", "min", "max", "lo", "hi", "prior", "role", "label_nb", "label_en",
    "source",
]  # fmt: skip
# a file may lack these (read as described above; a missing label is shown as the name)
OPTIONAL = ("min", "max", "prior", "role", "label_nb", "label_en")
LEGACY = {"calibrate": "role"}  # a column of the earlier format → the column it is read as
ROLES = ("lever", "calibrated", "uncertain", "fixed")
PRIORS = ("uniform", "triangular")  # shapes of a drawn or fitted value's prior on [lo, hi]
NOT_DRAWN = "none"  # the prior cell of a lever or fixed value
_LEGACY_ROLE = {"true": "calibrated", "false": "fixed", "": "fixed"}  # old ``calibrate`` values
_UNIT_DOMAIN = {
    "fraction": (0.0, 1.0),
    "probability": (0.0, 1.0),
    "elasticity": (-math.inf, math.inf),
    "percentage points": (-math.inf, math.inf),
    "IPS-25 score": (25.0, 125.0),
}


# names that are no longer parameters → what became of them
RETIRED = {
    "ips.target_rr": "no longer a parameter: the IPS trial's target risk ratio is the trial "
    "line of sim/data/targets.csv",
}


class RenamedParameterWarning(FutureWarning):
    """A parameter was named by its old name; it is read as its new one."""


@functools.cache
def renamed() -> dict[str, str]:
    """Old parameter name → its current name (``sim/data/renamed_parameters.csv``)."""
    text = resources.files("sim").joinpath("data/renamed_parameters.csv").read_text("utf-8")
    return {row["old"]: row["new"] for row in csv.DictReader(io.StringIO(text))}


def current_name(name: str) -> str:
    """The name a parameter has now: an old name's new one, any other name unchanged."""
    return renamed().get(name, name)


def rename_note(old: str) -> str:
    """The one-line note for an old name."""
    return f"{old} is now named {renamed()[old]} (the old name still works)"


def with_current_names(overrides: Mapping[str, float], stacklevel: int = 1) -> dict:
    """``overrides`` keyed by current names (a later entry wins); a warning per old name.

    ``stacklevel`` as for :func:`warnings.warn`, counted from the caller of this function.
    """
    if not any(k in renamed() for k in overrides):
        return dict(overrides)
    for old in (k for k in overrides if k in renamed()):
        warnings.warn(rename_note(old), RenamedParameterWarning, stacklevel=stacklevel + 1)
    return {current_name(k): v for k, v in overrides.items()}


def unit_domain(unit: str) -> tuple[float, float]:
    """The domain a unit implies, for lines without ``min``/``max``."""
    return _UNIT_DOMAIN.get(unit.split("/")[0].strip(), (0.0, math.inf))


@dataclass(frozen=True)
class ParamSpec:
    """One parameter's line: default value, unit, domain, plausible range, role and source."""

    name: str
    value: float
    unit: str
    lo: float
    hi: float
    source: str
    role: str = "fixed"  # one of ROLES
    min: float = -math.inf  # the domain (``min``/``max`` columns, or derived from the unit)
    max: float = math.inf
    label_nb: str = field(default="", compare=False)  # what the report shows (nb), not the name
    label_en: str = field(default="", compare=False)
    prior: str = "uniform"  # one of PRIORS, or NOT_DRAWN for levers and fixed values

    def from_unit(self, u):
        """The prior's quantile at ``u`` in [0, 1] (a float or an array; clipped to [0, 1])."""
        import numpy as np

        u = np.clip(u, 0.0, 1.0)
        lo, hi = self.lo, self.hi
        if self.prior != "triangular" or not hi > lo:
            return lo + u * (hi - lo)
        c = (self.value - lo) / (hi - lo)
        left = lo + np.sqrt(u * (hi - lo) * (self.value - lo))
        right = hi - np.sqrt((1.0 - u) * (hi - lo) * (hi - self.value))
        return np.where(u < c, left, right) if np.ndim(u) else float(left if u < c else right)

    def to_unit(self, x):
        """The prior's distribution function at ``x`` (the inverse of :meth:`from_unit`)."""
        import numpy as np

        lo, hi = self.lo, self.hi
        x = np.clip(x, lo, hi)
        if not hi > lo:
            return 0.5 * np.ones_like(x) if np.ndim(x) else 0.5
        if self.prior != "triangular":
            return (x - lo) / (hi - lo)
        m = self.value
        left = (x - lo) ** 2 / ((hi - lo) * max(m - lo, 1e-300))
        right = 1.0 - (hi - x) ** 2 / ((hi - lo) * max(hi - m, 1e-300))
        return np.where(x <= m, left, right) if np.ndim(x) else float(left if x <= m else right)

    def label(self, lang: str) -> str:
        """The short label in ``lang`` (``nb``/``en``); the name when the file has none."""
        return (self.label_nb if lang == "nb" else self.label_en).strip() or self.name

    @property
    def is_assumption(self) -> bool:
        """True when the value is an assumption rather than a sourced figure."""
        return self.source.strip().lower().startswith("assumption")

    @property
    def drawn(self) -> bool:
        """True when probabilistic runs draw the value from its range (role ``uncertain``)."""
        return self.role == "uncertain"

    def domain(self) -> tuple[float, float]:
        """The valid domain of values: every value in it is one the model runs at."""
        return self.min, self.max


def _number(row: dict, column: str) -> float:
    """A finite number from one cell (ValueError naming the line and column otherwise)."""
    try:
        x = float(row[column])
    except (TypeError, ValueError):
        x = math.nan
    if not math.isfinite(x):
        raise ValueError(
            f"parameter {row['name']}: {column}: not a finite number: {row[column]!r}"
        )
    return x


def _domain(row: dict) -> tuple[float, float]:
    """``min``/``max`` from the line, each derived from the unit when absent or empty."""
    ends = zip(("min", "max"), unit_domain(row["unit"]), strict=True)
    lo, hi = (_number(row, c) if (row.get(c) or "").strip() else d for c, d in ends)
    return lo, hi


def _role(row: dict) -> str:
    """The line's role: the ``role`` cell, or an old ``calibrate`` cell read as one."""
    if "role" in row:
        text = (row["role"] or "").strip() or "fixed"
    else:
        text = (row.get("calibrate") or "").strip().lower()
        text = _LEGACY_ROLE.get(text, text)
    if text not in ROLES:
        raise ValueError(f"parameter {row['name']}: role: {text!r} is not one of {ROLES}")
    return text


def _prior(row: dict, role: str) -> str:
    """The line's prior shape: ``none`` for levers and fixed values, else one of PRIORS."""
    text = (row.get("prior") or "").strip().lower()
    if role in ("lever", "fixed"):
        if text not in ("", NOT_DRAWN):
            raise ValueError(
                f"parameter {row['name']}: prior: a {role} value is never drawn, so its prior "
                f"is {NOT_DRAWN!r} or empty, got {text!r}"
            )
        return NOT_DRAWN
    text = text or "uniform"
    if text not in PRIORS:
        raise ValueError(f"parameter {row['name']}: prior: {text!r} is not one of {PRIORS}")
    return text


def _spec(row: dict) -> ParamSpec:
    lo_d, hi_d = _domain(row)
    spec = ParamSpec(
        name=row["name"],
        value=_number(row, "value"),
        unit=row["unit"],
        lo=_number(row, "lo"),
        hi=_number(row, "hi"),
        source=row["source"],
        role=_role(row),
        min=lo_d,
        max=hi_d,
        label_nb=row.get("label_nb") or "",
        label_en=row.get("label_en") or "",
        prior=_prior(row, _role(row)),
    )
    if not lo_d <= min(spec.value, spec.lo) <= max(spec.value, spec.hi) <= hi_d:
        raise ValueError(
            f"parameter {spec.name}: value {spec.value} and range [{spec.lo}, {spec.hi}] "
            f"must lie inside its domain [{lo_d}, {hi_d}]"
        )
    if spec.prior == "triangular" and not spec.lo <= spec.value <= spec.hi:
        raise ValueError(
            f"parameter {spec.name}: a triangular prior has its mode at the value, so it needs "
            f"lo <= value <= hi, got {spec.lo}, {spec.value}, {spec.hi}"
        )
    if spec.drawn and not spec.lo < spec.hi:
        raise ValueError(f"parameter {spec.name}: uncertain, so its range needs lo < hi")
    return spec


def _parse_rows(text: str) -> dict[str, ParamSpec]:
    reader = csv.DictReader(io.StringIO(text))
    names = reader.fieldnames or []
    read_as = [LEGACY.get(c, c) for c in names]
    missing = [c for c in COLUMNS if c not in read_as and c not in OPTIONAL]
    unknown = [c for c in read_as if c not in COLUMNS]
    if missing or unknown or len(set(read_as)) < len(read_as):
        raise ValueError(
            f"parameter file columns must be {COLUMNS} ({', '.join(OPTIONAL)} may be left out; "
            f"an earlier file's calibrate is read as role), got {names}"
        )
    return {row["name"]: _spec(_whole(row, reader.line_num)) for row in reader}


def _whole(row: dict, line: int) -> dict:
    """The row, refused when it has more fields than the header (an unquoted comma)."""
    if None in row:
        raise ValueError(
            f"parameter file line {line} ({row.get('name')}): more fields than columns "
            "(quote a source that contains a comma)"
        )
    return row


_REGISTRY: dict[str, ParamSpec] = {}
_ADDED = 0  # how many times parameter lines were registered (for caches of Params)


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
    global _ADDED
    new = _parse_rows(csv_text)
    taken = sorted(set(new) & set(renamed()))
    if taken:
        raise ValueError(f"parameter names kept as aliases of renamed ones: {taken}")
    clash = sorted(set(new) & set(specs()))
    if clash and any(new[k] != specs()[k] for k in clash):
        raise ValueError(f"parameters already defined differently: {clash}")
    _REGISTRY.update(new)
    _ADDED += 1


def registry_state() -> tuple[int, int]:
    """Changes whenever the known parameters change: a cached :class:`Params` is stale then."""
    return _ADDED, len(specs())


def parameter_table():
    """The parameter lines as a pandas DataFrame (for docs and reports)."""
    import pandas as pd

    return pd.DataFrame([s.__dict__ for s in specs().values()])


class Params(Mapping[str, float]):
    """Immutable parameter values: package defaults plus validated overrides."""

    def __init__(self, overrides: Mapping[str, float] | None = None):
        self.overrides = with_current_names(overrides or {}, stacklevel=2)
        self._values = {name: s.value for name, s in specs().items()}
        self._values.update(self.overrides)

    def __getitem__(self, key: str) -> float:
        try:
            return self._values[key]
        except KeyError:
            if key not in renamed():
                raise
        warnings.warn(rename_note(key), RenamedParameterWarning, stacklevel=2)
        return self._values[renamed()[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Params(overrides={self.overrides!r})"


def check_value(name: str, value: object) -> str | None:
    """Return a problem description for one override, or None when it is valid.

    An old name is checked as its new one (see :func:`renamed`).
    """
    known = specs()
    spec = known.get(current_name(name))
    if spec is None:
        from sim.core.names import unknown

        return RETIRED.get(name) or unknown(name, known, "parameter")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number, got {type(value).__name__} {_show(value)}"
    lo, hi = spec.domain()
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, got {value}"
    if not lo <= value <= hi:  # exact for integers of any size (never converted to float)
        unit = spec.unit
        return f"value {_show(value)} outside its valid range [{_num(lo)}, {_num(hi)}] ({unit})"
    return None


def _num(x: float) -> str:
    """A domain end as written in the parameter file (1000000, not 1e+06)."""
    return str(int(x)) if math.isfinite(x) and x == int(x) else f"{x:g}"


def _show(value: object, limit: int = 40) -> str:
    """A value for a one-line message: long integers and texts shortened."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**limit:
        digits = int(abs(value).bit_length() * math.log10(2)) + 1  # no str(): digit limit
        return f"{'-' if value < 0 else ''}(an integer of about {digits} digits)"
    text = repr(value).replace("\n", " ")
    return text if len(text) <= limit else f"{text[: limit - 3]}..."
