"""Youth agents through Mesa's public API: views made when first read, Mesa's registry exact.

``model.youth`` (:class:`YouthAgents`) makes a youth's :class:`Youth` view with
``Youth(model, pid)`` on first read and removes it with ``agent.remove()`` when the youth
leaves; reading or watching Mesa's registry registers every live youth first. ``registry``
below reads Mesa's own property (``mesa.Model.agents``), which registers nothing, so the tests
see what Mesa holds.
"""

from __future__ import annotations

import mesa
import numpy as np
import pytest
from conftest import BASELINE

from sim.api import build
from sim.core.population import Population, Youth, YouthAgents, YouthRegistry
from sim.core.scenario import load_scenario


class Rows(YouthRegistry, mesa.Model):
    """A model with only a population: youth enter and leave as in ``YouthModel``."""

    def __init__(self, n: int):
        super().__init__(rng=1)
        self.pop = Population(capacity=8)
        self.youth = YouthAgents(self)
        self.enter(n)

    def enter(self, n: int) -> np.ndarray:
        pids = self.pop.add(n, 0, kommune=np.zeros(n, np.int16))
        self.youth.entered(pids)
        return pids

    def leave(self, pids: list[int]) -> None:
        self.pop.remove(np.array(pids), 1)
        self.youth.left(np.array(pids))


def registry(model: mesa.Model) -> list[tuple[int, int]]:
    """(pid, unique_id) of the youth Mesa's registry holds, in its order."""
    return [(a.pid, a.unique_id) for a in mesa.Model.agents.fget(model) if isinstance(a, Youth)]


def test_a_view_is_made_once_when_first_read():
    model = Rows(5)
    assert model.youth.made == 0 and registry(model) == []
    view = model.youth[3]
    assert isinstance(view, Youth) and view.pid == 3 and view.model is model
    assert model.youth[np.int64(3)] is view
    assert registry(model) == [(3, view.unique_id)] and model.youth.made == 1


def test_keys_length_and_membership_are_the_live_youth_without_making_views():
    model = Rows(5)
    model.leave([1])
    assert list(model.youth) == [0, 2, 3, 4] and len(model.youth) == 4
    assert 2 in model.youth and np.int64(4) in model.youth
    assert 1 not in model.youth and 5 not in model.youth and "2" not in model.youth
    assert model.youth.made == 0
    for pid in (1, 5, -1):
        with pytest.raises(KeyError):
            model.youth[pid]


def test_a_leaving_youth_leaves_mesas_registry():
    model = Rows(4)
    kept, gone = model.youth[0], model.youth[2]
    model.leave([2, 3])
    assert registry(model) == [(0, kept.unique_id)] and model.youth.made == 1
    assert gone not in mesa.Model.agents.fget(model)
    with pytest.raises(KeyError):
        model.youth[2]


def test_reading_mesas_registry_registers_exactly_the_live_youth():
    model = Rows(5)
    model.leave([0])
    first = model.youth[4]
    assert model.youth.complete is False
    youth = model.agents_by_type[Youth]
    assert model.youth.complete
    assert [a.pid for a in youth] == [4, 1, 2, 3] and youth is model.agents_by_type[Youth]
    assert set(model.agents) == {model.youth[p] for p in model.youth} and first in youth
    assert model.agent_types == [Youth]
    new = model.enter(2)  # entering youth are registered at once from now on
    assert [pid for pid, _ in registry(model)] == [4, 1, 2, 3, *new.tolist()]
    model.leave([2])
    assert sorted(pid for pid, _ in registry(model)) == list(model.youth)


def test_watching_the_models_agents_registers_every_youth_first():
    model = Rows(3)
    heard = []

    def handler(signal) -> None:  # Mesa keeps a weak reference: hold a strong one here
        heard.append(signal.signal_type)

    model.observe("agents", "agent_added", handler)
    assert model.youth.complete and len(registry(model)) == 3
    assert heard == []  # youth present before the subscription are not announced
    model.enter(2)
    assert len(heard) == 2


def test_a_run_registers_youth_with_mesa_only_when_its_agents_are_read():
    model = build(load_scenario(BASELINE), seed=3, scale=0.02)
    model.step()
    assert model.youth.made == 0 and registry(model) == []
    assert len(model.youth) == len(model.pop.live()) > 0
    assert {a.pid for a in model.agents_by_type[Youth]} == set(model.youth)
    for _ in range(12):  # through a January: a cohort leaves, a cohort enters
        model.step()
    pids = [pid for pid, _ in registry(model)]
    assert sorted(pids) == model.pop.live().tolist() and len(pids) == model.youth.made
