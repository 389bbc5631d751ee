"""Interactive dashboard: one scenario month by month in the browser (Mesa SolaraViz).

Modules: :mod:`~sim.dashboard.model` (the Mesa model SolaraViz drives, with slider overrides),
:mod:`~sim.dashboard.data` (panel data from the monthly rows), :mod:`~sim.dashboard.panels`
(figures and Solara components), :mod:`~sim.dashboard.i18n` (nb/en words),
:mod:`~sim.dashboard.settings` (options handed from ``sim dashboard`` to the app) and
:mod:`~sim.dashboard.app` (the page ``solara run`` serves). Start it with ``sim dashboard``.
"""
