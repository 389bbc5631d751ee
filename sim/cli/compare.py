"""``sim compare A.toml B.toml ...``: scenarios with the same replicate seeds, paired."""

from __future__ import annotations

import argparse

from sim.cli.common import (
    add_cohort_option,
    add_common,
    add_draw_option,
    add_executor_options,
    run_options,
    simulate,
)


def add_parser(sub) -> None:
    """Register ``sim compare``."""
    p = sub.add_parser("compare", help="compare scenarios with common random numbers")
    p.add_argument("scenarios", nargs="+", help="scenario TOML files (first = reference)")
    add_common(p, reps=10)
    p.add_argument("--no-monthly", action="store_true", help="skip monthly.parquet")
    add_draw_option(p)
    add_cohort_option(p)
    add_executor_options(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Compare scenarios (see :func:`sim.cli.common.simulate`)."""
    return simulate(run_options(args), args.scenarios, command="compare")
