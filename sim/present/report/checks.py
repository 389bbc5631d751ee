"""Shape checks of the files in a results folder, so a damaged file is named, not crashed on.

A schema is a type (or tuple of types), a dict literal (a table whose listed keys, when
present, match their schemas; other keys are allowed, so newer files still load), or one of
:class:`Each`, :class:`ListOf`, :class:`Text`. Numbers must be finite: ``sim`` never writes
NaN or infinity into JSON.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

from sim.errors import InputError


@dataclass(frozen=True)
class Each:
    """A table with any keys (matching ``key``, a regular expression) and values of one schema."""

    value: object
    key: str = r".*"


@dataclass(frozen=True)
class ListOf:
    """A list whose items all match one schema."""

    item: object


@dataclass(frozen=True)
class Text:
    """A string matching a regular expression."""

    pattern: str


class Number:
    """A finite int or float."""


NUMBER_OR_NULL = (Number, type(None))
STAT = {"median": NUMBER_OR_NULL, "lo": NUMBER_OR_NULL, "hi": NUMBER_OR_NULL}
CELLS = Each(Each(Each(Each(STAT))))
PLACES = {"mean": STAT, "used_share": STAT}  # summary.json places / headline places, per service
HORIZON = {  # one entry of a headline's by_horizon (5y, run, lifetime)
    "neet_years_averted": STAT,
    "npv_public_nok": STAT,
    "npv_societal_nok": STAT,
    "gross_cost_public_nok": STAT,
    "savings_public_nok": STAT,
    "savings_by_payer": Each(STAT),
    "p_public_saving": NUMBER_OR_NULL,
    "p_societal_saving": NUMBER_OR_NULL,
    "icer_public_nok_per_neet_year": NUMBER_OR_NULL,
}
HEADLINE = {
    "by_horizon": Each(HORIZON),
    "neet_years_averted": STAT,
    "npv_public_nok": STAT,
    "npv_societal_nok": STAT,
    "npv_public_by_payer_nok": Each(STAT),
    "cost_per_neet_year_averted_nok": NUMBER_OR_NULL,
    "places": Each(PLACES),
}
CEAC = {"wtp_nok": ListOf(Number), "horizon": str, "replicates": int}  # + option: [share]
VOI = {
    "wtp_nok": Number,
    "evpi_nok": Number,
    "partial": Each(Number),
    "partial_noise_floor_nok": Number,
    "draws": int,
}
SUMMARY = {
    "scenarios": CELLS,
    "paired": CELLS,
    "headline": Each(HEADLINE),
    "places": Each(Each(PLACES)),
    "ceac": CEAC,
    "voi": VOI,
}
YEAR_MONTH = Text(r"\d{1,4}-\d{2}")
SCENARIO = {
    "name": Each(str),
    "description": Each(str),
    "files": ListOf({"path": str}),
    "params": dict,
}
FAILURE = {"scenario": str, "replicate": int, "traceback": (str, type(None))}
MANIFEST = {
    "scenarios": Each(SCENARIO),
    "reference": (str, type(None)),
    "start": YEAR_MONTH,
    "intervention_start": (YEAR_MONTH, type(None)),
    "scale": NUMBER_OR_NULL,
    "discount_rate": NUMBER_OR_NULL,
    "youth_months": NUMBER_OR_NULL,
    "timing": Each(Number),
    "command": ListOf(str),
    "packages": dict,
    "replicate_seeds": list,
    "failures": ListOf(FAILURE),
}
TRIAL_CELL = {"share": Number, "lo": NUMBER_OR_NULL, "hi": NUMBER_OR_NULL, "n": Number}
TRIAL = {"arms": Each(Each(Each(TRIAL_CELL, key=r"\d+")))}


def _name(schema: object) -> str:
    """What a schema expects, in words."""
    if isinstance(schema, tuple):
        return " or ".join(_name(s) for s in schema)
    if isinstance(schema, dict | Each) or schema is dict:
        return "a table"
    if isinstance(schema, ListOf) or schema is list:
        return "a list"
    if isinstance(schema, Text):
        return f"text like {schema.pattern!r}"
    return {Number: "a finite number", str: "text", int: "an integer"}.get(schema, "null")


def _fits(value: object, schema: object) -> bool:
    """Whether ``value`` has the outer shape ``schema`` asks for (items are checked apart)."""
    if isinstance(schema, tuple):
        return any(_fits(value, s) for s in schema)
    if schema is Number:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return ok and math.isfinite(value)
    if isinstance(schema, Text):
        return isinstance(value, str) and re.fullmatch(schema.pattern, value) is not None
    if isinstance(schema, dict | Each):
        return isinstance(value, dict)
    if isinstance(schema, ListOf):
        return isinstance(value, list)
    if schema is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, schema)


def _items(value: object, schema: object):
    """(key, item, item schema) of every part of ``value`` that ``schema`` describes."""
    if isinstance(schema, tuple):
        schema = next(s for s in schema if _fits(value, s))
    if isinstance(schema, dict):
        return [(k, value[k], s) for k, s in schema.items() if k in value]
    if isinstance(schema, Each):
        return [(k, v, schema.value) for k, v in value.items()]
    if isinstance(schema, ListOf):
        return [(str(i), v, schema.item) for i, v in enumerate(value)]
    return []


def check(value: object, schema: object, where: str, key: str = "") -> None:
    """Raise :class:`InputError` naming ``where`` and the key when ``value`` breaks ``schema``."""
    if not _fits(value, schema):
        got = "null" if value is None else type(value).__name__
        raise InputError(f"{where}: {key or 'top level'}: expected {_name(schema)}, found {got}")
    if isinstance(schema, Each) and schema.key != ".*":
        for k in value:
            if re.fullmatch(schema.key, k) is None:
                raise InputError(f"{where}: {key}.{k}: unexpected key (need {schema.key!r})")
    for k, item, sub in _items(value, schema):
        check(item, sub, where, f"{key}.{k}" if key else str(k))


TEXT_COLUMNS = ("scenario", "metric", "group")
INTEGER_COLUMNS = ("replicate", "period")
NUMBER_COLUMNS = ("value", "n")
TABLE_COLUMNS = ("scenario", "replicate", "period", "metric", "group", "value", "n")


def check_table(df: pd.DataFrame, where: str) -> pd.DataFrame:
    """A yearly-shaped table: its columns present and of the contract's types, and not empty."""
    missing = [c for c in TABLE_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{where}: {missing[0]}: missing column")
    for col in TABLE_COLUMNS:
        if not _column_fits(df[col], col):
            raise InputError(f"{where}: {col}: column of type {df[col].dtype} is not {_kind(col)}")
    if df.empty:
        raise InputError(f"{where}: no rows")
    return df


def _kind(col: str) -> str:
    return "text" if col in TEXT_COLUMNS else "integer" if col in INTEGER_COLUMNS else "numeric"


def _column_fits(values: pd.Series, col: str) -> bool:
    types = pd.api.types
    if col in TEXT_COLUMNS:
        return types.infer_dtype(values, skipna=False) in ("string", "empty")
    if types.is_bool_dtype(values):
        return False
    if col in INTEGER_COLUMNS:
        return types.is_integer_dtype(values)
    return types.is_numeric_dtype(values)
