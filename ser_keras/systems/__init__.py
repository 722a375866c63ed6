"""The registry of systems: every reimplemented paper model, and any system a user adds.

A system is one module that calls :func:`register` at import time. The modules of
this package are found and imported on first use; so are the modules named by the
``ser_keras.systems`` entry-point group of installed packages and by the environment
variable ``SER_KERAS_SYSTEMS`` (comma-separated importable module names). Nothing
else in the project knows a system by name.
"""

from __future__ import annotations

from ..registry import Registry
from .base import KerasSystem, NoSettings, Preset, SklearnSystem, System, Training

SYSTEMS = Registry(
    "system", __name__, skip=("base",), entry_points="ser_keras.systems", environment="SER_KERAS_SYSTEMS"
)


def register(system, aliases=()):
    """Add a system to the registry (under its name, its own ``aliases`` and these) and return it.

    Raises
    ------
    ValueError
        When another system already has the name.
    """
    return SYSTEMS.register(system, tuple(system.aliases) + tuple(aliases))


def discover():
    """Import every system module once (this package, entry points, ``SER_KERAS_SYSTEMS``)."""
    SYSTEMS.discover()


def get_system(name):
    """The registered system called ``name`` (or by an alias).

    Raises
    ------
    ValueError
        With the names available, when there is none.
    """
    return SYSTEMS.get(name)


def available():
    """Every registered system, by name."""
    return SYSTEMS.available()


__all__ = [
    "SYSTEMS",
    "KerasSystem",
    "NoSettings",
    "Preset",
    "SklearnSystem",
    "System",
    "Training",
    "available",
    "discover",
    "get_system",
    "register",
]
