"""DashboardModel: the Mesa model each browser session creates, steps and re-creates on reset.

The page re-creates its model with the input values as keyword arguments
(:func:`model_kwargs`), so this thin wrapper takes them as keywords: it loads the scenario,
applies the slider overrides (validated like scenario overrides), builds a warmed-up
:class:`~sim.core.model.YouthModel` with :func:`sim.api.build`, and advances it one month per
:meth:`DashboardModel.step`. The warm-up uses the scenario chain root's parameters; slider
overrides apply from the start month, exactly like the overrides in a scenario file.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path

import mesa
import pandas as pd

from sim import api
from sim.core.params import ParamSpec, check_value, specs
from sim.core.scenario import Scenario
from sim.errors import InputError
from sim.present.dashboard import data
from sim.present.i18n import LANGS, t
from sim.run.jobs import option_problem

DEFAULT_SCALE = 0.05
COORD = "coord.fte"
PACKAGE_DEFAULTS = Scenario(
    stem="defaults",
    name={lang: t(lang, "dashboard.defaults.name") for lang in LANGS},
    description={lang: t(lang, "dashboard.defaults.description") for lang in LANGS},
    overrides={},
    files=(),
)


@dataclass(frozen=True)
class Control:
    """A slider: its keyword in :class:`DashboardModel` and the parameter it overrides."""

    key: str
    param: str
    integer: bool  # counts (FTE) get an integer slider, fractions a float slider


CONTROLS = (
    Control("handover_loss", "handover_loss", False),
    Control("plan_conflict", "plan_conflict", False),
    Control("coord_fte", COORD, True),
    Control("ips_fte", "ips.fte", True),
    Control("nav_caseworkers", "nav.caseworkers", True),
    Control("ot_advisers", "followup.advisers", True),
)


def load(scenario_file: str | Path | None) -> Scenario:
    """The scenario of a file, or the package defaults when no file is named.

    Raises:
        InputError: when the file is missing or invalid (naming the file and the key).
    """
    return api.load_scenario(scenario_file) if scenario_file else PACKAGE_DEFAULTS


def available_controls() -> list[Control]:
    """The controls whose parameter exists in this version's parameter file."""
    known = specs()
    return [c for c in CONTROLS if c.param in known]


def slider_overrides(values: dict[str, object]) -> dict[str, float]:
    """Parameter overrides from slider values (``None`` keeps the scenario's value).

    ``coordination=False`` sets the coordinators to zero whatever ``coord_fte`` says.

    Raises:
        InputError: for a parameter this version lacks or a value outside its domain.
    """
    out: dict[str, float] = {}
    for control in CONTROLS:
        value = values.get(control.key)
        if value is None:
            continue
        problem = check_value(control.param, value)
        if problem:
            raise InputError(f"{control.key} ({control.param}): {problem}")
        out[control.param] = float(value)
    if values.get("coordination") is False:
        if COORD not in specs():
            raise InputError(f"coordination: parameter {COORD} does not exist")
        out[COORD] = 0.0
    return out


def parse_seed(seed: object) -> int:
    """A non-negative integer seed from a number or the seed text box."""
    try:
        value = int(str(seed).strip())
    except ValueError:
        raise InputError(f"seed: must be a whole number, got {seed!r}") from None
    problem = option_problem("seed", value)  # the range of every command's --seed
    if problem:
        raise InputError(f"seed: {problem}")
    return value


def check_scale(scale: object) -> float:
    """The population fraction, checked as for every command (:mod:`sim.run.jobs`)."""
    value = float(scale)
    problem = option_problem("scale", value)
    if problem:
        raise InputError(f"scale: {problem}")
    return value


class DashboardModel(mesa.Model):
    """One scenario with slider overrides, stepped one month at a time by the page.

    Args:
        scenario_file: scenario TOML file; empty for the package defaults.
        seed: the run's seed (used as given, like :func:`sim.api.build`).
        scale: fraction of the population simulated (quick by default).
        start: first simulated month, ``"YYYY-MM"``.
        coordination: False switches coordinators off (``coord.fte`` = 0).
        handover_loss: override of ``handover_loss`` (None keeps the scenario's value).
        plan_conflict: override of ``plan_conflict``.
        coord_fte: override of ``coord.fte`` (coordinators, FTE).
        ips_fte: override of ``ips.fte`` (IPS specialists, FTE).
        nav_caseworkers: override of ``nav.caseworkers`` (FTE).
        ot_advisers: override of ``followup.advisers`` (follow-up service, FTE).

    Attributes:
        youth_model: the warmed-up :class:`~sim.core.model.YouthModel` being stepped.
        definition: the scenario with the slider overrides merged in.
        overrides: the slider values that differ from the scenario's (parameter -> value).
    """

    def __init__(
        self,
        scenario_file: str = "",
        seed: int | str = 1,
        scale: float = DEFAULT_SCALE,
        start: str = "2024-01",
        coordination: bool | None = None,
        handover_loss: float | None = None,
        plan_conflict: float | None = None,
        coord_fte: float | None = None,
        ips_fte: float | None = None,
        nav_caseworkers: float | None = None,
        ot_advisers: float | None = None,
    ):
        seed, scale = parse_seed(seed), check_scale(scale)
        super().__init__(rng=seed)
        base = load(scenario_file)
        wanted = slider_overrides(
            {
                "coordination": coordination,
                "handover_loss": handover_loss,
                "plan_conflict": plan_conflict,
                "coord_fte": coord_fte,
                "ips_fte": ips_fte,
                "nav_caseworkers": nav_caseworkers,
                "ot_advisers": ot_advisers,
            }
        )
        self.overrides = {k: v for k, v in wanted.items() if base.params[k] != v}
        merged = {**base.overrides, **self.overrides}
        self.definition = dataclasses.replace(base, overrides=merged)
        self.start = start
        self.youth_model = api.build(self.definition, seed=seed, scale=scale, start=start)
        self._table: tuple[int, pd.DataFrame] | None = None

    def step(self) -> None:
        """Advance the simulation by one month."""
        self.youth_model.step()

    @property
    def period(self) -> str | None:
        """The last month simulated, ``"YYYY-MM"`` (None before the first step)."""
        rows = self.youth_model.collector.monthly
        return rows[-1][0] if rows else None

    @property
    def months(self) -> int:
        """Months simulated since the start month."""
        return self.youth_model.month - self.youth_model.start_index

    def table(self) -> pd.DataFrame:
        """The monthly rows the panels use, as a tidy DataFrame (cached per month)."""
        rows = self.youth_model.collector.monthly
        if self._table is None or self._table[0] != len(rows):
            self._table = (len(rows), data.frame(rows))
        return self._table[1]


def _slider(control: Control, spec: ParamSpec, value: float) -> dict:
    if not control.integer:
        lo, hi = spec.domain()
        return {"type": "SliderFloat", "value": value, "min": lo, "max": hi, "step": 0.01}
    if control.param == COORD and value <= 0:
        value = (spec.lo + spec.hi) / 2  # the level coordination switches on at
    top = math.ceil(max(spec.hi, 2 * value, 1))
    return {"type": "SliderInt", "value": round(value), "min": 0, "max": top, "step": 1}


def model_params(
    scenario_file: str,
    lang: str,
    seed: int = 1,
    scale: float = DEFAULT_SCALE,
    start: str = "2024-01",
) -> dict[str, object]:
    """The page's inputs and fixed values for this scenario (keyword -> value or input spec).

    An input is a dict with ``type`` (``InputText``, ``SliderFloat``, ``SliderInt``,
    ``Checkbox``), ``value``, ``label`` and, for sliders, ``min``, ``max`` and ``step`` (the
    ``model_params`` format of Mesa's SolaraViz); everything else is passed to the model as is.
    A slider starts at the scenario's value; only parameters this version has get one.
    """
    params = load(scenario_file).params
    out: dict[str, object] = {
        "scenario_file": scenario_file,
        "start": start,
        "seed": {
            "type": "InputText",
            "value": str(seed),
            "label": t(lang, "dashboard.slider.seed"),
        },
        "scale": {
            "type": "SliderFloat",
            "value": scale,
            "min": 0.01,
            "max": max(0.5, scale),
            "step": 0.01,
            "label": t(lang, "dashboard.slider.scale"),
        },
    }
    if COORD in specs():
        on = params[COORD] > 0
        out["coordination"] = {
            "type": "Checkbox",
            "value": on,
            "label": t(lang, "dashboard.slider.coordination"),
        }
    for control in available_controls():
        slider = _slider(control, specs()[control.param], params[control.param])
        out[control.key] = {**slider, "label": t(lang, f"dashboard.slider.{control.key}")}
    return out


def inputs(params: dict[str, object]) -> dict[str, dict]:
    """The entries of :func:`model_params` that the page shows as inputs."""
    return {key: spec for key, spec in params.items() if isinstance(spec, dict)}


def start_values(params: dict[str, object]) -> dict[str, object]:
    """Every input at its starting value."""
    return {key: spec["value"] for key, spec in inputs(params).items()}


def model_kwargs(params: dict[str, object], values: dict[str, object]) -> dict[str, object]:
    """The :class:`DashboardModel` keywords: fixed entries, then the inputs' current values."""
    fixed = {key: value for key, value in params.items() if not isinstance(value, dict)}
    return {**fixed, **start_values(params), **values}
