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


def start_states(model, pids: np.ndarray) -> np.ndarray:
    """Each youth's state distribution when the tail starts (one row per youth)."""
    pop, p = model.pop, model.params
    k = aap_years(p)
    status, activity = pop.nav_status[pids], pop.activity[pids]
    x = np.zeros((len(pids), 3 + k))
    rows = np.arange(len(pids))
    left = p["nav.aap_max_months"] - pop.nav_months[pids].astype(np.float64)
    years_left = np.clip(np.ceil(left / 12.0), 1, k).astype(np.int64)
    aap, dis = status == NavStatus.AAP, status == NavStatus.DISABILITY
    work = ~aap & ~dis & (activity == Activity.EMPLOYED)
    study = ~aap & ~dis & np.isin(activity, EDUCATION)
    x[rows[aap], 2 + years_left[aap]] = 1.0
    x[rows[dis], D] = 1.0
    x[rows[work], E] = 1.0
    share = p["cost.tail_student_employed_share"]
    x[rows[study], E], x[rows[study], N] = share, 1.0 - share
    x[rows[~(aap | dis | work | study)], N] = 1.0
    return x


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
    step, x = transition_matrix(p), start_states(model, pids)
    level = education_level(model, pids)
    begins = ages + study_years(model, pids, ages)  # the chain starts when studies end
    d = 1.0 / (1.0 + p["cost.discount_rate"])
    factor = d ** (model.year - model.start_year + first)
    sums = {g: [0.0, 0.0] for g in ("public:state:lifetime", "public:municipality:lifetime")}
    production = [0.0, 0.0]
    for k in range(max(0, end_age - int(ages.min(initial=end_age)))):
        alive = ((ages + k < end_age) & (ages + k >= begins)).astype(np.float64)
        costs = state_costs(model, unit_costs, ages + k, level)
        for group, by_state in costs.items():
            cell = production if group == "societal:production" else sums[group]
            for state, cost in by_state.items():
                share = x[:, 3:].sum(axis=1) if state == "A" else x[:, state]
                yearly = share * cost * alive
                cell[0] += float(yearly.sum())
                cell[1] += float((yearly * factor * d**k).sum())
        x[alive > 0] = x[alive > 0] @ step
    return _lifetime_groups(p, sums, production, len(pids))


def _lifetime_groups(params, sums: dict, production: list, n: int) -> dict[str, list]:
    """The lifetime lines: by payer, public in all, and societal (production and MCPF)."""
    public = [sum(cell[i] for cell in sums.values()) for i in (0, 1)]
    mcpf = params["cost.mcpf"]
    societal = [production[i] + mcpf * public[i] for i in (0, 1)]
    lines = {group: [cell[0], cell[1], n] for group, cell in sums.items()}
    lines["public:lifetime"] = [public[0], public[1], n]
    lines["societal:lifetime"] = [societal[0], societal[1], n]
    return lines
