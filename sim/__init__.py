"""Agent-based simulation of youth (15-29) moving through school, NAV and health services.

The public API for notebooks lives in :mod:`sim.api`.
"""

__version__ = "0.1.0"
