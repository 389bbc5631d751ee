"""Youth agents created and removed in bulk are exactly what Mesa's one-by-one calls give."""

from __future__ import annotations

import mesa
import numpy as np

from sim.core.population import Youth


def _registry(model: mesa.Model) -> list[tuple[int, int]]:
    return [(a.unique_id, getattr(a, "pid", -1)) for a in model.agents]


def test_bulk_creation_and_removal_match_mesa():
    pids = np.array([5, 3, 9, 12, 40])
    bulk, single = mesa.Model(rng=1), mesa.Model(rng=1)
    made = Youth.create_many(bulk, pids)
    by_one = {int(p): Youth(single, int(p)) for p in pids}
    assert list(made) == list(by_one) == pids.tolist()
    assert _registry(bulk) == _registry(single)
    assert [a.unique_id for a in bulk.agents_by_type[Youth]] == [
        a.unique_id for a in single.agents_by_type[Youth]
    ]
    Youth.remove_many(bulk, [made[3], made[12]])
    by_one[3].remove()
    by_one[12].remove()
    assert _registry(bulk) == _registry(single)
    more = Youth.create_many(bulk, np.array([7]))
    assert more[7].unique_id == Youth(single, 7).unique_id


def test_observed_models_get_mesa_signals():
    """With a subscriber on the model's agents, creation goes through Mesa (signals fire)."""
    model = mesa.Model(rng=1)
    seen = []

    def handler(signal) -> None:  # Mesa keeps a weak reference: hold a strong one here
        seen.append(signal)

    model.observe("agents", "agent_added", handler)
    Youth.create_many(model, np.array([1, 2, 3]))
    assert len(seen) == 3


def test_a_subclass_with_its_own_init_is_created_one_by_one():
    class Tagged(Youth):
        def __init__(self, model, pid: int):
            super().__init__(model, pid)
            self.tag = "set in __init__"

    made = Tagged.create_many(mesa.Model(rng=1), np.array([4, 8]))
    assert all(agent.tag == "set in __init__" for agent in made.values())
