"""The Solara page of ``sim dashboard``: one :class:`DashboardModel` per browser session.

Run it through ``sim dashboard`` (which sets the ``SIM_DASHBOARD_*`` variables, binds to
127.0.0.1 and switches off the version check and telemetry), or directly::

    SOLARA_TELEMETRY_MIXPANEL_ENABLE=false solara run sim/present/dashboard/app.py \
        --host 127.0.0.1 --no-open --no-check-version

Solara renders :func:`Page` once per browser session (a virtual kernel), so the model, the
input values and the play state made with ``use_memo``/``use_reactive`` inside it belong to
that session alone: a second visitor starts at the start month, whatever the first one did.
Playing is paced by the page (:func:`Ticker`): the next month is asked for only after the last
one is shown. The controls are the project's own (:mod:`~sim.present.dashboard.controls`), so
every word on the page comes from :mod:`sim.present.i18n`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable

import solara

from sim.errors import InputError
from sim.present.dashboard.controls import ParamCard, RunCard
from sim.present.dashboard.model import (
    DashboardModel,
    inputs,
    load,
    model_kwargs,
    model_params,
    start_values,
)
from sim.present.dashboard.panels import InfoCard, PanelGrid
from sim.present.dashboard.settings import Settings
from sim.present.i18n import t

PLAY_INTERVAL_MS = 300  # pause between a month shown and the next step while playing

# Solara warns on every page load over plain HTTP from a host name other than "localhost":
# it would like a SameSite=None session cookie (for pages embedded in an iframe), which
# browsers accept only over HTTPS, and says it falls back to SameSite=Lax. The dashboard is
# served over HTTP on 127.0.0.1 (or the interface given to --host) and never embedded, so Lax
# is the right cookie and there is nothing to fix; solara 1.58 has no setting for it.
warnings.filterwarnings(
    "ignore",
    message="Cookies with samesite=none require https",
    category=UserWarning,
    module=r"solara\.server\.starlette$",
)

settings = Settings.from_env(os.environ)
params = model_params(
    settings.scenario_file, settings.lang, settings.seed, settings.scale, settings.start
)
title = (
    f"{t(settings.lang, 'dashboard.title')}: {load(settings.scenario_file).name[settings.lang]}"
)


@solara.component_vue("ticker.vue")
def Ticker(months: int, interval: int, event_tick: Callable):  # noqa: N802 (a Solara component)
    """While shown, calls ``event_tick`` ``interval`` ms after each new ``months`` (see the .vue).

    The steps run in the session's event handler, like a click on the step button: no thread
    changes the page while it renders, and nothing runs once the session is gone.
    """


def new_model(values: dict[str, object]) -> DashboardModel:
    """A model built from the inputs' values (raises InputError for a bad value)."""
    return DashboardModel(**model_kwargs(params, values))


@solara.component
def Page():  # noqa: N802 (a Solara component)
    """The whole page; every piece of state below is this browser session's own."""
    lang = settings.lang
    # use_memo: the first values are made once; use_reactive would follow a new argument
    start = solara.use_memo(lambda: start_values(params), [])
    values = solara.use_reactive(start)  # the inputs as the visitor has set them
    applied = solara.use_reactive(start)  # the values the running model was built with
    model = solara.use_reactive(solara.use_memo(lambda: new_model(start), []))
    months = solara.use_reactive(0)  # months simulated: a new value redraws the panels
    playing = solara.use_reactive(False)
    error = solara.use_reactive(None)

    def step() -> None:
        model.value.step()
        months.set(model.value.months)

    def reset() -> None:
        playing.set(False)
        try:
            fresh = new_model(values.value)
        except (InputError, ValueError) as exc:
            error.set(str(exc))
            return
        error.set(None)
        applied.set(values.value)
        model.set(fresh)
        months.set(0)

    solara.Title(title)
    with solara.AppBar():
        solara.AppBarTitle(title)
    with solara.Sidebar(), solara.Column():
        RunCard(
            playing.value,
            on_play=lambda: playing.set(not playing.value),
            on_step=step,
            on_reset=reset,
            error=error.value,
            lang=lang,
        )
        ParamCard(inputs(params), values, values.value != applied.value, lang)
        if playing.value:
            Ticker(
                months=months.value, interval=PLAY_INTERVAL_MS, event_tick=lambda _=None: step()
            )
    with solara.Column():
        InfoCard(model.value, months.value, lang)
        PanelGrid(model.value, months.value, lang)
