"""``sim run SCENARIO.toml``: replicates of one scenario."""

from __future__ import annotations

import argparse

from sim.cli.common import (
    add_cohort_option,
    add_common,
    add_executor_options,
    run_options,
    simulate,
)


def add_parser(sub) -> None:
    """Register ``sim run``."""
    p = sub.add_parser("run", help="run replicates of one scenario")
    p.add_argument("scenario", help="scenario TOML file")
    add_common(p, reps=1)
    p.add_argument("--no-monthly", action="store_true", help="skip monthly.parquet")
    add_cohort_option(p)
    add_executor_options(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Run one scenario (the same machinery as ``sim compare``)."""
    return simulate(run_options(args), [args.scenario], command="run")
