"""Every notebook in notebooks/ executes from top to bottom in quick mode and shows its figures.

Each runs in a fresh ``python3`` kernel (ipykernel of this environment) with the notebook's
folder as working directory, as ``pytest --nbmake notebooks/`` and Jupyter run it. A fresh
kernel per notebook also keeps plugins a notebook loads (the clubhouse) out of this process.

A cell that calls a plotting function of ``sim.present.plots`` (``plots.neet_over_time(...)``,
``show(plots.costs_by_payer, ...)``) must show its figure as a PNG image, not only the text
``<Figure size ...>``: ``sim.present.plots`` builds figures without pyplot, so a notebook needs the
inline backend (``%matplotlib inline``) for Jupyter to draw them.
"""

from __future__ import annotations

import re
import time

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
COMPARE = ROOT / "notebooks" / "02_compare_scenarios.ipynb"
CELL_TIMEOUT_S = 300
QUICK_BUDGET_S = 120  # each notebook should take well under a minute on a free core
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


def execute(path, replace: tuple[str, str] | None = None) -> tuple[nbformat.NotebookNode, float]:
    """Run a notebook in a fresh kernel; ``replace`` edits one line of it first (in memory)."""
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
    start = time.perf_counter()
    client.execute()
    return book, time.perf_counter() - start


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


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_and_shows_its_figures(path):
    book, elapsed = execute(path)
    assert elapsed < QUICK_BUDGET_S, f"{path.name} took {elapsed:.0f} s in quick mode"
    assert_figures_shown(path, book)
    if path.name.startswith("03_"):
        assert "1 passed" in printed(book)  # the example's zero-places test, run from the notebook


def test_compare_notebook_quick_path():
    """With saved results present, the default run above read them; check the quick path too.

    Without a results folder (a fresh clone, CI) the default run already is the quick one.
    """
    results = ROOT / "results"
    if not any(p.is_dir() for p in [results / "main", *results.glob("compare*")]):
        pytest.skip("no saved results: the default run of 02 already made the quick comparison")
    book, elapsed = execute(COMPARE, ("USE_SAVED = True", "USE_SAVED = False"))
    assert elapsed < QUICK_BUDGET_S, f"{COMPARE.name} took {elapsed:.0f} s in quick mode"
    assert_figures_shown(COMPARE, book)
    folder = next(line for line in printed(book).splitlines() if "results folder:" in line)
    assert str(results) not in folder, folder
