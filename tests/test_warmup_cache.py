"""Reusing a replicate's warm-up across scenarios gives exactly the tables of a fresh build."""

from dataclasses import replace
from pathlib import Path

import pytest

from sim.core.model import YouthModel
from sim.core.scenario import load_scenario
from sim.run import runner

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["baseline", "coordinated_ips", "faster_nav_followup"]


def _run(name: str, fresh: bool) -> runner.RunResult:
    if fresh:
        runner._WARM.clear()
    sc = load_scenario(ROOT / "scenarios" / f"{name}.toml")
    return runner.run_one(runner.RunSpec(sc, 0, 4242, 2, 0.03, monthly=True), keep_warmup=True)


@pytest.fixture
def warmups(monkeypatch) -> list[int]:
    """Counts the warm-ups actually run (one entry per :meth:`YouthModel.warm_up`)."""
    calls: list[int] = []
    real = YouthModel.warm_up

    def counted(model, *args, **kwargs):
        calls.append(model.seed)
        return real(model, *args, **kwargs)

    monkeypatch.setattr(YouthModel, "warm_up", counted)
    return calls


@pytest.mark.parametrize("name", NAMES[1:])
def test_reused_warmup_equals_fresh_build(name, warmups):
    runner._WARM.clear()
    _run("baseline", fresh=False)  # leaves the baseline's warm-up in the cache
    reused = _run(name, fresh=False)
    assert len(warmups) == 1  # the second scenario did not warm up again
    fresh = _run(name, fresh=True)
    assert len(warmups) == 2
    assert reused.yearly.equals(fresh.yearly)
    assert reused.monthly.equals(fresh.monthly)


def test_different_seed_or_root_does_not_reuse():
    runner._WARM.clear()
    sc = load_scenario(ROOT / "scenarios" / "baseline.toml")
    runner.build_model(runner.RunSpec(sc, 0, 1, 1, 0.03), keep=True)
    key = next(iter(runner._WARM))
    assert runner.warmup_key(runner.RunSpec(sc, 0, 2, 1, 0.03)) != key
    other = replace(sc, root_overrides={"handover_loss": 0.1})
    assert runner.warmup_key(runner.RunSpec(other, 0, 1, 1, 0.03)) != key


def test_a_warmup_is_kept_only_when_asked():
    runner._WARM.clear()
    sc = load_scenario(ROOT / "scenarios" / "baseline.toml")
    spec = runner.RunSpec(sc, 0, 1, 1, 0.03)
    runner.build_model(spec)
    assert not runner._WARM
    runner.build_model(spec, keep=True)
    assert runner._WARM
    runner.build_model(spec)  # the last run that shares it: used, then dropped
    assert not runner._WARM
