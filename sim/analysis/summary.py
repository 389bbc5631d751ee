"""``summary.json`` and ``paired.parquet``: medians and intervals over replicates.

``lo``/``hi`` are the 2.5 % and 97.5 % quantiles over replicates, or the lowest and highest
value below 5 replicates (:mod:`sim.analysis.intervals`). Paired differences are
scenario minus reference (the first scenario) for the same replicate, so common random numbers
cancel most of the noise. Values without a year (NPVs, ratios) live only in ``headline``
(and the reference's NPVs in ``npv``). ``places`` (and each headline entry's ``places``) holds
the mean places of the IPS team and the coordinators over the horizon and the mean share of
them in use (:func:`places`), so a scenario's cost can be read next to its use of what it buys.

The headline (:mod:`sim.analysis.headline`) per scenario: ``neet_years_averted`` (undiscounted),
``npv_public_nok`` and ``npv_societal_nok`` over the run, and ``by_horizon`` (``5y``, ``run``,
``lifetime``; :mod:`sim.analysis.horizons`). ``cost_per_neet_year_averted_nok`` is the run's
``icer_public_nok_per_neet_year``: the mean net public cost over the mean NEET-years averted,
both discounted at ``cost.discount_rate`` (null when the mean is not above 0). It used to be
the ratio of the medians with undiscounted NEET-years (the contract's description); the key
is kept, and its ``..._interval_nok`` is the interval of the per-replicate ratio, discounted
alike. The top-level ``ceac`` and, with ``--draw-params``, ``voi`` come from
:mod:`sim.analysis.decision`.

Summaries are streamed: one scenario label's runs at a time become a :class:`Stack` (a cells x
replicates matrix of values, about 90 KB a run at 1:1 instead of 0.6 MB of tidy rows), so a
batch of thousands of runs needs the memory of two labels' matrices (the reference and the
current label), never the combined table. The small tables the headline needs (NEET and cost
totals) are kept as tidy rows. The same code serves a table already in memory
(:func:`summarize`), so both paths give the same numbers.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis import decision
from sim.analysis.headline import headline, horizon_values_of, npv_totals
from sim.analysis.horizons import gross_categories
from sim.analysis.intervals import interval, stats
from sim.analysis.places import places
from sim.run.tables import COLUMNS, SORT, combine
from sim.services.ledger import PAYERS

CELL = ["period", "metric", "group"]
DTYPES = {"scenario": "str", "metric": "str", "group": "str"}
HEADLINE_CELLS = {
    ("neet_rate", "all"),
    ("neet_count", "all"),
    ("cost_nok_discounted", "public:total"),
    ("cost_nok_discounted", "societal:total"),
    *(("cost_nok_discounted", f"public:{payer}:total") for payer in PAYERS),
}


# -- one label's runs as matrices ----------------------------------------------------------
@dataclass
class Stack:
    """One scenario label's runs: cells (period, metric, group) x replicates.

    ``value`` is NaN and ``present`` False where a run has no row for a cell. Cells are in the
    tidy tables' row order (period, metric, group); replicates ascend.
    """

    label: str
    cells: pd.DataFrame
    value: np.ndarray
    n: np.ndarray
    present: np.ndarray
    replicates: np.ndarray
    seeds: np.ndarray

    def long(self, extra: dict | None = None, cells: np.ndarray | None = None) -> pd.DataFrame:
        """The tidy rows (replicate-major, cells in order); ``cells`` selects cell rows."""
        present = self.present if cells is None else self.present & cells[:, None]
        rep_i, cell_i = np.nonzero(present.T)
        frame = pd.DataFrame(
            {
                "scenario": self.label,
                "replicate": self.replicates[rep_i],
                "seed": self.seeds[rep_i],
                **{k: self.cells[k].to_numpy()[cell_i] for k in CELL},
                "value": self.value[cell_i, rep_i],
                "n": self.n[cell_i, rep_i],
            },
            columns=COLUMNS,
        ).astype(DTYPES)
        for key, value in (extra or {}).items():
            frame[key] = pd.Series(value, index=frame.index, dtype="str")
        return frame

    def chunks(self, extra: dict | None = None, reps: int = 100) -> Iterator[pd.DataFrame]:
        """:meth:`long` in blocks of ``reps`` replicates (bounded memory when writing)."""
        for start in range(0, len(self.replicates), reps):
            part = slice(start, start + reps)
            sub = Stack(
                self.label,
                self.cells,
                self.value[:, part],
                self.n[:, part],
                self.present[:, part],
                self.replicates[part],
                self.seeds[part],
            )
            yield sub.long(extra)

    def headline_rows(self, extra: dict | None = None) -> pd.DataFrame:
        """The rows the headline and the printed summary need (NEET, every discounted cost)."""
        keys = zip(self.cells["metric"], self.cells["group"], strict=True)
        wanted = np.fromiter(
            (k in HEADLINE_CELLS or k[0] == "cost_nok_discounted" for k in keys),
            bool,
            len(self.cells),
        )
        return self.long(extra, cells=wanted)


class StackBuilder:
    """Collects one label's runs (tidy tables of one replicate each) into a :class:`Stack`.

    Each run is copied at once into growing matrices, so a label of R replicates needs about
    one matrix of R columns, never R tidy tables.
    """

    def __init__(self, label: str):
        self.label = label
        self._index: dict[tuple, int] = {}
        self._keys: list[tuple[int, int]] = []  # (replicate, seed) of each column
        self._value = np.full((0, 0), np.nan)
        self._n = np.zeros((0, 0), np.int64)
        self._present = np.zeros((0, 0), bool)

    def add(self, run: pd.DataFrame) -> None:
        """Add one run's tidy rows (one replicate; each cell at most once)."""
        keys = zip(*(run[k].tolist() for k in CELL), strict=True)
        index = self._index
        rows = np.fromiter((index.setdefault(k, len(index)) for k in keys), np.int64, len(run))
        if len(np.unique(rows)) != len(rows):
            raise ValueError(f"{self.label}: a run has a (period, metric, group) row twice")
        j = len(self._keys)
        self._keys.append((int(run["replicate"].iloc[0]), int(run["seed"].iloc[0])))
        self._grow(len(index), j + 1)
        self._value[rows, j] = run["value"].to_numpy()
        self._n[rows, j] = run["n"].to_numpy()
        self._present[rows, j] = True

    def _grow(self, cells: int, reps: int) -> None:
        """Double the matrices' capacity when a new cell or replicate does not fit."""
        rows, cols = self._value.shape
        if cells <= rows and reps <= cols:
            return
        shape = (
            rows if cells <= rows else max(cells, 2 * rows),
            cols if reps <= cols else max(reps, 2 * cols, 8),
        )
        for name, fill in (("_value", np.nan), ("_n", 0), ("_present", False)):
            old = getattr(self, name)
            new = np.full(shape, fill, dtype=old.dtype)
            new[:rows, :cols] = old
            setattr(self, name, new)

    def finish(self) -> Stack:
        """The matrices, cells sorted like the tidy tables and replicates ascending."""
        replicates = np.array([k[0] for k in self._keys], np.int64)
        if len(np.unique(replicates)) != len(replicates):
            raise ValueError(f"{self.label}: a replicate is given twice")
        cells = pd.DataFrame(list(self._index), columns=CELL)
        rows = cells.sort_values(CELL, kind="stable").index.to_numpy()
        cols = np.argsort(replicates, kind="stable")
        at = np.ix_(rows, cols)
        value, self._value = self._value[at], None
        n, self._n = self._n[at], None
        present, self._present = self._present[at], None
        return Stack(
            self.label,
            cells.iloc[rows].reset_index(drop=True),
            value,
            n,
            present,
            replicates[cols],
            np.array([k[1] for k in self._keys], np.int64)[cols],
        )


def stack_of(runs: Iterable[pd.DataFrame], label: str) -> Stack:
    """A label's :class:`Stack` from its runs' tidy tables."""
    builder = StackBuilder(label)
    for run in runs:
        builder.add(run)
    return builder.finish()


def minus(stack: Stack, ref: Stack) -> Stack:
    """Scenario minus reference for the same replicate and cell (where both have the row).

    ``n`` is the smaller of the two; replicates and cells missing from either are left out.
    """
    reps, a_j, b_j = np.intersect1d(stack.replicates, ref.replicates, return_indices=True)
    b_i = pd.MultiIndex.from_frame(ref.cells).get_indexer(pd.MultiIndex.from_frame(stack.cells))
    a_i = np.flatnonzero(b_i >= 0)
    b_i = b_i[a_i]
    a, b = np.ix_(a_i, a_j), np.ix_(b_i, b_j)
    present = stack.present[a] & ref.present[b]
    keep = present.any(axis=1)
    a, b, present = np.ix_(a_i[keep], a_j), np.ix_(b_i[keep], b_j), present[keep]
    value = stack.value[a]  # a copy: the differences are computed in place
    value -= ref.value[b]
    value[~present] = np.nan
    n = stack.n[a]
    np.minimum(n, ref.n[b], out=n)
    n[~present] = 0
    return Stack(
        stack.label,
        stack.cells.iloc[a_i[keep]].reset_index(drop=True),
        value,
        n,
        present,
        reps,
        stack.seeds[a_j],
    )


# -- medians and intervals -----------------------------------------------------------------
def cell_stats(stack: Stack) -> list[dict]:
    """Median and interval of each cell over replicates (NaN and gaps left out).

    The interval follows :mod:`sim.analysis.intervals` (95 % from 5 replicates, else the range).

    Cells with a value in every replicate are done in one vectorised call (numpy's quantile
    along an axis is the same computation as on each row); the rest one by one.
    """
    valid = stack.present & ~np.isnan(stack.value)
    full = valid.all(axis=1)
    out: list[dict] = [{}] * len(full)
    if full.any():
        q = interval(stack.value[full], axis=1)
        for i, m, lo, hi in zip(np.flatnonzero(full), *q, strict=True):
            out[i] = {"median": float(m), "lo": float(lo), "hi": float(hi)}
    for i in np.flatnonzero(~full):
        out[i] = stats(stack.value[i][valid[i]])
    return out


def nest(stack: Stack) -> dict:
    """Nested stats: metric → group → period → stats, keys sorted (the ``summary.json`` layout)."""
    cells = cell_stats(stack)
    order = stack.cells.sort_values(["metric", "group", "period"], kind="stable").index
    metric, group, period = (stack.cells[k].to_numpy() for k in ("metric", "group", "period"))
    out: dict = {}
    for i in order:
        out.setdefault(metric[i], {}).setdefault(group[i], {})[str(period[i])] = cells[i]
    return out


# -- the summary, streamed -------------------------------------------------------------------
class Summarizer:
    """Builds ``summary.json`` one label at a time; paired rows go to ``on_paired``.

    Args:
        reference: the reference label (the first scenario), or None with one scenario.
        on_paired: called with each block of paired rows, in the paired table's row order,
            when labels are added in sorted order after the reference.
        rate: the discount rate, or label → rate (default: the package's).
        draws: replicate → drawn parameter values (``--draw-params``), or None.
    """

    def __init__(self, reference: str | None, on_paired=None, rate=None, draws=None):
        self.reference, self.on_paired = reference, on_paired
        self.rate, self.draws = rate, draws or None
        self._ref: Stack | None = None
        self.scenarios: dict = {}
        self.paired: dict = {}
        self.small: list[pd.DataFrame] = []
        self.small_pair: list[pd.DataFrame] = []
        self.places: dict = {}

    def add(self, stack: Stack) -> None:
        """Summarize one label (the reference first)."""
        self.scenarios[stack.label] = nest(stack)
        self.places[stack.label] = places(stack)
        self.small.append(stack.headline_rows())
        if stack.label == self.reference:
            self._ref = stack
            return
        if self._ref is None:
            return
        diff = minus(stack, self._ref)
        if not len(diff.replicates) or not len(diff.cells):
            return  # no replicate in common with the reference: nothing to pair
        self.paired[stack.label] = nest(diff)
        extra = {"reference": self.reference}
        self.small_pair.append(diff.headline_rows(extra))
        if self.on_paired is not None:
            for block in diff.chunks(extra):
                if len(block):
                    self.on_paired(block)

    def finish(self) -> dict:
        """The ``summary.json`` content (keys sorted as in the tidy tables)."""
        summary = {"scenarios": dict(sorted(self.scenarios.items()))}
        if self.paired:
            summary["paired"] = dict(sorted(self.paired.items()))
            pair = pd.concat(self.small_pair, ignore_index=True)
            values = horizon_values_of(pair, self.rate)
            summary["headline"] = headline(pair, self.rate, self.draws, values)
            summary.update(self.decision(values))
        summary["npv"] = npv_totals(self.headline_table())
        for scen, entry in summary.get("headline", {}).items():
            entry["npv_public_nok_total"] = summary["npv"].get(scen, {}).get("public_nok")
            entry["npv_societal_nok_total"] = summary["npv"].get(scen, {}).get("societal_nok")
            entry["places"] = self.places.get(scen, {})
        summary["places"] = dict(sorted(self.places.items()))
        if "headline" in summary:  # the staffing lines the gross cost sums, for the report
            summary["gross_cost_groups"] = sorted(gross_categories())
        return _clean(summary)

    def decision(self, values: dict) -> dict:
        """``ceac`` and, with parameter draws, ``voi`` (:mod:`sim.analysis.decision`)."""
        run = {s: v["run"] for s, v in values.items()}
        out = {"ceac": decision.ceac(self.reference, run, draws=self.draws)}
        if self.draws:
            out["voi"] = decision.voi(self.reference, run, self.draws)
        return {k: v for k, v in out.items() if v is not None}

    def headline_table(self) -> pd.DataFrame:
        """Every label's NEET and cost totals as tidy rows (for the printed summary)."""
        if len(self.small) != 1:  # combined once, then kept
            frame = pd.concat(self.small, ignore_index=True)
            self.small = [frame.sort_values(SORT, kind="stable").reset_index(drop=True)]
        return self.small[0]


def summarize(
    yearly: pd.DataFrame, reference: str | None, rate=None, draws=None
) -> tuple[dict, pd.DataFrame | None]:
    """``summary.json`` content and the paired table of a combined yearly table in memory.

    ``rate`` and ``draws`` as in :class:`Summarizer`.
    """
    labels = sorted(yearly["scenario"].unique())
    if reference not in labels or len(labels) < 2:
        reference = None
    blocks: list[pd.DataFrame] = []
    summarizer = Summarizer(reference, blocks.append, rate, draws)
    order = ([reference] if reference else []) + [x for x in labels if x != reference]
    for label in order:
        rows = yearly[yearly["scenario"] == label]
        summarizer.add(stack_of((run for _, run in rows.groupby("replicate")), label))
    pair = None
    if reference is not None:
        pair = pd.concat(blocks, ignore_index=True) if blocks else empty_paired()
        pair = pair.sort_values(SORT, kind="stable")
        pair = pair.reset_index(drop=True)
    return summarizer.finish(), pair


def empty_paired() -> pd.DataFrame:
    """A paired table with no rows (the tidy columns and ``reference``)."""
    return combine([], yearly=True).assign(reference=pd.Series(dtype="str"))


def _clean(obj):
    """Replace NaN with None so the JSON is valid."""
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj
