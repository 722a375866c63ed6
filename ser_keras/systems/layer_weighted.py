"""A learned weighted sum of a speech encoder's layers, then a small classifier: the project's own.

Not a paper's system. The self-supervised speech benchmarks read a frozen encoder through a
softmax-weighted sum of all its layers, learnt with the task, because the last layer is
not always the best for it. Here each utterance is the mean and standard deviation of its
frames at every layer of a Whisper encoder (``encoder_layer_stats``, (L + 1, 2 D)); the
model standardises them with the training rows' statistics, learns one weight per layer
(:class:`ser_keras.layers.LayerWeightedSum`), and classifies the sum with one hidden layer.
The weights learnt are in the saved model (``model.get_layer("layer_weights").layer_weights()``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from . import KerasSystem, Training, register


@dataclass(frozen=True)
class LayerWeightedSettings:
    """Hidden units and dropout of the classifier after the weighted sum."""

    units: int = 128
    dropout: float = 0.3

    def to_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class LayerWeighted(KerasSystem):
    def arrays(self, settings):
        return ["encoder_layer_stats"]

    def inputs(self, arrays, rows, settings, trim=False):
        return {"encoder_layer_stats": np.asarray(arrays["encoder_layer_stats"][rows], dtype=np.float32)}

    def build(self, arrays, train, outputs, settings):
        import keras
        from keras import layers

        from ..heads import heads
        from ..layers import LayerWeightedSum

        values = np.asarray(arrays["encoder_layer_stats"][np.sort(train)], dtype=np.float64)
        inputs = keras.Input(shape=values.shape[1:], name="encoder_layer_stats")
        # Standardised with the training rows' statistics, kept in the model for new audio.
        variance = np.maximum(values.var(axis=0), 1e-12)
        x = layers.Normalization(axis=(1, 2), mean=values.mean(axis=0), variance=variance)(inputs)
        x = LayerWeightedSum(name="layer_weights")(x)
        x = layers.Dense(settings.units, activation="relu", name="hidden")(x)
        x = layers.Dropout(settings.dropout, name="dropout")(x)
        return keras.Model(inputs, heads(x, outputs), name="layer_weighted")


register(
    LayerWeighted(
        name="project/layer-weighted",
        aliases=("layer-weighted",),
        paper="the project's: a learned weighted sum of a frozen encoder's layers, as the self-supervised speech "
        "benchmarks read them (SUPERB), on per-utterance statistics",
        summary="softmax weights over every Whisper encoder layer's mean and std of frames, Dense 128, softmax",
        reads=("encoder_layer_stats",),
        settings=LayerWeightedSettings,
        training=Training(epochs=40, batch_size=32, selection="validation", patience=8, monitor="loss"),
        protocol="loso",
        deviations=("not a paper's system: the benchmarks' weighted sum is over frames, here over their statistics",),
    )
)
