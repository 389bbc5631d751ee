"""``sim new-service NAME``: a new plugin service, its scenario and its test, from templates.

Writes three files into ``--dir`` (default ``examples/NAME/``), from the templates in
``sim/cli/templates/`` (:class:`string.Template`, ``$name`` placeholders):

- ``NAME.py``: a service agent with a capacity (``NAME.fte`` x ``NAME.caseload``) and a
  waiting list, referred to by NAV, with a hazard modifier, its parameter lines and its unit
  cost (``NAME.staff`` per FTE, charged by the cost ledger); inert at zero FTE;
- ``NAME.toml``: a scenario that extends the baseline and gives the service 10 FTE;
- ``test_NAME.py``: its test (zero FTE reproduce the baseline; with staff it serves youth and
  its staff cost is charged), which passes as written.

NAME is a lower-case Python identifier of at most 24 characters that no built-in service
and no importable Python module (``json``, ``numpy``) uses. Nothing is written when any of
the three files exists (exit code 2, one line).
"""

from __future__ import annotations

import argparse
import importlib.util
import keyword
import os
import re
import sys
from importlib import resources
from pathlib import Path
from string import Template

from sim.errors import InputError

NAME = re.compile(r"[a-z][a-z0-9_]{0,23}")
TEMPLATES = {
    "{name}.py": "service.py.tmpl",
    "{name}.toml": "scenario.toml.tmpl",
    "test_{name}.py": "test_service.py.tmpl",
}


def add_parser(sub) -> None:
    """Register ``sim new-service``."""
    p = sub.add_parser(
        "new-service",
        help="write a new plugin service, a scenario using it and its test (from templates)",
    )
    p.add_argument("name", help="the service's name: a lower-case identifier, e.g. mentor")
    p.add_argument("--dir", default=None, help="where to write them (default: examples/NAME)")
    p.add_argument(
        "--baseline",
        default=None,
        help="the scenario to extend (default: scenarios/baseline.toml here or in the project)",
    )
    p.set_defaults(func=main)


def main(args: argparse.Namespace) -> int:
    """Write the three files; print what was written and how to run it."""
    name = check_name(args.name)
    folder = Path(args.dir) if args.dir else Path("examples") / name
    baseline = find_baseline(args.baseline)
    written = write(name, folder, baseline)
    for path in written:
        print(f"wrote {path}")
    print(f"next: pytest {written[2]}")
    return 0


def check_name(name: str) -> str:
    """``name`` if it can name a service, its parameters, streams and Python module.

    Raises:
        InputError: not a lower-case identifier (at most 24 characters), a keyword, the
            name of a built-in service or of an importable module (the generated file
            would hide it from the generated test).
    """
    import sim.services

    if not NAME.fullmatch(name) or keyword.iskeyword(name):
        raise InputError(
            f"new-service {name!r}: give a lower-case Python identifier of at most 24 "
            "characters (letters a-z, digits, _; starting with a letter), e.g. mentor"
        )
    known = sim.services.REGISTRY.get(name)
    if known is not None and not sim.services.is_plugin(known):
        raise InputError(f"new-service {name!r}: a built-in service is called so")
    if name in sys.stdlib_module_names or importlib.util.find_spec(name) is not None:
        # the generated NAME.py, beside its test, would hide that module from the test
        raise InputError(f"new-service {name!r}: a Python module is called so; choose another")
    return name


def find_baseline(given: str | None) -> Path:
    """The baseline scenario to extend: ``given``, or ``scenarios/baseline.toml`` found.

    Raises:
        InputError: the file is missing.
    """
    import sim

    if given is not None:
        candidates = [Path(given)]
    else:
        project = Path(sim.__file__).resolve().parent.parent
        candidates = [Path("scenarios/baseline.toml"), project / "scenarios" / "baseline.toml"]
    for path in candidates:
        if path.is_file():
            return path.resolve()
    raise InputError(f"new-service: no baseline scenario at {candidates[0]} (use --baseline)")


def render(name: str, folder: Path, baseline: Path) -> dict[Path, str]:
    """Each file's path and text (nothing written)."""
    folder_abs = folder.resolve()
    extends = Path(os.path.relpath(baseline, folder_abs)).as_posix()
    paths = {Path(folder, pattern.format(name=name)): tmpl for pattern, tmpl in TEMPLATES.items()}
    plugin, scenario, test = list(paths)
    values = {
        "name": name,
        "cls": "".join(part.capitalize() for part in name.split("_") if part) or name,
        "title": name.replace("_", " ").strip().capitalize(),
        "extends": extends,
        "plugin_path": plugin.as_posix(),
        "scenario_path": scenario.as_posix(),
        "test_path": test.as_posix(),
        "baseline_arg": _shown(baseline),
    }
    templates = resources.files("sim.cli").joinpath("templates")
    return {
        path: Template(templates.joinpath(tmpl).read_text("utf-8")).substitute(values)
        for path, tmpl in paths.items()
    }


def _shown(path: Path) -> str:
    """A path as the user would type it here: relative to the working folder when inside."""
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def write(name: str, folder: Path, baseline: Path) -> list[Path]:
    """Write the files of :func:`render`, all or none.

    Raises:
        InputError: any of them exists already, or ``folder`` is a file.
    """
    if folder.exists() and not folder.is_dir():
        raise InputError(f"new-service: {folder} is a file, not a folder")
    texts = render(name, folder, baseline)
    taken = [str(path) for path in texts if path.exists() or path.is_symlink()]
    if taken:
        raise InputError(f"new-service: will not overwrite {', '.join(taken)}; nothing written")
    folder.mkdir(parents=True, exist_ok=True)
    done: list[Path] = []
    try:
        for path, text in texts.items():
            with open(path, "x", encoding="utf-8") as f:  # "x": never over a file made since
                f.write(text)
            done.append(path)
    except BaseException:
        for path in done:
            path.unlink(missing_ok=True)
        raise
    return done
