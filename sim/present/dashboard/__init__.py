"""Interactive dashboard: one scenario month by month in the browser (Mesa SolaraViz).

Modules: :mod:`~sim.present.dashboard.model` (the Mesa model SolaraViz drives, with slider
overrides), :mod:`~sim.present.dashboard.data` (panel data from the monthly rows),
:mod:`~sim.present.dashboard.panels` (figures and Solara components),
:mod:`~sim.present.dashboard.settings`
(options handed from ``sim dashboard`` to the app) and :mod:`~sim.present.dashboard.app` (the
page ``solara run`` serves). Start it with ``sim dashboard``.
"""
