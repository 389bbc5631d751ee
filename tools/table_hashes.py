"""Hash every table of every scenario, to show that a change leaves outputs byte-identical.

Runs, in child processes of this checkout (``python -m sim``), at a small scale:
- ``sim compare`` of every file in ``scenarios/`` (monthly tables on);
- the same with ``--draw-params`` (the draws and their order);
- the clubhouse example with its plugin;
- ``sim trial`` of each trial population;
then prints one line per table, ``<sha256>  <job>/<file>``, and writes them to ``--out``.

    python tools/table_hashes.py --out /tmp/hashes-before.txt
    python tools/table_hashes.py --out /tmp/hashes-after.txt
    diff /tmp/hashes-before.txt /tmp/hashes-after.txt

A change that must not move outputs shows no difference; one that fixes a bug shows exactly
the tables it should.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted(str(p) for p in (ROOT / "scenarios").glob("*.toml"))
BASELINE = str(ROOT / "scenarios" / "baseline.toml")
CLUBHOUSE = ROOT / "examples" / "clubhouse"
QUICK = ["--scale", "0.05", "--years", "3", "--reps", "2", "--seed", "7", "--quiet"]
TABLES = ("yearly.parquet", "monthly.parquet", "paired.parquet", "cohorts.parquet", "trial.json")


def jobs() -> dict[str, list[str]]:
    """Job name → ``sim`` arguments (``--out`` is added)."""
    trial = ["trial", BASELINE, "--scale", "0.05", "--seed", "7", "--reps", "2", "--quiet"]
    return {
        "compare": ["compare", *SCENARIOS, *QUICK, "--workers", "1"],
        "draws": ["compare", BASELINE, SCENARIOS[1], *QUICK, "--draw-params", "--workers", "1"],
        "clubhouse": [
            "--plugin",
            str(CLUBHOUSE / "clubhouse.py"),
            "compare",
            BASELINE,
            str(CLUBHOUSE / "clubhouse.toml"),
            *QUICK,
            "--workers",
            "1",
        ],
        "trial_nav_mental_health": [*trial, "--population", "nav_mental_health"],
        "trial_young_neet_benefits": [*trial, "--population", "young_neet_benefits"],
    }


def run(name: str, args: list[str], base: Path) -> list[str]:
    """Run one job; the hash lines of the tables it wrote."""
    out = base / name
    subprocess.run([sys.executable, "-m", "sim", *args, "--out", str(out)], check=True, cwd=ROOT)
    lines = []
    for table in TABLES:
        path = out / table
        if path.exists():
            lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {name}/{table}")
    return lines


def main() -> int:
    """Run every job and print and write the hashes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="file for the hash lines")
    parser.add_argument("--only", nargs="*", help="job names (default: all)")
    args = parser.parse_args()
    chosen = {k: v for k, v in jobs().items() if not args.only or k in args.only}
    with tempfile.TemporaryDirectory(prefix="table-hashes-") as tmp:
        lines = [line for name, job in chosen.items() for line in run(name, job, Path(tmp))]
    text = "\n".join(lines) + "\n"
    print(text, end="")
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
