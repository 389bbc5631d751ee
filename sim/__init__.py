"""Agent-based simulation of youth (15-29) moving through school, NAV and health services.

The public API for notebooks lives in :mod:`sim.api`. The package is laid out by question, each
package importing only those before it: :mod:`sim.core` (one run), :mod:`sim.services` (the
service agents, the plugin API), :mod:`sim.run` (many runs, stored and resumed),
:mod:`sim.analysis` (what results mean), :mod:`sim.present` (how they are shown) and
:mod:`sim.cli` (the command line).

Deprecated names: ``sim.population``, ``sim.params``, ``sim.scenario`` and ``sim.runner`` are
aliases of their new modules for plugins and notebooks written against them; importing one
warns (``DeprecationWarning``) and returns the module itself.
"""

import importlib
import importlib.abc
import importlib.util
import sys
import warnings

__version__ = "0.1.0"

ALIASES = {
    "sim.population": "sim.core.population",
    "sim.params": "sim.core.params",
    "sim.scenario": "sim.core.scenario",
    "sim.runner": "sim.run.runner",
}


class _Aliases(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolves a deprecated module name to its new module (loaded only when asked for)."""

    def __init__(self):
        self._specs: dict[str, tuple] = {}

    def find_spec(self, fullname, path, target=None):
        """A spec for a deprecated name, else None (the normal finders go on)."""
        if fullname in ALIASES:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        """The new module itself, so both names share one module object."""
        new = ALIASES[spec.name]
        warnings.warn(
            f"{spec.name} is deprecated: import {new}",
            DeprecationWarning,
            stacklevel=2,
            skip_file_prefixes=("<frozen importlib",),  # point at the importing code
        )
        module = importlib.import_module(new)
        self._specs[spec.name] = (module.__spec__, module.__loader__)
        return module

    def exec_module(self, module):
        """Keep the new module's own spec (importlib set the alias's on it)."""
        spec, loader = self._specs.pop(module.__spec__.name, (None, None))
        if spec is not None:
            module.__spec__, module.__loader__ = spec, loader


if not any(isinstance(f, _Aliases) for f in sys.meta_path):
    sys.meta_path.insert(0, _Aliases())
