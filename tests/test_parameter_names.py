"""Parameter names in the code are written out: never built (f-string, +, %, format).

A name built at run time cannot be found by searching for it, nor renamed by
``tools/rename_parameters.py``. Every key read from a parameter mapping (``params[...]``,
``p[...]``, ``warmup_params[...]``, ``specs()[...]``) in ``sim/`` and ``examples/`` is a
literal or a named constant, and every literal one is a parameter of this version. A scenario
builds its parameters once.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sim.core.params
from sim.core.params import register_parameters, specs
from sim.core.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(ROOT / "sim").rglob("*.py"), *(ROOT / "examples").rglob("*.py")])
MAPPINGS = {"p", "params", "par"}  # local names the code gives a Params
COLUMNS = {"name", "value", "unit", "lo", "hi", "role", "source"}  # the report's table columns


def _is_parameter_mapping(node: ast.expr) -> bool:
    """``params``, ``p``, ``x.params``, ``x.warmup_params`` or ``specs()``."""
    if isinstance(node, ast.Name):
        return node.id in MAPPINGS
    if isinstance(node, ast.Attribute):
        return node.attr.endswith("params")
    return isinstance(node, ast.Call) and getattr(node.func, "id", "") == "specs"


def _is_built(key: ast.expr) -> bool:
    """An f-string, a concatenation or %-format, or a ``.format``/``.join`` call."""
    if isinstance(key, ast.JoinedStr | ast.BinOp):
        return True
    return isinstance(key, ast.Call) and getattr(key.func, "attr", "") in {"format", "join"}


def parameter_keys(path: Path) -> list[tuple[int, ast.expr]]:
    """(line, key) of every subscript of a parameter mapping in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.slice)
        for node in ast.walk(tree)
        if isinstance(node, ast.Subscript) and _is_parameter_mapping(node.value)
    ]


def test_the_check_sees_a_built_name():
    code = 'def f(self):\n    return self.model.params[f"{self.name}_capacity"]\n'
    tree = ast.parse(code)
    (sub,) = [n for n in ast.walk(tree) if isinstance(n, ast.Subscript)]
    assert _is_parameter_mapping(sub.value) and _is_built(sub.slice)


def test_no_parameter_name_is_built():
    built = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in SOURCES
        for line, key in parameter_keys(path)
        if _is_built(key)
    ]
    assert not built, f"parameter names built at run time (write them out): {built}"


def test_every_literal_parameter_key_is_a_parameter(monkeypatch):
    known = set(specs())
    club = ROOT / "examples" / "clubhouse"
    unknown = [
        f"{path.relative_to(ROOT)}:{line}: {key.value}"
        for path in SOURCES
        if club not in path.parents
        for line, key in parameter_keys(path)
        if isinstance(key, ast.Constant) and isinstance(key.value, str)
        if key.value not in known | COLUMNS
    ]
    assert not unknown, f"not parameters (run tools/rename_parameters.py? misspelt?): {unknown}"


def test_a_scenario_builds_its_parameters_once():
    sc = Scenario("x", {}, {}, {"handover_loss": 0.1}, (), {"handover_loss": 0.3})
    assert sc.params is sc.params and sc.warmup_params is sc.warmup_params
    assert (sc.params["handover_loss"], sc.warmup_params["handover_loss"]) == (0.1, 0.3)


@pytest.fixture
def extra_parameter():
    yield "names_test.places"
    sim.core.params._REGISTRY.pop("names_test.places", None)


def test_parameters_registered_later_reach_a_scenario_built_before(extra_parameter):
    sc = Scenario("x", {}, {}, {}, ())
    before = sc.params
    register_parameters(f"name,value,unit,lo,hi,source\n{extra_parameter},3,places,0,9,a\n")
    assert extra_parameter not in before
    assert sc.params[extra_parameter] == 3.0 and sc.params is sc.params
