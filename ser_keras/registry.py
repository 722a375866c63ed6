"""The one registry idiom of the project: systems, feature sets, trainers, tasks, corpora and protocols.

A registry maps names to plug-ins. Each plug-in module calls :meth:`Registry.register` at
import time; a registry with a ``package`` imports that package's modules on first use,
then the modules named by its entry-point group of installed packages and by its
environment variable (comma-separated importable module names). So adding a plug-in is
one new module, and nothing else in the project knows it by name.
"""

from __future__ import annotations

import importlib
import os
import pkgutil


class Registry:
    """Named plug-ins of one kind, found on first use.

    Parameters
    ----------
    kind : str
        What the registry holds, for error messages ("system", "feature set").
    package : str or tuple of str, optional
        Packages whose modules register plug-ins when imported (a paper's package may
        register plug-ins of several kinds: its systems and its fusion method).
    skip : tuple of str
        Modules of ``package`` that register nothing (its base classes).
    entry_points : str, optional
        An entry-point group naming modules of installed packages.
    environment : str, optional
        An environment variable naming further modules, comma-separated.
    """

    def __init__(self, kind, package=None, skip=(), entry_points=None, environment=None):
        self.kind = kind
        self.package = package
        self.skip = tuple(skip)
        self.entry_points = entry_points
        self.environment = environment
        self._items = {}
        self._aliases = {}
        self._discovered = False

    def register(self, item, aliases=()):
        """Add ``item`` under ``item.name`` (and any ``aliases``) and return it.

        Raises
        ------
        ValueError
            When another item already has the name.
        """
        for name in (item.name, *aliases):
            existing = self._items.get(name) or self._items.get(self._aliases.get(name))
            if existing is not None and existing is not item:
                raise ValueError(f"a {self.kind} named {name!r} is already registered")
        self._items[item.name] = item
        self._aliases.update({alias: item.name for alias in aliases})
        return item

    def discover(self):
        """Import every plug-in module once (the package's, entry points, the environment variable)."""
        if self._discovered:
            return
        self._discovered = True
        for name in (self.package,) if isinstance(self.package, str) else self.package or ():
            package = importlib.import_module(name)
            for module in pkgutil.iter_modules(package.__path__):
                if module.name not in self.skip and not module.name.startswith("_"):
                    importlib.import_module(f"{name}.{module.name}")
        if self.entry_points:
            from importlib.metadata import entry_points

            for entry_point in entry_points(group=self.entry_points):
                entry_point.load()
        if self.environment:
            for name in filter(None, (part.strip() for part in os.environ.get(self.environment, "").split(","))):
                importlib.import_module(name)

    def get(self, name):
        """The item called ``name`` (or by an alias).

        Raises
        ------
        ValueError
            With the names available, when there is none.
        """
        self.discover()
        name = self._aliases.get(name, name)
        if name not in self._items:
            raise ValueError(f"no {self.kind} named {name!r}; available: {', '.join(sorted(self._items))}")
        return self._items[name]

    def available(self):
        """Every registered item, by name."""
        self.discover()
        return dict(sorted(self._items.items()))

    def aliases(self):
        """Alias -> canonical name."""
        self.discover()
        return dict(sorted(self._aliases.items()))

    def __contains__(self, name):
        self.discover()
        return self._aliases.get(name, name) in self._items
