"""The steering-group report: one self-contained HTML file in Norwegian bokmål or English.

``build_report(results_dir, lang="nb")`` is the entry point (also ``sim report``). The words
live in ``i18n/<lang>.toml``; numbers are formatted by :class:`sim.present.report.i18n.Lang`.
"""
