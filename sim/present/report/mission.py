"""Mission tracker: how often, and from when, each scenario reaches a NEET-rate goal."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from sim.errors import InputError

MAX_GOAL_BYTES = 100_000


@dataclass(frozen=True)
class Goal:
    """NEET rate (a share) of ``group`` at or below ``rate`` in ``year``.

    ``source`` says where the goal comes from (the options or the file that set it); empty for
    the packaged goal, an example that the report calls one until the user sets their own.
    """

    rate: float
    year: int
    metric: str = "neet_rate"
    group: str = "all"
    source: str = ""

    @property
    def is_example(self) -> bool:
        """Whether this is the packaged example goal rather than one the user set."""
        return not self.source


def check_goal(rate: object, year: object, where: str, source: str = "") -> Goal:
    """Validate a goal; raises :class:`InputError` naming ``where`` and the key.

    ``source`` is where the goal was set (empty: the packaged example goal).
    """
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate < 1:
        raise InputError(f"{where}: rate: {rate!r} is not a share between 0 and 1 (e.g. 0.08)")
    if isinstance(year, bool) or not isinstance(year, int) or not 1900 < year < 2200:
        raise InputError(f"{where}: year: {year!r} is not a year (e.g. 2030)")
    return Goal(float(rate), year, source=source)


def load_goal(path: Path | None = None) -> Goal:
    """Read a goal TOML (keys ``rate`` and ``year``); the packaged one when ``path`` is None."""
    source = path or resources.files("sim.present.report").joinpath("goal.toml")
    where = f"--goal-file {path}" if path else "sim/present/report/goal.toml"
    if path is not None and not Path(path).is_file():
        what = "not a regular file" if Path(path).exists() else "file not found"
        raise InputError(f"{where}: {what}")
    if path is not None and Path(path).stat().st_size > MAX_GOAL_BYTES:
        raise InputError(
            f"{where}: larger than {MAX_GOAL_BYTES // 1000} kB (a goal file is two keys)"
        )
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise InputError(f"{where}: cannot read: {exc.strerror}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{where}: not a valid TOML file: {' '.join(str(exc).split())}") from None
    unknown = set(data) - {"rate", "year"}
    if unknown:
        raise InputError(f"{where}: {sorted(unknown)[0]}: unknown key (valid: rate, year)")
    return check_goal(data.get("rate"), data.get("year"), where, str(path) if path else "")


def track(yearly: pd.DataFrame, goal: Goal) -> pd.DataFrame:
    """Track the goal per scenario.

    For each scenario: the share of replicates at or below the goal in its year, and the first
    year the median over replicates is at or below it.

    Returns:
        Columns ``scenario``, ``share_reached`` (NaN when the goal year is outside the results)
        and ``median_year`` (NA when the median never reaches the goal).
    """
    rows = yearly[(yearly["metric"] == goal.metric) & (yearly["group"] == goal.group)]
    out = []
    for stem, df in rows.groupby("scenario", sort=False):
        at_year = df[df["period"] == goal.year]["value"]
        share = float((at_year <= goal.rate).mean()) if len(at_year) else float("nan")
        median = df.groupby("period")["value"].median()
        below = median[median <= goal.rate]
        year = int(below.index.min()) if len(below) else None
        out.append({"scenario": stem, "share_reached": share, "median_year": year})
    return pd.DataFrame(out, columns=["scenario", "share_reached", "median_year"])
