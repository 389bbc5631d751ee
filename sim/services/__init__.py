"""Service agents, one per file, and the registry that scenarios and plugins use.

Built-in services register here; a plugin registers its own class with :func:`register`
(from Python: the ``sim.services`` entry-point group or ``--plugin MODULE``), never by naming
code in a scenario file.
"""

from __future__ import annotations

REGISTRY: dict[str, type] = {}


def register(cls: type) -> type:
    """Register a service class under its ``name`` (usable as a decorator)."""
    REGISTRY[cls.name] = cls
    return cls
