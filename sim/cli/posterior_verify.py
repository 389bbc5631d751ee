"""``sim posterior --verify``: run each posterior row with the model, keep those that fit.

The step after the ABC (:mod:`sim.analysis.verify`): every row of a posterior (``--from DIR``,
default the package's ``sim/data/``) becomes a world (:func:`sim.run.draws.complete_row`),
runs once over two years at ``--verify-scale`` with its own replicate seed, and is
kept when at most ``--tolerance`` of the start-year targets fall outside their bands
(:func:`sim.analysis.verify.kept`). Each run is appended to
``OUT/verify.jsonl`` as it ends (the log's header names the posterior, scenario, targets,
scale, start and seed, so a log of another check is refused); the same command continues a
stopped check, and ``--minutes`` stops it cleanly. At the end ``OUT`` holds ``posterior.csv``
(the kept rows, with their row numbers in the source as ``draw``), ``posterior.json`` (the
source's record, its ``ess`` now the kept count, with a ``verification`` entry) and
``manifest.json``; ``sim posterior --apply OUT`` adopts it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import shlex
import sys
import time
from importlib import resources
from pathlib import Path

from sim.cli.common import run_options
from sim.errors import InputError

LOG = "verify.jsonl"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _source(args: argparse.Namespace) -> tuple[Path, str, dict]:
    """The posterior to check: its folder, CSV text and record."""
    folder = Path(args.source) if args.source else Path(str(resources.files("sim") / "data"))
    csv_file, record_file = folder / "posterior.csv", folder / "posterior.json"
    for path in (csv_file, record_file):
        if not path.is_file():
            raise InputError(f"{path}: not found (--verify needs a posterior.csv and its .json)")
    try:
        record = json.loads(record_file.read_text("utf-8"))
    except ValueError:
        raise InputError(f"{record_file}: not JSON") from None
    return folder, csv_file.read_text("utf-8"), record


def verify_main(args: argparse.Namespace) -> int:
    """Check every row (resuming the log); 0 also when ``--minutes`` end first."""
    from sim.analysis.targets import load_targets
    from sim.cli.posterior import VERIFY_YEARS
    from sim.core.scenario import load_scenario
    from sim.run.draws import read_posterior
    from sim.run.executors import choose
    from sim.run.resultsdir import ResultsFolder
    from sim.run.runner import replicate_seeds

    options = run_options(args, scale=args.verify_scale, years=VERIFY_YEARS, monthly=False)
    folder, csv_text, record = _source(args)
    post = read_posterior(csv_text, record)
    targets = load_targets(args.targets)
    scenario_text = Path(args.scenario).read_text("utf-8")
    sc = load_scenario(args.scenario)
    header = {
        "stage": "verify", "posterior": _sha(csv_text), "scenario": _sha(scenario_text),
        "targets": _sha(targets.to_csv(index=False)), "scale": options.scale,
        "years": VERIFY_YEARS, "start": options.start, "seed": options.seed,
    }  # fmt: skip
    if args.tolerance < 0:
        raise InputError(f"--tolerance: must be 0 or more, got {args.tolerance}")
    rows = len(post.rows) if args.rows is None else args.rows
    if not 1 <= rows <= len(post.rows):
        raise InputError(f"--rows: must be 1 to {len(post.rows)}, got {rows}")
    seeds = replicate_seeds(options.seed, len(post.rows))
    out = Path(args.out) if args.out else Path("results") / "posterior-verified"
    deadline = time.perf_counter() + args.minutes * 60
    with ResultsFolder(out) as result:
        result.record([LOG], status="running")
        job = Check(post, sc, seeds, targets, options, out / LOG, header)
        job.rows, job.tolerance = rows, args.tolerance
        with choose(args.workers, args.scheduler, rows) as pool:
            finished = job.run(pool, deadline, quiet=args.quiet)
        if not finished:
            print(f"posterior --verify: --minutes spent; runs kept in {out / LOG}; run the "
                  "same command to continue", file=sys.stderr)  # fmt: skip
            return 0
        kept_record = job.record(record, folder)
        if not kept_record["ess"]:
            print(f"posterior --verify: no world is within --tolerance of the start-year "
                  f"targets; only the runs' log was written ({out / LOG})",
                  file=sys.stderr)  # fmt: skip
            return 1
        _write(result, csv_text, job.kept(), kept_record)
    v = kept_record["verification"]
    print(f"posterior --verify: {v['kept']} of {v['candidates']} worlds kept "
          f"({v['kept'] / v['candidates']:.1%}) at scale {v['scale']}, {v['minutes']} min; "
          f"written to {out}")  # fmt: skip
    for name, share in list(v["missed_by_target"].items())[:8]:
        print(f"  {name:50s} outside in {share:.1%} of the candidates")
    return 0


class Check:
    """The runs of one verification, logged one candidate at a time."""

    def __init__(self, post, scenario, seeds, targets, options, log_path: Path, header: dict):
        from sim.analysis.calibrate_log import Log

        self.post, self.scenario, self.seeds = post, scenario, seeds
        self.targets, self.options = targets, options
        self.log = Log(log_path, header)
        self.year = int(options.start[:4])
        self.rows, self.tolerance = len(post.rows), 0

    def run(self, pool, deadline: float, quiet: bool) -> bool:
        """Run the candidates not yet in the log; False when the time ran out first."""
        n, chunk = self.rows, max(4, pool.window)
        while len(self.log.entries) < n:
            if time.perf_counter() > deadline:
                return False
            first = len(self.log.entries)
            rows = list(range(first, min(n, first + chunk)))
            t0 = time.perf_counter()
            tables = self._run(rows, pool)
            per = (time.perf_counter() - t0) / len(rows)
            for i in rows:
                self._append(i, tables[f"row{i}"], per)
            if not quiet:
                print(f"[verify {len(self.log.entries)}/{n}] kept {len(self.kept())}",
                      file=sys.stderr, flush=True)  # fmt: skip
        return True

    def _run(self, rows: list[int], pool):
        from sim.analysis.calibrate import run_tables
        from sim.run.draws import apply_draw, complete_row
        from sim.run.runner import RunSpec

        o = self.options
        specs_ = [
            RunSpec(apply_draw(self.scenario, complete_row(self.seeds[i], self.post, i)), i,
                    self.seeds[i], o.years, o.scale, o.start, False, f"row{i}")
            for i in rows
        ]  # fmt: skip
        return run_tables(specs_, pool)

    def _append(self, row: int, yearly, seconds: float) -> None:
        from sim.analysis.verify import checks

        c = checks(yearly, self.targets, self.year)
        self.log.append({
            "row": row, "seed": self.seeds[row], "checks": len(c),
            "inside": int(c["inside"].sum()), "missed": c.loc[~c["inside"], "target"].tolist(),
            "values": dict(zip(c["target"], c["value"], strict=True)), "seconds": seconds,
        })  # fmt: skip

    def kept(self):
        """The kept rows' positions in the source posterior."""
        from sim.analysis.verify import kept

        return kept(self.log.entries[: self.rows], self.tolerance)

    def record(self, source: dict, folder: Path) -> dict:
        """The source's record, with the kept count as ESS and a ``verification`` entry."""
        from sim.analysis.verify import keep_rule, misses
        from sim.run.manifest import _git

        entries, kept = self.log.entries[: self.rows], self.kept()
        seconds = sum(e["seconds"] for e in entries)
        out = {**source, "ess": int(len(kept))}
        out["method"] = (
            f"{source.get('method', '')}; then each accepted world run once with the model at "
            f"scale {self.options.scale} and kept with {keep_rule(self.tolerance)}"
        )
        out["verification"] = {
            "command": "sim " + shlex.join(sys.argv[1:]) if sys.argv[1:] else "sim posterior",
            "commit": _git()[0],
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "source": str(folder), "rule": keep_rule(self.tolerance),
            "tolerance": self.tolerance, "scale": self.options.scale,
            "years": self.options.years, "start": self.options.start,
            "seed": self.options.seed, "candidates": len(entries),
            "source_rows": len(self.post.rows), "kept": int(len(kept)),
            "ess_before": source.get("ess"), "runs": len(entries),
            "minutes": round(seconds / 60, 1),
            "checks_inside": sum(e["inside"] for e in entries) / max(1, sum(
                e["checks"] for e in entries)),
            "missed_by_target": misses(entries),
        }  # fmt: skip
        return out


def _write(result, csv_text: str, kept, record: dict) -> None:
    """Stage the kept rows, the record and a manifest; swap them in beside the log."""
    import pandas as pd

    from sim.run.durable import write_file
    from sim.run.manifest import build_manifest

    table = pd.read_csv(io.StringIO(csv_text)).iloc[kept]
    v = record["verification"]
    tmp = result.stage()
    write_file(tmp / "posterior.csv", table.to_csv(index=False, float_format="%.6g"))
    write_file(tmp / "posterior.json", record)
    manifest = build_manifest(
        scenarios={}, seed=v["seed"], replicate_seeds=[], scale=v["scale"], start=v["start"],
        years=v["years"], timing={"total_s": v["minutes"] * 60}, youth_months=0,
        command_name="posterior",
    )  # fmt: skip
    write_file(tmp / "manifest.json", manifest)
    result.commit(tmp, keep=(LOG,))
