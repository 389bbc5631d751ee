"""``sim posterior --verify``: refine each posterior row's clinic places, run it, keep it if fit.

The steps after the ABC. Every row of a posterior (``--from DIR``, default the package's
``sim/data/``) becomes a world (:func:`sim.run.draws.complete_row`). First (unless
``--no-refine``) its BUP and DPS places are redrawn from their conditional posterior given the
rest of the world (:mod:`sim.analysis.refine`: the world run at a grid of the places' prior
quantiles at ``--refine-scale``, logged per world in ``OUT/refine.jsonl``); a world in which
no number of places fits its clinics' targets is dropped. Then each world
(:mod:`sim.analysis.verify`) runs once over two years at ``--verify-scale`` with its own
replicate seed, and is
kept when at most ``--tolerance`` of the start-year targets fall outside their bands
(:func:`sim.analysis.verify.kept`). Each run is appended to
``OUT/verify.jsonl`` as it ends (the log's header names the posterior, scenario, targets,
scale, start and seed, so a log of another check is refused); the same command continues a
stopped check, and ``--minutes`` stops it cleanly. At the end ``OUT`` holds ``posterior.csv``
(the kept rows with the source's ``draw`` ids and their weights), ``posterior.json`` (the
source's record, its ``ess`` now Kish's over the kept weights, with ``refinement`` and
``verification`` entries) and ``manifest.json``; ``sim posterior --apply OUT`` adopts it. A
source whose places were already refined is refused unless ``--no-refine`` is given (its
weights are the places' mass, which a second refinement would count twice).
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

import numpy as np

from sim.cli.common import run_options
from sim.cli.posterior_refine import Refining, check_refinable
from sim.errors import InputError

LOG = "verify.jsonl"
REFINE_LOG = "refine.jsonl"


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
    """Refine and check every row (resuming the logs); 0 also when ``--minutes`` end first."""
    from sim.run.executors import choose
    from sim.run.resultsdir import ResultsFolder

    job = Check.of(args)
    out = Path(args.out) if args.out else Path("results") / "posterior-verified"
    deadline = time.perf_counter() + args.minutes * 60
    logs = [REFINE_LOG, LOG] if job.refining else [LOG]
    with ResultsFolder(out) as result:
        job.open_logs(out)  # a log of another check is refused before anything is recorded
        result.record(logs, status="running")
        with choose(args.workers, args.scheduler, job.rows) as pool:
            finished = job.run(pool, deadline, quiet=args.quiet)
        if not finished:
            print(f"posterior --verify: --minutes spent; runs kept in {out}; run the same "
                  "command to continue", file=sys.stderr)  # fmt: skip
            return 0
        kept_record = job.record(job.source_record, job.folder)
        if not kept_record["verification"]["kept"]:
            _write(result, None, kept_record, tuple(logs))
            print(f"posterior --verify: no world is within --tolerance of the start-year "
                  f"targets; {out} holds the logs and the record, no posterior.csv",
                  file=sys.stderr)  # fmt: skip
            return 1
        _write(result, job.table(), kept_record, tuple(logs))
    _print(kept_record, out)
    return 0


def _print(record: dict, out: Path) -> None:
    v, r = record["verification"], record.get("refinement")
    if r:
        print(f"posterior --verify: places refined in {r['candidates']} worlds, "
              f"{r['dropped']} dropped (no number of places fits)")  # fmt: skip
    print(f"posterior --verify: {v['kept']} of {v['candidates']} worlds kept "
          f"({v['kept'] / max(1, v['candidates']):.1%}) at scale {v['scale']}, "
          f"{v['minutes']} min; written to {out}")  # fmt: skip
    for name, share in list(v["missed_by_target"].items())[:8]:
        print(f"  {name:50s} outside in {share:.1%} of the candidates")


def _scaled(args: argparse.Namespace, option: str, scale: float):
    """The run options at ``scale``; a bad scale is named as ``option``."""
    from sim.cli.posterior_options import VERIFY_YEARS

    try:
        return run_options(args, scale=scale, years=VERIFY_YEARS, monthly=False)
    except InputError as exc:
        raise InputError(str(exc).replace("--scale", option)) from None


class Check(Refining):
    """The runs of one verification (and refinement), logged one world at a time."""

    @classmethod
    def of(cls, args: argparse.Namespace) -> Check:
        """The check the options ask for (validated; nothing runs, nothing is written)."""
        from sim.analysis.targets import load_targets
        from sim.cli.posterior_options import VERIFY_YEARS
        from sim.core.scenario import load_scenario
        from sim.run.draws import read_posterior
        from sim.run.runner import replicate_seeds

        options = _scaled(args, "--verify-scale", args.verify_scale)
        _scaled(args, "--refine-scale", args.refine_scale)
        if args.tolerance < 0:
            raise InputError(f"--tolerance: must be 0 or more, got {args.tolerance}")
        folder, csv_text, record = _source(args)
        post = read_posterior(csv_text, record)
        rows = len(post.rows) if args.rows is None else args.rows
        if not 1 <= rows <= len(post.rows):
            raise InputError(f"--rows: must be 1 to {len(post.rows)}, got {rows}")
        targets = load_targets(args.targets)
        if not args.no_refine:
            if record.get("refinement"):
                raise InputError(f"--verify: {folder}: its places are already refined (its "
                                 "weights are their mass); give --no-refine, or --from the "
                                 "emulators' posterior")  # fmt: skip
            check_refinable(post, targets, int(options.start[:4]))
        job = cls()
        job.post, job.csv_text, job.source_record, job.folder = post, csv_text, record, folder
        job.scenario, job.targets = load_scenario(args.scenario), targets
        job.options, job.rows, job.tolerance = options, rows, args.tolerance
        job.seeds = replicate_seeds(options.seed, len(post.rows))
        job.year = int(options.start[:4])
        job.refining = not args.no_refine
        job.refine_scale = args.refine_scale
        common = {
            "posterior": _sha(csv_text), "scenario": _sha(Path(args.scenario).read_text("utf-8")),
            "targets": _sha(job.targets.to_csv(index=False)), "start": options.start,
            "seed": options.seed,
        }  # fmt: skip
        job.refine_header = {"stage": "refine", **common, **job._refine_setup()}
        job.header = {"stage": "verify", **common, "scale": options.scale,
                      "years": VERIFY_YEARS, "refine": job._refine_setup() or None}  # fmt: skip
        return job

    def open_logs(self, out: Path) -> None:
        """Open (or resume) the logs in ``out``."""
        from sim.analysis.calibrate_log import Log

        self.refine_log = Log(out / REFINE_LOG, self.refine_header) if self.refining else None
        self.log = Log(out / LOG, self.header)

    # -- the worlds ---------------------------------------------------------------------------
    def world(self, row: int) -> dict[str, float]:
        """Row ``row``'s parameter values (its places refined, when they were)."""
        from sim.core.params import specs
        from sim.run.draws import complete_row

        values = complete_row(self.seeds[row], self.post, row)
        if self.refining:
            for name, u in self.refined()[row].items():
                values[name] = float(specs()[name].from_unit(u))
        return values

    def candidates(self) -> list[int]:
        """The rows that go on to the verification (those refined and kept, or all)."""
        if not self.refining:
            return list(range(self.rows))
        ok = self.refined()
        return [r for r in range(self.rows) if r in ok]

    # -- running ------------------------------------------------------------------------------
    def run(self, pool, deadline: float, quiet: bool) -> bool:
        """Refine, then verify, what the logs do not hold; False when the time ran out."""
        self.pool = pool
        if self.refining and not self._refine(pool, deadline, quiet):
            return False
        return self._verify(pool, deadline, quiet)

    def _verify(self, pool, deadline: float, quiet: bool) -> bool:
        done = {e["row"] for e in self.log.entries}
        todo = [r for r in self.candidates() if r not in done]
        chunk = max(4, pool.window)
        for start in range(0, len(todo), chunk):
            if time.perf_counter() > deadline:
                return False
            rows = todo[start : start + chunk]
            t0 = time.perf_counter()
            o = self.options
            worlds = [(f"row{i}", self.seeds[i], self.world(i)) for i in rows]
            tables = self._run(worlds, o.years, o.scale)
            per = (time.perf_counter() - t0) / len(rows)
            for i in rows:
                self._append(i, tables[f"row{i}"], per)
            if not quiet:
                print(f"[verify {len(self.log.entries)}/{len(self.candidates())}] kept "
                      f"{len(self.kept())}", file=sys.stderr, flush=True)  # fmt: skip
        return True

    def _run(self, worlds: list[tuple[str, int, dict]], years: int, scale: float):
        """Each (label, model seed, values) run once; the yearly table by label."""
        from sim.analysis.calibrate import run_tables
        from sim.run.draws import apply_draw
        from sim.run.runner import RunSpec

        start = self.options.start
        specs_ = [RunSpec(apply_draw(self.scenario, values), 0, seed, years, scale, start,
                          False, label)
                  for label, seed, values in worlds]  # fmt: skip
        return run_tables(specs_, self.pool)

    def _append(self, row: int, yearly, seconds: float) -> None:
        from sim.analysis.verify import checks

        c = checks(yearly, self.targets, self.year)
        self.log.append({
            "row": row, "seed": self.seeds[row], "checks": len(c),
            "inside": int(c["inside"].sum()), "missed": c.loc[~c["inside"], "target"].tolist(),
            "values": dict(zip(c["target"], c["value"], strict=True)), "seconds": seconds,
        })  # fmt: skip

    def entries(self) -> list[dict]:
        """The verification runs of this check's candidates (in row order)."""
        want = set(self.candidates())
        return sorted((e for e in self.log.entries if e["row"] in want), key=lambda e: e["row"])

    def kept(self):
        """The kept rows' positions in the source posterior."""
        from sim.analysis.verify import kept

        return kept(self.entries(), self.tolerance)

    def table(self):
        """The kept rows of the source posterior, their places refined where they were."""
        import pandas as pd

        from sim.core.params import specs

        kept = self.kept()
        table = pd.read_csv(io.StringIO(self.csv_text)).iloc[kept].reset_index(drop=True)
        table = table.drop(columns=["weight"], errors="ignore")
        if self.refining:
            refined = self.refined()
            for name in self.post.names:
                if name in refined[int(kept[0])]:
                    u = [refined[int(r)][name] for r in kept]
                    table[name] = specs()[name].from_unit(u)
        if self.refining or self.post.weights is not None:
            w = self.row_weights(kept)
            table["weight"] = w / w.mean()
        return table

    def row_weights(self, rows) -> np.ndarray:
        """The rows' weights: the source's (when it has them) times the places' prior mass."""
        rows = np.asarray(rows, int)
        base = np.ones(len(rows)) if self.post.weights is None else self.post.weights[rows]
        return base * self.weights(rows) if self.refining else base

    def record(self, source: dict, folder: Path) -> dict:
        """The source's record: ESS = kept count, ``verification`` and ``refinement`` entries.

        Each fitted parameter's ``posterior_90`` is recomputed from the kept rows (the
        emulators' interval stays as ``posterior_90_emulators``).
        """
        from sim.analysis.verify import keep_rule, misses
        from sim.run.manifest import _git

        entries, kept = self.entries(), self.kept()
        seconds = sum(e["seconds"] for e in entries)
        w = self.row_weights(kept)
        kish = float(w.sum() ** 2 / (w**2).sum()) if len(kept) else 0.0
        out = {**source, "ess": int(round(kish))}
        refine = (
            "; then each world's BUP and DPS places redrawn from their conditional "
            "posterior given the rest (ABC-Gibbs on a grid of runs)"
            if self.refining
            else ""
        )
        out["method"] = (
            f"{source.get('method', '')}{refine}; then each world run once with the model at "
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
            "ess_rule": "Kish, (sum w)^2 / sum w^2, over the kept worlds' weights",
            "minutes": round(seconds / 60, 1),
            "checks_inside": sum(e["inside"] for e in entries) / max(1, sum(
                e["checks"] for e in entries)),
            "missed_by_target": misses(entries),
        }  # fmt: skip
        if self.refining:
            out["refinement"] = self._refinement()
        if len(kept):
            out["parameters"] = self._intervals(source.get("parameters") or {})
        return out

    def _intervals(self, parameters: dict) -> dict:
        table = self.table()
        w = table["weight"].to_numpy(float) if "weight" in table else np.ones(len(table))
        out = {}
        for name, entry in parameters.items():
            entry = dict(entry)
            if name in table.columns:
                entry["posterior_90_emulators"] = entry.get("posterior_90")
                x = table[name].to_numpy(float)
                entry["posterior_90"] = [weighted_quantile(x, w, q) for q in (0.05, 0.95)]
            out[name] = entry
        return out


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """The ``q`` quantile of values ``x`` with weights ``w`` (midpoint rule, interpolated)."""
    order = np.argsort(x)
    x, w = np.asarray(x, float)[order], np.asarray(w, float)[order]
    cum = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cum, x))


def _write(result, table, record: dict, logs: tuple[str, ...]) -> None:
    """Stage the kept rows, the record and a manifest; swap them in beside the logs."""
    from sim.run.durable import write_file
    from sim.run.manifest import build_manifest

    v = record["verification"]
    tmp = result.stage()
    if table is not None:  # none kept: the record alone (an earlier posterior.csv goes)
        write_file(tmp / "posterior.csv", table.to_csv(index=False, float_format="%.6g"))
    write_file(tmp / "posterior.json", record)
    manifest = build_manifest(
        scenarios={}, seed=v["seed"], replicate_seeds=[], scale=v["scale"], start=v["start"],
        years=v["years"], timing={"total_s": v["minutes"] * 60}, youth_months=0,
        command_name="posterior",
    )  # fmt: skip
    write_file(tmp / "manifest.json", manifest)
    result.commit(tmp, keep=logs)
