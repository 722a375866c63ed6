"""Losses that Keras does not ship: the concordance correlation loss of dimensional emotion."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="ser_keras")
def ccc_loss(y_true, y_pred):
    """``1 - CCC`` over the batch (Atmaja and Akagi's CCCL), with population statistics.

    CCC = 2 cov(x, y) / (var(x) + var(y) + (mean(x) - mean(y))^2), as
    :func:`ser_keras.evaluation.metrics.ccc` computes it on NumPy arrays. It is a
    property of the whole batch, not of single utterances: the loss is one number.

    Parameters
    ----------
    y_true, y_pred : tensor, shape (batch, 1) or (batch,)

    Returns
    -------
    scalar tensor
        0 for a perfect prediction, 1 for no concordance, up to 2.
    """
    y_true = ops.reshape(ops.cast(y_true, y_pred.dtype), (-1,))
    y_pred = ops.reshape(y_pred, (-1,))
    mean_true, mean_pred = ops.mean(y_true), ops.mean(y_pred)
    covariance = ops.mean((y_true - mean_true) * (y_pred - mean_pred))
    denominator = ops.var(y_true) + ops.var(y_pred) + ops.square(mean_true - mean_pred)
    return 1.0 - 2.0 * covariance / (denominator + keras.config.epsilon())
