"""Every notebook in notebooks/ executes from top to bottom in quick mode.

Each runs in a fresh ``python3`` kernel (ipykernel of this environment) with the notebook's
folder as working directory, as ``pytest --nbmake notebooks/`` and Jupyter run it. A fresh
kernel per notebook also keeps plugins a notebook loads (the clubhouse) out of this process.
"""

from __future__ import annotations

import time

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT_S = 300
QUICK_BUDGET_S = 120  # each notebook should take well under a minute on a free core


def test_there_are_notebooks():
    names = [p.name for p in NOTEBOOKS]
    assert {"01_quickstart.ipynb", "02_compare_scenarios.ipynb", "03_add_a_service.ipynb"} <= set(
        names
    )


def test_notebooks_are_saved_without_large_outputs():
    for path in NOTEBOOKS:
        book = nbformat.read(path, as_version=4)
        for cell in book.cells:
            if cell.cell_type == "code":
                size = sum(len(str(o)) for o in cell.get("outputs", []))
                assert size < 20_000, f"{path.name}: outputs of {size} characters"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path):
    book = nbformat.read(path, as_version=4)
    client = NotebookClient(
        book,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    assert elapsed < QUICK_BUDGET_S, f"{path.name} took {elapsed:.0f} s in quick mode"
