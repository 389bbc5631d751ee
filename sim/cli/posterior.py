"""``sim posterior [SCENARIO]``: the calibrated posterior, and ``sim posterior --apply DIR``.

Screens every ``calibrated`` and ``uncertain`` parameter, history-matches the active ones to
every target row (yearly, cohorts, trial) in waves of runs, and draws the posterior by ABC on
the last wave's emulators (:mod:`sim.analysis.posterior`). Every evaluation is appended to a
log in DIR as it ends (``screen.jsonl``, ``wave1.jsonl``, …); the same command continues
where a stopped one ended. At the end: ``posterior.csv`` (one row per posterior draw, the
active parameters' values), ``posterior.json`` (method, runs, minutes, effective sample size,
each parameter's prior and posterior interval, the emulators' errors, the screening),
``screening.csv`` and ``manifest.json``.

``--verify`` redraws each posterior world's clinic places given the rest of it, runs it once
and keeps it if at most ``--tolerance`` start-year targets fall outside their bands; resumable,
it writes the kept rows with their weights (:mod:`sim.cli.posterior_verify`).

``--apply DIR`` copies DIR's ``posterior.csv`` and ``posterior.json`` into the package
(``sim/data/``), where ``--draw-params`` draws from them (:mod:`sim.run.draws`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
import sys
import time
from pathlib import Path

from sim.cli.common import add_common, add_executor_options, run_options
from sim.cli.posterior_options import add_verify_options
from sim.errors import InputError

DEFAULT_BASE = "scenarios/baseline.toml"
TRIAL_SCALE = 0.5
INERT_SCALE, INERT_YEARS = 0.05, 2  # the runs that check a parameter is inert in a scenario


class OutOfTimeError(Exception):
    """The session's minutes are spent; the logs keep every evaluation."""


def add_parser(sub) -> None:
    """Register ``sim posterior``."""
    p = sub.add_parser(
        "posterior",
        help="fit the calibrated posterior (screening, history matching, ABC)",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("scenario", nargs="?", default=DEFAULT_BASE, help="base scenario TOML")
    add_common(p, reps=2)
    p.set_defaults(years=7, scale=0.1)
    p.add_argument("--targets", default=None, help="targets CSV (default: the packaged one)")
    p.add_argument(
        "--params",
        default=None,
        help="comma-separated candidates to screen (default: every calibrated and uncertain one)",
    )
    p.add_argument("--waves", type=int, default=2, help="history-matching waves")
    p.add_argument("--design", type=int, default=None, help="runs per wave (default: by k)")
    p.add_argument("--minutes", type=float, default=110.0, help="time for this session")
    p.add_argument("--trial-scale", type=float, default=TRIAL_SCALE, help="the trial's scale")
    p.add_argument(
        "--inert-check",
        action="append",
        default=None,
        metavar="TOML",
        help="scenarios in which a parameter with no effect on the base must also have none "
        "to count as inert (default: every scenario beside the base scenario)",
    )
    add_verify_options(p)
    p.add_argument("--apply", default=None, metavar="DIR", help="adopt DIR's posterior")
    add_executor_options(p)
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Fit (or ``--apply``); 0 also when the minutes end first (run again to continue)."""
    if args.apply:
        return apply_main(Path(args.apply))
    if args.verify:
        from sim.cli.posterior_verify import verify_main

        return verify_main(args)
    from sim.run.executors import choose
    from sim.run.resultsdir import ResultsFolder

    problem = plan(args)
    out = Path(args.out) if args.out else Path("results") / "posterior"
    pool = choose(args.workers, args.scheduler, problem.runs_per_evaluation())
    deadline = time.perf_counter() + args.minutes * 60
    logs = ["screen.jsonl", *(f"wave{w + 1}.jsonl" for w in range(args.waves))]
    with ResultsFolder(out) as folder:
        folder.record(logs, status="running")
        try:
            with pool:
                fit = Fitter(problem, pool, out, deadline, args).run()
        except OutOfTimeError:
            print(f"posterior: --minutes spent; evaluations kept in {out}; run the same command "
                  "to continue", file=sys.stderr)  # fmt: skip
            return 0
        except RuntimeError as exc:
            print(f"sim: {exc}", file=sys.stderr)
            return 1
        write_outputs(folder, fit, logs)
    print(report(fit))
    return 0


def plan(args: argparse.Namespace):
    """The evaluation problem over every candidate parameter (validated; nothing runs)."""
    from sim.analysis.calibrate import Problem
    from sim.analysis.calibrate_loss import all_targets, check_targets
    from sim.core.params import specs
    from sim.core.scenario import load_scenario
    from sim.run.runner import replicate_seeds

    run_options(args)
    run_options(args, scale=args.trial_scale)
    if args.waves < 1:
        raise InputError(f"--waves: must be at least 1, got {args.waves}")
    if not args.minutes > 0:
        raise InputError(f"--minutes: must be positive, got {args.minutes}")
    if args.targets and not Path(args.targets).is_file():
        raise InputError(f"{args.targets}: file not found")
    targets = check_targets(all_targets(args.targets), args.targets or "targets.csv")
    names = [
        n for n, s in specs().items() if s.role in ("calibrated", "uncertain") and s.hi > s.lo
    ]
    if args.params:
        asked = [n.strip() for n in args.params.split(",") if n.strip()]
        for n in asked:
            if n not in names:
                raise InputError(f"--params: {n}: not a calibrated or uncertain parameter")
        names = [n for n in names if n in asked]
    sc = load_scenario(args.scenario)
    seeds = replicate_seeds(args.seed, args.reps)
    return Problem(sc, names, targets, seeds, args.years, args.scale, args.start, {}, args.seed,
                   trial_scale=args.trial_scale)  # fmt: skip


class Fitter:
    """The three steps over logged evaluations (each log replayed before anything runs)."""

    def __init__(self, problem, pool, out: Path, deadline: float, args):
        self.problem, self.pool, self.out, self.deadline, self.args = (
            problem, pool, out, deadline, args)  # fmt: skip
        self.t0, self.evaluated = time.perf_counter(), 0

    def _evaluate(self, problem, log, stage: str, u):
        from sim.analysis.calibrate import entry, evaluate

        spent = [e["seconds"] for e in log.entries[-5:]]
        per = sorted(spent)[len(spent) // 2] if spent else 0.0
        if time.perf_counter() + per > self.deadline:
            raise OutOfTimeError
        t1 = time.perf_counter()
        table = evaluate(problem, u, self.pool)
        line = entry(problem, u, table, stage, time.perf_counter() - t1)
        line["evaluation"] = len(log.entries) + 1
        log.append(line)
        self.evaluated += 1
        if not self.args.quiet:
            print(f"[{stage} {line['evaluation']}] inside {line['inside']}/{line['rows']} "
                  f"({line['seconds']:.0f} s)", file=sys.stderr, flush=True)  # fmt: skip
        return line

    def run(self) -> dict:
        """Screen, match, accept; the fit's record."""
        import numpy as np

        from sim.analysis import posterior as po
        from sim.analysis.calibrate_log import Log, table_of
        from sim.core.params import specs

        calibrated = [n for n in self.problem.names if specs()[n].role == "calibrated"]
        p = _subproblem(self.problem, [n for n in self.problem.names if n not in calibrated])
        slog = Log(self.out / "screen.jsonl", _header(p, "screen"))
        design = po.screen_points(p.prior_u())
        for i, (_, _, u) in enumerate(design):
            if i >= len(slog.entries):
                self._evaluate(p, slog, "screen", u)
        template = table_of(slog.entries[0])
        use = po.usable(template)
        keys = [k for k, ok in zip(po.key_list(template), use, strict=True) if ok]
        bands = po.Bands.of(template[use])
        moments = po.moment_matrix(slog.entries, keys)
        screen = po.shifts(moments, bands.half, len(p.names)).assign(parameter=p.names)
        active = calibrated + [
            n for n, s in zip(p.names, screen["shift"], strict=True) if s >= po.ACTIVE
        ]
        inert = self._inert([n for n, same in zip(p.names, screen["identical"], strict=True)
                             if same])  # fmt: skip
        screen["class"] = [
            "fitted" if n in active else "inert" if n in inert else "prior" for n in p.names
        ]
        sub = _subproblem(p, active)
        k = len(active)
        n = self.args.design or po.design_size(k)
        wlogs = [Log(self.out / f"wave{w + 1}.jsonl",
                     {**_header(sub, f"wave{w + 1}"), "design": n})
                 for w in range(self.args.waves)]  # fmt: skip

        def evaluate(w, i, u):
            log = wlogs[w]
            if i < len(log.entries):
                e = log.entries[i]
                if not np.allclose(e["u"], u, atol=1e-9):
                    raise InputError(
                        f"{log.path}: its points are not this design's; use another --out"
                    )
            else:
                e = self._evaluate(sub, log, f"wave{w + 1}", u)
            return po.moment_matrix([e], keys)[0]

        post, emus, waves = po.history_match(
            evaluate, k, bands, self.args.waves, n, self.args.seed
        )
        return self._record(sub, screen, post, emus, waves, keys, bands, slog, wlogs)

    def _inert(self, names: list[str]) -> list[str]:
        """Of the parameters with no effect on the base: those with none in the other scenarios."""
        from sim.analysis.calibrate import run_tables
        from sim.core.params import specs
        from sim.core.scenario import load_scenario
        from sim.run.draws import apply_draw
        from sim.run.runner import RunSpec

        if not names:
            return []
        paths = self.args.inert_check or sorted(
            str(f) for f in Path(self.args.scenario).parent.glob("*.toml")
            if f.resolve() != Path(self.args.scenario).resolve()
        )  # fmt: skip
        seed = self.problem.seeds[0]
        inert = []
        for name in names:
            s = specs()[name]
            runs = []
            for path in paths:
                sc = load_scenario(path)
                for end, value in (("lo", s.lo), ("hi", s.hi)):
                    world = apply_draw(sc, {name: value})
                    runs.append(RunSpec(world, 0, seed, INERT_YEARS, INERT_SCALE,
                                        self.args.start, False, f"{path}|{end}"))  # fmt: skip
            tables = run_tables(runs, self.pool)
            same = all(
                tables[f"{path}|lo"]["value"].equals(tables[f"{path}|hi"]["value"])
                for path in paths
            )
            if same:
                inert.append(name)
        return inert

    def _record(self, sub, screen, post, emus, waves, keys, bands, slog, wlogs) -> dict:
        import numpy as np

        from sim.analysis import posterior as po
        from sim.core.params import specs
        from sim.run.manifest import _git

        lo = sub.lo
        rows = post.rows(po.POSTERIOR_ROWS, self.args.seed) if post.ess else np.zeros((0, len(lo)))
        values = po.to_values(sub.names, rows)
        q = po.intervals(po.to_values(sub.names, post.u))
        truncated = post.truncated() if post.ess else np.zeros(len(lo), bool)
        entries = slog.entries + [e for log in wlogs for e in log.entries]
        seconds = float(sum(e["seconds"] for e in entries))
        return {
            "command": "sim " + shlex.join(sys.argv[1:]) if sys.argv[1:] else "sim posterior",
            "commit": _git()[0],
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "method": "one-at-a-time screening; history matching in waves with quadratic "
            "emulators (implausibility cut 3); ABC on the last emulators, uniform kernel = "
            "every target band",
            "scale": self.args.scale, "trial_scale": self.args.trial_scale,
            "years": self.args.years, "seeds": self.problem.seeds,
            "evaluations": len(entries),
            "runs": len(entries) * self.problem.runs_per_evaluation(),
            "minutes": round(seconds / 60, 1),
            # the last invocation's wall time (screening, waves, inert checks, ABC); a resumed
            # fit's earlier invocations are not in it
            "wall_minutes_last_invocation": round((time.perf_counter() - self.t0) / 60, 1),
            "ess": post.ess, "screened": post.screened,
            "acceptance": post.ess / post.screened if post.screened else 0.0,
            "fitted": sub.names,
            "prior_drawn": [n for n, c in zip(screen["parameter"], screen["class"], strict=True)
                            if c == "prior"],
            "inert": [n for n, c in zip(screen["parameter"], screen["class"], strict=True)
                      if c == "inert"],
            "parameters": {
                n: {"prior": [specs()[n].lo, specs()[n].hi], "value": specs()[n].value,
                    "shape": specs()[n].prior,
                    "prior_90": [float(specs()[n].from_unit(0.05)),
                                 float(specs()[n].from_unit(0.95))],
                    "posterior_90": [float(q[0, i]), float(q[1, i])],
                    "truncated": bool(truncated[i])}
                for i, n in enumerate(sub.names)
            },
            "emulator_error": {  # on the final emulators' scale (log where the band is > 0)
                k: {"error": float(e), "half_width": float(h), "log": bool(g)}
                for k, e, h, g in zip(keys, emus.error, bands.logged(emus.log).half,
                                      emus.log, strict=True)
            },
            "waves": [{"runs": len(w.u), "box_lo": w.lo.tolist(), "box_hi": w.hi.tolist(),
                       "not_implausible": w.kept} for w in waves],
            "_values": values, "_screen": screen,
        }  # fmt: skip


def _header(problem, stage: str) -> dict:
    """What a stage's evaluations depend on.

    The calibration header, with the default values of the problem's own parameters in place
    of a hash of every parameter (so parameters added later for other uses, e.g. costs, do not
    make a running fit's logs stale). The screening's header leaves out the prior shapes:
    its points are each range's ends and the value, which are the same under every shape.
    """
    from sim.core.params import specs

    head = {**problem.header(), "stage": stage}
    head["parameters"] = {n: specs()[n].value for n in problem.names}
    if stage == "screen":  # its points (both ends and the value) do not depend on the shapes
        head.pop("priors", None)
    return head


def _subproblem(problem, names: list[str]):
    from dataclasses import replace

    return replace(problem, names=list(names))


def write_outputs(folder, fit: dict, logs: list[str]) -> None:
    """Stage the files and swap them in beside the logs."""
    import pandas as pd

    from sim.analysis.calibrate_log import _plain
    from sim.run.durable import write_file

    values = pd.DataFrame(fit.pop("_values"), columns=fit["fitted"])
    values.insert(0, "draw", range(len(values)))
    screen = fit.pop("_screen")
    tmp = folder.stage()
    write_file(tmp / "posterior.csv", values.to_csv(index=False, float_format="%.6g"))
    write_file(tmp / "posterior.json", _plain(fit))  # NaN (no accepted point) as null
    write_file(tmp / "screening.csv", screen.to_csv(index=False))
    write_file(tmp / "manifest.json", _manifest(fit))
    folder.commit(tmp, keep=tuple(logs))


def _manifest(fit: dict) -> dict:
    from sim.run.manifest import build_manifest

    return build_manifest(
        scenarios={}, seed=fit["seeds"][0], replicate_seeds=fit["seeds"], scale=fit["scale"],
        start="", years=fit["years"], timing={"total_s": fit["minutes"] * 60}, youth_months=0,
        command_name="posterior",
    )  # fmt: skip


def report(fit: dict) -> str:
    """The fit in a few lines: runs, ESS, each fitted parameter's prior and posterior."""
    lines = [
        f"posterior: {len(fit['fitted'])} parameters fitted, {len(fit['prior_drawn'])} drawn "
        f"from their priors, {len(fit['inert'])} inert; {fit['evaluations']} evaluations "
        f"({fit['runs']} runs, {fit['minutes']} min); ESS {fit['ess']} "
        f"(acceptance {fit['acceptance']:.2%})"
    ]
    for n, entry in fit["parameters"].items():
        flag = "  (piles at the box edge)" if entry["truncated"] else ""
        (lo, hi), (a, b) = entry["prior_90"], entry["posterior_90"]
        lines.append(
            f"  {n:40s} 90 % prior [{lo:.4g}, {hi:.4g}] ({entry['shape']}) "
            f"posterior [{a:.4g}, {b:.4g}]{flag}"
        )
    return "\n".join(lines)


def apply_main(folder: Path) -> int:
    """Copy a fitted posterior into the package's data folder."""
    from importlib import resources

    from sim.run.durable import write_file

    files = {name: folder / name for name in ("posterior.csv", "posterior.json")}
    for path in files.values():
        if not path.is_file():
            raise InputError(f"{path}: not found (--apply needs a finished sim posterior folder)")
    record = json.loads(files["posterior.json"].read_text("utf-8"))
    data = Path(str(resources.files("sim").joinpath("data")))
    write_file(data / "posterior.csv", files["posterior.csv"].read_text("utf-8"))
    write_file(data / "posterior.json", record)
    print(f"posterior of {len(record.get('fitted', []))} parameters ({record.get('ess')} ESS) "
          f"written to {data}")  # fmt: skip
    return 0
