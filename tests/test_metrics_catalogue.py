"""docs/metrics.md is current, and the catalogue lists exactly what runs write."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import api
from sim.analysis.catalogue import METRICS, pattern, unlisted
from sim.present.docs import METRICS_DOC, metrics_catalogue


def test_metrics_doc_is_current() -> None:
    text = METRICS_DOC.read_text("utf-8")
    assert text == metrics_catalogue(), "docs/metrics.md is stale: run `make docs`"


def test_group_patterns_match_what_they_name() -> None:
    assert pattern("kommune:<kommune>").match("kommune:5001")
    assert not pattern("kommune:<kommune>").match("kommune:trondheim")
    assert pattern("public:<payer>:<category>").match("public:state:ips_specialists")
    assert not pattern("public:<payer>:<category>").match("public:bank:ips_specialists")
    assert pattern("<from>-><to>").match("gp->dps")
    assert unlisted([("neet_rate", "kommune:5001"), ("neet_rat", "all")]) == [("neet_rat", "all")]


@pytest.fixture(scope="module")
def tables():
    """Six years (a completion cohort) of the scenario with every built-in service."""
    root = Path(__file__).resolve().parent.parent
    sc = api.load_scenario(root / "scenarios" / "coordinated_ips.toml")
    return api.run(sc, reps=1, years=6, scale=0.02, monthly=True)


def test_every_metric_and_group_written_is_in_the_catalogue(tables) -> None:
    yearly, monthly = tables
    assert unlisted(zip(yearly["metric"], yearly["group"], strict=True)) == []
    assert unlisted(zip(monthly["metric"], monthly["group"], strict=True)) == []


def test_every_metric_in_the_catalogue_is_written(tables) -> None:
    yearly, _ = tables
    always = {m.name for m in METRICS if not m.when}
    assert always - set(yearly["metric"]) == set()
