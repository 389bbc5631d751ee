"""Executors: run a list of :class:`~sim.runner.RunSpec` and collect results.

The in-process executor runs specs one after another; results come back in spec order, so
tables are identical whatever the executor.
"""

from __future__ import annotations

import sys
import traceback

from sim.runner import RunResult, RunSpec, run_one


def execute(
    specs: list[RunSpec], workers: int = 1, quiet: bool = False
) -> tuple[list[RunResult], list[tuple[RunSpec, str]]]:
    """Run every spec; returns (results in spec order, failures with tracebacks)."""
    results, failures = [], []
    for i, spec in enumerate(specs, 1):
        try:
            results.append(run_one(spec))
        except Exception:  # a failed run is reported, the others go on
            failures.append((spec, traceback.format_exc()))
        if not quiet:
            print(f"[{i}/{len(specs)}] {spec.name} r{spec.replicate}", file=sys.stderr)
    return results, failures
