"""The output layers of a model: one head per task output, float32 so that softmax and losses stay exact."""

from __future__ import annotations

from keras import layers

from .tasks import Output


def heads(x, outputs):
    """The model's output layers on ``x``.

    Parameters
    ----------
    x : KerasTensor
    outputs : int or list of ser_keras.tasks.Output
        A number of classes is one softmax head ``emotion`` (the paper's).

    Returns
    -------
    KerasTensor, or dict of output name -> KerasTensor when there are several heads.
    """
    if isinstance(outputs, int):
        outputs = [Output("emotion", outputs, "softmax")]
    # float32 heads keep softmax and losses exact under mixed precision.
    tensors = {
        output.name: layers.Dense(output.units, activation=output.activation, name=output.name, dtype="float32")(x)
        for output in outputs
    }
    return next(iter(tensors.values())) if len(tensors) == 1 else tensors
