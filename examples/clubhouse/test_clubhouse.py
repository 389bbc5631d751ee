"""The clubhouse example: zero places change nothing; otherwise only the youth it reaches.

Run it with ``.venv/bin/pytest examples/clubhouse`` (``make test`` collects it too). The file
is self-contained, so it can be copied next to a new plugin: it needs nothing from ``tests/``.

The plugin is loaded from its file the way ``sim --plugin`` loads it, registered for the
tests of this module only, and unregistered afterwards (its module stays imported, so the
fixture calls its ``register()`` again). The checks follow the mentor test
(``tests/test_extension.py``): with zero places every baseline row is reproduced exactly;
with every core capacity non-binding, youth the clubhouse never admitted keep identical
histories, final state and referrals.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.core.params
import sim.run.plugins
import sim.services
from sim.cli.main import main
from sim.core.scenario import load_scenario
from sim.core.states import FIELDS, TRACKED
from sim.errors import InputError
from sim.run.draws import drawn_specs
from sim.run.runner import RunSpec, build_model, replicate_seeds, run_one

EXAMPLE = Path(__file__).resolve().parent
ROOT = EXAMPLE.parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
PLUGIN = EXAMPLE / "clubhouse.py"
SCENARIO = EXAMPLE / "clubhouse.toml"
SCALE, YEARS, SEED = 0.05, 3, 1  # about 4,800 simulated youth, 3 years after the warm-up
QUICK = ["--reps", "1", "--years", "1", "--scale", "0.02", "--quiet"]
CAPACITY_UNITS = {"places", "treatment places", "FTE"}


# -- fixtures: a small baseline run made before the plugin is registered ------------------
@pytest.fixture(scope="module")
def baseline_spec() -> RunSpec:
    seed = replicate_seeds(SEED, 1)[0]
    return RunSpec(load_scenario(BASELINE), 0, seed, years=YEARS, scale=SCALE)


@pytest.fixture(scope="module")
def baseline_run(baseline_spec):
    """The baseline tables, made while the clubhouse does not exist."""
    assert "clubhouse" not in sim.services.REGISTRY
    return run_one(baseline_spec)


@pytest.fixture(scope="module")
def clubhouse(baseline_run):
    """The plugin module, registered (the baseline run is made before, without it)."""
    module = sim.run.plugins.load(str(PLUGIN))
    module.register()
    yield module
    sim.services.REGISTRY.pop("clubhouse", None)
    for name, *_ in module.PARAMETERS:
        sim.core.params._REGISTRY.pop(name, None)


# -- helpers --------------------------------------------------------------------------------
def write_scenario(path: Path, params: dict, extends: Path = BASELINE) -> Path:
    """A scenario file that extends ``extends`` and sets ``params``."""
    lines = [
        f'name = {{ nb = "Test {path.stem}", en = "Test {path.stem}" }}',
        f'description = {{ nb = "Test {path.stem}", en = "Test {path.stem}" }}',
        f'extends = "{extends.as_posix()}"',
        "[params]",
        *(f'"{name}" = {value!r}' for name, value in params.items()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def non_binding() -> dict[str, float]:
    """Every capacity in use (places or FTE, default > 0) far above demand.

    Then who gets a place never depends on who else is waiting.
    """
    specs = sim.core.params.specs().values()
    return {s.name: 1e6 for s in specs if s.unit in CAPACITY_UNITS and s.value > 0}


def stepped_model(spec: RunSpec):
    """The model of ``spec`` after its warm-up and ``spec.years`` years."""
    model = build_model(spec)
    for _ in range(spec.years * 12):
        model.step()
    return model


HELPER_CODES: dict[str, int] = {}  # one helper numbering shared by every model compared


def canonical_helpers(model, masks: np.ndarray) -> np.ndarray:
    """Helper bitmasks re-coded by helper name, so bit numbering cannot differ between runs."""
    out = np.zeros(len(masks), dtype=np.uint64)
    for value in np.unique(masks):
        names = model.helper_names(int(value))
        out[masks == value] = sum(
            1 << HELPER_CODES.setdefault(n, len(HELPER_CODES)) for n in names
        )
    return out


def histories(model, pids: np.ndarray) -> np.ndarray:
    """The change log of the given youth, helpers re-coded, in a canonical order."""
    ev = model.pop.events()
    ev = ev[np.isin(ev["pid"], pids)]
    values = ev["value"].astype(np.uint64)
    helpers = ev["field"] == TRACKED.index("helpers")
    values[helpers] = canonical_helpers(model, ev["value"][helpers])
    table = np.rec.fromarrays([ev["pid"], ev["month"], ev["field"], values])
    return np.sort(table, kind="stable", order=["f0", "f1", "f2"])


def referrals(model, exclude: np.ndarray) -> list[tuple]:
    """Every referral (pid, month, route, lost) of youth not in ``exclude``, sorted."""
    ref = model.referrals.log()
    ref = ref[~np.isin(ref["pid"], exclude)]
    routes = {v: k for k, v in model._routes.items()}
    named = [routes[r] for r in ref["route"]]
    return sorted(zip(ref["pid"], ref["month"], named, ref["lost"], strict=True))


def _club(model):
    return next(s for s in model.services if s.name == "clubhouse")


# -- tests ----------------------------------------------------------------------------------
def test_scenario_needs_the_plugin(monkeypatch):
    """Without the plugin's parameters the scenario file is rejected (unknown key)."""
    sim.core.params.specs()
    for name in [n for n in sim.core.params._REGISTRY if n.startswith("clubhouse.")]:
        monkeypatch.delitem(sim.core.params._REGISTRY, name)
    with pytest.raises(InputError, match="clubhouse.places"):
        load_scenario(SCENARIO)


def test_parameters_have_sources_and_ranges(clubhouse):
    for name, *_ in clubhouse.PARAMETERS:
        spec = sim.core.params.specs()[name]
        assert spec.source.startswith("assumption"), name
        assert spec.lo <= spec.value <= spec.hi, name
    assert load_scenario(SCENARIO).overrides["clubhouse.places"] > 0


def test_a_draw_leaves_the_clubhouse_levers_at_their_scenario_values(clubhouse):
    """``--draw-params`` draws the clubhouse's effects but never its places (its dose).

    Before the role column, a drawn baseline got a randomly sized clubhouse (seed 12345:
    about 231 places) and the clubhouse scenario lost its 300.
    """
    levers = [n for n, *_, role, _ in clubhouse.PARAMETERS if role == "lever"]
    assert "clubhouse.places" in levers
    scenarios = [load_scenario(BASELINE), load_scenario(SCENARIO)]
    seeds = replicate_seeds(12345, 2)
    runs = [RunSpec(sc, r, seed) for r, seed in enumerate(seeds) for sc in scenarios]
    for run, drawn in zip(runs, drawn_specs(runs, True), strict=True):
        assert "clubhouse.job_find_rr" in drawn.draws  # an uncertain effect is drawn
        for name in levers:
            assert name not in drawn.draws
            assert drawn.scenario.params[name] == run.scenario.params[name], name
            assert drawn.scenario.warmup_params[name] == run.scenario.warmup_params[name]
    assert [d.scenario.params["clubhouse.places"] for d in drawn_specs(runs, True)[:2]] == [0, 300]


def test_zero_places_reproduce_the_baseline_exactly(clubhouse, baseline_run, baseline_spec):
    """The clubhouse is in the model but has no places: both tables are unchanged."""
    assert "clubhouse" in {s.name for s in build_model(baseline_spec).services}
    result = run_one(baseline_spec)
    pd.testing.assert_frame_equal(result.yearly, baseline_run.yearly, check_exact=True)
    pd.testing.assert_frame_equal(result.monthly, baseline_run.monthly, check_exact=True)


@pytest.fixture(scope="module")
def non_binding_pair(clubhouse, baseline_spec, tmp_path_factory):
    """Every core capacity non-binding, without and with the clubhouse (15 places at 0.05)."""
    tmp = tmp_path_factory.mktemp("clubhouse")
    base = write_scenario(tmp / "open.toml", non_binding())
    club = write_scenario(tmp / "club.toml", {"clubhouse.places": 300}, extends=base)
    specs = [replace(baseline_spec, scenario=load_scenario(p)) for p in (base, club)]
    return stepped_model(specs[0]), stepped_model(specs[1])


def test_members_get_the_effects(non_binding_pair):
    """Members' job finding and recovery are multiplied; nobody else's are."""
    _, model = non_binding_pair
    house, live = _club(model), model.pop.live()
    member = np.isin(live, house.active)
    assert member.any()
    expected = 1 + (model.params["clubhouse.job_find_rr"] - 1) * model.conflict_factor(live)
    assert np.allclose(house.job_find_modifier(live), np.where(member, expected, 1.0))
    assert np.all(house.recovery_modifier(live)[member] > 1.0)
    assert np.all(house.recovery_modifier(live)[~member] == 1.0)


def test_members_are_reached_and_their_paths_change(non_binding_pair):
    base, club = non_binding_pair
    served = _club(club).served()
    assert len(served) > 20
    assert not np.array_equal(histories(base, served), histories(club, served))
    members = club.pop.helpers[_club(club).active]  # the clubhouse counts as a helper
    assert all("clubhouse" in club.helper_names(int(mask)) for mask in members)


def test_youth_never_admitted_keep_identical_trajectories(non_binding_pair):
    base, club = non_binding_pair
    assert base.pop.n == club.pop.n
    others = np.setdiff1d(np.arange(base.pop.n), _club(club).served())
    assert len(others) > 0.9 * base.pop.n
    assert np.array_equal(histories(base, others), histories(club, others))
    for name in FIELDS:
        a, b = getattr(base.pop, name)[others], getattr(club.pop, name)[others]
        if name == "helpers":
            a, b = canonical_helpers(base, a), canonical_helpers(club, b)
        assert np.array_equal(a, b), name


def test_referrals_of_youth_never_admitted_unchanged_but_for_the_clubhouse(non_binding_pair):
    """Other routes are identical; the only new referrals are those to the clubhouse."""
    base, club = non_binding_pair
    served = _club(club).served()
    before, after = referrals(base, served), referrals(club, served)
    to_club = [r for r in after if r[2].endswith("->clubhouse")]
    assert to_club  # youth referred but never admitted (the house is full)
    assert before == [r for r in after if not r[2].endswith("->clubhouse")]


def test_cli_loads_the_plugin_by_path_in_workers(clubhouse, tmp_path):
    """``sim --plugin FILE compare ...`` with two worker processes: workers load it too."""
    out = tmp_path / "cmp"
    args = ["compare", str(BASELINE), str(SCENARIO)]
    rc = main(["--plugin", str(PLUGIN), *args, "--out", str(out), "--workers", "2", *QUICK])
    assert rc == 0
    yearly = pd.read_parquet(out / "yearly.parquet")
    assert (yearly["group"] == "service:clubhouse").any()


def test_cli_rejects_a_missing_plugin(tmp_path, capsys):
    rc = main(["--plugin", str(tmp_path / "nope.py"), "run", str(SCENARIO), *QUICK])
    assert rc == 2
    assert "nope.py" in capsys.readouterr().err
