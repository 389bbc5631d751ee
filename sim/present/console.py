"""The short summary printed by ``sim run``, ``sim compare`` and ``sim batch``.

The summary is in English; the names of its intervals come from the English catalogue of
:mod:`sim.present.i18n` and its numbers from :func:`sim.present.i18n.numbers.number`.
Intervals over fewer than five replicates are called ranges of n replicates, not 95 %
intervals; numbers that round to zero print as 0 (never -0); a scenario whose runs all
failed is listed as failed with the cause, not left out.
"""

from __future__ import annotations

import pandas as pd

from sim.analysis.intervals import MIN_REPS
from sim.analysis.variants import from_manifest, order_labels, variant_names
from sim.present.i18n import load_dictionary
from sim.present.i18n import numbers as fmt


def interval_label(counts: list[int]) -> str:
    """``95 % interval`` or ``range of n replicates`` (``n`` as ``2`` or ``2-4``)."""
    words = load_dictionary("en")
    if not counts or min(counts) >= MIN_REPS:
        return words["interval.ci.interval"]
    few, most = min(counts), max(counts)
    return words["interval.range.interval"].format(n=few if few == most else f"{few}-{most}")


def number(x: float | None, decimals: int = 0, scale: float = 1.0) -> str:
    """``x / scale`` with thousands separators; rounds first, so -0.3 prints as 0."""
    missing = x is None or pd.isna(x)
    return fmt.number(None if missing else x / scale, decimals, "en", missing="n/a")


def percent(x: float, decimals: int = 2) -> str:
    """A share as a percentage (``10.00%``); never ``-0.00%``."""
    return f"{number(100 * x, decimals)}%"


def stat(s: dict | None, decimals: int = 0, scale: float = 1.0) -> str:
    """``median [lo, hi]`` of a summary entry, each rounded the same way."""
    if not s or s.get("median") is None:
        return "n/a"
    parts = [number(s.get(k), decimals, scale) for k in ("median", "lo", "hi")]
    return f"{parts[0]} [{parts[1]}, {parts[2]}]"


def failed_lines(manifest: dict, counts: dict[str, int]) -> list[str]:
    """One line per scenario with failed runs: ``FAILED`` when none finished, and the cause."""
    out = []
    for label in manifest.get("scenarios", {}):
        failures = [f for f in manifest.get("failures") or [] if f.get("scenario") == label]
        cause = next(filter(None, (_last_line(f.get("traceback")) for f in failures)), None)
        cause = cause or load_dictionary("en")["failed.no_reason"]
        done = counts.get(label, 0)
        if not done:
            out.append(f"{label}: FAILED, no run finished, no results ({cause})")
        elif failures:
            runs = done + len(failures)
            out.append(f"{label}: {len(failures)} of {runs} runs failed ({cause})")
    return out


def _last_line(text: str | None) -> str | None:
    lines = [x.strip() for x in (text or "").splitlines() if x.strip()]
    return lines[-1][:300] if lines else None


def sweep_labels(manifest: dict, labels: list[str]) -> tuple[list[str], dict[str, str]]:
    """Labels in display order and their names: a sweep's variants numerically, with values.

    Without variants the labels are sorted and keep their names; with them
    (:mod:`sim.analysis.variants`), ``ips_only@ips.fte=4`` is shown as
    ``ips_only: ips.fte = 4`` and ordered 4, 12, 24 within its scenario, the scenarios in
    the order they were given.
    """
    sets = manifest.get("variants") or {}
    if not sets:
        return sorted(labels), {label: label for label in labels}
    given = [x for x in manifest.get("scenarios", {}) if x in labels]
    order = order_labels(given + [x for x in labels if x not in given], from_manifest(sets))
    stems = {label: label.partition("@")[0] for label in order}
    return order, variant_names(stems, sets)


def print_summary(rows: pd.DataFrame, summary: dict, manifest: dict, out) -> None:
    """NEET rate by year (median and interval) per scenario, failures, costs and throughput.

    ``rows``: tidy yearly rows holding at least the ``neet_rate``/``all`` rows of every run.
    A sweep's variants are ordered numerically and named with their values
    (:func:`sweep_labels`).
    """
    neet = rows[(rows["metric"] == "neet_rate") & (rows["group"] == "all")]
    counts = neet.groupby("scenario")["replicate"].nunique().to_dict()
    label = interval_label(list(counts.values()))
    stats = neet.groupby(["period", "scenario"])["value"]
    table = pd.DataFrame(
        {"median": stats.median(), "lo": stats.quantile(0.025), "hi": stats.quantile(0.975)}
    )
    cells = table.apply(
        lambda r: f"{percent(r['median'])} [{percent(r['lo'])}, {percent(r['hi'])}]", axis=1
    )
    order, names = sweep_labels(manifest, list(dict.fromkeys(neet["scenario"])))
    wide = cells.unstack("scenario")[order].rename(columns=names)
    print(f"NEET rate 15-29 (November), median [{label}]")
    print(wide.to_string())
    for line in failed_lines(manifest, counts):
        print(line)
    headline = _ordered(summary.get("headline", {}), manifest)
    for scen, h in headline.items():
        if h["neet_years_averted"]["median"] is not None:
            print(f"{scen}: NEET-years averted vs reference {stat(h['neet_years_averted'])}")
    ordered = {**summary, "headline": headline}
    print_cost_headline(ordered, label)
    print_horizons(ordered)
    t = manifest["timing"]
    rate = manifest["youth_months"] / t["simulate_s"] if t["simulate_s"] else float("nan")
    print(
        f"build {t['build_s']:.1f} s, simulate {t['simulate_s']:.1f} s, "
        f"write {t['write_s']:.1f} s; {rate:,.0f} youth-months/s"
    )
    print(f"results: {out}")


def _ordered(headline: dict, manifest: dict) -> dict:
    """The headline entries in display order, keyed by display name."""
    order, names = sweep_labels(manifest, list(headline))
    return {names[label]: headline[label] for label in order}


def print_cost_headline(summary: dict, label: str | None = None) -> None:
    """Print net costs vs the reference (NOK million, NPV) and cost per NEET-year averted."""
    label = label or interval_label([])
    for scen, h in summary.get("headline", {}).items():
        if "npv_public_nok" not in h:
            continue
        print(f"{scen}: net cost vs reference, NPV, NOK million, median [{label}]")
        print(f"  public total {stat(h['npv_public_nok'], 1, 1e6)}")
        for payer, s in h.get("npv_public_by_payer_nok", {}).items():
            print(f"    {payer:<13}{stat(s, 1, 1e6)}")
        print(f"  societal     {stat(h['npv_societal_nok'], 1, 1e6)}")
        ratio = h.get("cost_per_neet_year_averted_nok")
        if h.get("dominant"):
            print("  fewer NEET-years at a lower public cost: it saves money (dominant)")
            continue
        if ratio is None:
            print("  cost per NEET-year averted: n/a (no NEET-years averted)")
            continue
        iv = h.get("cost_per_neet_year_averted_interval_nok")
        span = f" [{number(iv['lo'])}, {number(iv['hi'])}]" if iv else ""
        print(f"  public cost per NEET-year averted: NOK {number(ratio)}{span}")


def print_horizons(summary: dict) -> None:
    """Medians by horizon (first 5 years, run, lifetime) per scenario: NOK million, NPV."""
    for scen, h in summary.get("headline", {}).items():
        by = h.get("by_horizon")
        if not by:
            continue
        print(f"{scen}: by horizon, medians (NOK million, NPV vs reference; NOK/NEET-yr: means)")
        head = ["NEET-yrs", "public", "gross", "savings", "P(saves)", "NOK/NEET-yr"]
        print(f"  {'':<9}" + "".join(f"{x:>13}" for x in head))
        for name, e in by.items():
            name = name if e.get("tail", True) else f"{name}*"
            cells = [
                number(e["neet_years_averted"]["median"]),
                number(e["npv_public_nok"]["median"], 1, 1e6),
                number(e["gross_cost_public_nok"]["median"], 1, 1e6),
                number(e["savings_public_nok"]["median"], 1, 1e6),
                "n/a" if e["p_public_saving"] is None else percent(e["p_public_saving"], 0),
                "saves" if e.get("dominant") else number(e["icer_public_nok_per_neet_year"]),
            ]
            print(f"  {name:<9}" + "".join(f"{x:>13}" for x in cells))
        if not by.get("lifetime", {}).get("tail", True):
            print("  * no lifetime-tail costs in the tables: the run's values")
