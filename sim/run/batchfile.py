"""Batch files (TOML): scenarios, replicates, common options and optional parameter sweeps.

```toml
scenarios = ["../scenarios/baseline.toml"]   # relative to this file
reps = 20
seed = 1
years = 15
scale = 1.0
start = "2024-01"
monthly = false                              # combine monthly tables too (default false)
[[variants]]                                 # a list of variants ...
name = "low_loss"
params = { handover_loss = 0.1 }
[grid]                                       # ... and/or a grid: one variant per combination
handover_loss = [0.1, 0.2]
```

Each variant applies to every scenario and is labelled ``<stem>@<variant>`` in the
``scenario`` column (so a scenario file's stem may not contain ``@``); a grid point is named
``handover_loss=0.1,plan_conflict=0.2``. With variants, only the variants run (list one with
empty ``params`` to keep the unchanged scenarios). A variant's overrides are merged over the
scenario's and, like scenario overrides, apply from the start month: the warm-up keeps the
scenario chain root's parameters, so every variant of a replicate starts from the same
simulated history (common random numbers).

Every problem raises :class:`sim.errors.InputError` naming the file and the key, before
anything is written.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

from sim.core.names import show, unknown
from sim.core.params import check_value
from sim.core.scenario import check_params, current_names, read_bytes, read_toml
from sim.errors import InputError
from sim.run.jobs import check_options

# checked by sim.run.jobs; cohorts = ["neet", "dropouts@2025-08"] as with --cohort
OPTIONS = ("reps", "seed", "years", "scale", "start", "monthly", "cohorts")
KEYS = ("scenarios", *OPTIONS, "variants", "grid")
VARIANT_KEYS = ("name", "params")
NAME_RE = re.compile(r"^[A-Za-z0-9_.+=,-]+$")
MAX_VARIANTS = 10_000


@dataclass(frozen=True)
class Variant:
    """A named set of parameter overrides applied on top of every scenario."""

    name: str
    params: dict[str, float]


@dataclass(frozen=True)
class BatchFile:
    """A validated batch file: scenario paths, the options it sets, and its variants."""

    path: Path
    text: str
    sha256: str
    scenarios: tuple[Path, ...]
    options: dict[str, object]  # only the keys the file sets: reps, seed, years, ...
    variants: tuple[Variant, ...] = ()

    def manifest_entry(self) -> dict:
        """The batch file as kept in the manifest."""
        return {"path": str(self.path), "sha256": self.sha256, "text": self.text}


def _check_scenarios(path: Path, value: object) -> tuple[Path, ...]:
    if not isinstance(value, list) or not value:
        raise InputError(f"{path}: scenarios: must be a non-empty list of file paths")
    paths = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise InputError(f"{path}: scenarios[{i}]: must be a file path, got {item!r}")
        paths.append(_scenario_file(path, f"scenarios[{i}]", path.parent / item))
    return tuple(paths)


def _scenario_file(path: Path, key: str, file: Path) -> Path:
    """A scenario file named by a batch file: readable, with a stem that can be a label."""
    try:
        read_bytes(file)
    except InputError as exc:  # "FILE: problem" -> "BATCH: scenarios[i]: problem: FILE"
        problem = str(exc).removeprefix(f"{file}: ")
        raise InputError(f"{path}: {key}: {problem}: {file}") from None
    if "@" in file.stem:  # labels are <stem>@<variant>
        raise InputError(f"{path}: {key}: {file.name}: '@' in a scenario file name (rename it)")
    return file


def _check_name(path: Path, key: str, name: object) -> str:
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise InputError(
            f"{path}: {key}: must be a name of letters, digits and _ . + = , - (got {name!r})"
        )
    return name


def _variant(path: Path, i: int, entry: object) -> Variant:
    key = f"variants[{i}]"
    if not isinstance(entry, dict):
        raise InputError(f"{path}: {key}: must be a table with name and params")
    for k in entry:
        if k not in VARIANT_KEYS:
            raise InputError(f"{path}: {key}.{show(k)}: {unknown(k, VARIANT_KEYS)}")
    if "name" not in entry:
        raise InputError(f"{path}: {key}.name: required key missing")
    name = _check_name(path, f"{key}.name", entry["name"])
    return Variant(name, check_params(path, entry.get("params", {}), f"{key}.params"))


def _check_variants(path: Path, value: object) -> list[Variant]:
    if not isinstance(value, list) or not value:
        raise InputError(f"{path}: variants: must be a non-empty list of tables ([[variants]])")
    return [_variant(path, i, entry) for i, entry in enumerate(value)]


def _grid_axis(path: Path, name: str, values: object) -> list:
    if not isinstance(values, list) or not values:
        raise InputError(f"{path}: grid.{show(name)}: must be a non-empty list of values")
    for i, value in enumerate(values):
        problem = check_value(name, value)
        if problem:
            raise InputError(f"{path}: grid.{show(name)}[{i}]: {problem}")
    if len(set(values)) != len(values):
        raise InputError(f"{path}: grid.{name}: a value is listed twice")
    return values


def _check_grid(path: Path, value: object) -> list[Variant]:
    if not isinstance(value, dict) or not value:
        raise InputError(f"{path}: grid: must be a table of parameter = [values]")
    axes = {name: _grid_axis(path, name, values) for name, values in value.items()}
    params = list(current_names(path, axes, "grid"))  # old names read as their new ones
    size = 1
    for values in axes.values():
        size *= len(values)
    if size > MAX_VARIANTS:
        raise InputError(f"{path}: grid: {size} combinations (at most {MAX_VARIANTS})")
    variants = []
    for combo in itertools.product(*axes.values()):
        name = ",".join(f"{k}={v}" for k, v in zip(axes, combo, strict=True))
        variants.append(Variant(name, {k: float(v) for k, v in zip(params, combo, strict=True)}))
    return variants


def _sweep(path: Path, data: dict) -> tuple[Variant, ...]:
    variants = []
    if "variants" in data:
        variants += _check_variants(path, data["variants"])
    if "grid" in data:
        variants += _check_grid(path, data["grid"])
    seen: set[str] = set()
    for v in variants:
        if v.name in seen:
            raise InputError(f"{path}: variants: name {v.name!r} given twice")
        seen.add(v.name)
    return tuple(variants)


def load_batch(path: str | Path) -> BatchFile:
    """Read and validate a batch file (scenario files are checked to exist, not loaded).

    Raises:
        InputError: on any problem, naming the file and the key.
    """
    path = Path(path)
    text, data = read_toml(path)
    return batch_from_data(path, text, data)


def batch_from_dict(data: dict, folder: str | Path = ".") -> BatchFile:
    """A batch given as a dict (the keys of a batch file), checked like a file.

    Scenario paths are relative to ``folder``; messages name the batch ``<dict>``; the
    manifest keeps the dict as JSON.

    Raises:
        InputError: on any problem, naming the key.
    """
    if not isinstance(data, dict):
        raise InputError(f"<dict>: a batch must be a dict, got {type(data).__name__}")
    text = json.dumps(data, sort_keys=True, default=str)
    return batch_from_data(Path(folder) / "<dict>", text, data)


def batch_from_data(path: Path, text: str, data: dict) -> BatchFile:
    """Validate a batch's parsed content.

    ``path`` names the batch in messages, and its folder resolves the scenario paths.
    """
    for key in data:
        if key not in KEYS:
            raise InputError(f"{path}: {show(key)}: {unknown(key, KEYS)}")
    if "scenarios" not in data:
        raise InputError(f"{path}: scenarios: required key missing")
    options = {key: data[key] for key in OPTIONS if key in data}
    check_options(options, where=lambda key: f"{path}: {key}")
    return BatchFile(
        path=path,
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        scenarios=_check_scenarios(path, data["scenarios"]),
        options=options,
        variants=_sweep(path, data),
    )


def labelled(scenarios: dict, variants: tuple[Variant, ...]) -> dict:
    """Label → Scenario: the scenarios themselves, or each scenario under each variant.

    A variant becomes a new Scenario with the variant's overrides merged over the scenario's
    (from the start month); ``root_overrides`` (the warm-up) stay the scenario's.
    """
    if not variants:
        return dict(scenarios)
    out = {}
    for stem, sc in scenarios.items():
        for v in variants:
            out[f"{stem}@{v.name}"] = replace(sc, overrides={**sc.overrides, **v.params})
    return out


def variant_params(label: str, variants: tuple[Variant, ...]) -> dict | None:
    """The overrides of the variant in a label (None without a variant)."""
    if "@" not in label:
        return None
    name = label.split("@", 1)[1]
    return next(dict(v.params) for v in variants if v.name == name)
