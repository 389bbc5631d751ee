"""Figures from saved results: a tidy table (or trial.json) in, a matplotlib Figure out.

Every function takes the table as saved in a results directory and an optional
:class:`PlotContext` (language, scenario names and order, intervention start), e.g.::

    yearly = pd.read_parquet("results/compare-baseline-coordinated_ips/yearly.parquet")
    ctx = PlotContext.from_manifest(json.load(open(".../manifest.json")), lang="nb")
    neet_over_time(yearly, ctx)

A function raises :class:`NoDataError` when the table lacks the rows it needs. Bands are the
2.5-97.5 % quantiles over replicates; figures resting on fewer than 20 simulated youth are
not drawn (shown as –), and :func:`was_suppressed` tells whether a figure left any out. A
scenario keeps its colour, line style and marker in every figure (they follow ``ctx.order``).
"""

from sim.present.plots._base import MIN_N, NoDataError, PlotContext, was_suppressed
from sim.present.plots.costs import (
    cost_per_neet_year_averted,
    costs_by_payer,
    cumulative_net_cost,
    net_cost_by_payer,
)
from sim.present.plots.decision import acceptability_curve, ceac_table
from sim.present.plots.headline import headline
from sim.present.plots.municipalities import neet_by_municipality
from sim.present.plots.outcomes import (
    neet_by_group,
    neet_over_time,
    paired_difference,
)
from sim.present.plots.services import service_indicators, trial_result
from sim.present.plots.system_map import referral_flows, system_map

__all__ = [
    "MIN_N",
    "NoDataError",
    "PlotContext",
    "acceptability_curve",
    "ceac_table",
    "cost_per_neet_year_averted",
    "costs_by_payer",
    "cumulative_net_cost",
    "headline",
    "neet_by_group",
    "neet_by_municipality",
    "neet_over_time",
    "net_cost_by_payer",
    "paired_difference",
    "referral_flows",
    "service_indicators",
    "system_map",
    "trial_result",
    "was_suppressed",
]
