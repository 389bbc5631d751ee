"""A plugin service's own unit costs: declared like the package file, charged by the ledger.

The plugin here is a tutor team written the way a student would: staff in FTE (a lever), no
effect on anyone, and one unit cost per FTE declared in ``unit_costs``. Its cost line is then
exactly FTE x scale x the monthly unit cost for the simulated population (FTE x the unit cost
in the tables, which report the whole population), booked to ``public:<payer>:<category>``,
``societal:<category>`` and both totals. Without staff it adds no row; a bad declaration
stops ``sim --plugin`` with one line and exit code 2.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import BASELINE, write_scenario

import sim.core.params
import sim.services
from sim.cli.main import main
from sim.core.scenario import load_scenario
from sim.run.runner import RunSpec, build_model, replicate_seeds, simulate
from sim.run.tables import tidy
from sim.services.base import Service, scaled_capacity
from sim.services.declared_costs import parse

SCALE, YEARS, FTE, NOK_YEAR = 0.05, 1, 12.0, 840_000.0
PARAMETERS = """name,value,unit,min,max,lo,hi,role,source
tutor.fte,0,FTE,0,1000,0,50,lever,assumption (test plugin)
"""
HEADER = "name,value,unit,lo,hi,source,payer,category,kind"
STAFF = f"{NOK_YEAR:.0f},NOK/year per FTE,700000,1000000,assumption (test plugin)"
COSTS = f"{HEADER}\ntutor.staff,{STAFF},municipality,tutors,resource\n"


class Tutor(Service):
    """Tutors who take nobody in: only their cost changes the tables."""

    name = "tutor"
    phase = "interventions"
    unit_costs = COSTS

    def configure(self) -> None:
        self.capacity = scaled_capacity(self.model.params["tutor.fte"] * 10, self.model.scale)

    def workers(self) -> float:
        return self.model.params["tutor.fte"] * self.model.scale


@pytest.fixture(scope="module")
def tutor():
    sim.core.params.register_parameters(PARAMETERS)
    sim.services.register(Tutor)
    yield Tutor
    sim.services.REGISTRY.pop("tutor", None)
    sim.core.params._REGISTRY.pop("tutor.fte", None)


def yearly_costs(path, tmp_path=None):
    """The model of a scenario after a year, and its yearly cost rows by (metric, group)."""
    spec = RunSpec(load_scenario(path), 0, replicate_seeds(3, 1)[0], YEARS, SCALE, monthly=False)
    model = build_model(spec)
    simulate(model, YEARS)
    y = tidy(model.collector.yearly_rows(), {"scenario": "x", "replicate": 0, "seed": 0}, True)
    y = y[y["metric"].str.startswith("cost_nok")]
    return model, y.set_index(["metric", "group"])["value"]


def test_a_plugin_service_with_staff_is_charged_fte_x_unit_cost(tutor, tmp_path):
    staffed = write_scenario(tmp_path / "tutors.toml", {"tutor.fte": FTE})
    model, cost = yearly_costs(staffed)
    ledger = model.module("costs")
    monthly = FTE * SCALE * NOK_YEAR / 12  # NOK a month for the simulated youth
    lines = ledger.month_lines()
    assert lines["public:municipality:tutors"][0] == pytest.approx(monthly, rel=1e-12)
    assert lines["societal:tutors"][0] == pytest.approx(monthly, rel=1e-12)
    # the tables report the whole population: FTE x NOK a year, over the 12 months
    assert cost["cost_nok", "public:municipality:tutors"] == pytest.approx(FTE * NOK_YEAR)
    assert cost["cost_nok", "societal:tutors"] == pytest.approx(FTE * NOK_YEAR)
    _, without = yearly_costs(BASELINE)
    mcpf = model.params["cost.mcpf"]  # the societal view adds the tax-financing cost of it
    for total, factor in (("public:total", 1.0), ("public:municipality:total", 1.0),
                          ("societal:total", 1.0 + mcpf)):  # fmt: skip
        added = cost["cost_nok", total] - without["cost_nok", total]
        assert added == pytest.approx(factor * FTE * NOK_YEAR, rel=1e-9), total


def test_a_plugins_staff_counts_in_the_programmes_gross_cost(tutor):
    from sim.analysis.horizons import gross_categories

    assert "public:municipality:tutors" in gross_categories()  # priced per FTE: staff
    assert "public:state:ips_specialists" in gross_categories()  # the package's own stay


def test_without_staff_the_plugin_adds_no_cost_row(tutor):
    model, cost = yearly_costs(BASELINE)
    assert "tutor" in {s.name for s in model.services}
    groups = cost.index.get_level_values("group")
    assert not groups.str.contains("tutors").any()
    assert "tutor.staff" not in model.module("costs").unit_costs


def test_an_overridden_hook_decides_what_is_charged(tutor, tmp_path):
    """A service charging youth served instead of staff: 0 when it serves nobody."""

    class Places(Tutor):
        name = "places"
        unit_costs = COSTS.replace("tutor.", "places.").replace("tutors", "tutor_places")

        def charged_units(self, cost):
            return float(self.capacity), len(self.active)

    sim.services.register(Places)
    try:
        staffed = write_scenario(tmp_path / "t.toml", {"tutor.fte": FTE})
        model, _ = yearly_costs(staffed)
        line = model.module("costs").month_lines()["public:municipality:tutor_places"]
        places = scaled_capacity(FTE * 10, SCALE)
        assert line[0] == pytest.approx(places * NOK_YEAR / 12) and line[2] == 0
    finally:
        sim.services.REGISTRY.pop("places", None)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("tutor.staff,abc,NOK/year per FTE,1,2,x,state,tutors,resource", "value: not a finite"),
        ("tutor.staff,5,NOK/year per FTE,1,2,x,state,tutors,resource", "lo <= value <= hi"),
        ("tutor.staff,1,hours per FTE,1,2,x,state,tutors,resource", "NOK/year or NOK/month"),
        ("tutor.staff,1,NOK/year per FTE,1,2,,state,tutors,resource", "source is empty"),
        ("tutor.staff,1,NOK/year per FTE,1,2,x,kommune,tutors,resource", "payer must be"),
        ("tutor.staff,1,NOK/year per FTE,1,2,x,state,tutors,cost", "kind must be"),
        ("staff,1,NOK/year per FTE,1,2,x,state,tutors,resource", "start with the service"),
        ("tutor.x,1,NOK/year per FTE,1,2,x,state,coordinators,resource", "a new word"),
        ("tutor.x,1,NOK/year per FTE,1,2,x,state,total,resource", "a new word"),
        ("tutor.x,1,NOK/year per FTE,1,2,x,state,lifetime,resource", "a new word"),
        ("tutor.x,1,NOK/year per FTE,1,2,x,state,tax_revenue,resource", "a new word"),
        ("tutor.x,1,NOK/year per FTE,1,2,x, y,state,tutors,resource", "number of fields"),
    ],
)
def test_bad_cost_lines_are_named(line, problem):
    with pytest.raises(ValueError, match=problem) as caught:
        parse(f"{HEADER}\n{line}\n", "tutor", "costs.csv")
    assert str(caught.value).startswith("costs.csv line 2 (")


PLUGIN = """
from pathlib import Path
import sim.services
from sim.services.base import Service


class Broken(Service):
    name = "broken"
    phase = "interventions"
    unit_costs = Path(__file__).with_name("costs.csv")


sim.services.register(Broken)
"""


@pytest.mark.parametrize(
    ("costs", "problem"),
    [
        (
            f"{HEADER}\nbroken.staff,1e6,NOK/year per FTE,2e6,3e6,x,state,broken,resource\n",
            "lo <= value <= hi",
        ),
        ("name,value\nbroken.staff,1\n", "columns must be"),
        (None, "no such file"),
    ],
)
def test_a_bad_cost_file_stops_the_command_with_one_line(tmp_path, capsys, costs, problem):
    plugin = tmp_path / "broken.py"
    plugin.write_text(PLUGIN, encoding="utf-8")
    if costs is not None:
        (tmp_path / "costs.csv").write_text(costs, encoding="utf-8")
    out = tmp_path / "out"
    rc = main(["--plugin", str(plugin), "run", str(BASELINE), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and not out.exists()
    assert len(err.strip().splitlines()) == 1
    assert "costs.csv" in err and problem in err, err
    assert "broken" not in sim.services.REGISTRY


def test_two_plugins_cannot_book_to_one_category(tutor):
    class Copy(Tutor):
        name = "copy"
        unit_costs = COSTS.replace("tutor.", "copy.")

    with pytest.raises(ValueError, match="tutors"):
        sim.services.register(Copy)
    assert "copy" not in sim.services.REGISTRY
    assert np.isfinite(parse(Copy.unit_costs, "copy", "x")["copy.staff"].monthly)
