"""The package layout shows the architecture (DESIGN.md): packages by question, in layers.

Order: core < services < run < analysis < present < cli. A module may import from its own
package and from packages before it, never after (imports inside functions included), and the
top-level modules (``api``, ``errors``, ``__init__``, ``__main__``) sit outside the order:
``errors`` imports nothing of the package, ``api`` may import anything. Every module imports
in a fresh interpreter (no import cycle), and none is over 400 lines.
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
