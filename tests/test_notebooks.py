"""Every notebook in notebooks/ executes from top to bottom in quick mode and shows its figures.

Each runs in a fresh ``python3`` kernel (ipykernel of this environment) with the notebook's
folder as working directory, as ``pytest --nbmake notebooks/`` and Jupyter run it. A fresh
kernel per notebook also keeps plugins a notebook loads (the clubhouse) out of this process.

Executing a notebook takes a minute or so, so those tests are marked slow: ``make test`` (and
CI) runs them, ``make test-fast`` does not. A notebook runs in quick mode whatever the
``results/`` folder of this checkout holds: ``02_compare_scenarios`` is run once on its quick
comparison and once on a small saved result made here, so both of its paths run everywhere.

A cell that calls a plotting function of ``sim.present.plots`` (``plots.neet_over_time(...)``,
``show(plots.costs_by_payer, ...)``) must show its figure as a PNG image, not only the text
``<Figure size ...>``: ``sim.present.plots`` builds figures without pyplot, so a notebook needs the
inline backend (``%matplotlib inline``) for Jupyter to draw them.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient

from sim.cli.main import main as sim_main

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
COMPARE = ROOT / "notebooks" / "02_compare_scenarios.ipynb"
CELL_TIMEOUT_S = 300  # a cell that hangs fails the test instead of the whole run
QUICK = ("USE_SAVED = True", "USE_SAVED = False")  # 02: make the quick comparison
SAVED_FOLDER = 'ROOT / "results" / "main"'  # 02: the first saved result it looks for
PLOT_CALL = re.compile(r"\bplots\.[a-z]\w*")  # plotting functions; not PlotContext, NoDataError


def test_there_are_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert {"01_quickstart.ipynb", "02_compare_scenarios.ipynb", "03_add_a_service.ipynb"} <= set(
        names
    )


def test_notebooks_are_saved_without_outputs():
    for path in NOTEBOOKS:
        book = nbformat.read(path, as_version=4)
        for cell in book.cells:
            if cell.cell_type == "code":
                assert not cell.outputs, f"{path.name}: cell {cell.id} saved with outputs"
                assert cell.execution_count is None, f"{path.name}: cell {cell.id} numbered"


def execute(path, replace: tuple[str, str] | None = None) -> nbformat.NotebookNode:
    """Run a notebook in a fresh kernel; ``replace`` edits one cell of it first (in memory)."""
    book = nbformat.read(path, as_version=4)
    if replace is not None:
        old, new = replace
        cells = [c for c in book.cells if c.cell_type == "code" and old in c.source]
        assert len(cells) == 1, f"{path.name}: {old!r} not found once"
        cells[0].source = cells[0].source.replace(old, new)
    client = NotebookClient(
        book,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return book


def assert_figures_shown(path, book) -> None:
    """Every cell that calls a plotting function has a PNG image among its outputs."""
    plotting = [c for c in book.cells if c.cell_type == "code" and PLOT_CALL.search(c.source)]
    assert plotting, f"{path.name}: no plotting cell found"
    for cell in plotting:
        kinds = [kind for out in cell.outputs for kind in out.get("data", {})]
        text = "".join(out.get("text", "") for out in cell.outputs)
        assert "image/png" in kinds, f"{path.name} cell {cell.id}: no image ({kinds}; {text!r})"


def printed(book) -> str:
    return "".join(
        o.get("text", "") for c in book.cells if c.cell_type == "code" for o in c.outputs
    )


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_and_shows_its_figures(path):
    book = execute(path, QUICK if path == COMPARE else None)
    assert_figures_shown(path, book)
    if path.name.startswith("03_"):
        assert "1 passed" in printed(book)  # the example's zero-places test, run from the notebook
    if path == COMPARE:
        assert "results folder:" in printed(book) and "compare-" in printed(book)


@pytest.mark.slow
def test_compare_notebook_reads_a_saved_result(tmp_path):
    """02 finds a saved results folder (as ``make run`` leaves one) and draws from it."""
    saved = tmp_path / "main"
    scenarios = [str(ROOT / "scenarios" / f"{s}.toml") for s in ("baseline", "coordinated_ips")]
    quick = ["--reps", "2", "--years", "3", "--scale", "0.03", "--workers", "1", "--quiet"]
    assert sim_main(["compare", *scenarios, *quick, "--out", str(saved)]) == 0
    book = execute(COMPARE, (SAVED_FOLDER, f"Path({str(saved)!r})"))
    assert f"results folder: {saved}" in printed(book)
    assert_figures_shown(COMPARE, book)
