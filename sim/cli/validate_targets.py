"""``sim validate-targets RESULTS_DIR``: every target against the simulated results.

For one scenario of a results folder (the reference, i.e. the first, unless ``--scenario``):
each line of the targets file with its source, the simulated median and 95 % interval over
replicates (a range of n replicates with fewer than five), and whether the median is inside
the target's band. ``yearly`` lines are read from ``yearly.parquet``, ``cohorts`` lines from
``cohorts.parquet`` and ``trial`` lines from ``trial/trial.json`` (a sub-result; its 95 %
Wilson interval). The manifest says whether the interval includes parameter uncertainty
(``--draw-params``) or replicate variation only. Writes ``RESULTS_DIR/targets.csv`` (or
``--csv FILE``, never over a file of another kind) and prints the table by table.

Exit 0 when every line is inside its band; 1 when any line is outside or has no simulated
value (a year not simulated, a cohort not followed, no trial); 2 for a missing or damaged
results file or targets CSV, naming it, with nothing written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from sim.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

HEADER = "table,metric,group,period,target,lo,hi,simulated,sim_lo,sim_hi,inside"
OLD_HEADER = "metric,group,period,target,lo,hi,simulated,sim_lo,sim_hi,inside"
COLUMNS = ["table", "metric", "group", "period", "target", "lo", "hi", "simulated", "sim_lo",
           "sim_hi", "inside", "status", "weight", "source"]  # fmt: skip
TRIAL = Path("trial") / "trial.json"


def add_parser(sub) -> None:
    """Register ``sim validate-targets``."""
    p = sub.add_parser(
        "validate-targets",
        help="check a results folder against the targets (exit 1 when any is missed)",
    )
    p.add_argument("results", help="results folder (yearly.parquet, manifest.json)")
    p.add_argument("--scenario", default=None, help="scenario label (default: the first)")
    p.add_argument("--targets", default=None, help="targets CSV (default: the packaged one)")
    p.add_argument("--csv", default=None, help="where to write the table")
    p.add_argument("--quiet", action="store_true", help="print only the summary line")
    p.set_defaults(func=main)


def load(results: Path, scenario: str | None) -> tuple[pd.DataFrame, str, dict]:
    """The yearly rows of one scenario, its label and the manifest (empty when missing).

    Raises:
        InputError: the folder or its ``yearly.parquet`` is missing or damaged, the manifest
            is damaged, or ``--scenario`` names no scenario of the results.
    """
    from sim.present.report.checks import MANIFEST
    from sim.present.report.results import read_json, read_table

    if not results.is_dir():
        what = "is a file" if results.exists() else "no such folder"
        raise InputError(f"{results}: not a results directory ({what})")
    path = results / "yearly.parquet"
    yearly = read_table(path)
    labels = list(dict.fromkeys(yearly["scenario"]))
    manifest = read_json(results / "manifest.json", MANIFEST, required=False) or {}
    label = scenario or next(iter(manifest.get("scenarios", {})), None) or labels[0]
    if label not in labels:
        raise InputError(f"{path}: --scenario: {label!r} not in results ({', '.join(labels)})")
    return yearly[yearly["scenario"] == label], label, manifest


def load_cohorts(results: Path, label: str) -> pd.DataFrame | None:
    """The scenario's rows of ``cohorts.parquet``; None when the results have none.

    Raises:
        InputError: the file is not a regular file, is damaged or lacks a column.
    """
    import pandas as pd

    from sim.present.report.results import one_line, regular_file
    from sim.run.tables import COHORT_COLUMNS

    path = results / "cohorts.parquet"
    if regular_file(path, required=False) is None:
        return None
    try:
        cohorts = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise InputError(f"{path}: cannot read Parquet: {one_line(exc)}") from None
    missing = [c for c in COHORT_COLUMNS if c not in cohorts.columns]
    if missing:
        raise InputError(f"{path}: {missing[0]}: missing column")
    return cohorts[cohorts["scenario"] == label]


def load_trial(results: Path) -> dict | None:
    """``trial/trial.json`` of the results; None when there is none (InputError if damaged)."""
    from sim.present.report.checks import TRIAL as SCHEMA
    from sim.present.report.results import read_json

    return read_json(results / TRIAL, SCHEMA, required=False)


def target_lines(path: str | None) -> dict[str, pd.DataFrame]:
    """Table name -> its target lines (the packaged file unless ``path``; checked)."""
    from sim.analysis.calibrate import check_targets
    from sim.analysis.targets import TABLES, load_targets

    lines = {table: load_targets(path, table) for table in TABLES}
    if path:
        lines = {t: check_targets(df, path) if len(df) else df for t, df in lines.items()}
    return lines


def validation_table(
    yearly: pd.DataFrame,
    targets: pd.DataFrame | dict | None = None,
    cohorts: pd.DataFrame | None = None,
    trial: dict | None = None,
) -> pd.DataFrame:
    """Every target with its source, simulated median and interval, ``inside`` and ``status``.

    Args:
        yearly: one scenario's yearly rows.
        targets: table name -> target lines, or the yearly lines alone (a DataFrame), or
            None for the packaged targets.
        cohorts: the scenario's cohort rows (None: no cohorts followed).
        trial: ``trial.json`` (None: no trial).

    A target without a simulated value (a year not simulated, ...) is not inside; its
    status is ``no value``.
    """
    import pandas as pd

    from sim.analysis.targets import TABLES, validate

    if targets is None:
        targets = target_lines(None)
    elif isinstance(targets, pd.DataFrame):
        targets = {"yearly": targets, **{t: targets.iloc[:0] for t in TABLES[1:]}}
    return validate(yearly, cohorts, trial, targets)[COLUMNS]


def interval_note(manifest: dict, reps: int) -> str:
    """What the simulated interval means: the manifest's kind, over ``reps`` replicates."""
    from sim.analysis.intervals import MIN_REPS
    from sim.present.console import interval_label

    kind = "replicate variation and parameter uncertainty"
    if not manifest.get("draw_params"):
        kind = "replicate variation only (parameters fixed)"
    label = interval_label([reps])
    over = f"{label} over {reps} replicates" if reps >= MIN_REPS else label
    return f"{over}: {kind}; scale {manifest.get('scale', '?')}"


def check_csv(path: Path, targets: str | None) -> None:
    """Refuse a ``--csv`` that is a folder, the targets file, or a file of another kind."""
    from sim.present.report.output import existing_ancestor

    if path.is_dir():
        raise InputError(f"{path}: --csv: is a folder (give the CSV file)")
    if targets and path.exists() and path.resolve() == Path(targets).resolve():
        raise InputError(f"{path}: --csv: is the --targets file; not overwritten")
    if path.exists() and not _is_table(path):
        raise InputError(f"{path}: --csv: exists and is not a validation table; not overwritten")
    existing_ancestor(path)


def _is_table(path: Path) -> bool:
    """Whether ``path`` starts with the header of an earlier validation table."""
    if not path.is_file():  # a pipe or device is never opened
        return False
    try:
        with open(path, "rb") as fh:
            start = fh.read(len(HEADER)).decode("utf-8", "replace")
    except OSError:
        return False
    return start == HEADER or start.startswith(OLD_HEADER)


def write_csv(table: pd.DataFrame, path: Path) -> None:
    """Write the table beside (a temporary name), then rename; InputError when it cannot."""
    from sim.run.durable import replacing

    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with replacing(path) as tmp:
            table.to_csv(tmp, index=False)
    except OSError as exc:
        raise InputError(f"{path}: --csv: cannot write: {exc.strerror}") from None


# -- the printed table -------------------------------------------------------------------------
SOURCES = {
    "yearly": "yearly targets, from yearly.parquet",
    "cohorts": "cohort targets, from cohorts.parquet (share of the members still present)",
    "trial": "trial targets, from trial/trial.json (95 % Wilson interval of the pooled arms)",
}
HEAD = ("metric", "group", "period", "target [band]", "simulated [interval]", "")


def format_validation(table: pd.DataFrame, trial: dict | None = None) -> str:
    """The validation table as text: one block per table, aligned columns, a status each."""
    rows = [_cells(r) for r in table.itertuples(index=False)]
    widths = [max([len(h), *(len(c[i]) for c in rows)]) for i, h in enumerate(HEAD)]
    lines = []
    for name, text in SOURCES.items():
        block = [c for c, t in zip(rows, table["table"], strict=True) if t == name]
        if not block:
            continue
        if name == "trial" and trial:
            text += f"; population {trial.get('population')}"
        lines += ["", text, "  " + _line(HEAD, widths)]
        lines += ["  " + _line(c, widths) for c in block]
    return "\n".join(lines[1:])


def _line(cells, widths: list[int]) -> str:
    left = (0, 1)  # text columns; numbers are right-aligned
    parts = [
        c.ljust(w) if i in left else c.rjust(w)
        for i, (c, w) in enumerate(zip(cells, widths, strict=True))
    ]
    return "  ".join(parts).rstrip()


def _cells(r) -> tuple[str, ...]:
    band = f"{_num(r.target)} [{_num(r.lo)}, {_num(r.hi)}]"
    sim = f"{_num(r.simulated)} [{_num(r.sim_lo)}, {_num(r.sim_hi)}]"
    if r.status == "no value":
        sim = "-"
    elif str(r.metric).startswith("trial_rr_"):  # a ratio of pooled shares: no interval
        sim = _num(r.simulated)
    status = r.status
    if status == "OUTSIDE":
        status += " (below)" if r.simulated < r.lo else " (above)"
    return (str(r.metric), str(r.group), str(r.period), band, sim, status)


def _num(x: float) -> str:
    """A target or simulated number, short: counts with separators, shares to 3 digits."""
    if x is None or x != x:
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}" if abs(x) >= 0.001 or x == 0 else f"{x:.2e}"


def verdict(table: pd.DataFrame) -> str:
    """``n/N targets inside their band`` and how many are outside or have no value."""
    inside = int(table["inside"].sum())
    missing = int((table["status"] == "no value").sum())
    outside = len(table) - inside - missing
    text = f"{inside}/{len(table)} targets inside their band"
    if outside or missing:
        text += f" ({outside} outside, {missing} without a simulated value)"
    return text


def main(args: argparse.Namespace) -> int:
    """Print and write the validation table; 0 only when every target is inside its band."""
    from sim.run.resultsdir import held, record_inside

    results = Path(args.results)
    targets = target_lines(args.targets)
    with held(results, "RESULTS_DIR"):
        yearly, label, manifest = load(results, args.scenario)
        cohorts, trial = load_cohorts(results, label), load_trial(results)
        out = Path(args.csv) if args.csv else results / "targets.csv"
        check_csv(out, args.targets)
        table = validation_table(yearly, targets, cohorts, trial)
        write_csv(table, out)
        record_inside(results, [out])
    if not args.quiet:
        print(format_validation(table, trial))
        print(interval_note(manifest, int(yearly["replicate"].nunique())))
    print(f"{label}: {verdict(table)}; {out}")
    return 0 if bool(table["inside"].all()) else 1
