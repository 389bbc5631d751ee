"""The live population as the stock reporters of :mod:`sim.core.metrics` read it in one month."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from sim.core import fasttabs
from sim.core.states import Activity, NavStatus

AGE_BANDS = ("15-19", "20-24", "25-29")


def _band(age: np.ndarray) -> np.ndarray:
    """Age band index: 0 for 15-19, 1 for 20-24, 2 for 25-29."""
    return (age >= 20).view(np.int8) + (age >= 25).view(np.int8)


class Snapshot:
    """The live population as the stock reporters read it in one month.

    Reporters read a column over the rows that can hold live youth (:meth:`column`: a view,
    no copy) together with :attr:`live`, the mask of the live youth over those rows: counts
    over masks take no gather per column. :attr:`cells` counts the youth in every
    (municipality, age band, activity, female, immigrant) cell: the NEET groups, activity
    shares and employment rates are sums over it (one pass over the population). The arrays
    of the live youth in pid order (``pids``, ``age``, ``band``, ``activity``, ``neet``,
    ``status``, ``kommune``) are made when first read.

    :attr:`traits` counts the youth in every (activity, NAV status, adult, completed, unwell,
    apprentice) cell and :attr:`helper_counts` the youth by number of helpers: the benefit,
    education, school, mental-health and helper reporters are sums over them. With numba the
    three tables are counted in one compiled pass (:mod:`sim.core.fasttabs`); the NumPy
    path is the reference.
    """

    CELL_AXES = ("kommune", "band", "activity", "female", "immigrant")
    TRAIT_AXES = ("activity", "status", "adult", "completed", "unwell", "apprentice")
    HELPER_BITS = 32  # helpers is a uint32 bitmask

    def __init__(self, model):
        pop = model.pop
        self.model, self.scale = model, model.scale
        self.rows = pop.rows
        self.live = pop.alive[self.rows]
        self._counts: dict[tuple, np.ndarray] = {}

    @cached_property
    def n(self) -> int:
        """Youth present."""
        if fasttabs.tabulate is not None:
            return int(self.cells.sum())
        return int(np.count_nonzero(self.live))

    @cached_property
    def n_neet(self) -> int:
        """NEET youth present."""
        if fasttabs.tabulate is not None:
            return int(self.cells[:, :, Activity.NEET].sum())
        return int(np.count_nonzero(self.neet_live))

    @cached_property
    def row_age(self) -> np.ndarray:
        """Ages (on 1 January) over :attr:`rows`."""
        return self.model.ages(self.rows)

    @cached_property
    def neet_live(self) -> np.ndarray:
        """Whether each row holds a NEET youth present."""
        return (self.column("activity") == Activity.NEET) & self.live

    def column(self, name: str) -> np.ndarray:
        """A population column over :attr:`rows` (a view; mask it with :attr:`live`)."""
        return getattr(self.model.pop, name)[self.rows]

    @cached_property
    def pids(self) -> np.ndarray:
        """Pids of the youth present, ascending."""
        return self.model.pop.live()

    @cached_property
    def age(self) -> np.ndarray:
        """Ages (on 1 January) of the youth present."""
        return self.row_age[self.live]

    @cached_property
    def band(self) -> np.ndarray:
        """Age band index (0: 15-19, 1: 20-24, 2: 25-29) of the youth present."""
        return _band(self.age)

    @cached_property
    def activity(self) -> np.ndarray:
        """Activity of the youth present."""
        return self.column("activity")[self.live]

    @cached_property
    def neet(self) -> np.ndarray:
        """Whether each youth present is NEET."""
        return self.neet_live[self.live]

    @cached_property
    def status(self) -> np.ndarray:
        """NAV status of the youth present."""
        return self.column("nav_status")[self.live]

    @cached_property
    def kommune(self) -> np.ndarray:
        """Municipality index of the youth present."""
        return self.column("kommune")[self.live]

    @cached_property
    def cells(self) -> np.ndarray:
        """Youth counts indexed by :attr:`CELL_AXES`."""
        if fasttabs.tabulate is not None:
            return self._tabulated[0]
        shape = self._cell_shape()
        axes = (_band(self.row_age), *map(self.column, ("activity", "female", "immigrant")))
        code = self.column("kommune").astype(np.int32)
        for size, values in zip(shape[1:], axes, strict=True):
            code *= size
            code += values
        size = int(np.prod(shape))
        code[~self.live] = size  # rows of youth who left: one extra cell, dropped
        return np.bincount(code, minlength=size + 1)[:size].reshape(shape)

    @cached_property
    def traits(self) -> np.ndarray:
        """Youth counts indexed by :attr:`TRAIT_AXES`.

        Adult: aged 18 or older; unwell: a moderate or severe mental-health problem;
        apprentice: grade 4 or higher.
        """
        if fasttabs.tabulate is not None:
            return self._tabulated[1]
        shape = (len(Activity), len(NavStatus), 2, 2, 2, 2)
        axes = (
            self.column("nav_status"),
            self.row_age >= 18,
            self.column("completed"),
            self.column("mh") > 0,
            self.column("grade") >= 4,
        )
        code = self.column("activity").astype(np.int32)
        for size, values in zip(shape[1:], axes, strict=True):
            code *= size
            code += values
        size = int(np.prod(shape))
        code[~self.live] = size
        return np.bincount(code, minlength=size + 1)[:size].reshape(shape)

    @cached_property
    def helper_counts(self) -> np.ndarray:
        """Youth present by number of helpers (0 to :attr:`HELPER_BITS`)."""
        if fasttabs.tabulate is not None:
            return self._tabulated[2]
        count = np.bitwise_count(self.column("helpers"))[self.live]
        return np.bincount(count, minlength=self.HELPER_BITS + 1)

    @cached_property
    def neet_spells(self) -> tuple[int, int, int]:
        """NEET youth present: (count, months in NEET summed, count at 12 months or more).

        A spell's months count this month (``months_in_activity`` + 1).
        """
        if fasttabs.tabulate is not None:
            return self.n_neet, *self._tabulated[3].tolist()
        months = self.column("months_in_activity")[self.neet_live] + 1
        return len(months), int(months.sum(dtype=np.int64)), int(np.count_nonzero(months >= 12))

    @cached_property
    def _tabulated(self) -> tuple[np.ndarray, ...]:
        """(cells, traits, helper_counts, NEET spell sums) counted in one compiled pass."""
        cells = np.zeros(self._cell_shape(), dtype=np.int64)
        traits = np.zeros((len(Activity), len(NavStatus), 2, 2, 2, 2), dtype=np.int64)
        helper_counts = np.zeros(self.HELPER_BITS + 1, dtype=np.int64)
        spells = np.zeros(2, dtype=np.int64)
        names = ("alive", "kommune", "birth_year", "activity", "female", "immigrant")
        names += ("nav_status", "completed", "mh", "grade", "helpers", "months_in_activity")
        columns = [self.column(name) for name in names]
        sizes = (self.model.year - 1, len(Activity), len(NavStatus), int(Activity.NEET))
        flat = (cells.reshape(-1), traits.reshape(-1), helper_counts, spells)
        fasttabs.tabulate(*columns, *sizes, *flat)
        return cells, traits, helper_counts, spells

    def _cell_shape(self) -> tuple[int, ...]:
        return (len(self.model.geo.numbers), len(AGE_BANDS), len(Activity), 2, 2)

    def trait_count(self, **where: int) -> int:
        """Youth present in the :attr:`traits` cells where each named axis has its value."""
        index = tuple(where.get(axis, slice(None)) for axis in self.TRAIT_AXES)
        return int(self.traits[index].sum())

    def counts(self, *axes: str, neet: bool = False) -> np.ndarray:
        """Youth (or NEET youth) counted over the named axes of :attr:`cells`."""
        key = (axes, neet)
        if key not in self._counts:  # each sum once a month
            cells = self.cells[:, :, Activity.NEET, None] if neet else self.cells
            other = tuple(i for i, axis in enumerate(self.CELL_AXES) if axis not in axes)
            self._counts[key] = cells.sum(axis=other)
        return self._counts[key]

    def groups(self):
        """(name, youth count, NEET count) for every NEET group."""
        geo = self.model.geo
        yield "all", self.n, self.n_neet
        yield from self._by("band", AGE_BANDS)
        yield from self._yes_no("female", "male")
        yield from self._yes_no("immigrant", "non_immigrant")
        yield from self._by("kommune", [f"kommune:{n}" for n in geo.numbers])
        n_area, k_area = np.zeros((2, len(geo.area_names)), dtype=np.int64)
        np.add.at(n_area, geo.area_of, self.counts("kommune"))  # areas: sums of municipalities
        np.add.at(k_area, geo.area_of, self.counts("kommune", neet=True))
        names = [f"nav:{a}" for a in geo.area_names]
        yield from zip(names, n_area.tolist(), k_area.tolist(), strict=True)

    def _by(self, axis: str, names):
        """(name, youth, NEET youth) for each value of ``axis``."""
        n, k = self.counts(axis).tolist(), self.counts(axis, neet=True).tolist()
        yield from zip(names, n, k, strict=True)

    def _yes_no(self, axis: str, other: str):
        """The groups where a yes/no ``axis`` holds (named ``axis``) and where not (``other``)."""
        n_no, n_yes = self.counts(axis).tolist()
        k_no, k_yes = self.counts(axis, neet=True).tolist()
        yield axis, n_yes, k_yes
        yield other, n_no, k_no
