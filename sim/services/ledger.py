"""Cost ledger: NOK (2024 prices) from each month's state x the unit costs in a data file.

Unit costs live in ``sim/data/unit_costs.csv`` (``name, value, unit, lo, hi, source, payer,
category, kind``), each sourced or marked ``assumption`` with a range. Each unit cost is one
cost line; ``kind`` says where it counts. Two perspectives, never added together:

- public budgets by payer (``state``, ``municipality``, ``county``, ``health_trust``):
  benefits (``transfer``), the services each payer runs (``resource``) and, as a negative
  cost, the tax on the earnings of youth in work (``public:state:tax_revenue``: income tax,
  trygdeavgift and the employer's contribution, :mod:`sim.services.earnings`); groups
  ``public:<payer>:<category>``, ``public:<payer>:total``, ``public:total``;
- societal (Finansdepartementet R-109): the resource cost of services, the production of
  youth in work as a negative cost (``societal:production``: labour cost by age band and
  education) and the tax-financing cost ``societal:mcpf`` = ``cost.mcpf`` (20 %) x the
  month's net public cost (``public:total``, tax revenue included); benefits and taxes are
  transfers and count only through it; groups ``societal:<category>``, ``societal:total``.

Education is booked as what it is: its places are costed (upper secondary, apprenticeships;
higher education is not), and time in education is neither production nor production lost.
A move from NEET to school changes no production line; its return shows when the youth
works (in the run or in the lifetime tail). Production counts only youth whose main activity
is work (part-time work of students is not modelled), at the share of a full wage of youth
working on AAP or disability.

The ledger is a recorder (:mod:`sim.services.recorder`), present in every model; it runs in
the ``record`` phase (after the status phase) once the warm-up is over and
adds monthly flows ``cost_nok`` and ``cost_nok_discounted`` (a cost in year t divided by
(1 + ``cost.discount_rate``)^(t - start year)); the collector sums them per calendar year.
Person-based lines count youth-months in a state (e.g. AAP under 25), AAP and disability at
the share paid (graded for youth in work, :mod:`sim.services.benefit_rules`); staff lines count FTE
(caseworkers, IPS specialists, coordinators, follow-up advisers); treatment counts patients.
A service may declare unit costs of its own (a plugin's: ``Service.unit_costs``, checked by
:mod:`sim.services.declared_costs`); the ledger charges what its ``charged_units`` says.

Lifetime tail (always computed; ``cost.lifetime_end_age`` = 67, 0 switches it off): at exit
(age 30, from the exit year itself) and at the end of the horizon (from the next year) each
youth's state is carried forward to that age by a yearly Markov chain
(:mod:`sim.services.lifetime`), with its benefits, tax, production and tax-financing cost,
in the lines ``public:<payer>:lifetime``, ``public:lifetime`` and ``societal:lifetime``.
They are not part of ``public:<payer>:total``, ``public:total`` or ``societal:total``
(the run's horizon); the lifetime horizon is the run totals plus the lifetime lines.
Not costed: GPs, higher education, job-seeker benefits and programme allowances (few young
job seekers qualify), and the tax on benefits (benefits are booked gross).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from importlib import resources

import numpy as np

from sim.core.states import Activity, NavStatus
from sim.services import fastledger
from sim.services.benefit_rules import payment_share
from sim.services.earnings import earnings_table, production_value, tax_on_earnings
from sim.services.lifetime import tail_lines
from sim.services.recorder import Recorder

PAYERS = ("state", "municipality", "county", "health_trust")
KINDS = ("transfer", "resource", "societal")
COLUMNS = ["name", "value", "unit", "lo", "hi", "source", "payer", "category", "kind"]


@dataclass(frozen=True)
class UnitCost:
    """One line of the unit-cost file."""

    name: str
    value: float
    unit: str
    lo: float
    hi: float
    source: str
    payer: str
    category: str
    kind: str

    @property
    def monthly(self) -> float:
        """NOK per unit and month."""
        return self.value / 12.0 if self.unit.startswith("NOK/year") else self.value

    @property
    def public(self) -> str | None:
        """The public group this line books to (None for societal-only lines)."""
        return f"public:{self.payer}:{self.category}" if self.kind != "societal" else None

    @property
    def societal(self) -> str | None:
        """The societal group this line books to (None for transfers)."""
        return f"societal:{self.category}" if self.kind != "transfer" else None


def load_unit_costs(text: str | None = None) -> dict[str, UnitCost]:
    """Read the packaged unit-cost file (or ``text`` in the same format)."""
    if text is None:
        text = resources.files("sim").joinpath("data/unit_costs.csv").read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != COLUMNS:
        raise ValueError(f"unit-cost columns must be {COLUMNS}, got {reader.fieldnames}")
    costs = {}
    for row in reader:
        nums = {k: float(row[k]) for k in ("value", "lo", "hi")}
        cost = UnitCost(**{**row, **nums})
        if cost.kind not in KINDS or (cost.kind != "societal" and cost.payer not in PAYERS):
            raise ValueError(f"unit cost {cost.name}: bad payer/kind {cost.payer}/{cost.kind}")
        costs[cost.name] = cost
    return costs


def person_masks(model, pids: np.ndarray | slice, ages: np.ndarray) -> dict[str, np.ndarray]:
    """For each person-based unit cost, which of ``pids`` (or rows) are in its state this month."""
    pop = model.pop
    st, act, grade = pop.nav_status[pids], pop.activity[pids], pop.grade[pids]
    young = ages < 25
    aap, kvp = st == NavStatus.AAP, st == NavStatus.QUALIFICATION
    school = act == Activity.UPPER_SECONDARY
    programme = act == Activity.PROGRAMME
    return {
        "aap_under25": aap & young,
        "aap_25plus": aap & ~young,
        "disability": st == NavStatus.DISABILITY,
        "qualification_benefit_under25": kvp & young,
        "qualification_benefit_25plus": kvp & ~young,
        "social_assistance": st == NavStatus.SOCIAL_ASSISTANCE,
        "programme_place": programme & ~kvp,
        "upper_secondary_pupil": school & (grade <= 3),
        "apprentice": school & (grade >= 4),
    }


GRADED = ("aap_under25", "aap_25plus", "disability")  # benefits reduced for work


def person_units(model, pids: np.ndarray | slice, ages: np.ndarray) -> dict[str, np.ndarray]:
    """For each person-based unit cost, the units each of ``pids`` is charged this month.

    1 for youth in the line's state, 0 otherwise; AAP and disability are charged what is
    paid: the graded share of youth in work (:func:`sim.services.benefit_rules.payment_share`).
    """
    masks = person_masks(model, pids, ages)
    paid = payment_share(model, pids, model.pop.nav_status[pids])
    return {
        name: np.where(mask, paid, 0.0) if name in GRADED else mask.astype(np.float64)
        for name, mask in masks.items()
    }


def person_lines(model) -> dict[str, tuple[float, int]]:
    """For each person-based unit cost: (units charged this month, youth charged).

    One unit per youth in the line's state; AAP and disability are charged the share paid
    (:func:`sim.services.benefit_rules.payment_share`), summed over the rows in row order.
    With numba the states are counted and the graded rows written in one compiled pass
    (:mod:`sim.services.fastledger`); the NumPy path is the reference.
    """
    if fastledger.count_persons is None:
        return _person_lines_numpy(model)
    pop, p, rows = model.pop, model.params, model.pop.rows
    counts = np.zeros(len(fastledger.COUNTED) + len(fastledger.GRADED), dtype=np.int64)
    graded = np.zeros((len(fastledger.GRADED), rows.stop - rows.start))
    columns = (pop.alive, pop.nav_status, pop.activity, pop.grade, pop.birth_year)
    fastledger.count_persons(
        *(column[rows] for column in columns),
        model.year - 26,  # born after: under 25 on 1 January
        1.0 - p["nav.aap_work_share"],
        1.0 - p["nav.disability_work_reduction"],
        counts,
        graded,
    )
    counted, paid = counts[: len(fastledger.COUNTED)], counts[len(fastledger.COUNTED) :]
    out = {name: (float(n), int(n)) for name, n in zip(fastledger.COUNTED, counted, strict=True)}
    for name, charged, n in zip(fastledger.GRADED, graded, paid, strict=True):
        out[name] = (float(charged.sum()), int(n))  # summed in row order, as by NumPy
    return out


def _person_lines_numpy(model) -> dict[str, tuple[float, int]]:
    """:func:`person_lines` by NumPy passes over the rows (the reference)."""
    pop, rows = model.pop, model.pop.rows  # the rows of youth present (and some who left)
    alive = pop.alive[rows]
    masks = person_masks(model, rows, model.ages(rows))
    paid = payment_share(model, rows, pop.nav_status[rows])
    out = {}
    for name, mask in masks.items():
        if name in GRADED:  # a share of the benefit: summed in row order
            charged = np.where(mask & alive, paid, 0.0)
            out[name] = (float(charged.sum()), int(np.count_nonzero(charged)))
        else:  # one unit per youth: the sum of ones is the count
            n = int(np.count_nonzero(mask & alive))
            out[name] = (float(n), n)
    return out


def totals_of(group: str) -> tuple[str, ...]:
    """The total lines a cost line adds to (none for the lifetime tail)."""
    parts = group.split(":")
    if parts[-1] == "lifetime":
        return ()
    if parts[0] == "public":
        return ("public:total", f"public:{parts[1]}:total")
    return ("societal:total",)


def discount_factor(model) -> float:
    """1 / (1 + rate)^(year - start year) for the current year."""
    return (1.0 + model.params["cost.discount_rate"]) ** -(model.year - model.start_year)


class CostLedger(Recorder):
    """The cost ledger (a recorder in the ``record`` phase).

    Args:
        model: the model.
        unit_costs: unit costs by name (default: the packaged file).
    """

    name = "costs"

    def __init__(self, model, unit_costs: dict[str, UnitCost] | None = None):
        super().__init__(model)
        self.unit_costs = unit_costs if unit_costs is not None else load_unit_costs()
        self._declared: dict[str, list] = {}  # unit costs services declare -> those charged

    def configure(self) -> None:
        """Add the unit costs services declare (plugins: ``Service.unit_costs``).

        At build and at the start month: services with a capacity then are charged from
        the start month on (:func:`sim.services.declared_costs.owners`).
        """
        from sim.services.declared_costs import owners

        found = owners(self.model.services)
        costs = {k: c for k, c in self.unit_costs.items() if k not in self._declared}
        old = {k: c for k, c in self.unit_costs.items() if k in self._declared and k in found}
        self.unit_costs = {**costs, **{k: old.get(k, c) for k, (c, _) in found.items()}}
        self._declared = {name: services for name, (_, services) in found.items()}

    def with_value(self, name: str, value: float) -> None:
        """Change one unit cost (for sensitivity checks)."""
        self.unit_costs = {**self.unit_costs, name: replace(self.unit_costs[name], value=value)}

    def step(self) -> None:
        """Book this month's costs (after the warm-up)."""
        m = self.model
        if not m.started:
            return
        lines = self.month_lines()
        self._add_earnings(lines)
        self._add_mcpf(lines)  # after every public line of the month
        if m.params["cost.lifetime_end_age"] > 0:
            self._add_lifetime(lines)
        self._book(lines)

    def _book(self, lines: dict[str, list]) -> None:
        m = self.model
        factor = discount_factor(m)
        totals: dict[str, list] = {"public:total": [0.0, 0.0], "societal:total": [0.0, 0.0]}
        for group, (amount, discounted, n) in lines.items():
            discounted = amount * factor if discounted is None else discounted
            self._flow(group, amount, discounted, n)
            for total in totals_of(group):
                cell = totals.setdefault(total, [0.0, 0.0])
                cell[0] += amount
                cell[1] += discounted
        live = len(m.pop.live())
        for group, (amount, discounted) in totals.items():
            self._flow(group, amount, discounted, live)

    def _flow(self, group: str, amount: float, discounted: float, n: int) -> None:
        self.model.collector.add_flow("cost_nok", group, amount, n)
        self.model.collector.add_flow("cost_nok_discounted", group, discounted, n)

    def month_lines(self) -> dict[str, list]:
        """Group -> [amount, discounted amount (None: discount by year), n] for this month."""
        persons = person_lines(self.model)
        lines: dict[str, list] = {}
        for cost in self.unit_costs.values():
            if cost.name in persons:
                units, n = persons[cost.name]
            else:
                units, n = self._staff_units(cost.name)
            for group in (cost.public, cost.societal):
                if group is not None:
                    lines[group] = [units * cost.monthly, None, n]
        return lines

    def _staff_units(self, name: str) -> tuple[float, int]:
        """(FTE or patients at this scale, youth served) for a non-person unit cost."""
        m, p = self.model, self.model.params
        if name == "nav_caseworker":
            return p["nav.caseworkers"] * m.scale, len(m.module("nav").active)
        if name == "followup_adviser":
            return p["followup.advisers"] * m.scale, len(m.module("followup").active)
        if name in ("ips_specialist", "coordinator"):
            service = m.module("ips" if name == "ips_specialist" else "coordinator")
            return service.fte * m.scale, len(service.active)
        if name == "specialist_treatment":
            k = sum(len(m.module(c).active) for c in ("bup", "dps"))
            return float(k), k
        if name in self._declared:  # a service's own: Service.charged_units
            charged = [s.charged_units(self.unit_costs[name]) for s in self._declared[name]]
            return sum(u for u, _ in charged), sum(n for _, n in charged)
        raise KeyError(f"unit cost {name!r} has no driver in sim.services.ledger")

    # -- earnings, taxes and the cost of public funds ---------------------------------------
    def _add_earnings(self, lines: dict[str, list]) -> None:
        """Tax revenue (public, negative) and production (societal, negative) of youth in work."""
        m, pop, p = self.model, self.model.pop, self.model.params
        rows = pop.rows
        working = np.flatnonzero(pop.alive[rows] & (pop.activity[rows] == Activity.EMPLOYED))
        pids = working + rows.start
        kind, earnings = earnings_table(m, pids, m.ages(pids))  # tax etc. once per kind
        n = int(np.count_nonzero(earnings[kind]))
        lines["public:state:tax_revenue"] = [
            -float(tax_on_earnings(p, earnings)[kind].sum()) / 12,
            None,
            n,
        ]
        production = production_value(p, earnings)[kind]
        lines["societal:production"] = [-float(production.sum()) / 12, None, n]

    def _add_mcpf(self, lines: dict[str, list]) -> None:
        """The tax-financing cost: ``cost.mcpf`` x this month's net public cost (R-109)."""
        public = sum(
            cell[0] for group, cell in lines.items() if "public:total" in totals_of(group)
        )
        mcpf = self.model.params["cost.mcpf"] * public
        lines["societal:mcpf"] = [mcpf, None, len(self.model.pop.live())]

    # -- lifetime tail --------------------------------------------------------------------
    def _add_lifetime(self, lines: dict[str, list]) -> None:
        """Book the lifetime tail of youth leaving now (age 30) or present at the horizon's end."""
        m, pop = self.model, self.model.pop
        pids = np.empty(0, dtype=np.int64)
        if m.calendar_month == 1:  # age exits (30) only: not youth thinned at the start
            pids = np.flatnonzero(pop.exit_month[: pop.n] == m.month)
            pids = pids[m.ages(pids) >= 30]
        ages, first = m.ages(pids), np.zeros(len(pids))
        if m.month == m.end_month - 1:  # the tail of those present starts next year
            live = pop.live()
            pids, ages = np.concatenate([pids, live]), np.concatenate([ages, m.ages(live) + 1])
            first = np.concatenate([first, np.ones(len(live))])
        if len(pids):
            lines.update(tail_lines(m, self.unit_costs, pids, ages, first))
