"""The live population as the stock reporters of :mod:`sim.core.metrics` read it in one month."""

from __future__ import annotations

from functools import cached_property

import numpy as np

from sim.core.states import Activity

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
    """

    CELL_AXES = ("kommune", "band", "activity", "female", "immigrant")

    def __init__(self, model):
        pop = model.pop
        self.model, self.scale = model, model.scale
        self.rows = pop.rows
        self.live = pop.alive[self.rows]
        self.n = int(np.count_nonzero(self.live))  # youth present
        self.row_age = model.ages(self.rows)
        self.neet_live = (pop.activity[self.rows] == Activity.NEET) & self.live
        self.n_neet = int(np.count_nonzero(self.neet_live))

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
        shape = (len(self.model.geo.numbers), len(AGE_BANDS), len(Activity), 2, 2)
        axes = (_band(self.row_age), *map(self.column, ("activity", "female", "immigrant")))
        code = self.column("kommune").astype(np.int32)
        for size, values in zip(shape[1:], axes, strict=True):
            code *= size
            code += values
        size = int(np.prod(shape))
        code[~self.live] = size  # rows of youth who left: one extra cell, dropped
        return np.bincount(code, minlength=size + 1)[:size].reshape(shape)

    def counts(self, *axes: str, neet: bool = False) -> np.ndarray:
        """Youth (or NEET youth) counted over the named axes of :attr:`cells`."""
        cells = self.cells[:, :, Activity.NEET, None] if neet else self.cells
        other = tuple(i for i, axis in enumerate(self.CELL_AXES) if axis not in axes)
        return cells.sum(axis=other)

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
