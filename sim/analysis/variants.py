"""A sweep's variants (``sim batch`` with ``[[variants]]`` or ``[grid]``): values, order, names.

A sweep labels each run ``<stem>@<variant>``. ``variants.csv`` (written by ``sim batch``) holds
``label, parameter, value``: one row per swept parameter of each label, where the swept
parameters are every parameter that some variant sets, and ``value`` is the value in force for
that label (the variant's value, or the scenario's own where the variant sets none). From it:

- :func:`order_labels` orders labels by scenario, then numerically by the swept values
  (4, 12, 24; never the text order 12, 24, 4);
- :func:`variant_names` gives every label a distinct display name, the scenario's name with
  the values its variant sets (``Coordinated IPS: ips.fte = 50``);
- :func:`dose_response` gives, for a sweep of one parameter, each scenario's NEET-years
  averted and net public cost against the reference (the summary's headline) by swept value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError

FILE = "variants.csv"
COLUMNS = ["label", "parameter", "value"]


def split(label: str) -> tuple[str, str | None]:
    """``("coordinated_ips", "ips.fte=50")`` from ``coordinated_ips@ips.fte=50``."""
    stem, _, variant = label.partition("@")
    return stem, (variant or None)


def variants_table(scenarios: dict, sets: dict[str, dict | None]) -> pd.DataFrame:
    """The rows of ``variants.csv`` for labelled scenarios.

    Args:
        scenarios: label → Scenario (each variant's overrides already merged in).
        sets: label → the overrides its variant sets (None or empty: none).

    Returns:
        ``label, parameter, value``, labels in the given order, parameters in the order the
        variants first set them; empty when no label has a variant.
    """
    swept = list(dict.fromkeys(name for p in sets.values() for name in (p or {})))
    rows = [
        (label, name, float(sc.params[name]))
        for label, sc in scenarios.items()
        if split(label)[1] is not None
        for name in swept
    ]
    table = pd.DataFrame(rows, columns=COLUMNS)
    rank = {label: i for i, label in enumerate(order_labels(list(scenarios), table))}
    return table.sort_values("label", key=lambda c: c.map(rank), kind="stable", ignore_index=True)


def from_manifest(variants: dict[str, dict | None]) -> pd.DataFrame:
    """``variants.csv`` rebuilt from a manifest's ``variants`` (results without the file).

    Where a variant sets no value of a swept parameter, the package value is used (the
    scenario's own value is not in the manifest).
    """
    from sim.core.params import package_specs

    swept = list(dict.fromkeys(name for p in variants.values() for name in (p or {})))
    spec = package_specs()
    rows = [
        (label, name, float((p or {}).get(name, spec[name].value)))
        for label, p in variants.items()
        if split(label)[1] is not None
        for name in swept
        if name in (p or {}) or name in spec
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def relabel(manifest: dict, table: pd.DataFrame | None, fmt: dict) -> dict:
    """A copy of a sweep's manifest with its scenarios in display order and named apart.

    Args:
        manifest: a results folder's manifest (``scenarios``: label → entry with ``name``
            per language; ``variants``: label → overrides).
        table: its ``variants.csv`` (or :func:`from_manifest`).
        fmt: language code → the function that formats a value in that language.

    Returns:
        The manifest with ``scenarios`` reordered (:func:`order_labels`), each entry's
        ``name`` the :func:`variant_names` of its language and ``scenario_name`` the
        scenario's own; unchanged when there are no variants.
    """
    sets = manifest.get("variants") or {}
    scen = manifest.get("scenarios") or {}
    if not sets or table is None:
        return manifest
    out = {label: dict(scen[label]) for label in order_labels(list(scen), table)}
    for code, f in fmt.items():
        own = {label: (e.get("name") or {}).get(code, label) for label, e in out.items()}
        for label, name in variant_names(own, sets, f).items():
            out[label]["name"] = {**(out[label].get("name") or {}), code: name}
    for label in out:
        out[label]["scenario_name"] = (scen[label].get("name") or {}).copy()
    return {**manifest, "scenarios": out}


def read_variants(folder: Path, manifest: dict) -> pd.DataFrame | None:
    """A results folder's ``variants.csv``, else one rebuilt from its manifest; None if no sweep.

    Raises:
        InputError: the file cannot be read or lacks the columns ``label, parameter, value``.
    """
    path = Path(folder) / FILE
    if path.is_file():
        try:
            table = pd.read_csv(path, dtype={"label": str, "parameter": str})
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read: {exc}") from None
        missing = [c for c in COLUMNS if c not in table.columns]
        if missing or not pd.api.types.is_numeric_dtype(table["value"]):
            raise InputError(f"{path}: needs the columns label, parameter, value (numbers)")
        return table[COLUMNS]
    sets = manifest.get("variants") or {}
    return from_manifest(sets) if sets else None


def swept_values(table: pd.DataFrame | None) -> dict[str, dict[str, float]]:
    """Label → {parameter: value} from a ``variants.csv`` table."""
    if table is None or table.empty:
        return {}
    out: dict[str, dict[str, float]] = {}
    for row in table.itertuples(index=False):
        out.setdefault(row.label, {})[row.parameter] = float(row.value)
    return out


def order_labels(labels: list[str], table: pd.DataFrame | None) -> list[str]:
    """Labels by scenario (in the given order), then numerically by their swept values.

    Labels without recorded values keep their place after those with them, in the given
    order; ties (and the variant that sets nothing) are broken by the variant's name.
    """
    values = swept_values(table)
    params = list(dict.fromkeys(p for v in values.values() for p in v))
    stems = list(dict.fromkeys(split(label)[0] for label in labels))
    given = {label: i for i, label in enumerate(labels)}

    def key(label: str) -> tuple:
        stem, variant = split(label)
        mine = values.get(label)
        numbers = tuple(mine.get(p, np.inf) for p in params) if mine else ()
        return (stems.index(stem), mine is None, numbers, variant or "", given[label])

    return sorted(labels, key=key)


def _number(value: float) -> str:
    return f"{value:g}"


def variant_names(
    names: dict[str, str], sets: dict[str, dict | None], fmt=_number
) -> dict[str, str]:
    """A distinct display name for every label: the scenario's name and its variant's values.

    Args:
        names: label → the scenario's own name (the same for every variant of a scenario).
        sets: label → the overrides its variant sets (none: the variant's name is shown).
        fmt: formats a value (the report passes its language's number format).

    Returns:
        label → ``"<name>: ips.fte = 50"`` (several values joined by ``", "``), or
        ``"<name> (<variant>)"`` for a variant that sets nothing; a label without a variant
        keeps its name. Names that would still coincide get the variant's name added.
    """
    out = {}
    for label, name in names.items():
        variant = split(label)[1]
        moved = sets.get(label) or {}
        if variant is None:
            out[label] = name
        elif moved:
            out[label] = f"{name}: " + ", ".join(f"{p} = {fmt(v)}" for p, v in moved.items())
        else:
            out[label] = f"{name} ({variant})"
    counts = pd.Series(list(out.values())).value_counts()
    return {
        label: f"{n} ({split(label)[1]})" if counts[n] > 1 and split(label)[1] else n
        for label, n in out.items()
    }


# -- dose-response ---------------------------------------------------------------------------
OUTCOMES = {"neet_years_averted": "neet_years_averted", "net_public_cost_nok": "npv_public_nok"}


def dose_response(
    summary: dict, table: pd.DataFrame | None, reference: str | None
) -> pd.DataFrame | None:
    """NEET-years averted and net public cost against the swept value, per scenario.

    Only for a sweep of exactly one parameter with at least two values (else None). The
    numbers are the summary's headline (``summary.json``): each label against the reference
    label, paired by replicate, so they match the summary table and the printed summary.
    The reference itself is the point (its value, 0).

    Returns:
        ``scenario`` (stem), ``label``, ``parameter``, ``value``, ``outcome``
        (``neet_years_averted`` or ``net_public_cost_nok``), ``median``, ``lo``, ``hi``,
        ordered by scenario and value.
    """
    values = swept_values(table)
    params = {p for v in values.values() for p in v}
    headline = summary.get("headline") or {}
    if reference is None or len(params) != 1:
        return None
    (param,) = params
    zero = {"median": 0.0, "lo": 0.0, "hi": 0.0}
    rows = []
    for label in order_labels(list(values), table):
        entry = {k: zero for k in OUTCOMES.values()} if label == reference else headline.get(label)
        for outcome, key in OUTCOMES.items():
            s = (entry or {}).get(key) or {}
            if s.get("median") is None:
                continue
            cells = (s["median"], s.get("lo", np.nan), s.get("hi", np.nan))
            rows.append((split(label)[0], label, param, values[label][param], outcome, *cells))
    cols = ["scenario", "label", "parameter", "value", "outcome", "median", "lo", "hi"]
    out = pd.DataFrame(rows, columns=cols).astype({"lo": float, "hi": float})
    return None if out.empty or out["value"].nunique() < 2 else out
