"""Freed array memory stays with the process for reuse (glibc's malloc thresholds, sim.core.heap).

Each check runs in a fresh interpreter: the thresholds are process-wide and this test process
may already have set them.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")

CHURN = """
import json, resource, sys
import numpy as np
from sim.core.heap import keep_freed_memory

kept = keep_freed_memory() if sys.argv[1] == "heap" else None
if sys.argv[1] == "population":
    from sim.core.population import Population

    Population(8)  # a model's population, as every run builds one
faults = []
for _ in range(12):  # a month's temporaries: 16 arrays of 256 kB, allocated, then all freed
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    arrays = [np.ones(2**15) for _ in range(16)]
    del arrays
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(json.dumps({"kept": kept, "faults": sum(faults[2:])}))
"""


def churn(setup: str, **env: str) -> dict:
    """Page faults of the churn after ``setup``: "none", "heap" or "population"."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    environ.pop("GLIBC_TUNABLES", None)
    args = [sys.executable, "-c", CHURN, setup]
    done = subprocess.run(
        args, capture_output=True, text=True, check=True, env=environ | env, cwd=ROOT
    )
    return json.loads(done.stdout)


def test_the_same_temporaries_reuse_freed_memory_instead_of_fresh_pages():
    default, kept = churn("none"), churn("heap")
    assert kept["kept"] is True
    assert default["faults"] > 5_000  # glibc by default: 4 MB of fresh pages every round
    assert kept["faults"] < default["faults"] / 10


def test_building_a_population_keeps_freed_memory():
    assert churn("population")["faults"] < churn("none")["faults"] / 10


def test_a_malloc_tuned_by_the_environment_is_left_alone():
    assert churn("heap", MALLOC_TRIM_THRESHOLD_="65536")["kept"] is False
    assert churn("heap", GLIBC_TUNABLES="glibc.malloc.trim_threshold=65536")["kept"] is False
