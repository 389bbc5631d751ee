"""Municipalities and NAV-office areas, from ``sim/data/municipalities.csv``.

Source: SSB table 07459 (1.1.2024) as collected in the project's reference facts; NAV offices
shared by several municipalities are grouped into one area, the others are their own office.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from importlib import resources

import numpy as np


@dataclass(frozen=True)
class Geography:
    """Municipality table with NAV-area grouping."""

    names: tuple[str, ...]
    numbers: tuple[str, ...]
    pop_15_29: np.ndarray  # persons aged 15-29 on 1.1.2024
    area_of: np.ndarray  # NAV-area index of each municipality
    area_names: tuple[str, ...]

    @property
    def n_kommuner(self) -> int:
        """Number of municipalities."""
        return len(self.names)

    def index_of(self, number: str) -> int:
        """Row of a municipality number (e.g. '5001')."""
        return self.numbers.index(number)

    def area_pop(self) -> np.ndarray:
        """Population aged 15-29 of each NAV area."""
        return np.bincount(self.area_of, weights=self.pop_15_29, minlength=len(self.area_names))


def _slug(text: str) -> str:
    return text.lower().replace("nav ", "").replace(",", "").replace(" og ", "-").replace(" ", "-")


def load_geography() -> Geography:
    """Read the packaged municipality table."""
    text = resources.files("sim").joinpath("data/municipalities.csv").read_text("utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    areas: list[str] = []
    area_of = []
    for row in rows:
        area = _slug(row["nav_office_known"] or row["municipality"])
        if area not in areas:
            areas.append(area)
        area_of.append(areas.index(area))
    return Geography(
        names=tuple(r["municipality"] for r in rows),
        numbers=tuple(r["kommunenummer"] for r in rows),
        pop_15_29=np.array([int(r["pop_15_29_2024"]) for r in rows], dtype=np.int64),
        area_of=np.array(area_of, dtype=np.int16),
        area_names=tuple(areas),
    )
