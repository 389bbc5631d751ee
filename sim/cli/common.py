"""Options shared by every subcommand that simulates, and writing a results directory."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from sim.errors import InputError

START_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def add_common(parser: argparse.ArgumentParser, reps: int = 1) -> None:
    """The common options: --seed --reps --years --scale --start --out --quiet."""
    parser.add_argument("--seed", type=int, default=1, help="base seed (default 1)")
    parser.add_argument("--reps", type=int, default=reps, help=f"replicates (default {reps})")
    parser.add_argument("--years", type=int, default=15, help="years simulated (default 15)")
    parser.add_argument("--scale", type=float, default=1.0, help="population fraction")
    parser.add_argument("--start", default="2024-01", help="first month, YYYY-MM")
    parser.add_argument("--out", default=None, help="results directory")
    parser.add_argument("--quiet", action="store_true", help="print less")


def check_common(args: argparse.Namespace) -> None:
    """Validate the common options (exit 2 on a bad value, before anything runs).

    The limits are those of a batch file's values (:mod:`sim.run.batchfile`), which come
    through here too.
    """
    from sim.run.batchfile import MAX_REPS, MAX_SEED, MAX_YEARS, start_problem

    if not 0 <= args.seed <= MAX_SEED:
        raise InputError(f"--seed: must be 0-{MAX_SEED} (64 bits), got {_short(args.seed)}")
    if not 1 <= args.reps <= MAX_REPS:
        raise InputError(f"--reps: must be 1-{MAX_REPS}, got {_short(args.reps)}")
    if not 1 <= args.years <= MAX_YEARS:
        raise InputError(f"--years: must be 1-{MAX_YEARS}, got {_short(args.years)}")
    if not 0 < args.scale <= 20:
        raise InputError(f"--scale: must be in (0, 20], got {args.scale}")
    problem = start_problem(args.start)
    if problem:
        raise InputError(f"--start: {problem}")


def _short(number: int) -> str:
    """An integer as typed, cut short when it has more digits than a line can hold."""
    text = str(number)
    return text if len(text) <= 24 else f"{text[:20]}... ({len(text)} digits)"


def default_out(command: str, stems: list[str]) -> Path:
    """``results/<command>-<scenario stems>``."""
    return Path("results") / f"{command}-{'-'.join(stems)}"
