"""Jobs: the options of a simulating command, its planned runs, and running them.

No argparse here. ``sim run``, ``compare``, ``batch``, ``trial``, ``calibrate`` and
``sensitivity`` turn their command lines into one :class:`RunOptions`; a batch file's options
and :mod:`sim.api` go through the same class, so :func:`option_problem` is the only place where
these values are checked (exit code 2, nothing written).

A :class:`Job` is the options with the scenarios they apply to: replicate seeds, one
:class:`~sim.run.runner.RunSpec` per (replicate, scenario) and the results folder.
:func:`run_scenarios` runs a job's specs into a locked results folder and hands the finished
runs to a ``finish`` step, which the caller supplies (combining results is analysis, a layer
above this one: :func:`sim.analysis.outputs.finish`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path

from sim.core.names import show
from sim.errors import InputError
from sim.run.executors import WORKERS_PER_CORE, worker_limit
from sim.run.resultsdir import ResultsFolder

# the limits of the common options, for the command line, batch files and the API alike
MAX_REPS = 100_000  # far beyond any useful interval; a typo of 10^7 would plan for minutes
MAX_SEED = 2**63 - 1  # the seed column is int64
MAX_YEARS = 60
MAX_SCALE = 20
# start years the model is meant for: its data describe the 2020s, and a four-digit year keeps
# periods sortable ("0000-01" would give periods like "0-01", before the warm-up's origin)
START_YEARS = (1900, 2100)
START_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
INTEGERS = {  # name: (lowest, highest, a note for the error)
    "seed": (0, MAX_SEED, " (64 bits)"),
    "reps": (1, MAX_REPS, ""),
    "years": (1, MAX_YEARS, ""),
    "reps_per_draw": (1, MAX_REPS, ""),
}
FLAGS = ("quiet", "monthly", "draw_params")


@dataclass(frozen=True)
class RunOptions:
    """The common options of every command that simulates (DESIGN.md), validated on creation.

    Raises:
        InputError: on the first bad value, named as its command-line option (``--reps: ...``).
    """

    seed: int = 1
    reps: int = 1
    years: int = 15
    scale: float = 1.0
    start: str = "2024-01"
    out: Path | None = None  # None: ``results/<command>-<scenario stems>``
    quiet: bool = False
    workers: int | None = None  # local worker processes; None: one per core
    scheduler: str | None = None  # a Dask scheduler address
    monthly: bool = True
    draw_params: bool = False
    reps_per_draw: int = 1  # replicates that share one parameter draw (with draw_params)
    cohorts: tuple[str, ...] = ()  # --cohort NAME[@YYYY-MM], as given

    def __post_init__(self) -> None:
        object.__setattr__(self, "cohorts", _as_tuple(self.cohorts))
        check_options({f.name: getattr(self, f.name) for f in fields(self)}, where=flag)
        object.__setattr__(self, "scale", float(self.scale))
        if self.out is not None:
            object.__setattr__(self, "out", Path(self.out))
        if problem := cohort_window_problem(self.cohorts, self.start, self.years):
            raise InputError(f"{flag('cohorts')}: {problem}")
        if self.reps_per_draw > 1 and not self.draw_params:
            raise InputError(f"{flag('reps_per_draw')}: needs {flag('draw_params')}")
        if self.reps % self.reps_per_draw:
            raise InputError(
                f"{flag('reps_per_draw')}: {flag('reps')} ({self.reps}) must be a multiple of it "
                f"({self.reps_per_draw}), so every draw has as many replicates"
            )


OPTIONS = tuple(f.name for f in fields(RunOptions))


def flag(name: str) -> str:
    """The command-line option of a field: ``draw_params`` → ``--draw-params``."""
    if name == "cohorts":
        return "--cohort"  # repeatable: one cohort each time
    return f"--{name.replace('_', '-')}"


def _as_tuple(value: object) -> object:
    """A list of cohorts (from a batch file or the API) as a tuple; anything else as it is."""
    return tuple(value) if isinstance(value, list) else value


def check_options(values: Mapping[str, object], where: Callable[[str], str] = flag) -> None:
    """Check every given option (in the order of :class:`RunOptions`); raise on the first.

    Args:
        values: option name → value (only the options given).
        where: how an error names an option (``--reps``, or ``batch.toml: reps``).

    Raises:
        InputError: ``<where(name)>: <problem>``.
    """
    for name in OPTIONS:
        if name in values and (problem := option_problem(name, values[name])):
            raise InputError(f"{where(name)}: {problem}")


def option_problem(name: str, value: object) -> str | None:
    """What is wrong with the value of one common option, or None when it is fine."""
    if name in INTEGERS:
        return _integer_problem(value, *INTEGERS[name])
    if name in FLAGS:
        return None if isinstance(value, bool) else f"must be true or false, got {value!r}"
    return CHECKS[name](value)


# -- cohorts (--cohort NAME[@YYYY-MM]) --------------------------------------------------------
def parse_cohort(text: str, start: str) -> tuple[str, str, str]:
    """``NAME[@YYYY-MM]`` → (label, name, entry month); the entry defaults to ``start``."""
    name, _, month = text.partition("@")
    return text, name, month or start


def cohorts_problem(value: object) -> str | None:
    """What is wrong with a list of cohorts (names and month format), or None."""
    if not isinstance(value, tuple | list) or not all(isinstance(c, str) for c in value):
        return f"must be a list of NAME[@YYYY-MM] texts, got {show(repr(value))}"
    if not value:
        return None
    from sim.core.cohorts import names  # the registry (numpy): only when cohorts are given

    for text in value:
        name, at, month = text.partition("@")
        if name not in names():
            return f"unknown cohort {show(repr(name))} (cohorts: {', '.join(names())})"
        if at and not START_RE.match(month):
            return f"{show(repr(text))}: the entry month must be YYYY-MM, got {show(repr(month))}"
        if value.count(text) > 1:
            return f"{show(repr(text))} given twice"
    return None


def cohort_window_problem(cohorts: tuple[str, ...], start: str, years: int) -> str | None:
    """An entry month outside the simulated months (``start`` .. ``years`` later), or None."""
    first = int(start[:4]) * 12 + int(start[5:]) - 1
    for text in cohorts:
        _, _, month = parse_cohort(text, start)
        index = int(month[:4]) * 12 + int(month[5:]) - 1
        if not first <= index < first + years * 12:
            last = first + years * 12 - 1
            end = f"{last // 12:04d}-{last % 12 + 1:02d}"
            return f"{text!r}: the entry month must be a simulated month, {start} to {end}"
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _integer_problem(value: object, lo: int, hi: int, note: str) -> str | None:
    if not _is_int(value):
        return f"must be an integer, got {value!r}"
    if not lo <= value <= hi:
        return f"must be {lo}-{hi}{note}, got {_short(value)}"
    return None


def _short(number: int) -> str:
    """An integer as typed, cut short when it has more digits than a line can hold."""
    text = str(number)
    return text if len(text) <= 24 else f"{text[:20]}... ({len(text)} digits)"


def _scale_problem(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number, got {value!r}"
    if not 0 < value <= MAX_SCALE:  # NaN fails this too
        return f"must be in (0, {MAX_SCALE}], got {value}"
    return None


def start_problem(value: object) -> str | None:
    """What is wrong with a start month (``YYYY-MM``, a year in ``START_YEARS``), or None."""
    if not isinstance(value, str) or not START_RE.match(value):
        return f"must be a YYYY-MM string, got {show(repr(value))}"
    lo, hi = START_YEARS
    if not lo <= int(value[:4]) <= hi:
        return f"the year must be {lo}-{hi}, got {value!r}"
    return None


def _workers_problem(value: object) -> str | None:
    """None (one per core) or 1 to :func:`~sim.run.executors.worker_limit`."""
    if value is None:
        return None
    if not _is_int(value):
        return f"must be an integer, got {value!r}"
    if value < 1:
        return f"must be at least 1, got {_short(value)}"
    limit = worker_limit()
    if value > limit:
        return (
            f"at most {limit} on this machine ({WORKERS_PER_CORE} per core), got {_short(value)}"
        )
    return None


def _text_problem(value: object) -> str | None:
    if value is None or (isinstance(value, str) and value.strip()):
        return None
    return f"must be a non-empty text, got {value!r}"


def _path_problem(value: object) -> str | None:
    if value is None or (isinstance(value, str | os.PathLike) and str(value).strip()):
        return None
    return f"must be a folder path, got {value!r}"


CHECKS: dict[str, Callable[[object], str | None]] = {
    "scale": _scale_problem,
    "start": start_problem,
    "out": _path_problem,
    "workers": _workers_problem,
    "scheduler": _text_problem,
    "cohorts": cohorts_problem,
}


# -- jobs -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    """Validated options and scenarios: the replicate seeds, every run, the results folder."""

    options: RunOptions
    scenarios: dict  # label → Scenario, the reference (first) label first
    seeds: list[int]
    specs: list  # one RunSpec per (replicate, label), replicate by replicate
    out: Path


def load_all(paths: list[str]) -> dict:
    """Load and validate every scenario (labels = file stems, which must be unique)."""
    from sim.core.scenario import load_scenario

    scenarios = {}
    for path in paths:
        sc = load_scenario(path)
        if sc.stem in scenarios:
            raise InputError(f"{path}: scenario name {sc.stem!r} given twice")
        scenarios[sc.stem] = sc
    return scenarios


def default_out(command: str, stems: list[str]) -> Path:
    """``results/<command>-<scenario stems>``."""
    return Path("results") / f"{command}-{'-'.join(stems)}"


def plan(options: RunOptions, scenarios: dict, command: str) -> Job:
    """Every run of ``scenarios`` (label → Scenario) under ``options``; nothing runs.

    With ``draw_params`` each replicate's parameter draw is applied to its runs (the same draw
    for every scenario of a replicate; ``reps_per_draw`` consecutive replicates share one).
    Without ``out`` the folder is named after the command and the scenario files' stems.
    """
    from sim.run.draws import drawn_specs
    from sim.run.runner import RunSpec, replicate_seeds

    o = options
    seeds = replicate_seeds(o.seed, o.reps)
    cohorts = tuple(sorted(parse_cohort(text, o.start) for text in o.cohorts))
    specs = [
        RunSpec(sc, r, seeds[r], o.years, o.scale, o.start, o.monthly, label, cohorts=cohorts)
        for r in range(o.reps)
        for label, sc in scenarios.items()
    ]
    stems = list(dict.fromkeys(sc.stem for sc in scenarios.values()))
    out = o.out or default_out(command, stems)
    drawn = drawn_specs(specs, o.draw_params, seeds, o.reps_per_draw)
    return Job(o, dict(scenarios), seeds, drawn, out)


Finish = Callable[[Job, Path, ResultsFolder, dict], None]


def run_scenarios(job: Job, finish: Finish) -> list:
    """Run every run of the job into its results folder, then ``finish`` it.

    The executor is chosen (and a bad scheduler refused) before the folder is touched; the
    folder is checked and locked (:class:`~sim.run.resultsdir.ResultsFolder`) and the runs go
    to a hidden scratch folder inside it. Only when every run succeeded is
    ``finish(job, runs_dir, folder, executor)`` called, which combines the runs and commits the
    new result (an earlier result is replaced only then).

    Returns:
        The failed runs' records (:class:`~sim.run.execute.RunRecord`); empty on success.
    """
    from sim.run.execute import run_into
    from sim.run.executors import choose
    from sim.run.progress import Progress

    o = job.options
    pool = choose(o.workers, o.scheduler, len(job.specs))
    with ResultsFolder(job.out) as folder:
        runs_dir = folder.scratch("runs")
        with pool:
            failures = run_into(job.specs, runs_dir, pool, Progress(len(job.specs), quiet=o.quiet))
        if not failures:
            finish(job, runs_dir, folder, pool.describe())
    return failures
