"""Shared fixtures of the core test suite: one small baseline run, stepped month by month.

The run is small (scale 0.05, 3 years after a 15-year warm-up; about 1-2 s) and cached for the
whole session, so every invariant test reads the same model and tables. Tests that need other
scenarios write small TOML files that extend ``scenarios/baseline.toml`` (see
:func:`write_scenario`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.core.scenario import load_scenario
from sim.core.states import NavStatus
from sim.run.runner import RunSpec, build_model, replicate_seeds
from sim.run.tables import tidy

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline.toml"

SCALE = 0.05  # about 4,800 simulated youth: small, yet every municipality has some
YEARS = 3
SEED = 1


def write_scenario(
    path: Path, params: dict | None = None, extends: Path | str | None = BASELINE
) -> Path:
    """Write a valid scenario file (name, description, optional ``extends`` and ``[params]``)."""
    lines = [
        f'name = {{ nb = "Test {path.stem}", en = "Test {path.stem}" }}',
        f'description = {{ nb = "Testscenario {path.stem}", en = "Test scenario {path.stem}" }}',
    ]
    if extends is not None:
        lines.append(f'extends = "{Path(extends).as_posix()}"')
    lines.append("[params]")
    lines += [f'"{name}" = {value!r}' for name, value in (params or {}).items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class TracedRun:
    """A run stepped by hand: the model, its tables and what every service held each month."""

    spec: RunSpec
    model: object
    yearly: pd.DataFrame
    monthly: pd.DataFrame
    # one row per (month, service): capacity, active, queue, and NAV qualification places/used
    services: pd.DataFrame = field(default_factory=pd.DataFrame)


def service_snapshot(model) -> list[dict]:
    """Capacity and use of every service after a step (NAV offices: qualification places too)."""
    rows = []
    pop = model.pop
    for service in model.services:
        row = {
            "month": model.month,
            "service": service.name,
            "capacity": service.capacity,
            "active": len(service.active),
            "queue": len(service.queue),
            "active_unique": len(np.unique(service.active)),
        }
        if hasattr(service, "kvp_places"):
            live = pop.live()
            in_area = model.geo.area_of[pop.kommune[live]] == service.area
            row["kvp_places"] = service.kvp_places
            in_kvp = pop.nav_status[live] == NavStatus.QUALIFICATION
            row["kvp_used"] = int((in_area & in_kvp).sum())
        rows.append(row)
    return rows


def traced_run(spec: RunSpec) -> TracedRun:
    """Build the model of ``spec`` and step it month by month, recording every service."""
    model = build_model(spec)
    snapshots = []
    for _ in range(spec.years * 12):
        model.step()
        snapshots.extend(service_snapshot(model))
    keys = {"scenario": spec.name, "replicate": spec.replicate, "seed": spec.seed}
    yearly = tidy(model.collector.yearly_rows(), keys, yearly=True)
    monthly = tidy(model.collector.monthly, keys, yearly=False)
    return TracedRun(spec, model, yearly, monthly, pd.DataFrame(snapshots))


@pytest.fixture(scope="session")
def baseline_spec() -> RunSpec:
    """The small baseline run every invariant test reads."""
    seed = replicate_seeds(SEED, 1)[0]
    return RunSpec(load_scenario(BASELINE), 0, seed, years=YEARS, scale=SCALE)


@pytest.fixture(scope="session")
def baseline_run(baseline_spec) -> TracedRun:
    """The baseline run, stepped once per session."""
    return traced_run(baseline_spec)


def rows(table: pd.DataFrame, metric: str, group: str = "all") -> pd.DataFrame:
    """The rows of one metric and group, indexed by period."""
    sel = table[(table["metric"] == metric) & (table["group"] == group)]
    return sel.set_index("period")


CLI_OPTIONS = ["--reps", "2", "--years", "2", "--scale", "0.02", "--quiet"]
CLI_SEED = 7


def sim_run(out: Path, seed: int = CLI_SEED, scenario: Path = BASELINE) -> Path:
    """``sim run SCENARIO --seed SEED`` with the quick options, in process; returns ``out``."""
    from sim.cli.main import main

    rc = main(["run", str(scenario), "--seed", str(seed), "--out", str(out), *CLI_OPTIONS])
    assert rc == 0
    return out


@pytest.fixture(scope="session")
def cli_run(tmp_path_factory) -> Path:
    """A results folder from ``sim run baseline.toml`` (2 replicates, 2 years, scale 0.02)."""
    return sim_run(tmp_path_factory.mktemp("cli") / "run")


def pytest_sessionstart(session):
    """In CI the browser tests must run: a missing Chromium is an error, not a skip."""
    import os
    from pathlib import Path

    if os.environ.get("CI") and not Path("/usr/bin/chromium").exists():
        raise pytest.UsageError(
            "CI is set but /usr/bin/chromium is missing: the browser tests would be skipped "
            "(.ci/run installs it with apt-get)"
        )
