"""Loading plugin modules: the ``sim.services`` entry-point group and ``--plugin MODULE``.

A plugin is a Python module that registers its service class (and its parameter lines) when
it is imported, e.g. ``examples/clubhouse/clubhouse.py``. It is named from Python or the
command line, never from a scenario file:

- installed packages declare it in the ``sim.services`` entry-point group
  (``[project.entry-points."sim.services"] clubhouse = "my_package.clubhouse"``);
- ``sim --plugin MODULE ...`` takes an importable module name (``my_package.clubhouse``) or
  the path of a ``.py`` file (``examples/clubhouse/clubhouse.py``);
- notebooks call :func:`load` with either.

Worker processes (local pool, Dask) import the same modules before each run: see
:func:`worker_refs` and :func:`sim.execute.run_task`.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from sim.errors import InputError

GROUP = "sim.services"
_PATHS: dict[str, str] = {}  # module name -> absolute .py path, for modules loaded from a file


def _module_name(path: Path) -> str:
    """A stable module name for a plugin file (its stem plus a hash of its full path)."""
    digest = hashlib.sha256(str(path).encode("utf-8")).hexdigest()[:8]
    return f"sim_plugin_{path.stem}_{digest}"


def _load_path(path: Path) -> ModuleType:
    path = path.resolve()
    if not path.is_file():
        raise InputError(f"--plugin {path}: no such file")
    name = _module_name(path)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    _PATHS[name] = str(path)
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        _PATHS.pop(name, None)
        raise
    return module


def load(ref: str) -> ModuleType:
    """Import a plugin by module name or ``.py`` path (once; later calls return the module).

    Raises:
        InputError: the module or file cannot be found (exit code 2 on the command line).
    """
    if ref.endswith(".py") or "/" in ref or "\\" in ref:
        return _load_path(Path(ref))
    try:
        return importlib.import_module(ref)
    except ModuleNotFoundError as exc:
        raise InputError(f"--plugin {ref}: cannot import ({exc})") from None


def load_entry_points() -> list[str]:
    """Import every module declared in the ``sim.services`` entry-point group."""
    names = []
    for ep in entry_points(group=GROUP):
        ep.load()
        names.append(ep.module)
    return names


def worker_refs() -> tuple[str, ...]:
    """What a worker must load so it knows every registered plugin service.

    Module names for importable modules, absolute paths for modules loaded from a file.
    """
    from sim.services import PLUGINS

    modules = sorted({cls.__module__ for cls in PLUGINS.values()})
    return tuple(_PATHS.get(m, m) for m in modules)
