"""The Solara page of ``sim dashboard``: one :class:`DashboardModel` per browser session.

Run it through ``sim dashboard`` (which sets the ``SIM_DASHBOARD_*`` variables, binds to
127.0.0.1 and switches off the version check and telemetry), or directly::

    SOLARA_TELEMETRY_MIXPANEL_ENABLE=false solara run sim/present/dashboard/app.py \
        --host 127.0.0.1 --no-open --no-check-version

Solara renders :func:`Page` once per browser session (a virtual kernel), so the model, the
input values and the play state made with ``use_memo``/``use_reactive`` inside it belong to
that session alone: a second visitor starts at the start month, whatever the first one did.
The controls are the project's own (:mod:`~sim.present.dashboard.controls`), so every word on
the page comes from :mod:`sim.present.i18n`.
"""

from __future__ import annotations

import os
import threading
import warnings

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

PLAY_INTERVAL_S = 0.3  # pause between months while playing (drawing the panels adds to it)

# Solara warns on every page load over plain HTTP from a host name other than "localhost":
# it would like a SameSite=None session cookie (for pages embedded in an iframe), which
# browsers accept only over HTTPS, and says it falls back to SameSite=Lax. The dashboard is
# served over HTTP on 127.0.0.1 (or the interface given to --host) and never embedded, so Lax
# is the right cookie and there is nothing to fix; solara 1.58 has no setting for it.
warnings.filterwarnings(
    "ignore",
    message="Cookies with samesite=none require https",
    category=UserWarning,
    module=r"solara\.server\.starlette",
)

settings = Settings.from_env(os.environ)
params = model_params(
    settings.scenario_file, settings.lang, settings.seed, settings.scale, settings.start
)
title = (
    f"{t(settings.lang, 'dashboard.title')}: {load(settings.scenario_file).name[settings.lang]}"
)


def new_model(values: dict[str, object]) -> DashboardModel:
    """A model built from the inputs' values (raises InputError for a bad value)."""
    return DashboardModel(**model_kwargs(params, values))


@solara.component
def Page():  # noqa: N802 (a Solara component)
    """The whole page; every piece of state below is this browser session's own."""
    lang = settings.lang
    values = solara.use_reactive(solara.use_memo(lambda: start_values(params), []))
    applied = solara.use_reactive(values.value)  # the values the running model was built with
    model = solara.use_reactive(solara.use_memo(lambda: new_model(values.value), []))
    months = solara.use_reactive(0)  # months simulated: a new value redraws the panels
    playing = solara.use_reactive(False)
    error = solara.use_reactive(None)
    lock = solara.use_memo(threading.Lock, [])

    def step(current: DashboardModel) -> None:
        with lock:
            current.step()
        if current is model.value:
            months.set(current.months)

    def play(cancel: threading.Event) -> None:
        current = model.value
        while playing.value and not cancel.is_set():
            step(current)
            cancel.wait(PLAY_INTERVAL_S)

    solara.use_thread(play, dependencies=[playing.value], intrusive_cancel=False)

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
            on_step=lambda: step(model.value),
            on_reset=reset,
            error=error.value,
            lang=lang,
        )
        ParamCard(inputs(params), values, values.value != applied.value, lang)
    with solara.Column():
        InfoCard(model.value, months.value, lang)
        PanelGrid(model.value, months.value, lang)
