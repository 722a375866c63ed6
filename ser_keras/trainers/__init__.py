"""The registry of trainers: how one kind of model is fitted, predicts, is saved and is loaded.

A system names its trainer (``System.trainer``); the runner, prediction and reports ask
the trainer, never the kind of model. Two are registered here, ``keras``
(:mod:`.keras_trainer`) and ``sklearn`` (:mod:`.sklearn_trainer`); more come from the
``ser_keras.trainers`` entry-point group or the ``SER_KERAS_TRAINERS`` environment variable.
"""

from __future__ import annotations

from ..registry import Registry
from .base import Execution, FoldData, Trainer

TRAINERS = Registry(
    "trainer", __name__, skip=("base",), entry_points="ser_keras.trainers", environment="SER_KERAS_TRAINERS"
)


def register_trainer(trainer):
    """Add a trainer to the registry and return it."""
    return TRAINERS.register(trainer)


def get_trainer(name):
    """The registered trainer called ``name``."""
    return TRAINERS.get(name)


__all__ = ["TRAINERS", "Execution", "FoldData", "Trainer", "get_trainer", "register_trainer"]
