"""Fitting one system on one fold through its trainer, and the sequence helpers the systems' inputs use.

The runner (:mod:`ser_keras.runner`) calls :func:`fit_and_predict` for every fold and
seed; the trainer the system names (:mod:`ser_keras.trainers`) does the fitting. The
helpers here (standardisation statistics, trimming padded time axes) serve the systems'
own modules.
"""

from __future__ import annotations

import numpy as np

from .pipeline import real_steps
from .trainers import Execution, FoldData, get_trainer


def standardisation_statistics(frames, lengths, rows):
    """Mean and standard deviation of the real frames of the given rows (padding excluded).

    Parameters
    ----------
    frames : np.ndarray, shape (N, T, F)
    lengths : np.ndarray of int, shape (N,)
    rows : np.ndarray of int
        The training rows: statistics never see test data.

    Returns
    -------
    mean, std : np.ndarray, float32, shape (F,)
        ``std`` is at least 1e-8 so constant features do not divide by zero.
    """
    stacked = np.concatenate([frames[row, : lengths[row]] for row in rows]).astype(np.float64)
    return stacked.mean(axis=0).astype(np.float32), np.maximum(stacked.std(axis=0), 1e-8).astype(np.float32)


def longest_real(sequences):
    """Steps up to the last non-zero step of any row (at least 1).

    Counted from the array itself because in Speech2Vec acoustic mode the aligned
    words, not the transcript's tokens, fill the rows.
    """
    return int(real_steps({"x": sequences})["x"].max())


def trimmed(sequences, trim):
    """``sequences`` cut to :func:`longest_real` steps when ``trim``, contiguous; else as they are."""
    return np.ascontiguousarray(sequences[:, : longest_real(sequences)]) if trim else sequences


def fit_and_predict(system, settings, training, data, execution=None):
    """Fit a fresh model of ``system`` on ``data.train`` and predict ``data.test``.

    Parameters
    ----------
    system : ser_keras.systems.System
    settings : dataclass
        The system's model settings.
    training : ser_keras.systems.Training
    data : ser_keras.trainers.FoldData
    execution : ser_keras.trainers.Execution, optional

    Returns
    -------
    dict
        ``model``, ``history`` (dict of per-epoch lists; empty for a trainer without
        epochs), ``outputs`` (raw outputs of the test rows by output name) and, when a
        validation split selected the epoch, ``validation_outputs`` (of its rows).
    """
    execution = execution or Execution()
    trainer = get_trainer(system.trainer)
    model, history, held_out = trainer.fit(system, settings, training, data, execution)

    def predict(rows):
        # The rows the fit watched have their inputs built already (the test rows under fixed epochs).
        built = held_out[1] if held_out is not None and np.array_equal(held_out[0], rows) else None
        return trainer.predict(system, model, settings, data.arrays, rows, data.outputs, execution,
                               training.batch_size, inputs=built)  # fmt: skip

    result = {"model": model, "history": history, "outputs": predict(data.test)}
    if training.selection == "validation" and trainer.selects_epochs:
        # Kept for late fusion, which is trained on these (never on the test rows).
        result["validation_outputs"] = predict(data.validation)
    return result


__all__ = ["Execution", "FoldData", "fit_and_predict", "longest_real", "standardisation_statistics", "trimmed"]
