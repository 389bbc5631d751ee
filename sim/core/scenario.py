"""Scenario files (TOML): ``name``, ``description`` (nb/en), optional ``extends``, ``[params]``.

Every problem raises :class:`sim.errors.InputError` with a one-line message naming the file and
the key, before anything is written. A parameter given by its old name (before it carried its
owner's prefix, see :func:`sim.core.params.renamed`) is read as its new one, with a one-line
:class:`~sim.core.params.RenamedParameterWarning` naming the file, the line and the new name.
"""

from __future__ import annotations

import errno
import hashlib
import linecache
import numbers
import os
import re
import stat
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from sim.core.names import show, unknown
from sim.core.params import (
    Params,
    RenamedParameterWarning,
    check_value,
    current_name,
    registry_state,
    rename_note,
    renamed,
    with_current_names,
)
from sim.errors import InputError

TOP_KEYS = {"name", "description", "extends", "params"}
LANGS = {"nb", "en"}
MAX_BYTES = 2**20  # 1 MB: scenario and batch files are a few kB; bounds what a read can take
MAX_CHAIN = 32  # files in one extends chain
BOM = "\ufeff"  # a UTF-8 byte-order mark, written by some editors
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


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

    def __post_init__(self) -> None:
        """Overrides keyed by current parameter names (old names given in Python are read).

        Overrides are checked as in a scenario file, so a scenario made or changed in Python
        (:func:`dataclasses.replace`, :mod:`sim.api`) refuses a misspelt name or a value
        outside the parameter's domain with an :class:`InputError` naming the scenario and
        the key.
        """
        for key, what in (("overrides", "params"), ("root_overrides", "warm-up params")):
            given = {name: _plain(value) for name, value in getattr(self, key).items()}
            for name, value in given.items():
                problem = check_value(name, value)
                if problem:
                    raise InputError(f"scenario {self.stem}: {what}.{show(name)}: {problem}")
            object.__setattr__(self, key, with_current_names(given, stacklevel=3))

    @property
    def params(self) -> Params:
        """Parameter values in force from the start month (built once, see :meth:`_built`)."""
        return self._built("params", self.overrides)

    @property
    def warmup_params(self) -> Params:
        """Parameters of the chain's root (the history before the start; usually baseline)."""
        return self._built("warmup_params", self.root_overrides)

    def _built(self, key: str, overrides: dict[str, float]) -> Params:
        """The Params of ``overrides``, made on first use and kept with the scenario.

        Made again only when parameters were registered since (a plugin loaded after the
        scenario), so it always holds every known parameter. :func:`dataclasses.replace`
        makes a new scenario with an empty cache.
        """
        cache = self.__dict__.setdefault("_params_cache", {})  # frozen: not a field
        state = registry_state()
        if key not in cache or cache[key][0] != state:
            cache[key] = (state, Params(overrides))
        return cache[key][1]


def _plain(value: object) -> object:
    """A NumPy number as the Python number it holds (anything else unchanged)."""
    item = getattr(value, "item", None)
    return item() if isinstance(value, numbers.Number) and callable(item) else value


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def _check_stat(path: Path, st: os.stat_result) -> None:
    kind = _kind(st.st_mode)
    if kind is not None:
        raise InputError(f"{path}: is {kind}, not a regular file")
    if st.st_size > MAX_BYTES:
        raise InputError(f"{path}: file is larger than {MAX_BYTES // 2**20} MB")


def _os_problem(path: Path, exc: OSError) -> InputError:
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{path}: file not found")
    if exc.errno == errno.ELOOP:
        return InputError(f"{path}: cannot read file (a loop of symbolic links)")
    return InputError(f"{path}: cannot read file ({exc.strerror})")


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular input file of at most ``MAX_BYTES`` (InputError otherwise).

    The file is checked before it is opened (a named pipe would block, a device never end)
    and again once open, and at most ``MAX_BYTES + 1`` bytes are read, so memory stays bounded
    whatever the path names.
    """
    try:
        _check_stat(path, os.stat(path))
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            _check_stat(path, os.fstat(fd))
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise _os_problem(path, exc) from None
    except ValueError:  # a NUL character in the path
        raise InputError(f"{path}: not a usable file name") from None
    if len(raw) > MAX_BYTES:
        raise InputError(f"{path}: file is larger than {MAX_BYTES // 2**20} MB")
    return raw


def _parse(path: Path, text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: TOML syntax error: {exc}") from None
    except ValueError:  # Python refuses to convert integers of more than 4300 digits
        raise InputError(f"{path}: an integer has too many digits (at most 64 bits)") from None
    except RecursionError:
        raise InputError(f"{path}: arrays or tables nested too deeply") from None


def _check_ints(path: Path, data: dict) -> None:
    """Every integer, at any depth, fits in 64 bits (tables store int64; floats lose digits)."""
    todo = [("", data)]
    while todo:
        key, value = todo.pop()
        if isinstance(value, dict):
            todo += [(f"{key}.{k}" if key else k, v) for k, v in reversed(value.items())]
        elif isinstance(value, list):
            todo += [(f"{key}[{i}]", v) for i, v in reversed(list(enumerate(value)))]
        elif isinstance(value, int) and not -(2**63) <= value < 2**63:
            raise InputError(f"{path}: {show(key)}: integer beyond 64 bits")


def read_toml(path: Path) -> tuple[str, dict]:
    """Read a TOML input file: its text and data (InputError naming the file on any problem).

    The file must be a regular file of at most 1 MB in UTF-8; a leading byte-order mark is
    dropped; every integer must fit in 64 bits.
    """
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    text = text.removeprefix(BOM)
    if not text.strip():
        raise InputError(f"{path}: file is empty")
    data = _parse(path, text)
    _check_ints(path, data)
    return text, data


def _check_lang_table(path: Path, key: str, value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise InputError(f"{path}: {key}: must be a table with nb and en texts")
    for lang, text in value.items():
        if lang not in LANGS:
            raise InputError(f"{path}: {key}.{show(lang)}: {unknown(lang, LANGS)}")
        if not isinstance(text, str) or not text.strip():
            raise InputError(f"{path}: {key}.{lang}: must be a non-empty string")
    missing = LANGS - set(value)
    if missing:
        raise InputError(f"{path}: {key}: missing {', '.join(sorted(missing))}")
    return dict(value)


def check_params(path: Path, params: object, key: str = "params") -> dict[str, float]:
    """Validate parameter overrides found under ``key`` of a file; InputError naming both.

    Returns the overrides by their current names (old names noted, see :func:`current_names`).
    """
    if not isinstance(params, dict):
        raise InputError(f"{path}: {key}: must be a table of parameter = value")
    for name, value in params.items():
        problem = check_value(name, value)
        if problem:
            raise InputError(f"{path}: {key}.{show(name)}: {problem}")
    return current_names(path, {k: float(v) for k, v in params.items()}, key)


def current_names(path: Path, params: dict, key: str = "params") -> dict:
    """``params`` of a file keyed by current parameter names.

    Each old name gets a one-line :class:`RenamedParameterWarning` at its line of the file;
    an old name given beside its new one is refused (InputError naming the file and the key).
    """
    out: dict = {}
    for name, value in params.items():
        new = current_name(name)
        if new in out:
            raise InputError(
                f"{path}: {key}.{show(name)}: the same parameter as {new}; give it once"
            )
        if name in renamed():
            _note(path, f"{key}.{rename_note(name)}", name)
        out[new] = value
    return out


def _note(path: Path, message: str, name: str) -> None:
    """Warn about an old name at its line of ``path`` (shown once per file and line)."""
    linecache.checkcache(str(path))  # the file may have changed since it was last shown
    lines = linecache.getlines(str(path))
    pattern = re.compile(rf"(^|[{{,\s])[\"']?{re.escape(name)}[\"']?\s*=")
    line = next((i for i, text in enumerate(lines, 1) if pattern.search(text)), 0)
    warnings.warn_explicit(message, RenamedParameterWarning, str(path), line, registry=_NOTED)


_NOTED: dict = {}  # the warnings registry of old-name notes: each shown once per file line


def _check_top(path: Path, data: dict, is_child: bool) -> None:
    for key in data:
        if key not in TOP_KEYS:
            raise InputError(f"{path}: {show(key)}: {unknown(key, TOP_KEYS)}")
    for key in ("name", "description"):
        if key not in data and not is_child:
            raise InputError(f"{path}: {key}: required key missing")
    if "extends" in data and not isinstance(data["extends"], str):
        raise InputError(f"{path}: extends: must be a string (a path)")


def _missing(path: Path) -> bool:
    """True only when nothing is at ``path`` (other problems are named when it is read)."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
    return False


def _chain(path: Path) -> list[tuple[Path, str, dict]]:
    chain: list[tuple[Path, str, dict]] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        if chain and _missing(current):
            raise InputError(f"{chain[-1][0]}: extends: file not found: {current}")
        if len(chain) == MAX_CHAIN:
            raise InputError(f"{path}: extends: a chain of more than {MAX_CHAIN} files")
        text, data = read_toml(current)  # first: resolving a symlink loop would raise
        resolved = current.resolve()
        if resolved in seen:
            raise InputError(f"{path}: extends: circular chain through {current}")
        seen.append(resolved)
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
