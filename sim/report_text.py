"""The short summary printed by ``sim run`` and ``sim compare``."""

from __future__ import annotations

import pandas as pd

from sim.costs import print_cost_headline


def print_summary(rows: pd.DataFrame, summary: dict, manifest: dict, out) -> None:
    """NEET rate by year (median and 95 % interval) per scenario, and throughput.

    ``rows``: tidy yearly rows holding at least the ``neet_rate``/``all`` rows of every run.
    """
    neet = rows[(rows["metric"] == "neet_rate") & (rows["group"] == "all")]
    stats = neet.groupby(["period", "scenario"])["value"]
    table = pd.DataFrame(
        {"median": stats.median(), "lo": stats.quantile(0.025), "hi": stats.quantile(0.975)}
    )
    cells = table.apply(lambda r: f"{r['median']:.2%} [{r['lo']:.2%}, {r['hi']:.2%}]", axis=1)
    print("NEET rate 15-29 (November), median [95 % interval over replicates]")
    print(cells.unstack("scenario").to_string())
    for scen, h in summary.get("headline", {}).items():
        a = h["neet_years_averted"]
        if a["median"] is not None:
            print(
                f"{scen}: NEET-years averted vs reference {a['median']:,.0f} "
                f"[{a['lo']:,.0f}, {a['hi']:,.0f}]"
            )
    print_cost_headline(summary)
    t = manifest["timing"]
    rate = manifest["youth_months"] / t["simulate_s"] if t["simulate_s"] else float("nan")
    print(
        f"build {t['build_s']:.1f} s, simulate {t['simulate_s']:.1f} s, "
        f"write {t['write_s']:.1f} s; {rate:,.0f} youth-months/s"
    )
    print(f"results: {out}")
