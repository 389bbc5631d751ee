"""Service agents, one per file, the recorders beside them, and the registry a model is made from.

:data:`REGISTRY` maps a name to a module class (a service or a recorder), in the order the
classes were registered. This package registers its own classes when it is imported
(:mod:`sim.services.builtin`: today's system, in the order every model creates them); a
plugin registers its class with :func:`register` when it is imported (from Python: the
``sim.services`` entry-point group or ``--plugin MODULE``), never by naming code in a scenario
file. :func:`create_all`, which the run layer hands the model, creates every registered class
through its one constructor, ``cls.create(model)`` (see :mod:`sim.core.module`).
"""

from __future__ import annotations

import warnings

from sim.core.model import check_declaration

REGISTRY: dict[str, type] = {}


def register(cls: type) -> type:
    """Register a service or recorder class: every model creates it (usable as a decorator).

    A plugin service must be inert when its capacity parameter is zero, so that adding it
    with zero capacity reproduces the baseline tables exactly.

    Raises:
        ValueError: the class declares an unknown phase, kind or hazard decision, takes
            the name of one of this package's classes, or declares bad unit costs
            (:mod:`sim.services.declared_costs`).
    """
    check_declaration(cls)
    known = REGISTRY.get(cls.name)
    if known is not None and known is not cls and not is_plugin(known):
        raise ValueError(f"{cls.name!r} is a built-in module; give the plugin its own name")
    if getattr(cls, "unit_costs", None) is not None:
        from sim.services.declared_costs import check_new

        check_new(cls, REGISTRY)  # its unit costs are read and checked now, at import
    REGISTRY[cls.name] = cls
    return cls


def register_plugin(cls: type) -> type:
    """Deprecated name of :func:`register`, kept for plugins written before the one registry."""
    warnings.warn(
        "sim.services.register_plugin is deprecated: use sim.services.register",
        DeprecationWarning,
        stacklevel=2,
    )
    return register(cls)


def is_plugin(cls: type) -> bool:
    """Whether a registered class comes from outside this package."""
    return not cls.__module__.startswith(__name__ + ".")


def plugins() -> dict[str, type]:
    """The registered plugin classes by name, in name order."""
    return {name: cls for name, cls in sorted(REGISTRY.items()) if is_plugin(cls)}


def create_all(model) -> list:
    """Every service and recorder of a run: this package's in order, then plugins by name."""
    own = [cls for cls in REGISTRY.values() if not is_plugin(cls)]
    return [module for cls in [*own, *plugins().values()] for module in _made(cls, model)]


def _made(cls: type, model) -> list:
    """``cls.create(model)`` as a list (a plugin of the earlier API returns one instance)."""
    made = cls.create(model)
    return list(made) if isinstance(made, list | tuple) else [made]


from sim.services import builtin  # noqa: E402, F401  (registers this package's classes)
