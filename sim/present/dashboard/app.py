"""The Solara app of ``sim dashboard``: Mesa's SolaraViz around :class:`DashboardModel`.

Run it through ``sim dashboard`` (which sets the ``SIM_DASHBOARD_*`` variables, binds to
127.0.0.1 and switches off the version check and telemetry), or directly::

    SOLARA_TELEMETRY_MIXPANEL_ENABLE=false solara run sim/present/dashboard/app.py \
        --host 127.0.0.1 --no-open --no-check-version
"""

import os

from mesa.visualization import SolaraViz

from sim.present.dashboard.model import DashboardModel, model_params
from sim.present.dashboard.panels import components
from sim.present.dashboard.settings import Settings
from sim.present.i18n import t

PLAY_INTERVAL_MS = 300

settings = Settings.from_env(os.environ)
model = DashboardModel(
    scenario_file=settings.scenario_file,
    seed=settings.seed,
    scale=settings.scale,
    start=settings.start,
)
title = f"{t(settings.lang, 'dashboard.title')}: {model.definition.name[settings.lang]}"
page = SolaraViz(
    model,
    components=components(settings.lang),
    model_params=model_params(
        settings.scenario_file, settings.lang, settings.seed, settings.scale, settings.start
    ),
    name=title,
    play_interval=PLAY_INTERVAL_MS,
)
