"""Parameter draws for probabilistic sensitivity analysis (``--draw-params``).

Rule: the parameters whose role is ``uncertain`` (``role`` column of the parameter file, see
:mod:`sim.core.params`) are drawn uniformly on their plausible range ``[lo, hi]``, in file order
(the package's file, then plugins' lines). Levers (doses and designs of interventions, switches,
accounting conventions, a plugin service's capacity), which scenarios set, and ``fixed``
values are never drawn. A ``calibrated`` parameter is fixed at its fitted value (the value
column, written by ``sim calibrate --apply``): it is not drawn from its range, since
``lo``-``hi`` is the calibration's prior box, not its uncertainty after the fit; the spread of
its calibrated posterior may be drawn later, by a rule of its own. So a parameter whose role
changes from ``uncertain`` to ``calibrated`` leaves the draw (and, draws being positional,
the values drawn for the parameters after it change).

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

from dataclasses import replace

import numpy as np

from sim.core.params import ParamSpec, specs
from sim.core.scenario import Scenario

DRAW_KEY = 0x5EED_D4A7  # the stream key of parameter draws (distinct from model decisions)


def uncertain(table: dict[str, ParamSpec] | None = None) -> list[ParamSpec]:
    """The parameters ``--draw-params`` draws: role ``uncertain``, in file order."""
    table = specs() if table is None else table
    return [s for s in table.values() if s.drawn]


def draw(replicate_seed: int, names: list[ParamSpec] | None = None) -> dict[str, float]:
    """One replicate's draw: each uncertain parameter uniform on ``[lo, hi]``.

    Args:
        replicate_seed: the integer seed of the replicate (the ``seed`` column).
        names: the parameters to draw (default: :func:`uncertain`).

    Returns:
        Parameter name → drawn value (the same for the same seed, in any process).
    """
    chosen = uncertain() if names is None else names
    seq = np.random.SeedSequence([int(replicate_seed), DRAW_KEY])
    rng = np.random.Generator(np.random.Philox(seq))
    u = rng.random(len(chosen))
    return {s.name: float(s.lo + ui * (s.hi - s.lo)) for s, ui in zip(chosen, u, strict=True)}


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


def drawn_specs(specs_: list, enabled: bool) -> list:
    """Run specs with each replicate's draw applied (unchanged when ``enabled`` is False)."""
    if not enabled:
        return specs_
    cache: dict[int, dict[str, float]] = {}
    out = []
    for s in specs_:
        values = cache.setdefault(s.seed, draw(s.seed))
        out.append(replace(s, scenario=apply_draw(s.scenario, values), draws=values))
    return out


def manifest_draws(seeds: list[int], enabled: bool) -> dict:
    """Manifest entries: which interval is shown, and the values drawn per replicate."""
    if not enabled:
        return {"draw_params": False, "interval": "replicate (stochastic) variation only"}
    return {
        "draw_params": True,
        "interval": "replicate variation and parameter uncertainty (uniform on lo-hi)",
        "drawn_params": {str(r): draw(seed) for r, seed in enumerate(seeds)},
    }
