"""The package layout shows the architecture (DESIGN.md): packages by question, in layers.

Order: core < services < run < analysis < present < cli. A module may import from its own
package and from packages before it, never after (imports inside functions included), and the
top-level modules (``api``, ``errors``, ``__init__``, ``__main__``) sit outside the order:
``errors`` imports nothing of the package, ``api`` may import anything. Every module imports
in a fresh interpreter (no import cycle), and none is over 400 lines.

Inside ``sim.present`` the parts are layered too (``PRESENT_TIERS``): the words and number
formats (``i18n``) and small-cell suppression at the bottom, the plots above them, and the
report, dashboard, console and generated docs on top; a part imports only parts of a lower
tier, so plots and report cannot import each other.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SIM = ROOT / "sim"
ORDER = ["core", "services", "run", "analysis", "present", "cli"]
TOP = {"__init__", "__main__", "api", "errors"}
MODULES = sorted(p for p in SIM.rglob("*.py"))
PRESENT_TIERS = [{"i18n", "suppression"}, {"plots"}, {"report", "dashboard", "console", "docs"}]


def dotted(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str | None:
    """The package of ``sim.<package>...`` (None for the top-level modules)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ORDER) else None


def imported(path: Path) -> set[str]:
    """Every ``sim...`` module a file imports, at module level or inside functions."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("sim")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sim"):
            out |= {f"{node.module}.{a.name}" for a in node.names} | {node.module}
    return out


def test_the_top_level_holds_at_most_six_modules() -> None:
    top = sorted(p.stem for p in SIM.glob("*.py"))
    assert len(top) <= 6, top
    assert set(top) <= TOP, top


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SIM)))
def test_no_package_imports_a_package_above_it(path: Path) -> None:
    mine = layer(dotted(path))
    if mine is None:
        return
    rank = ORDER.index(mine)
    above = sorted(
        name
        for name in imported(path)
        if (other := layer(name)) is not None and other in ORDER and ORDER.index(other) > rank
    )
    assert not above, f"{dotted(path)} ({mine}) imports {above}"


def test_errors_imports_nothing_of_the_package() -> None:
    assert not imported(SIM / "errors.py")


def test_every_module_imports_in_a_fresh_interpreter() -> None:
    names = [dotted(p) for p in MODULES if p.stem != "__main__" and "dashboard/app" not in str(p)]
    code = "import importlib, sys\nfor n in sys.argv[1:]:\n    importlib.import_module(n)\n"
    done = subprocess.run([sys.executable, "-c", code, *names], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SIM)))
def test_no_module_is_over_400_lines(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= 400, f"{path.relative_to(ROOT)}: {lines} lines"


def present_part(module: str) -> str | None:
    """The part of ``sim.present.<part>...`` (None outside ``sim.present``)."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["sim", "present"] else None


def present_tier(part: str) -> int:
    return next(i for i, tier in enumerate(PRESENT_TIERS) if part in tier)


PRESENT = [p for p in MODULES if present_part(dotted(p))]


def test_every_present_part_has_a_tier() -> None:
    parts = {present_part(dotted(p)) for p in PRESENT}
    known = set().union(*PRESENT_TIERS)
    assert parts <= known, f"place {sorted(parts - known)} in PRESENT_TIERS"


@pytest.mark.parametrize("path", PRESENT, ids=lambda p: str(p.relative_to(SIM)))
def test_present_parts_import_only_lower_tiers(path: Path) -> None:
    mine = present_part(dotted(path))
    bad = sorted(
        name
        for name in imported(path)
        if (other := present_part(name)) not in (None, mine)
        and present_tier(other) >= present_tier(mine)
    )
    assert not bad, f"{dotted(path)} ({mine}) imports {bad} of its own tier or above"
