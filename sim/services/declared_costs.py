"""Unit costs a service declares itself (a plugin's), read and checked like the package file.

A service class brings its unit costs in ``unit_costs`` (see :class:`sim.services.base.Service`):
CSV text, or the :class:`~pathlib.Path` of a CSV file beside the plugin, with the columns of
``sim/data/unit_costs.csv`` (``name, value, unit, lo, hi, source, payer, category, kind``).
:func:`sim.services.register` reads them when the plugin is imported, so a bad line stops
``sim --plugin`` with one line naming the file, the line and the problem (exit code 2).

Rules, beyond the package file's columns: each name starts with the service's name and a dot
(``mentor.staff``); values are finite with ``lo <= value <= hi``; the unit is ``NOK/year ...``
or ``NOK/month ...``; the source is given (a citation or ``assumption: <why>``); the category
(the ``public:<payer>:<category>`` and ``societal:<category>`` groups) is a word of its own,
not one the package or another registered service already books to.

The cost ledger (:class:`sim.services.ledger.CostLedger`) charges them for every service that
has a capacity at the start month, through the service's
:meth:`~sim.services.base.Service.charged_units` hook.
"""

from __future__ import annotations

import csv
import io
import math
import re
from functools import cache
from pathlib import Path

from sim.services.ledger import COLUMNS, KINDS, PAYERS, UnitCost, load_unit_costs

# groups the ledger books itself (totals, the lifetime tail, tax, production, MCPF)
LEDGER_WORDS = {"total", "lifetime", "tax_revenue", "production", "mcpf"}
CATEGORY = re.compile(r"[a-z][a-z0-9_]*")


def declared(cls: type) -> dict[str, UnitCost]:
    """The unit costs a service class declares, by name (empty when it declares none).

    Raises:
        ValueError: the file or text breaks a rule (one line: where, which line, what).
    """
    source = getattr(cls, "unit_costs", None)
    if source is None:
        return {}
    return _read(source, cls.name, _where(cls, source))


@cache
def _read(source: str | Path, service: str, where: str) -> dict[str, UnitCost]:
    if isinstance(source, Path):
        if not source.is_file():
            raise ValueError(f"{where}: no such file")
        source = source.read_text("utf-8-sig")
    return parse(source, service, where)


def _where(cls: type, source: object) -> str:
    """How errors name the declaration: the file, or the class attribute."""
    return str(source) if isinstance(source, Path) else f"{cls.__name__}.unit_costs"


def parse(text: str, service: str, where: str) -> dict[str, UnitCost]:
    """Unit-cost lines of ``service`` from CSV ``text``, each checked (``where`` names it).

    Raises:
        ValueError: wrong columns, or a line that breaks a rule of this module.
    """
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames != COLUMNS:
        raise ValueError(f"{where}: columns must be {COLUMNS}, got {reader.fieldnames}")
    package = {c.category for c in load_unit_costs().values()}
    costs: dict[str, UnitCost] = {}
    for row in reader:
        line = reader.line_num
        try:
            cost = _cost(row, service, package)
        except ValueError as exc:
            raise ValueError(f"{where} line {line} ({row.get('name')}): {exc}") from None
        if cost.name in costs:
            raise ValueError(f"{where} line {line} ({cost.name}): named twice")
        costs[cost.name] = cost
    if not costs:
        raise ValueError(f"{where}: no unit-cost lines")
    return costs


def _cost(row: dict, service: str, package: set[str]) -> UnitCost:
    """One checked line (ValueError with the problem, without the line number)."""
    if None in row or None in row.values():
        raise ValueError("the number of fields differs from the columns (quote commas)")
    row = {k: v.strip() for k, v in row.items()}
    if not row["name"].startswith(f"{service}."):
        raise ValueError(f"name must start with the service's name: {service}.")
    nums = {k: _number(row, k) for k in ("value", "lo", "hi")}
    if not nums["lo"] <= nums["value"] <= nums["hi"]:
        raise ValueError(
            f"needs lo <= value <= hi, got {nums['lo']}, {nums['value']}, {nums['hi']}"
        )
    if not row["unit"].startswith(("NOK/year", "NOK/month")):
        raise ValueError(f"unit must start with NOK/year or NOK/month, got {row['unit']!r}")
    if not row["source"]:
        raise ValueError("source is empty (a citation, or assumption: <why>)")
    if row["kind"] not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {row['kind']!r}")
    if row["kind"] != "societal" and row["payer"] not in PAYERS:
        raise ValueError(f"payer must be one of {PAYERS}, got {row['payer']!r}")
    if not CATEGORY.fullmatch(row["category"]) or row["category"] in package | LEDGER_WORDS:
        raise ValueError(f"category {row['category']!r} must be a new word (a-z, 0-9, _)")
    return UnitCost(**{**row, **nums})


def _number(row: dict, column: str) -> float:
    try:
        x = float(row[column])
    except ValueError:
        x = math.nan
    if not math.isfinite(x):
        raise ValueError(f"{column}: not a finite number: {row[column]!r}")
    return x


def check_new(cls: type, registry: dict[str, type]) -> None:
    """Refuse a class whose declared categories another registered class books to.

    Raises:
        ValueError: the class's declaration is bad, or shares a category.
    """
    mine = {c.category for c in declared(cls).values()}
    for other in registry.values():
        if other is not cls and other.name != cls.name:
            shared = mine & {c.category for c in declared(other).values()}
            if shared:
                raise ValueError(
                    f"{cls.name}: cost categories {sorted(shared)} are {other.name}'s"
                )


def owners(services: list) -> dict[str, tuple[UnitCost, list]]:
    """Declared unit cost name -> (the cost, the services charged for it) among ``services``.

    Only services with a capacity (:meth:`~sim.services.base.Service.reported`) are
    charged: one without places or staff adds no cost line (the plugin contract).
    """
    out: dict[str, tuple[UnitCost, list]] = {}
    for service in services:
        if not service.reported():
            continue
        for name, cost in declared(type(service)).items():
            out.setdefault(name, (cost, []))[1].append(service)
    return out
