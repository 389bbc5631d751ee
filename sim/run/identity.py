"""What made a run file, recorded in it, and the check ``--resume`` makes before reusing it.

Every run file carries in its Parquet metadata the identity of the run that made it: scenario
label, a hash of the scenario's text (the whole ``extends`` chain) and resolved parameters,
replicate, seed, scale, years, start, the monthly and draw flags with the drawn values, the
package version, the git commit and the plugin modules. ``--resume`` reuses a run file only
when all of that equals what the batch being resumed would make; otherwise it stops (exit 2)
and lists the differences. A run file that cannot be read is moved aside (the name ends in
``.damaged``) and run again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import subprocess
from pathlib import Path

import pyarrow.parquet as pq

import sim
from sim.errors import InputError

IDENTITY = "identity"  # the key inside the run file's metadata
DAMAGED = ".damaged"
SHOWN = 4  # differences listed in the one-line refusal


@functools.cache
def _commit() -> str | None:
    """The git commit, with a hash of the uncommitted changes when there are any."""
    from sim.run.manifest import _git

    commit, dirty = _git()
    if commit is None or not dirty:
        return commit
    return f"{commit}+dirty:{_diff_hash()}"


def _diff_hash() -> str:
    """sha256 (first 12 digits) of ``git diff HEAD``: two different edits never look alike."""
    root = Path(sim.__file__).resolve().parent.parent
    try:
        diff = subprocess.run(
            ["git", "diff", "HEAD"], cwd=root, capture_output=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return hashlib.sha256(diff).hexdigest()[:12]


def scenario_hash(scenario) -> str:
    """sha256 of the scenario's files and resolved parameters (its own and the warm-up's)."""
    payload = {
        "files": [f.sha256 for f in scenario.files],
        "params": sorted(scenario.overrides.items()),
        "warmup": sorted(scenario.root_overrides.items()),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def identity(spec, plugins: tuple[str, ...]) -> dict:
    """The identity of a run: everything that decides its tables (JSON-ready).

    ``cohorts`` (label, name, entry month of each cohort followed) is there only when the
    run follows cohorts, so runs of earlier versions without cohorts still match.
    """
    cohorts = {"cohorts": [list(c) for c in spec.cohorts]} if spec.cohorts else {}
    return {
        "label": spec.name,
        "scenario_sha256": scenario_hash(spec.scenario),
        "replicate": int(spec.replicate),
        "seed": int(spec.seed),
        "scale": float(spec.scale),
        "years": int(spec.years),
        "start": spec.start,
        "monthly": bool(spec.monthly),
        "draw_params": spec.draws is not None,
        "drawn": dict(sorted(spec.draws.items())) if spec.draws is not None else None,
        "package_version": sim.__version__,
        "git_commit": _commit(),
        "plugins": sorted(plugins),
        **cohorts,
    }


def read_identity(path: Path) -> dict | None:
    """The identity recorded in a run file (None when it records none, or none readable).

    Raises:
        OSError, ValueError: the file cannot be read as Parquet (pyarrow's errors derive
            from these).
    """
    metadata = pq.read_schema(path).metadata or {}
    try:
        entry = json.loads(metadata.get(b"sim_run") or b"{}")
    except ValueError:
        return None
    found = entry.get(IDENTITY) if isinstance(entry, dict) else None
    return found if isinstance(found, dict) else None


def differences(found: dict | None, expected: dict) -> list[str]:
    """What differs between a run file's identity and the expected one (empty when equal)."""
    if found is None:
        return ["no readable identity recorded (made by an older version, or altered)"]
    found = json.loads(json.dumps(found))
    expected = json.loads(json.dumps(expected))
    return [
        f"{key} {found.get(key)!r} != {expected[key]!r}"
        for key in expected
        if found.get(key) != expected[key]
    ]


def readable(path: Path) -> bool:
    """Whether a Parquet file's footer (schema, row groups, metadata) reads.

    A truncated or overwritten file fails here; reading the footer, not every page, keeps a
    resume over many thousand finished runs quick.
    """
    try:
        pq.read_metadata(path)
    except (OSError, ValueError):
        return False
    return True


def move_aside(path: Path) -> Path:
    """Rename an unreadable run file to ``<name>.damaged`` (``.damaged2`` … when taken)."""
    target, n = path.with_name(path.name + DAMAGED), 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}{DAMAGED}{n}")
    path.rename(target)
    return target


def check_runs(specs: list, runs_dir: Path, plugins: tuple[str, ...]) -> list[Path]:
    """Check every existing run file of ``specs`` before a resume; returns files moved aside.

    Nothing is moved unless every readable file belongs.

    Raises:
        InputError: when a readable run file was made by another run (listing what differs).
    """
    damaged, mismatches = [], []
    for spec in specs:
        files = _run_files(spec, runs_dir)
        broken = [p for p in files if not readable(p)]
        if broken:
            damaged += broken
            continue
        if files:
            diff = differences(read_identity(files[0]), identity(spec, plugins))
            if diff:
                mismatches.append(f"{files[0].name}: {'; '.join(diff)}")
    if mismatches:
        more = len(mismatches) - SHOWN
        listed = " | ".join(mismatches[:SHOWN]) + (f" | and {more} more" if more > 0 else "")
        raise InputError(
            f"--resume {runs_dir}: {len(mismatches)} run file(s) were made by other runs, "
            f"not reused: {listed} (use another --out)"
        )
    return [move_aside(p) for p in damaged]


def _run_files(spec, runs_dir: Path) -> list[Path]:
    """A run's existing files: the yearly one first, the monthly and cohort ones it needs."""
    from sim.run.runfiles import cohorts_path, monthly_path, yearly_path

    yearly = yearly_path(runs_dir, spec.name, spec.replicate)
    if not yearly.exists():
        return []
    monthly = monthly_path(runs_dir, spec.name, spec.replicate)
    cohorts = cohorts_path(runs_dir, spec.name, spec.replicate)
    more = [monthly] if spec.monthly and monthly.exists() else []
    return [yearly, *more] + ([cohorts] if spec.cohorts and cohorts.exists() else [])
