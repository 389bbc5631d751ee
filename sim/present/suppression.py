"""Small-cell suppression, shared by the plots and the report's tables.

A figure or table cell resting on fewer than :data:`MIN_N` simulated youth (the ``n`` column
of the tables, in some replicate) is not shown: the plots leave it out and the report prints
``–`` with a footnote.
"""

from __future__ import annotations

MIN_N = 20  # small-cell suppression: figures resting on fewer simulated youth are hidden
