"""The steering-group report: one self-contained HTML file in Norwegian bokmål or English.

``build_report(results_dir, lang="nb")`` is the entry point (also ``sim report``). The words
live in the catalogues of :mod:`sim.present.i18n`; numbers are formatted by its :class:`Lang`.
"""
