"""tools/rename_parameters.py rewrites parameter keys only, and doing it twice changes nothing.

(rename_parameters: keep old names: this file holds examples of them, the script skips it.)
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tool():
    spec = importlib.util.spec_from_file_location(
        "rename_parameters", ROOT / "tools" / "rename_parameters.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def names(tool):
    return tool.table()


PY_BEFORE = '''"""Reads ``ot_advisers`` (the old name)."""
cap = p["ot_advisers"] * m.params['nav_caseworkers']
label = t("slider.ot_advisers")  # a longer string: not a key
ot_advisers = 3  # an identifier
'''
PY_AFTER = '''"""Reads ``followup.advisers`` (the old name)."""
cap = p["followup.advisers"] * m.params['nav.caseworkers']
label = t("slider.ot_advisers")  # a longer string: not a key
ot_advisers = 3  # an identifier
'''
TOML_BEFORE = """[params]
ot_advisers = 40                 # a comment in its column
"nav_caseworkers" = 240
handover_loss = 0.1
# ot_advisers = 1 (a comment is prose)
[[variants]]
params = { ot_advisers = 60, handover_loss = 0.2 }
"""
TOML_AFTER = """[params]
"followup.advisers" = 40         # a comment in its column
"nav.caseworkers" = 240
handover_loss = 0.1
# ot_advisers = 1 (a comment is prose)
[[variants]]
params = { "followup.advisers" = 60, handover_loss = 0.2 }
"""


def test_python_string_keys_and_code_spans_are_renamed_nothing_else(tool, names):
    assert tool.rewrite_python(PY_BEFORE, names) == PY_AFTER
    assert tool.rewrite_python(PY_AFTER, names) == PY_AFTER  # idempotent


def test_toml_keys_are_renamed_and_quoted(tool, names):
    assert tool.rewrite_toml(TOML_BEFORE, names) == TOML_AFTER
    assert tool.rewrite_toml(TOML_AFTER, names) == TOML_AFTER


def test_markdown_code_spans_and_toml_blocks(tool, names):
    before = "Set `ot_advisers` (not ot_advisers in prose):\n\n```toml\nnav_caseworkers = 1\n```\n"
    after = tool.rewrite_markdown(before, names)
    assert after == (
        "Set `followup.advisers` (not ot_advisers in prose):\n\n"
        '```toml\n"nav.caseworkers" = 1\n```\n'
    )


def test_notebook_json_text(tool, names):
    before = '"source": ["x = params[\\"ot_advisers\\"]\\n"]'
    assert (
        tool.rewrite_notebook(before, names)
        == '"source": ["x = params[\\"followup.advisers\\"]\\n"]'
    )


def test_the_dashboards_slider_keywords_are_kept(tool, names):
    before = 'Control("ot_advisers", "ot_advisers", True)\nx = {"ot_advisers": ot_advisers}\n'
    after = tool.rewrite_python(before, names, "sim/present/dashboard/model.py")
    assert (
        after
        == 'Control("ot_advisers", "followup.advisers", True)\nx = {"ot_advisers": ot_advisers}\n'
    )


def test_the_tree_uses_the_new_names(tool):
    """Nothing left to rename (after a merge, run the script, then ruff format and the docs)."""
    assert tool.rename(ROOT, check=True) == []


def test_a_tree_is_renamed_once(tool, tmp_path):
    for rel in ("sim/data/renamed_parameters.csv", "sim/data/parameters.csv"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text((ROOT / rel).read_text("utf-8"), encoding="utf-8")
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "x.toml").write_text(TOML_BEFORE, encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "t.py").write_text(PY_BEFORE, encoding="utf-8")
    (tmp_path / "tests" / "keep.py").write_text(f"# {tool.KEEP_FILE}\n{PY_BEFORE}", "utf-8")
    changed = tool.rename(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in changed) == [
        "scenarios/x.toml",
        "tests/t.py",
    ]
    assert (tmp_path / "scenarios" / "x.toml").read_text("utf-8") == TOML_AFTER
    assert tool.rename(tmp_path) == []
