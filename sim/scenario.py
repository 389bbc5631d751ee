"""Scenario files (TOML): ``name``, ``description`` (nb/en), optional ``extends``, ``[params]``.

Every problem raises :class:`sim.errors.InputError` with a one-line message naming the file and
the key, before anything is written.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sim.errors import InputError
from sim.params import Params, check_value

TOP_KEYS = {"name", "description", "extends", "params"}
LANGS = {"nb", "en"}


@dataclass(frozen=True)
class ScenarioFile:
    """One file of an ``extends`` chain, kept verbatim for the manifest."""

    path: str
    text: str
    sha256: str


@dataclass(frozen=True)
class Scenario:
    """A resolved scenario: the merged overrides of its whole ``extends`` chain."""

    stem: str
    name: dict[str, str]
    description: dict[str, str]
    overrides: dict[str, float]
    files: tuple[ScenarioFile, ...]
    root_overrides: dict[str, float] = field(default_factory=dict)

    @property
    def params(self) -> Params:
        """Parameter values in force from the start month."""
        return Params(self.overrides)

    @property
    def warmup_params(self) -> Params:
        """Parameters of the chain's root (the history before the start; usually baseline)."""
        return Params(self.root_overrides)


def read_toml(path: Path) -> tuple[str, dict]:
    """Read a TOML input file: its text and data (InputError naming the file on any problem)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise InputError(f"{path}: file is empty")
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: TOML syntax error: {exc}") from None


def _check_lang_table(path: Path, key: str, value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise InputError(f"{path}: {key}: must be a table with nb and en texts")
    for lang, text in value.items():
        if lang not in LANGS:
            raise InputError(f"{path}: {key}.{lang}: unknown key (valid: en, nb)")
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"{path}: {key}.{lang}: must be a non-empty string")
    missing = LANGS - set(value)
    if missing:
        raise InputError(f"{path}: {key}: missing {', '.join(sorted(missing))}")
    return dict(value)


def check_params(path: Path, params: object, key: str = "params") -> dict[str, float]:
    """Validate parameter overrides found under ``key`` of a file; InputError naming both."""
    if not isinstance(params, dict):
        raise InputError(f"{path}: {key}: must be a table of parameter = value")
    for name, value in params.items():
        problem = check_value(name, value)
        if problem:
            raise InputError(f"{path}: {key}.{name}: {problem}")
    return {k: float(v) for k, v in params.items()}


def _check_top(path: Path, data: dict, is_child: bool) -> None:
    for key in data:
        if key not in TOP_KEYS:
            valid = ", ".join(sorted(TOP_KEYS))
            raise InputError(f"{path}: {key}: unknown key (valid: {valid})")
    for key in ("name", "description"):
        if key not in data and not is_child:
            raise InputError(f"{path}: {key}: required key missing")
    if "extends" in data and not isinstance(data["extends"], str):
        raise InputError(f"{path}: extends: must be a string (a path)")


def _chain(path: Path) -> list[tuple[Path, str, dict]]:
    chain, seen = [], []
    current: Path | None = path
    while current is not None:
        resolved = current.resolve()
        if resolved in seen:
            raise InputError(f"{path}: extends: circular chain through {current}")
        seen.append(resolved)
        if not current.exists():
            where = chain[-1][0] if chain else path
            raise InputError(f"{where}: extends: file not found: {current}")
        text, data = read_toml(current)
        _check_top(current, data, is_child=False)
        for key in ("name", "description"):
            _check_lang_table(current, key, data[key])
        chain.append((current, text, data))
        ext = data.get("extends")
        current = (current.parent / ext) if ext is not None else None
    return chain


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file and its ``extends`` chain.

    Raises:
        InputError: on any problem, naming the file and the key.
    """
    path = Path(path)
    chain = _chain(path)
    merged: dict[str, float] = {}
    for file, _, data in reversed(chain):
        merged.update(check_params(file, data.get("params", {})))
    head = chain[0][2]
    root = chain[-1]
    return Scenario(
        stem=path.stem,
        name=_check_lang_table(path, "name", head["name"]),
        description=_check_lang_table(path, "description", head["description"]),
        overrides=merged,
        files=tuple(
            ScenarioFile(str(f), t, hashlib.sha256(t.encode("utf-8")).hexdigest())
            for f, t, _ in chain
        ),
        root_overrides=check_params(root[0], root[2].get("params", {})),
    )
