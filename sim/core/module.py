"""The lifecycle every part of the monthly loop shares, as in Starsim's modules.

A module is a process (demography, health, status: :mod:`sim.core.processes`), a service
(:class:`sim.services.base.Service`, a Mesa agent with a capacity and a queue) or a recorder
(:class:`sim.services.recorder.Recorder`: the cost ledger, the trial recorder; Starsim's
analyzers). The model calls, for every module:

1. ``create(model)`` (class method): the one way a module is made; it returns the modules
   the class brings (usually one; NAV brings its area offices, the clinic class BUP and DPS,
   an absent trial none). Processes are created by the model, services and recorders by the
   registry that :mod:`sim.services` and plugins fill (:func:`sim.services.create_all`).
2. At construction the model checks the declarations: ``phase`` is one of
   :data:`sim.core.model.PHASES` (or None: the module's owner steps it, as NAV steps its
   offices), and each entry of ``hazard_modifiers`` names a known decision and a method of
   the module; then it registers the modifiers, in module order.
3. ``configure()``: at construction and again at the start month, when the scenario's
   parameters come into force.
4. ``reset_counters()``: at the start of every month.
5. ``step()``: once a month, in its phase (processes, then services, then recorders; each
   in the order they were created).
6. ``drop_departed()``: when youth leave the population.
"""

from __future__ import annotations

from typing import ClassVar

KINDS = ("process", "service", "recorder")  # the order modules act in within a phase


class Module:
    """A part of the monthly loop: declares its phase and its hazard modifiers.

    Attributes:
        name: short name (metric groups ``service:<name>``, referral routes, streams).
        phase: the phase of the monthly loop in which :meth:`step` runs; None when the
            module's owner steps it. Every concrete module declares it.
        kind: ``process``, ``service`` or ``recorder`` (set by the base classes).
        hazard_modifiers: decision (e.g. ``job_find``) -> the name of a method
            ``f(pids) -> multiplier`` that the model applies to that hazard.
        is_helper: whether engagement with this module counts as one of a youth's helpers
            (services; the model gives each helper a bit of ``pop.helpers``).
        holds_plan: whether this helper works to an action plan of its own for the youth
            (NAV's activity plan, a treatment plan, ...): two or more such helpers without a
            shared plan weaken each other's effect (``plan_conflict``,
            :meth:`sim.core.model.YouthModel.conflict_factor`). Routine contact (the GP) is a
            helper that holds no plan.
    """

    name: str = "module"
    phase: ClassVar[str | None]
    kind: ClassVar[str] = "process"
    hazard_modifiers: ClassVar[dict[str, str]] = {}
    is_helper: ClassVar[bool] = False
    holds_plan: ClassVar[bool] = False

    @classmethod
    def create(cls, model) -> list[Module]:
        """The modules this class brings to a model (one, by default)."""
        return [cls(model)]

    def configure(self) -> None:
        """Read capacities from the model's parameters (at build and at the start month)."""

    def reset_counters(self) -> None:
        """Zero this month's flow counters (at the start of every month)."""

    def step(self) -> None:
        """Run this module's part of the month, in its phase."""

    def drop_departed(self) -> None:
        """Forget youth who left the population."""


class Process(Module):
    """A process of the population itself (demography, mental health, status bookkeeping).

    Args:
        model: the model.
    """

    kind = "process"

    def __init__(self, model):
        self.model = model
