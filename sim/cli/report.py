"""``sim report RESULTS_DIR``: write the steering-group report (one self-contained HTML file).

A missing, damaged or misshapen results file, a bad goal or an unusable ``--out`` exits 2
with one line naming the file, before anything is written.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path


def add_parser(subparsers) -> None:
    """Register ``sim report``."""
    p = subparsers.add_parser(
        "report",
        help="write the HTML report (nb or en) of a results directory",
        description="Write a self-contained HTML report (figures embedded) of a results "
        "directory, plus the figures as PNG and SVG next to it.",
    )
    p.add_argument("results", type=Path, metavar="RESULTS_DIR")
    p.add_argument("--lang", choices=["nb", "en"], default="nb", help="language (default nb)")
    p.add_argument("--out", type=Path, help="HTML file (default RESULTS_DIR/report-<lang>.html)")
    p.add_argument(
        "--goal",
        type=float,
        metavar="RATE",
        help="mission goal: NEET rate 15-29 as a share, e.g. 0.08",
    )
    p.add_argument("--goal-year", type=int, metavar="YEAR", help="year the goal applies to")
    p.add_argument(
        "--goal-file",
        type=Path,
        metavar="TOML",
        help="goal file with keys rate and year (default: the packaged goal.toml)",
    )
    p.add_argument(
        "--pdf",
        action="store_true",
        help="also print the report to PDF beside the HTML (needs the chromium package)",
    )
    p.set_defaults(func=main)


def _goal(args: argparse.Namespace):
    from sim.present.report.mission import check_goal, load_goal

    goal = load_goal(args.goal_file)
    if args.goal is None and args.goal_year is None:
        return goal
    rate = goal.rate if args.goal is None else args.goal
    year = goal.year if args.goal_year is None else args.goal_year
    where = "--goal" if args.goal is not None else "--goal-year"
    given = [f"--goal {args.goal}" if args.goal is not None else ""]
    given.append(f"--goal-year {args.goal_year}" if args.goal_year is not None else "")
    if args.goal_file:
        given.append(f"--goal-file {args.goal_file}")
    return check_goal(rate, year, where, " ".join(g for g in given if g))


def _names(folder: Path) -> set[str]:
    """Names in a folder before the report draws into it (they stay the user's)."""
    return set(os.listdir(folder)) if folder.is_dir() else set()


def main(args: argparse.Namespace) -> int:
    """Build the report and print its path."""
    from sim.present.report.builder import build_report, default_out, figures_dir
    from sim.run.resultsdir import held, record_inside

    with held(args.results, "RESULTS_DIR"):
        target = args.out or default_out(args.results, args.lang)
        if args.pdf:
            from sim.present.report.pdf import check_pdf, pdf_path

            check_pdf(pdf_path(target), args.results)
        before = _names(figures_dir(target))
        out = build_report(args.results, lang=args.lang, out=args.out, goal=_goal(args))
        made = [out, figures_dir(out)]
        if args.pdf:
            from sim.present.report.pdf import print_pdf

            made.append(print_pdf(out))
        record_inside(args.results, made, skip={figures_dir(out): before})
    for path in [out, *made[2:]]:
        print(path)
    return 0
