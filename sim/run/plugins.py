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
:func:`worker_refs` and :func:`sim.run.execute.run_task`.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
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
        why = "a folder, not a .py file" if path.is_dir() else "no such file"
        raise InputError(f"--plugin {path}: {why}")
    name = _module_name(path)
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    _PATHS[name] = str(path)
    try:
        with _import_errors(f"--plugin {path}"):
            spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        _PATHS.pop(name, None)
        raise
    return module


@contextmanager
def _import_errors(where: str) -> Iterator[None]:
    """Turn anything a plugin raises while it is imported into one :class:`InputError` line.

    A plugin is user code: a syntax error, an exception at import or ``sys.exit()`` is bad
    input to ``sim`` (exit 2), named with ``where`` and the error's own file and line.
    """
    try:
        yield
    except InputError:
        raise
    except (Exception, SystemExit) as exc:
        raise InputError(f"{where}: cannot import it: {_describe(exc)}") from None


def _describe(exc: BaseException) -> str:
    """The error's type and message, and where in the plugin's code it was raised."""
    text = f"{type(exc).__name__}: {exc}".rstrip(": ")
    if isinstance(exc, SyntaxError):
        return text  # its message already names the file and line
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _machinery(f.filename)]
    return f"{text} ({frames[-1].filename}, line {frames[-1].lineno})" if frames else text


def _machinery(filename: str) -> bool:
    """True for frames of the import itself (this module, importlib), not the plugin's."""
    return filename in (__file__, importlib.__file__) or filename.startswith("<frozen")


def load(ref: str) -> ModuleType:
    """Import a plugin by module name or ``.py`` path (once; later calls return the module).

    Raises:
        InputError: the module or file cannot be found, or importing it fails (exit code 2
            on the command line, one line naming the plugin and the error).
    """
    if ref.endswith(".py") or "/" in ref or "\\" in ref:
        return _load_path(Path(ref))
    if not all(part.isidentifier() for part in ref.split(".")):
        raise InputError(f"--plugin {ref}: not a module name or a .py file")
    with _import_errors(f"--plugin {ref}"):
        return importlib.import_module(ref)


def load_entry_points() -> list[str]:
    """Import every module declared in the ``sim.services`` entry-point group.

    Raises:
        InputError: a declared module cannot be imported (named with its entry point).
    """
    names = []
    for ep in entry_points(group=GROUP):
        with _import_errors(f"plugin {ep.name} = {ep.value} (entry point {GROUP})"):
            ep.load()
        names.append(ep.module)
    return names


def worker_refs() -> tuple[str, ...]:
    """What a worker must load so it knows every registered plugin service.

    Module names for importable modules, absolute paths for modules loaded from a file.
    """
    from sim.services import plugins

    modules = sorted({cls.__module__ for cls in plugins().values()})
    return tuple(_PATHS.get(m, m) for m in modules)
