"""What every trainer provides, what it is given for one fold, and how a run executes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PIPELINES = ("arrays", "tf.data", "tf.data-by-length")


@dataclass(frozen=True)
class Execution:
    """How a run executes, as against what it computes: none of these changes a prediction's meaning.

    Attributes
    ----------
    pipeline : {"arrays", "tf.data", "tf.data-by-length"}
        ``arrays``: Keras batches the NumPy arrays (the default). ``tf.data``: a shuffled,
        batched, prefetching ``tf.data`` pipeline. ``tf.data-by-length``: the same with
        utterances of similar length batched together and each batch padded only to its
        own longest row (:func:`ser_keras.pipeline.make_dataset`).
    strategy : tf.distribute.Strategy or None
    trim : bool
        Cut padded time axes to the longest real sequence of the rows used.
    verbose : int
        Keras progress (0 silent, 1 bar, 2 a line per epoch).
    shuffle : bool
        Shuffle the training rows every epoch.
    """

    pipeline: str = "arrays"
    strategy: object = None
    trim: bool = True
    verbose: int = 1
    shuffle: bool = True

    def __post_init__(self):
        if self.pipeline not in PIPELINES:
            raise ValueError(f"pipeline must be one of {PIPELINES}, got {self.pipeline!r}")

    def fingerprint(self):
        """What of the execution a fold's result depends on (the strategy's rounding aside)."""
        return {"pipeline": self.pipeline, "trim": self.trim}


@dataclass
class FoldData:
    """What one fold is trained and tested on.

    Attributes
    ----------
    arrays : dict of str -> np.ndarray
        The bundle arrays the system reads, ``labels`` and the tasks' targets.
    tasks : list of ser_keras.tasks.Task
    outputs : list of ser_keras.tasks.Output
        The tasks' heads, in order.
    targets : dict of str -> np.ndarray
        Per output name, the training targets of every row (from the tasks).
    train, test : np.ndarray of int
    validation : np.ndarray of int or None
        Rows to select the epoch on (held out of ``train``, or the test rows themselves
        under ``selection="test"``).
    seed : int
    groups : np.ndarray or None, shape (N,)
        Speaker of every row, for estimators that cross-validate by speaker.
    """

    arrays: dict
    tasks: list
    outputs: list
    targets: dict
    train: np.ndarray
    test: np.ndarray
    validation: np.ndarray | None = None
    seed: int = 0
    groups: np.ndarray | None = None


class Trainer:
    """Base class: fit a fresh model of a system on a fold, predict rows, save and load it."""

    name = ""
    model_file = ""  # the file name a run folder keeps the model under
    selects_epochs = False  # whether Training.selection chooses what is kept (else the model is fitted once)

    def fit(self, system, settings, training, data, execution):
        """A fresh model fitted on ``data.train``.

        Returns
        -------
        model : object
        history : dict of str -> list of float
            Per-epoch values (empty when the trainer has no epochs).
        held_out : (np.ndarray, object) or None
            Rows whose model inputs the fit built already (those it watched, the test or the
            validation rows) and those inputs, so that :meth:`predict` need not build them again.
        """
        raise NotImplementedError

    def predict(self, system, model, settings, arrays, rows, outputs, execution, batch_size=32, inputs=None):
        """Raw outputs of ``rows`` by output name, one row per utterance (``inputs``: theirs, when built)."""
        raise NotImplementedError

    def save(self, model, folder):
        """Write the model into ``folder``; returns its file name."""
        raise NotImplementedError

    def load(self, path):
        """The model saved at ``path``."""
        raise NotImplementedError

    def describe_selection(self, training):
        """How the kept model was chosen, in words, for reports."""
        raise NotImplementedError

    def describe_training(self, training):
        """The optimiser and batch, in words, for reports and ``--list`` (empty when there are none)."""
        return ""
