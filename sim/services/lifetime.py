"""The lifetime tail: what a youth's state at exit is expected to cost until retirement age.

When a youth leaves at 30 (in January) or the horizon ends, the cost ledger
(:mod:`sim.services.ledger`) books here the expected, discounted cost of the years from then
to ``cost.lifetime_end_age`` (67, the retirement age). The years ahead follow a small yearly
Markov chain, so no youth is simulated past the run:

- **employed** (E): pays tax on the earnings of its age and education
  (:mod:`sim.services.earnings`; ages 30 and over at the all-ages average) and produces their
  labour cost; leaves work with ``cost.tail_employed_exit`` a year;
- **outside work** (N: NEET, programme, job seeker, social assistance): a share
  ``cost.tail_neet_social_assistance_share`` lives on social assistance (municipality); finds
  work with ``cost.tail_neet_exit`` a year;
- **AAP** (A1 … An, the years left of the time limit ``nav.aap_max_months``): AAP is paid
  until the limit, then the youth is in work (``cost.tail_aap_to_work``), on disability
  (``cost.tail_aap_to_disability``) or outside work (the rest);
- **disability** (D): the benefit is paid until the end age; ``cost.tail_disability_exit`` a
  year leave it for work.

A youth still in education at the end of the horizon studies on to
``cost.tail_school_leaving_age`` (pupils) or ``cost.tail_graduation_age`` (higher
education), years that are neither production nor production lost, and then enters the
chain in work with ``cost.tail_student_employed_share`` (else outside work): the return to
education shows as the earnings that follow. The expected years in
each state are discounted year by year to the start year (a youth leaving in January counts
that year itself; at the end of the horizon the tail starts the next year). The tail carries
its tax and its tax-financing cost (``cost.mcpf`` on its net public cost), and is booked in
the lines ``public:<payer>:lifetime``, ``public:lifetime`` and ``societal:lifetime``, which
the ledger keeps out of the run totals.
"""

from __future__ import annotations

import math

import numpy as np

from sim.core.states import Activity, NavStatus
from sim.services.earnings import education_level, full_earnings, production_value, tax_on_earnings

E, N, D = 0, 1, 2  # then the AAP states: 3 + k is AAP with k + 1 years left
EDUCATION = (Activity.LOWER_SECONDARY, Activity.UPPER_SECONDARY, Activity.HIGHER_EDUCATION)


def aap_years(params) -> int:
    """Number of AAP states: the time limit in whole years (at least one)."""
    return max(1, math.ceil(params["nav.aap_max_months"] / 12))


def transition_matrix(params) -> np.ndarray:
    """The chain's yearly transition probabilities (rows: from, columns: to)."""
    p, k = params, aap_years(params)
    step = np.zeros((3 + k, 3 + k))
    step[E, N] = p["cost.tail_employed_exit"]
    step[N, E] = p["cost.tail_neet_exit"]
    step[D, E] = p["cost.tail_disability_exit"]
    for years_left in range(2, k + 1):
        step[2 + years_left, 1 + years_left] = 1.0  # one year less of AAP
    work, disability = p["cost.tail_aap_to_work"], p["cost.tail_aap_to_disability"]
    step[3, [E, D, N]] = [work, disability, max(0.0, 1.0 - work - disability)]
    for s in (E, N, D):
        step[s, s] = 1.0 - step[s].sum()
    return step


def start_states(model, pids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct state distributions a tail starts from, and which one each youth starts at.

    Returns:
        ``(starts, kind)``: one row per distinct start distribution (a state for certain, one
        row each, then the student's mix of work and outside work), and each youth's row.
    """
    pop, p = model.pop, model.params
    k = aap_years(p)
    status, activity = pop.nav_status[pids], pop.activity[pids]
    starts = np.vstack([np.eye(3 + k), np.zeros(3 + k)])
    share = p["cost.tail_student_employed_share"]
    starts[3 + k, E], starts[3 + k, N] = share, 1.0 - share
    left = p["nav.aap_max_months"] - pop.nav_months[pids].astype(np.float64)
    years_left = np.clip(np.ceil(left / 12.0), 1, k).astype(np.int64)
    aap, dis = status == NavStatus.AAP, status == NavStatus.DISABILITY
    work = ~aap & ~dis & (activity == Activity.EMPLOYED)
    study = ~aap & ~dis & np.isin(activity, EDUCATION)
    kind = np.full(len(pids), N, dtype=np.int64)
    kind[aap] = 2 + years_left[aap]
    kind[dis] = D
    kind[work] = E
    kind[study] = 3 + k
    return starts, kind


def chain(step: np.ndarray, starts: np.ndarray, years: int) -> np.ndarray:
    """The state distributions after 0 … ``years`` - 1 years from each start (year, start, state).

    Each year's distribution is the one before times ``step``, row by row, as for a youth.
    """
    out = np.empty((max(1, years), *starts.shape))
    out[0] = starts
    for t in range(1, years):
        out[t] = out[t - 1] @ step
    return out


def study_years(model, pids: np.ndarray, ages: np.ndarray) -> np.ndarray:
    """Years each youth still studies when the tail starts (0 unless in education).

    Pupils study to ``cost.tail_school_leaving_age``, students in higher education to
    ``cost.tail_graduation_age``; those years are neither production nor cost in the tail.
    """
    p, activity = model.params, model.pop.activity[pids]
    school = (activity == Activity.LOWER_SECONDARY) | (activity == Activity.UPPER_SECONDARY)
    leaving = np.select(
        [school, activity == Activity.HIGHER_EDUCATION],
        [p["cost.tail_school_leaving_age"], p["cost.tail_graduation_age"]],
        0.0,
    )
    return np.clip(leaving - ages, 0, None).astype(np.int64)


def state_costs(model, unit_costs: dict, ages: np.ndarray, level: np.ndarray) -> dict:
    """Yearly cost of each state for youth of these ages and education, by group."""
    p = model.params
    earnings = full_earnings(p, ages, level)
    yearly = {name: unit_costs[name].monthly * 12.0 for name in unit_costs}
    aap = np.where(ages < 25, yearly["aap_under25"], yearly["aap_25plus"])
    sa = p["cost.tail_neet_social_assistance_share"] * yearly["social_assistance"]
    return {
        "public:state:lifetime": {
            E: -tax_on_earnings(p, earnings),
            D: yearly["disability"],
            "A": aap,
        },
        "public:municipality:lifetime": {N: sa},
        "societal:production": {E: -production_value(p, earnings)},
    }


def tail_lines(model, unit_costs: dict, pids: np.ndarray, ages: np.ndarray, first: np.ndarray):
    """Expected cost of each youth's years from ``ages`` to the end age, by lifetime group.

    Args:
        model: the model.
        unit_costs: the ledger's unit costs by name.
        pids: the youth.
        ages: their ages in the tail's first year.
        first: years from now to the tail's first year (0: this year; 1: the next).

    Returns:
        Group -> [amount, discounted amount (to the start year), youth].
    """
    p = model.params
    end_age = int(p["cost.lifetime_end_age"])
    starts, kind = start_states(model, pids)
    level = education_level(model, pids)
    studying = study_years(model, pids, ages)
    begins = ages + studying  # the chain starts when studies end
    d = 1.0 / (1.0 + p["cost.discount_rate"])
    factor = d ** (model.year - model.start_year + first)
    sums = {g: [0.0, 0.0] for g in ("public:state:lifetime", "public:municipality:lifetime")}
    production = [0.0, 0.0]
    years = max(0, end_age - int(ages.min(initial=end_age)))
    # a youth's distribution in year k is its start's after the years it has been in the chain
    x = chain(transition_matrix(p), starts, years)
    shares = {s: np.ascontiguousarray(x[:, :, s].T).ravel() for s in (E, N, D)}
    shares["A"] = np.ascontiguousarray(x[:, :, 3:].sum(axis=2).T).ravel()
    table = _CostTable(model, unit_costs, ages, level, years)
    for k in range(years):
        alive = ((ages + k < end_age) & (ages + k >= begins)).astype(np.float64)
        at = kind * years + np.clip(k - studying, 0, years - 1)
        costs = table.at(k)
        for group, by_state in costs.items():
            cell = production if group == "societal:production" else sums[group]
            for state, cost in by_state.items():
                yearly = shares[state][at] * cost * alive
                cell[0] += float(yearly.sum())
                cell[1] += float((yearly * factor * d**k).sum())
    return _lifetime_groups(p, sums, production, len(pids))


class _CostTable:
    """:func:`state_costs` of each youth in year k, computed once per (age, education level)."""

    def __init__(self, model, unit_costs: dict, ages: np.ndarray, level: np.ndarray, years: int):
        low, high = (int(ages.min()), int(ages.max())) if len(ages) else (0, 0)
        self.row = (ages - low) * 3 + level  # the youth's (age, level) in year 0
        grid_ages = np.repeat(np.arange(low, high + max(1, years)), 3)
        grid_level = np.tile(np.arange(3), len(grid_ages) // 3)
        self.grid = state_costs(model, unit_costs, grid_ages, grid_level)

    def at(self, k: int) -> dict:
        """The costs by group and state in year k, one value per youth (or one for all)."""
        row = self.row + 3 * k
        return {
            group: {s: c[row] if np.ndim(c) else c for s, c in by_state.items()}
            for group, by_state in self.grid.items()
        }


def _lifetime_groups(params, sums: dict, production: list, n: int) -> dict[str, list]:
    """The lifetime lines: by payer, public in all, and societal (production and MCPF)."""
    public = [sum(cell[i] for cell in sums.values()) for i in (0, 1)]
    mcpf = params["cost.mcpf"]
    societal = [production[i] + mcpf * public[i] for i in (0, 1)]
    lines = {group: [cell[0], cell[1], n] for group, cell in sums.items()}
    lines["public:lifetime"] = [public[0], public[1], n]
    lines["societal:lifetime"] = [societal[0], societal[1], n]
    return lines
