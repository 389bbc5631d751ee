"""Earnings of youth in work, the taxes they carry, and the production they stand for.

Used by the cost ledger (:mod:`sim.services.ledger`) and its lifetime tail
(:mod:`sim.services.lifetime`). All values are NOK a year, 2024 prices.

- **Earnings** of a youth whose main activity is work: SSB's average monthly earnings per
  full-time equivalent (``cost.earnings_fte_monthly``, 2024) × 12 × the ratio for the youth's
  age band (``cost.earnings_ratio_15_19``, ``_20_24``, ``_25_29``; ``_30_66`` beyond the run)
  × the ratio for the youth's education (``cost.earnings_ratio_no_upper_secondary`` without a
  completed upper secondary, 1 with it, ``cost.earnings_ratio_higher_education`` after
  ``cost.higher_education_months`` in higher education) × the full-time share of young
  workers (``cost.fte_share_young``). A youth on AAP or disability who works part time earns
  the share ``nav.aap_work_share`` or ``cost.earnings_share_disability_work`` of that.
- **Taxes** on earnings: income tax on ordinary income after the standard deduction and the
  personal allowance, bracket tax and the employee's social-security contribution
  (trygdeavgift) by the 2024 rules, plus the employer's contribution (arbeidsgiveravgift) at
  the Trøndelag average rate ``cost.employer_contribution_rate``. All are state revenue here
  (the municipal and county shares of income tax are booked with the state).
- **Production value** of work (societal view): the labour cost, earnings × (1 + employer
  contribution + occupational pension ``cost.pension_contribution_rate``), R-109's valuation
  of labour at its cost to the employer.
"""

from __future__ import annotations

import numpy as np

from sim.core.states import Activity, NavStatus

AGE_BANDS = ((0, 20, "cost.earnings_ratio_15_19"), (20, 25, "cost.earnings_ratio_20_24"))


def age_ratio(params, ages: np.ndarray) -> np.ndarray:
    """Earnings relative to the all-ages average, by age band (30 and over: ``_30_66``)."""
    ratio = np.where(
        ages < 30, params["cost.earnings_ratio_25_29"], params["cost.earnings_ratio_30_66"]
    )
    for lo, hi, name in AGE_BANDS:
        ratio = np.where((ages >= lo) & (ages < hi), params[name], ratio)
    return ratio


def education_level(model, pids: np.ndarray | slice) -> np.ndarray:
    """0 without completed upper secondary, 1 with it, 2 with higher education."""
    pop, p = model.pop, model.params
    level = pop.completed[pids].astype(np.int64)
    return np.where(pop.he_months[pids] >= p["cost.higher_education_months"], 2, level)


def education_ratio(params, level: np.ndarray) -> np.ndarray:
    """Earnings relative to youth with upper secondary, by education level."""
    ratios = np.array(
        [
            params["cost.earnings_ratio_no_upper_secondary"],
            1.0,
            params["cost.earnings_ratio_higher_education"],
        ]
    )
    return ratios[level]


def full_earnings(params, ages: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Yearly earnings of a youth in ordinary work at this age and education."""
    fte_year = 12.0 * params["cost.earnings_fte_monthly"] * params["cost.fte_share_young"]
    return fte_year * age_ratio(params, ages) * education_ratio(params, level)


def work_share(model, pids: np.ndarray | slice) -> np.ndarray:
    """Share of full earnings each youth earns this month: 0 unless in work, less on a benefit."""
    pop, p = model.pop, model.params
    status = pop.nav_status[pids]
    share = (pop.activity[pids] == Activity.EMPLOYED).astype(np.float64)
    share[status == NavStatus.AAP] *= p["nav.aap_work_share"]
    share[status == NavStatus.DISABILITY] *= p["cost.earnings_share_disability_work"]
    return share


def yearly_earnings(model, pids: np.ndarray | slice, ages: np.ndarray) -> np.ndarray:
    """Each youth's earnings this month, as a yearly amount (0 for youth not in work)."""
    share = work_share(model, pids)
    return share * full_earnings(model.params, ages, education_level(model, pids))


def earnings_table(model, pids: np.ndarray, ages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`yearly_earnings` of youth in work as a table of its distinct values.

    A worker's earnings depend only on the benefit that grades them (none, AAP, disability),
    the age and the education level, so the table holds the earnings of each such kind,
    computed by the same rules; derived amounts (tax, production) are then computed once per
    kind and read per youth.

    Args:
        model: the model.
        pids: youth whose main activity is work.
        ages: their ages.

    Returns:
        ``(kind, table)``: each youth's row, and the table, so ``table[kind]`` equals
        ``yearly_earnings(model, pids, ages)``.
    """
    p, status = model.params, model.pop.nav_status[pids]
    low, high = (int(ages.min()), int(ages.max())) if len(ages) else (0, 0)
    graded = (status == NavStatus.AAP).view(np.int8) + 2 * (status == NavStatus.DISABILITY)
    kind = (graded * (high - low + 1) + (ages - low)) * 3 + education_level(model, pids)
    share = np.ones(3)
    share[1] *= p["nav.aap_work_share"]
    share[2] *= p["cost.earnings_share_disability_work"]
    grid_age = np.tile(np.repeat(np.arange(low, high + 1), 3), 3)
    grid_level = np.tile(np.arange(3), 3 * (high - low + 1))
    table = np.repeat(share, 3 * (high - low + 1)) * full_earnings(p, grid_age, grid_level)
    return kind, table


def income_tax(params, earnings: np.ndarray) -> np.ndarray:
    """Employee's income tax and social-security contribution on yearly wage earnings (2024)."""
    p = params
    earnings = np.asarray(earnings, dtype=np.float64)
    deduction = np.minimum(
        p["cost.tax_standard_deduction_rate"] * earnings, p["cost.tax_standard_deduction_max"]
    )
    ordinary = np.clip(earnings - deduction - p["cost.tax_personal_allowance"], 0.0, None)
    tax = p["cost.tax_ordinary_rate"] * ordinary
    brackets = (
        (p["cost.tax_bracket1_threshold"], p["cost.tax_bracket1_rate"]),
        (p["cost.tax_bracket2_threshold"], p["cost.tax_bracket2_rate"]),
        (p["cost.tax_bracket3_threshold"], p["cost.tax_bracket3_rate"]),
    )
    below = 0.0  # bracket tax: each step's rate replaces the one below it above its threshold
    for threshold, rate in brackets:
        tax += (rate - below) * np.clip(earnings - threshold, 0.0, None)
        below = rate
    floor = p["cost.tax_social_security_floor"]
    phase_in = p["cost.tax_social_security_phase_in"] * np.clip(earnings - floor, 0.0, None)
    return tax + np.minimum(p["cost.tax_social_security_rate"] * earnings, phase_in)


def tax_on_earnings(params, earnings: np.ndarray) -> np.ndarray:
    """Yearly state revenue from earnings: income tax, trygdeavgift and employer contributions."""
    return income_tax(params, earnings) + params["cost.employer_contribution_rate"] * earnings


def production_value(params, earnings: np.ndarray) -> np.ndarray:
    """Yearly value of production: labour cost (earnings, employer contribution, pension)."""
    markup = params["cost.employer_contribution_rate"] + params["cost.pension_contribution_rate"]
    return (1.0 + markup) * np.asarray(earnings, dtype=np.float64)
