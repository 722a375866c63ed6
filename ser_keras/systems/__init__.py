"""The registry of systems: every reimplemented paper model, and any system a user adds.

A system is one module that calls :func:`register` at import time. The modules of
this package are found and imported on first use; so are the modules named by the
``ser_keras.systems`` entry-point group of installed packages and by the environment
variable ``SER_KERAS_SYSTEMS`` (comma-separated importable module names). Nothing
else in the project knows a system by name.
"""

from __future__ import annotations

import importlib
import os
import pkgutil

from .base import KerasSystem, NoSettings, SklearnSystem, System, Training

_REGISTRY: dict[str, System] = {}
_DISCOVERED = False


def register(system):
    """Add a system to the registry and return it.

    Raises
    ------
    ValueError
        When another system already has the name.
    """
    existing = _REGISTRY.get(system.name)
    if existing is not None and existing is not system:
        raise ValueError(f"a system named {system.name!r} is already registered ({existing.paper})")
    _REGISTRY[system.name] = system
    return system


def discover():
    """Import every system module once (this package, entry points, ``SER_KERAS_SYSTEMS``)."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    _DISCOVERED = True
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")
    from importlib.metadata import entry_points

    for entry_point in entry_points(group="ser_keras.systems"):
        entry_point.load()
    for name in filter(None, (part.strip() for part in os.environ.get("SER_KERAS_SYSTEMS", "").split(","))):
        importlib.import_module(name)


def get_system(name):
    """The registered system called ``name``.

    Raises
    ------
    ValueError
        With the names available, when there is none.
    """
    discover()
    if name not in _REGISTRY:
        raise ValueError(f"no system named {name!r}; available: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


def available():
    """Every registered system, by name."""
    discover()
    return dict(sorted(_REGISTRY.items()))


__all__ = [
    "KerasSystem",
    "NoSettings",
    "SklearnSystem",
    "System",
    "Training",
    "available",
    "discover",
    "get_system",
    "register",
]
