"""``sim run SCENARIO.toml``: replicates of one scenario."""

from __future__ import annotations

import argparse

from sim.cli.common import add_common


def add_parser(sub) -> None:
    """Register ``sim run``."""
    p = sub.add_parser("run", help="run replicates of one scenario")
    p.add_argument("scenario", help="scenario TOML file")
    add_common(p, reps=1)
    p.add_argument("--no-monthly", action="store_true", help="skip monthly.parquet")
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Run one scenario (the same machinery as ``sim compare``)."""
    from sim.cli.compare import run_scenarios

    args.scenarios = [args.scenario]
    return run_scenarios(args, command="run")
