"""Service agents, one per file, and the registry that scenarios and plugins use.

Built-in services register here; a plugin registers its own class with :func:`register`
(from Python: the ``sim.services`` entry-point group or ``--plugin MODULE``), never by naming
code in a scenario file.
"""

from __future__ import annotations

REGISTRY: dict[str, type] = {}
PLUGINS: dict[str, type] = {}


def register(cls: type) -> type:
    """Register a built-in service class under its ``name`` (usable as a decorator)."""
    REGISTRY[cls.name] = cls
    return cls


def register_plugin(cls: type) -> type:
    """Register a plugin service: every model creates it (``cls.create(model)``).

    A plugin service must be inert when its capacity parameter is zero, so that adding it
    with zero capacity reproduces the baseline tables exactly.
    """
    REGISTRY[cls.name] = cls
    PLUGINS[cls.name] = cls
    return cls


def create_plugins(model) -> list:
    """Instantiate every registered plugin service for a model (in name order)."""
    services = []
    for name in sorted(PLUGINS):
        made = PLUGINS[name].create(model)
        services.extend(made if isinstance(made, list) else [made])
    for service in services:
        service.configure()
    return services


def create_all(model) -> list:
    """Every service agent of a run: today's services (in phase order), then the plugins."""
    from sim.services import builtin

    return builtin.create(model) + create_plugins(model)
