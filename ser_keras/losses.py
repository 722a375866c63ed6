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


@keras.saving.register_keras_serializable(package="ser_keras")
class ClassBalancedCrossEntropy(keras.losses.Loss):
    """MATE's class-balanced loss: binary cross-entropy of each class against its vote share, weighted.

    As the authors' ``loss.py`` (``nn.BCELoss(weight=w)`` on the softmax outputs) with the
    targets of their ``dataset.py``: the training target is the share of the annotators'
    votes each class got (the same soft target as the KL term), not the gold classes.
    Class j's term ``-(s_j log p_j + (1 - s_j) log(1 - p_j))`` is weighted ``weights[j]``
    and the terms are averaged over classes.

    Parameters
    ----------
    weights : sequence of float, length C
        From :func:`ser_keras.systems.mate.class_balanced_weights`.
    """

    def __init__(self, weights, name="class_balanced_cross_entropy", **kwargs):
        super().__init__(name=name, **kwargs)
        self.weights = [float(weight) for weight in weights]

    def call(self, y_true, y_pred):
        shares = ops.cast(y_true, y_pred.dtype)
        probabilities = ops.clip(y_pred, keras.config.epsilon(), 1.0 - keras.config.epsilon())
        cross_entropy = -(shares * ops.log(probabilities) + (1.0 - shares) * ops.log(1.0 - probabilities))
        return ops.mean(ops.convert_to_tensor(self.weights, dtype=y_pred.dtype) * cross_entropy, axis=-1)

    def get_config(self):
        return {**super().get_config(), "weights": self.weights}
