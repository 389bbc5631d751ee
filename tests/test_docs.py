"""The generated parameter table in docs/model.md matches sim/data/parameters.csv."""

import re

import pytest

from sim.core.params import package_specs
from sim.present.docs import DOC, render


def test_parameter_table_is_current():
    text = DOC.read_text("utf-8")
    assert render(text) == text, "docs/model.md is stale: run `python -m sim.present.docs`"


def test_every_parameter_documented():
    text = DOC.read_text("utf-8")
    missing = [name for name in package_specs() if f"`{name}`" not in text]
    assert not missing


def source_problem(source: str) -> str | None:
    """Why a ``source`` cell is neither a citation nor an assumption, or None.

    An assumption says so first (``assumption``, optionally with its reason); a citation names
    its publisher or authors and a year, table or document number, so it has a word and a digit.
    """
    text = source.strip()
    if text.lower().startswith("assumption"):
        return None
    if not text:
        return "empty"
    if not (re.search(r"[A-Za-z]{2}", text) and re.search(r"\d", text)):
        return f"{text!r} is no citation (no name with a year or number) and not an assumption"
    return None


@pytest.mark.parametrize(
    ("source", "ok"),
    [
        ("Finansdepartementet R-109/2021: 4 % real discount rate", True),
        ("assumption", True),
        ("assumption (longest coordination case before it is closed)", True),
        ("", False),
        ("TODO", False),
        ("see above", False),
        ("2019", False),
    ],
)
def test_the_source_rule(source, ok):
    assert (source_problem(source) is None) == ok


def test_every_parameter_has_a_source_or_is_an_assumption():
    problems = {
        spec.name: problem
        for spec in package_specs().values()
        if (problem := source_problem(spec.source))
    }
    assert not problems
