"""The options of ``sim posterior --verify`` (:mod:`sim.cli.posterior_verify`)."""

from __future__ import annotations

from sim.analysis.verify import TOLERANCE

VERIFY_SCALE = 0.5  # the scale of --verify's runs (that of the acceptance benchmark)
REFINE_SCALE = 0.5  # the scale of --verify's grid runs for the clinics' places (as verified)
VERIFY_YEARS = 2  # --verify checks the start year (its school-year targets end in the next)


def add_verify_options(p) -> None:
    """Register ``--verify`` and the options that go with it on the ``posterior`` parser."""
    p.add_argument(
        "--verify",
        action="store_true",
        help="run each posterior row once with the model and keep those within --tolerance "
        "of the start-year target bands",
    )
    p.add_argument(
        "--from",
        dest="source",
        default=None,
        metavar="DIR",
        help="with --verify: the posterior to check (default: the package's)",
    )
    p.add_argument(
        "--verify-scale", type=float, default=VERIFY_SCALE, help="with --verify: the runs' scale"
    )
    p.add_argument(
        "--tolerance",
        type=int,
        default=TOLERANCE,
        help="with --verify: start-year targets a kept world's run may miss",
    )
    p.add_argument(
        "--rows", type=int, default=None, help="with --verify: check the first N rows (all)"
    )
    p.add_argument(
        "--no-refine",
        action="store_true",
        help="with --verify: keep each row's clinic places (skip the ABC-Gibbs step)",
    )
    p.add_argument(
        "--refine-scale",
        type=float,
        default=REFINE_SCALE,
        help="with --verify: the scale of the places' grid runs",
    )
