"""The monthly loop is declared once and every part of it has one lifecycle.

``PHASES`` (``sim/core/model.py``) drives ``YouthModel.step``; a module with an unknown phase
or hazard decision is an error when the model is built (or the class registered), never a
service that silently does nothing; recorders (the cost ledger, the trial recorder) are not
services; a plugin is made, configured and its modifiers registered through the same
lifecycle as the built-in services; ``docs/model.md`` and the ``step`` docstring list the
phases in the code's order; the model keeps no state its modules did not declare.
"""

from __future__ import annotations

import re
from pathlib import Path

import mesa
import numpy as np
import pytest

import sim.core.model
import sim.services
from sim.analysis.trial import TrialConfig, as_trial
from sim.core.model import DECISIONS, PHASES, YouthModel
from sim.core.scenario import load_scenario
from sim.services import create_all, register
from sim.services.base import Service
from sim.services.recorder import Recorder

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
TINY = {"seed": 3, "scale": 0.002, "warmup_years": 1}


def model_with(*classes, scenario=None) -> YouthModel:
    """A small model handed one module of each class (and nothing else)."""
    scenario = scenario or load_scenario(BASELINE)
    return YouthModel(scenario, **TINY, modules=lambda m: [c(m) for c in classes])


def recording(phase: str | None, log: list, kind: type = Service) -> type:
    """A module class of ``kind`` in ``phase`` that appends its phase to ``log`` each step."""

    def step(self) -> None:
        log.append((self.phase, self.kind))

    name = f"rec_{kind.__name__.lower()}_{phase}"
    return type(name, (kind,), {"name": name, "phase": phase, "step": step})


# -- the loop -----------------------------------------------------------------------------
def test_phases_drive_the_step_in_order(monkeypatch):
    """One recorder and one service per phase: a month visits them in ``PHASES`` order."""
    log: list = []
    classes = [recording(p, log, kind) for p in reversed(PHASES) for kind in (Recorder, Service)]
    model = model_with(*classes)
    model.step()
    expected = [(p, kind) for p in PHASES for kind in ("service", "recorder")]
    assert log == expected
    log.clear()
    monkeypatch.setattr(sim.core.model, "PHASES", tuple(reversed(PHASES)))
    model.step()  # the loop reads the declared order: reversed, it runs reversed
    assert log == [(p, kind) for p in reversed(PHASES) for kind in ("service", "recorder")]


def test_processes_act_first_within_their_phase():
    """The health process acts before the health services; status and demography alone."""
    log: list = []
    model = model_with(recording("health", log), recording("status", log, Recorder))
    for process in model.processes:
        process.step = lambda p=process, step=process.step: (log.append((p.phase, p.kind)), step())
    model.step()
    assert [p.phase for p in model.processes] == ["demography", "health", "status"]
    assert log == [
        ("demography", "process"),
        ("health", "process"),
        ("health", "service"),
        ("status", "process"),
        ("status", "recorder"),
    ]


def test_a_module_its_owner_steps_is_not_stepped_by_the_loop():
    log: list = []
    model_with(recording(None, log)).step()
    assert log == []


@pytest.mark.parametrize(
    ("attrs", "message"),
    [
        ({"phase": "intervention"}, "unknown phase 'intervention'; phases: demography"),
        ({}, "declares no phase"),
        ({"phase": "labour", "hazard_modifiers": {"job_finding": "step"}}, "unknown decision"),
        ({"phase": "labour", "hazard_modifiers": {"job_find": "nope"}}, "no method 'nope'"),
    ],
)
def test_a_bad_declaration_is_an_error_at_construction(attrs, message):
    """A misspelt phase or decision fails when the model is built and when registered."""
    cls = type("Typo", (Service,), {"name": "typo", **attrs})
    with pytest.raises(ValueError, match=message):
        model_with(cls)
    with pytest.raises(ValueError, match=message):
        register(cls)
    assert "typo" not in sim.services.REGISTRY


def test_two_modules_with_one_name_are_an_error():
    first = recording("labour", [])
    with pytest.raises(ValueError, match="two modules are named"):
        model_with(first, first)


# -- services, recorders and the registry -------------------------------------------------
def test_recorders_are_not_services():
    """The cost ledger and the trial recorder: recorders, not Mesa agents, not services."""
    trial = as_trial(load_scenario(BASELINE), TrialConfig("nav_mental_health", None, 6))
    model = YouthModel(trial, **TINY, modules=create_all)
    recorders = {r.name: r for r in model.recorders}
    assert list(recorders) == ["trial_recorder", "costs"]
    for recorder in recorders.values():
        assert isinstance(recorder, Recorder) and recorder.phase == "record"
        assert not isinstance(recorder, mesa.Agent | Service)
        assert recorder not in model.services
    assert all(isinstance(s, Service) for s in model.services)
    assert model.module("costs") is recorders["costs"]
    with pytest.raises(KeyError):
        model.receiver("costs")  # nobody can refer youth to a recorder


def test_the_registry_creates_the_built_in_system_in_order():
    model = YouthModel(load_scenario(BASELINE), **TINY, modules=create_all)
    names = [s.name for s in model.services]
    assert names[:7] == ["school", "gp", "bup", "dps", "followup", "nav", "nav:trondheim"]
    assert names[-3:] == ["labour_market", "coordinator", "ips"]
    assert "ips_trial" not in names  # the trial's places exist only in trial runs
    assert [r.name for r in model.recorders] == ["costs"]
    assert sorted(sim.services.plugins()) == []
    assert {d: [f.__self__.name for f in fs] for d, fs in model.modifiers.items()} == {
        "job_find": ["nav", "ips"],
        "job_loss": ["ips"],
        "mh_recovery": ["bup", "dps"],
        "edu_dropout": ["ips"],
    }
    offices = [s for s in model.services if s.name.startswith("nav:")]
    assert {s.phase for s in offices} == {None} and model.module("nav").offices == offices


class Buddy(Service):
    """A test plugin: one buddy per youth it takes, better recovery; inert without places."""

    name = "buddy"
    phase = "interventions"
    hazard_modifiers = {"mh_recovery": "recovery_modifier", "job_find": "job_find_modifier"}

    def configure(self) -> None:
        self.capacity = 7  # set through the lifecycle, at construction

    def recovery_modifier(self, pids: np.ndarray) -> np.ndarray:
        return np.where(np.isin(pids, self.active), 1.5, 1.0)

    def job_find_modifier(self, pids: np.ndarray) -> float:
        return 1.0


@pytest.fixture
def buddy():
    register(Buddy)
    yield Buddy
    sim.services.REGISTRY.pop("buddy", None)


def test_a_plugin_is_made_through_the_same_lifecycle(buddy):
    """Registered once, a plugin is created after the built-ins, configured, stepped in its
    phase, and its declared modifiers apply after the built-in ones."""
    assert sim.services.plugins() == {"buddy": Buddy}
    model = YouthModel(load_scenario(BASELINE), **TINY, modules=create_all)
    mine = model.module("buddy")
    assert model.services[-1] is mine and mine.capacity == 7
    assert model.modifiers["mh_recovery"][-1] == mine.recovery_modifier
    assert model.modifiers["job_find"][-1] == mine.job_find_modifier
    assert "buddy" in model.helper_names(model.helper_bit("buddy"))
    model.step()  # a month with every module, the plugin stepped in its phase
    mine.active = np.array([5])
    expected = model.modified("mh_recovery", np.array([4, 5]), 0.1) / [1.0, 1.5]
    assert np.allclose(expected, 0.1)  # built-in clinics treat nobody yet; buddy: x 1.5


def test_a_plugin_cannot_take_a_built_in_name():
    cls = type("FakeNav", (Service,), {"name": "nav", "phase": "nav"})
    with pytest.raises(ValueError, match="built-in"):
        register(cls)
    assert sim.services.REGISTRY["nav"].__module__ == "sim.services.nav"


def test_modified_rejects_an_unknown_decision():
    model = model_with()
    assert set(model.modifiers) == set(DECISIONS)
    with pytest.raises(KeyError):
        model.modified("job_finding", np.array([1]), 0.5)


# -- no hidden state ----------------------------------------------------------------------
def test_the_model_keeps_only_declared_state():
    """A run with coordinators and IPS (shared plans, NAV offices, the ledger's horizon)
    adds no attribute to the model that its constructor did not declare."""
    scenario = load_scenario(ROOT / "scenarios" / "coordinated_ips.toml")
    model = YouthModel(scenario, **TINY, modules=create_all)
    declared = set(vars(model))
    model.warm_up()
    model.end_month = model.month + 14
    for _ in range(14):
        model.step()
    assert model.plan_owners  # the coordinator's and IPS's shared plans were declared
    assert set(vars(model)) == declared
    undeclared = {"nav_intensity", "nav_clients_by_area", "trial_excluded", "shortfall"}
    assert not undeclared & declared


# -- the documentation lists the same loop --------------------------------------------------
def numbered_names(text: str) -> list[str]:
    """Names of a numbered list: ``1. **name**:`` (markdown) or ``1. name:`` (docstring)."""
    return re.findall(r"^\s*\d+\. \**([a-z_]+)\**:", text, flags=re.MULTILINE)


def test_model_md_lists_the_phases_in_order():
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    section = text.split("## 3. Process overview and scheduling")[1].split("\n## ")[0]
    assert numbered_names(section) == ["begin", *PHASES, "collect"]


def test_the_step_docstring_lists_the_phases_in_order():
    assert numbered_names(YouthModel.step.__doc__) == ["begin", *PHASES, "collect"]


class OldStyle(Service):
    """A plugin of the earlier API: create() returns one instance and adds its own modifier."""

    name = "old_style"
    phase = "interventions"

    @classmethod
    def create(cls, model):
        made = cls(model)
        model.modifiers["job_find"].append(made.job_find_modifier)
        return made

    def job_find_modifier(self, pids: np.ndarray) -> float:
        return 1.0


def test_a_plugin_of_the_earlier_api_still_runs():
    register(OldStyle)
    try:
        model = YouthModel(load_scenario(BASELINE), **TINY, modules=create_all)
        mine = model.module("old_style")
        assert mine in model.services
        assert any(m == mine.job_find_modifier for m in model.modifiers["job_find"])
        model.step()
    finally:
        sim.services.REGISTRY.pop("old_style", None)
