"""Interactive dashboard: one scenario month by month in the browser, one model per session.

Modules: :mod:`~sim.present.dashboard.model` (the Mesa model each session steps, with slider
overrides), :mod:`~sim.present.dashboard.data` (panel data from the monthly rows),
:mod:`~sim.present.dashboard.panels` (figures, the status card and the panel grid),
:mod:`~sim.present.dashboard.controls` (run buttons and parameter inputs),
:mod:`~sim.present.dashboard.settings` (options handed from ``sim dashboard`` to the app) and
:mod:`~sim.present.dashboard.app` (the page ``solara run`` serves). Start it with
``sim dashboard``; docs/dashboard.md describes the page.
"""
