"""The generated parameter table in docs/model.md matches sim/data/parameters.csv."""

from pathlib import Path

from sim.core.params import package_specs
from sim.present.docs import DOC, render


def test_parameter_table_is_current():
    text = DOC.read_text("utf-8")
    assert render(text) == text, "docs/model.md is stale: run `python -m sim.present.docs`"


def test_every_parameter_documented():
    text = DOC.read_text("utf-8")
    missing = [name for name in package_specs() if f"`{name}`" not in text]
    assert not missing


def test_every_parameter_has_a_source_or_is_an_assumption():
    for spec in package_specs().values():
        assert spec.source.strip(), spec.name
        assert spec.lo <= spec.value <= spec.hi, spec.name
        assert Path(DOC).exists()
