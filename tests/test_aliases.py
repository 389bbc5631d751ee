"""Deprecated module names still import, warn at the importing line, and share one module."""

from __future__ import annotations

import subprocess
import sys

import pytest

from sim import ALIASES

CODE = """
import warnings, importlib
warnings.simplefilter("always")
with warnings.catch_warnings(record=True) as seen:
    old = importlib.import_module({old!r})
new = importlib.import_module({new!r})
assert old is new, (old, new)
assert new.__spec__.name == {new!r}, new.__spec__.name
assert any("deprecated" in str(w.message) for w in seen), [str(w.message) for w in seen]
print("ok")
"""


@pytest.mark.parametrize(("old", "new"), sorted(ALIASES.items()))
def test_a_deprecated_name_is_the_new_module_and_warns(old: str, new: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CODE.format(old=old, new=new)], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


def test_the_warning_points_at_the_importing_code(tmp_path) -> None:
    script = tmp_path / "old_notebook.py"
    script.write_text("import sim.population\n")
    done = subprocess.run(
        [sys.executable, "-W", "always::DeprecationWarning", str(script)],
        capture_output=True,
        text=True,
    )
    assert "old_notebook.py:1: DeprecationWarning" in done.stderr, done.stderr
