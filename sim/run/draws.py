"""Parameter draws for probabilistic sensitivity analysis (``--draw-params``).

Rule, when the package holds a calibrated posterior (``sim/data/posterior.csv``, written by
``sim posterior --apply``; its record ``posterior.json``): each replicate takes one row of the
posterior, chosen by its own stream (with the probabilities of a ``weight`` column when the file
has one, else uniformly), which sets every parameter the posterior fitted
(calibrated ones and the uncertain ones the targets constrain), so every drawn world reproduces
the targets; the other ``uncertain`` parameters (those the targets do not constrain, and a
plugin's) are drawn from their priors (shape ``prior`` on the plausible range ``[lo, hi]``:
uniform, or triangular with the mode at the value), in file order; parameters the record lists
as ``inert`` (no effect in any shipped scenario) are not drawn. Without a posterior file: every
``uncertain`` parameter is drawn from its prior and every ``calibrated`` one keeps its fitted
value (the value column, written by ``sim calibrate --apply``), since ``lo``-``hi`` is the
calibration's prior box, not its uncertainty after the fit. Levers (doses and designs of
interventions, switches, accounting conventions, a plugin service's capacity), which scenarios
set, and ``fixed`` values are never drawn. Draws are positional, so a parameter that changes
role changes the values drawn for the parameters after it.

Values are drawn as continuous numbers; the model reads months, places and FTE as real
numbers (rates and thresholds), so no rounding is needed.

Reproducibility: the draw of replicate ``r`` comes from its own stream,
``Philox(SeedSequence([replicate_seed, DRAW_KEY]))``, so it depends only on the replicate
seed (never on global ``np.random``, the worker or the number of replicates), and it is
independent of the model's own streams, which are keyed by the same seed.

A drawn world has its own history: :func:`apply_draw` puts the draw into both the warm-up
(chain root) and the scenario's overrides, and keeps each scenario's own levers (the
overrides in which it differs from its root) on top, so every scenario of a replicate shares
one draw and pairing by replicate still holds.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, replace
from importlib import resources

import numpy as np

from sim.core.params import ParamSpec, specs
from sim.core.scenario import Scenario

DRAW_KEY = 0x5EED_D4A7  # the stream key of parameter draws (distinct from model decisions)


def uncertain(table: dict[str, ParamSpec] | None = None) -> list[ParamSpec]:
    """The parameters ``--draw-params`` draws: role ``uncertain``, in file order."""
    table = specs() if table is None else table
    return [s for s in table.values() if s.drawn]


@dataclass(frozen=True)
class PosteriorDraws:
    """The package's calibrated posterior: parameter names, one row per draw, inert names."""

    names: tuple[str, ...]
    rows: np.ndarray
    inert: frozenset[str]
    weights: np.ndarray | None = None  # each row's probability (a ``weight`` column), or equal


def read_posterior(csv_text: str, record: dict) -> PosteriorDraws:
    """A posterior from its CSV text (``draw`` then one column per parameter) and record.

    Raises:
        InputError: a column that is no known parameter, or a value outside its domain.
    """
    import io

    import pandas as pd

    from sim.errors import InputError

    table = pd.read_csv(io.StringIO(csv_text))
    names = [c for c in table.columns if c not in ("draw", "weight")]
    known = specs()
    for n in names:
        if n not in known:
            raise InputError(f"posterior.csv: {n}: not a parameter of this model")
        lo, hi = known[n].domain()
        col = table[n].to_numpy(float)
        if not len(col) or np.isnan(col).any() or col.min() < lo or col.max() > hi:
            raise InputError(f"posterior.csv: {n}: values missing or outside [{lo}, {hi}]")
    rows = table[names].to_numpy(float)
    weights = None
    if "weight" in table.columns:
        w = table["weight"].to_numpy(float)
        if np.isnan(w).any() or (w < 0).any() or not w.sum() > 0:
            raise InputError("posterior.csv: weight: values missing, negative or all 0")
        weights = w / w.sum()
    return PosteriorDraws(tuple(names), rows, frozenset(record.get("inert", [])), weights)


@functools.cache
def posterior() -> PosteriorDraws | None:
    """The package's posterior (``sim/data/posterior.csv``), or None when there is none."""
    data = resources.files("sim").joinpath("data")
    csv_file, record_file = data.joinpath("posterior.csv"), data.joinpath("posterior.json")
    if not csv_file.is_file():
        return None
    record = json.loads(record_file.read_text("utf-8")) if record_file.is_file() else {}
    return read_posterior(csv_file.read_text("utf-8"), record)


def draw(
    replicate_seed: int,
    names: list[ParamSpec] | None = None,
    post: PosteriorDraws | None | bool = True,
) -> dict[str, float]:
    """One replicate's draw: a posterior row, the other uncertain parameters from their priors.

    Args:
        replicate_seed: the integer seed of the replicate (the ``seed`` column).
        names: the parameters drawn from their priors (default: :func:`uncertain`).
        post: the posterior (default True: the package's, when it has one; None or False:
            none, every parameter in ``names`` from its prior).

    Returns:
        Parameter name → drawn value (the same for the same seed, in any process).
    """
    chosen = uncertain() if names is None else names
    post = posterior() if post is True else post or None
    rng = _stream(replicate_seed)
    if post is None:
        return _priors(rng, chosen)
    return _with_row(rng, post, _choose_row(rng, post), chosen)


def _choose_row(rng: np.random.Generator, post: PosteriorDraws) -> int:
    """A posterior row: by the rows' weights when the file has them, else uniformly."""
    if post.weights is None:
        return int(rng.integers(len(post.rows)))
    return int(rng.choice(len(post.rows), p=post.weights))


def complete_row(replicate_seed: int, post: PosteriorDraws, row: int) -> dict[str, float]:
    """Posterior row ``row`` with the other uncertain parameters drawn as :func:`draw` does.

    The priors' values are those replicate ``replicate_seed`` would draw beside any row (the
    row's choice is taken from the stream first, then set aside), so a world checked with
    this seed (``sim posterior --verify``) is the world ``--draw-params`` builds around
    that row.
    """
    rng = _stream(replicate_seed)
    _choose_row(rng, post)  # the row choice of draw(), replaced by ``row``
    return _with_row(rng, post, row, uncertain())


def _stream(replicate_seed: int) -> np.random.Generator:
    seq = np.random.SeedSequence([int(replicate_seed), DRAW_KEY])
    return np.random.Generator(np.random.Philox(seq))


def _with_row(rng, post: PosteriorDraws, row: int, chosen: list[ParamSpec]) -> dict[str, float]:
    out = {n: float(v) for n, v in zip(post.names, post.rows[row], strict=True)}
    rest = [s for s in chosen if s.name not in out and s.name not in post.inert]
    return {**_priors(rng, rest), **out}


def _priors(rng, chosen: list[ParamSpec]) -> dict[str, float]:
    u = rng.random(len(chosen))
    return {s.name: float(s.from_unit(ui)) for s, ui in zip(chosen, u, strict=True)}


def levers(scenario: Scenario) -> dict[str, float]:
    """The scenario's own overrides: those in which it differs from its chain root."""
    root = scenario.root_overrides
    return {k: v for k, v in scenario.overrides.items() if k not in root or root[k] != v}


def apply_draw(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """The scenario in a world with these parameter values (warm-up included).

    The values replace the root's (warm-up) and the scenario's overrides; the scenario's own
    levers stay on top of them, so a lever is never drawn away.
    """
    root = {**scenario.root_overrides, **values}
    overrides = {**scenario.overrides, **values, **levers(scenario)}
    return replace(scenario, overrides=overrides, root_overrides=root)


def draw_seed(seeds: list[int], replicate: int, per_draw: int = 1) -> int:
    """The seed whose draw replicate ``replicate`` takes: that of the first of its group.

    ``per_draw`` consecutive replicates share one parameter draw (``--reps-per-draw``) and
    differ only in the model's own streams, so the spread within a group is stochastic and the
    intervals can be split into stochastic and parameter parts
    (:func:`sim.analysis.intervals.parts`).
    """
    return seeds[(replicate // per_draw) * per_draw]


def drawn_specs(
    specs_: list, enabled: bool, seeds: list[int] | None = None, per_draw: int = 1
) -> list:
    """Run specs with each replicate's draw applied (unchanged when ``enabled`` is False).

    ``seeds`` are the replicate seeds in replicate order (needed when ``per_draw`` > 1).
    """
    if not enabled:
        return specs_
    cache: dict[int, dict[str, float]] = {}
    out = []
    for s in specs_:
        key = s.seed if per_draw == 1 else draw_seed(seeds, s.replicate, per_draw)
        values = cache.setdefault(key, draw(key))
        out.append(replace(s, scenario=apply_draw(s.scenario, values), draws=values))
    return out


def manifest_draws(seeds: list[int], enabled: bool, per_draw: int = 1) -> dict:
    """Manifest entries: which interval is shown, and the values drawn per replicate."""
    if not enabled:
        return {"draw_params": False, "interval": "replicate (stochastic) variation only"}
    return {
        "draw_params": True,
        "interval": "replicate variation and parameter uncertainty ("
        + ("calibrated posterior; the rest from their priors)" if posterior() else "priors)"),
        "reps_per_draw": per_draw,
        "drawn_params": {str(r): draw(draw_seed(seeds, r, per_draw)) for r in range(len(seeds))},
    }
