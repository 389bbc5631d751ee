"""The dashboard without a browser: the wrapper model, slider overrides, panel data, command,
and the page rendered in Python (two sessions, its words).

The page in a real browser is tested in ``test_dashboard_browser.py``.
"""

from __future__ import annotations

import os
import re
import runpy
import select
import warnings

import numpy as np
import pytest
from conftest import BASELINE, write_scenario

pytest.importorskip("solara", reason="the dashboard extra is not installed")

import ipyvuetify as v  # noqa: E402
import reacton  # noqa: E402
import solara  # noqa: E402

from sim.cli import dashboard as command  # noqa: E402
from sim.cli.main import build_parser  # noqa: E402
from sim.cli.main import main as cli_main  # noqa: E402
from sim.core.scenario import load_scenario  # noqa: E402
from sim.errors import InputError  # noqa: E402
from sim.present import i18n  # noqa: E402
from sim.present.dashboard import controls, data, panels  # noqa: E402
from sim.present.dashboard.model import (  # noqa: E402
    COORD,
    DashboardModel,
    available_controls,
    inputs,
    model_kwargs,
    model_params,
)
from sim.present.dashboard.settings import Settings  # noqa: E402

STEPS = 3
APP = os.path.join(os.path.dirname(panels.__file__), "app.py")
# What Mesa's SolaraViz showed in English (none of it may appear on the nb page).
ENGLISH = re.compile(
    r"\b(Controls|STEP|Step|RESET|PAGE|Page \d|Time:|Model Parameters|Information)"
)


@pytest.fixture(scope="module")
def stepped() -> DashboardModel:
    """The baseline at the dashboard's scale, three months after the start."""
    model = DashboardModel(scenario_file=str(BASELINE))
    for _ in range(STEPS):
        model.step()
    return model


def test_step_advances_the_month(stepped):
    fresh = DashboardModel(scenario_file=str(BASELINE))
    assert fresh.period is None and fresh.months == 0
    fresh.step()
    assert (fresh.period, fresh.months, fresh.time) == ("2024-01", 1, 1)
    assert (stepped.period, stepped.months) == ("2024-03", STEPS)


def test_slider_overrides_reach_the_running_model():
    own = load_scenario(BASELINE).params["plan_conflict"]
    model = DashboardModel(str(BASELINE), handover_loss=0.05, plan_conflict=own, seed="7")
    assert model.overrides == {"handover_loss": 0.05}  # plan_conflict: the scenario's own value
    assert model.youth_model.params["handover_loss"] == 0.2  # warm-up: the chain root's values
    model.step()
    assert model.youth_model.params["handover_loss"] == 0.05
    assert model.youth_model.params["plan_conflict"] == own
    assert model.youth_model.seed == 7


def test_coordination_off_sets_coordinators_to_zero(tmp_path):
    file = write_scenario(tmp_path / "coord.toml", {COORD: 10})
    model = DashboardModel(str(file), coordination=False, coord_fte=30, scale=0.02)
    assert model.definition.params[COORD] == 0.0


@pytest.mark.parametrize(
    "kwargs",
    [
        {"handover_loss": 1.5},
        {"plan_conflict": "high"},
        {"seed": "x"},
        {"seed": str(2**63)},  # beyond the seed column's int64, as --seed
        {"scale": 0},
        {"scale": 21},
    ],
)
def test_bad_slider_values_are_input_errors(kwargs):
    with pytest.raises(InputError):
        DashboardModel(str(BASELINE), **kwargs)


def test_model_kwargs_recreate_the_model_as_reset_does(stepped):
    """Reset with untouched inputs builds the same model; a changed input reaches it."""
    params = model_params(str(BASELINE), "en")
    assert {c.key for c in available_controls()} <= set(inputs(params))
    assert {"scenario_file", "start"} <= set(params) - set(inputs(params))
    reset = DashboardModel(**model_kwargs(params, {}))
    assert reset.overrides == {} and reset.definition == stepped.definition
    assert (reset.period, reset.youth_model.scale) == (None, 0.05)
    changed = DashboardModel(**model_kwargs(params, {"handover_loss": 0.3, "scale": 0.02}))
    assert changed.overrides == {"handover_loss": 0.3} and changed.youth_model.scale == 0.02


def test_sliders_start_at_the_scenario_values(tmp_path):
    file = write_scenario(tmp_path / "loss.toml", {"handover_loss": 0.1, "nav.caseworkers": 120})
    params = model_params(str(file), "nb", seed=3, scale=0.1)
    assert params["handover_loss"]["value"] == 0.1
    assert params["nav_caseworkers"] == {**params["nav_caseworkers"], "value": 120, "min": 0}
    assert params["seed"]["value"] == "3" and params["scale"]["value"] == 0.1
    assert params["handover_loss"]["label"].startswith("Overleveringstap")


def test_panel_data_have_one_row_per_month(stepped):
    table = stepped.table()
    for key, func in data.PANELS.items():
        wide = func(table)
        if key == "costs" and wide.empty:
            continue  # no cost ledger in this version
        assert len(wide) == STEPS, key
        assert str(wide.index[0].date()) == "2024-01-01", key
        assert wide.notna().any().any(), key
    np.testing.assert_allclose(data.activity_shares(table).sum(axis=1), 1.0)
    np.testing.assert_allclose(data.status_mix(table).sum(axis=1), 1.0)
    assert list(data.neet_by_age(table).columns) == data.AGE_GROUPS
    assert {"bup", "dps", "nav"} <= set(data.queues(table).columns)


def test_nav_offices_are_pooled():
    rows = [
        ("2024-01", "queue_length", "service:nav:a", 20.0, 1),
        ("2024-01", "queue_length", "service:nav:b", 40.0, 2),
        ("2024-01", "wait_days_mean", "service:nav:a", 10.0, 1),
        ("2024-01", "wait_days_mean", "service:nav:b", 40.0, 3),
        ("2024-01", "wait_days_mean", "service:bup", 50.0, 2),
        ("2024-01", "referrals_lost", "all", 5.0, 5),
        ("2024-01", "referrals_lost", "gp->bup", 5.0, 5),
        ("2024-01", "cost_nok", "public:state:total", 1e6, 9),
        ("2024-01", "cost_nok", "public:state:aap", 4e5, 9),
    ]
    table = data.frame(rows)
    assert data.queues(table).loc["2024-01-01", "nav"] == 60.0
    waits = data.waits(table)
    assert waits.loc["2024-01-01", "nav"] == pytest.approx((10 + 3 * 40) / 4)
    assert waits.loc["2024-01-01", "bup"] == 50.0
    assert list(data.referrals_lost(table).columns) == ["gp->bup"]
    assert data.costs_by_payer(table).loc["2024-01-01", "state"] == 1e6


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_panel_draws(stepped, lang):
    for key in data.PANELS:
        fig = panels.figure(key, stepped.table(), lang)
        assert fig.axes[0].get_title(loc="left") == i18n.t(lang, f"dashboard.panel.{key}")
        assert fig.axes[0].has_data() or key == "costs"
    empty = panels.figure("neet_age", data.frame([]), lang)
    assert empty.axes[0].texts[0].get_text() == i18n.t(lang, "dashboard.empty")


def test_info_card_names_month_scenario_and_changed_values():
    model = DashboardModel(str(BASELINE), plan_conflict=0.5, scale=0.02)
    lines = panels.info_lines(model, "en")
    assert "Today's services (baseline)" in lines[0]
    assert "plan_conflict = 0.5 *" in lines and "handover_loss = 0.2" in lines


def test_dashboard_words_come_from_the_shared_catalogue():
    # Every dashboard word is a `dashboard.*` key of sim.present.i18n (tests/test_i18n.py checks
    # that both languages hold the same keys); an unknown service shows its own name.
    for lang in i18n.LANGS:
        words = {k for k in i18n.load_dictionary(lang) if k.startswith("dashboard.")}
        assert {f"dashboard.panel.{key}" for key in data.PANELS} <= words
    assert i18n.name("en", "dashboard.service", "newcomer") == "newcomer"
    assert i18n.name("nb", "dashboard.service", "nav") == "NAV (alle kontor)"
    with pytest.raises(ValueError):
        i18n.t("de", "dashboard.title")


def test_settings_travel_through_the_environment():
    settings = Settings("/x/y.toml", "en", 4, 0.1, "2025-03")
    assert Settings.from_env(settings.to_env()) == settings
    assert Settings.from_env({}) == Settings()


def run_app(monkeypatch, lang: str) -> dict:
    monkeypatch.setenv("SIM_DASHBOARD_SCENARIO_FILE", str(BASELINE))
    monkeypatch.setenv("SIM_DASHBOARD_SCALE", "0.02")
    monkeypatch.setenv("SIM_DASHBOARD_LANG", lang)
    with warnings.catch_warnings():  # the app's warning filter stays inside this test
        return runpy.run_path(APP)


def session(app: dict):
    """The page as one browser session renders it (inside solara's app layout)."""
    box, rc = reacton.render_fixed(solara.AppLayout(children=[app["Page"]()]), handle_error=False)
    rc.box = box
    return rc


def texts(widget) -> list[str]:
    """Every string a widget tree shows (children, labels, titles)."""
    out = [getattr(widget, name, None) for name in ("label", "title", "hint")]
    out = [x for x in out if isinstance(x, str) and x]
    for child in getattr(widget, "children", None) or []:
        out.extend([child] if isinstance(child, str) else texts(child))
    return out


def period(rc) -> str:
    return rc.find(v.Html, class_="sim-period").widget.children[0]


def test_each_session_has_its_own_model(monkeypatch):
    app = run_app(monkeypatch, "nb")
    first, second = session(app), session(app)
    step = i18n.t("nb", "dashboard.control.step")
    first.find(v.Btn, children=[step]).widget.click()
    first.find(v.Btn, children=[step]).widget.click()
    assert period(first).endswith(": februar 2024")
    assert period(second) == "Måned simulert: ingen ennå, starter i januar 2024"
    second.find(v.Btn, children=[step]).widget.click()
    assert period(second).endswith(": januar 2024")  # its own first month, not the third
    assert app["title"].endswith("Dagens tjenester (referanse)")
    for rc in (first, second):
        rc.close()


def test_reset_applies_the_inputs_and_refuses_a_bad_seed(monkeypatch):
    app = run_app(monkeypatch, "en")
    rc = session(app)
    reset = rc.find(v.Btn, children=[i18n.t("en", "dashboard.control.reset")])
    seed = rc.find(v.TextField, label=i18n.t("en", "dashboard.slider.seed")).widget
    pending = i18n.t("en", "dashboard.control.pending")
    seed.v_model = "x"
    seed.fire_event("focusout")  # the box takes its text when it loses the focus
    assert pending in texts(rc.box)
    reset.widget.click()
    errors = [text for text in texts(rc.box) if text.startswith("Cannot reset: seed:")]
    assert errors and "Seed 1, scale 0.02" in texts(rc.box)  # the running model is kept
    seed.v_model = "5"
    seed.fire_event("focusout")
    reset.widget.click()
    shown = texts(rc.box)
    assert (
        "Seed 5, scale 0.02" in shown
        and pending not in shown
        and not any(text.startswith("Cannot reset") for text in shown)
    )
    rc.close()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_page_words_are_the_catalogues(monkeypatch, lang):
    app = run_app(monkeypatch, lang)
    rc = session(app)
    shown = texts(rc.box)
    buttons = {b.children[0] for b in rc.find(v.Btn).widgets if b.children}
    words = [i18n.t(lang, f"dashboard.control.{k}") for k in ("play", "step", "reset")]
    assert set(words) <= buttons
    values = [w.children[0] for w in rc.find(v.Html, class_="sim-slider-value").widgets]
    ranges = [w.children[0] for w in rc.find(v.Html, class_="sim-slider-range").widgets]
    loss = "Overleveringstap (handover_loss): 0,2" if lang == "nb" else "Handover loss"
    assert any(value.startswith(loss) for value in values)
    assert len(ranges) == len(values) >= 6
    assert i18n.t(lang, "dashboard.control.range", lo="0", hi="1") in ranges
    assert {*words, *values, *ranges} <= set(shown)
    if lang == "nb":
        assert [text for text in shown if ENGLISH.search(text)] == []
    rc.close()


def test_months_values_and_ranges_in_each_language():
    assert panels.month_name("2024-01", "nb") == "januar 2024"
    assert panels.month_name("2031-12", "en") == "December 2031"
    assert [panels.value_text(x, "nb") for x in (0.2, 0.15, 160.0, 0.05)] == [
        "0,2",
        "0,15",
        "160",
        "0,05",
    ]
    slider = {"type": "SliderFloat", "min": 0.0, "max": 1.0, "step": 0.01}
    assert controls.range_text(slider, "nb") == "område 0–1"
    assert controls.range_text({**slider, "max": 0.5}, "en") == "range 0–0.5"
    assert controls.shown_value(slider, 0.25, "nb") == "0,25"
    assert controls.shown_value({"type": "Checkbox"}, True, "en") == "on"


def test_panels_are_vector_images(stepped):
    svg = panels.image("neet_age", stepped.table(), "nb")
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg[:1000]


def test_app_filters_exactly_solaras_cookie_warning(monkeypatch):
    """The app hides solara's warning about SameSite cookies over HTTP, and nothing else."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        app = runpy.run_path(APP)
        for message in ("Cookies with samesite=none require https, but ...", "Origin mismatch"):
            warnings.warn_explicit(
                message, UserWarning, "starlette.py", 578, "solara.server.starlette"
            )
        warnings.warn_explicit(
            "Cookies with samesite=none require https", UserWarning, "x.py", 1, "other.module"
        )
    assert app["Page"] is not None
    assert [str(w.message) for w in caught] == [
        "Origin mismatch",
        "Cookies with samesite=none require https",
    ]


def test_command_serves_loopback_without_phoning_home():
    cmd = command.solara_command("127.0.0.1", 8765)
    assert cmd[cmd.index("--host") + 1] == "127.0.0.1"
    assert {"--no-open", "--no-check-version", "--production"} <= set(cmd)
    env = command.server_env(Settings(lang="en"))
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "false"
    assert env["SIM_DASHBOARD_LANG"] == "en"
    args = build_parser().parse_args(["dashboard"])
    assert (args.host, args.port, args.lang, args.scale) == ("127.0.0.1", 8765, "nb", None)
    assert command.settings_from_args(args).scale == 0.05


@pytest.mark.parametrize(
    "argv",
    [
        ["dashboard", "no/such/file.toml"],
        ["dashboard", "--port", "70000"],
        ["dashboard", "--scale", "-1"],
        ["dashboard", "--start", "2024-13"],
        ["dashboard", "--lang", "de"],
    ],
)
def test_bad_input_exits_2_before_serving(argv, monkeypatch, capsys):
    monkeypatch.setattr(command.subprocess, "Popen", pytest.fail)
    assert cli_main(argv) == 2
    err = capsys.readouterr().err
    assert "error" in err and "Traceback" not in err


def test_missing_extra_is_named(monkeypatch, capsys):
    real = command.importlib.util.find_spec
    monkeypatch.setattr(
        command.importlib.util, "find_spec", lambda n: None if n == "solara" else real(n)
    )
    assert cli_main(["dashboard"]) == 2
    assert "missing solara" in capsys.readouterr().err


def test_ctrl_c_stops_the_server(monkeypatch, capsys):
    """Ctrl-C cuts the server's lifeline (it exits at once, see sim.run.lifeline); exit 0."""

    class FakeServer:
        cut: list[bool] = []

        def __init__(self, cmd, env, pass_fds):
            self.cmd, self.fd, self.code = cmd, pass_fds[0], None
            assert cmd[1:4] == ["-m", "sim.run.lifeline", str(self.fd)] and cmd[4] == "solara"

        def wait(self, timeout=None):
            if timeout is None:
                raise KeyboardInterrupt
            readable, _, _ = select.select([self.fd], [], [], 0)
            self.cut.append(bool(readable) and os.read(self.fd, 1) == b"")  # end-of-file
            self.code = 1
            return self.code

        def kill(self):
            raise AssertionError("the server left when its lifeline was cut")

    monkeypatch.setattr(command.subprocess, "Popen", FakeServer)
    assert cli_main(["dashboard", str(BASELINE), "--port", "0"]) == 0
    assert FakeServer.cut == [True]
    out = capsys.readouterr().out
    assert out.startswith("sim dashboard: http://127.0.0.1:") and ":0/" not in out


def test_free_port_is_on_loopback():
    port = command.free_port()
    assert 1024 <= port <= 65535
