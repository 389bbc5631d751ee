"""Recorders: modules that read each month's state and write rows, and change nothing.

A recorder is Starsim's analyzer: it has the lifecycle of every module
(:mod:`sim.core.module`), runs in the ``record`` phase (after the status bookkeeping, before
the reporters collect) and is neither a Mesa agent nor a service: no capacity, no queue, no
helper mark, no ``service:<name>`` rows. The cost ledger (:mod:`sim.services.ledger`) and
the emulated trial's outcome recorder (:mod:`sim.services.trial_team`) are recorders.
"""

from __future__ import annotations

from sim.core.module import Module


class Recorder(Module):
    """A module that records: it reads the model and writes rows through its collector.

    Args:
        model: the model.
    """

    name = "recorder"
    kind = "recorder"
    phase = "record"

    def __init__(self, model):
        self.model = model
