"""Small Keras layers that systems share, registered so that saved models load again.

* :class:`FrameNormalization`: each frame divided by its L2 norm (PyTorch's ``F.normalize``).
* :class:`ImagePreprocessing`: CA-MSER's spectrogram-to-image steps: clip to [0, 1], 8-bit
  quantisation, frequency axis flipped, three identical channels, ImageNet's mean and
  standard deviation.
* :class:`CoAttention`: one weight per encoder frame from a guide vector, the weighted sum.
* :class:`LayerWeightedSum`: a learned softmax weight per encoder layer, the weighted sum
  (the self-supervised benchmarks' way of reading every layer of a pretrained encoder).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


@keras.saving.register_keras_serializable(package="ser_keras")
class FrameNormalization(layers.Layer):
    """``x / max(||x||_2, 1e-12)`` over the last axis: (B, T, F) -> (B, T, F)."""

    def call(self, inputs):
        norms = ops.sqrt(ops.sum(ops.square(inputs), axis=-1, keepdims=True))
        return inputs / ops.maximum(norms, 1e-12)

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="ser_keras")
class ImagePreprocessing(layers.Layer):
    """A min-max scaled spectrogram (B, F, T) as the code's AlexNet input, before resizing: (B, F, T, 3).

    Clip to [0, 1], quantise to 8 bits (the code's ``uint8`` image), flip the frequency
    axis (low frequencies at the bottom of the image), repeat to three channels, then
    ImageNet's per-channel normalisation (torchvision's ``ToTensor`` and ``Normalize``).
    """

    def call(self, inputs):
        image = ops.floor(ops.clip(inputs, 0.0, 1.0) * 255.0) / 255.0
        image = ops.flip(image, axis=1)
        image = ops.repeat(ops.expand_dims(image, -1), 3, axis=-1)
        mean = ops.convert_to_tensor(IMAGENET_MEAN, dtype=image.dtype)
        std = ops.convert_to_tensor(IMAGENET_STD, dtype=image.dtype)
        return (image - mean) / std

    def compute_output_shape(self, input_shape):
        return (*input_shape, 3)


@keras.saving.register_keras_serializable(package="ser_keras")
class CoAttention(layers.Layer):
    """``a . H``: frames (B, T', D) weighted by ``weights`` (B, T') and summed: (B, D).

    CA-MSER's weights come from a ReLU layer, not a softmax (the code's softmax is
    commented out), so they neither sum to one nor stay below it.
    """

    def call(self, inputs):
        weights, frames = inputs
        return ops.sum(ops.expand_dims(weights, -1) * frames, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[1][0], input_shape[1][2])


@keras.saving.register_keras_serializable(package="ser_keras")
class LayerWeightedSum(layers.Layer):
    """``sum_l softmax(w)_l x_l``: inputs (B, L, D) with one learned weight per layer: (B, D).

    The weights start equal (all logits 0), so training begins from the mean of the layers.
    """

    def build(self, input_shape):
        self.logits = self.add_weight(shape=(input_shape[1],), initializer="zeros", trainable=True, name="logits")

    def layer_weights(self):
        """The softmax weights, one per layer (a NumPy array)."""
        return keras.ops.convert_to_numpy(ops.softmax(self.logits))

    def call(self, inputs):
        weights = ops.cast(ops.softmax(self.logits), inputs.dtype)
        return ops.sum(inputs * ops.reshape(weights, (1, -1, 1)), axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])


@keras.saving.register_keras_serializable(package="ser_keras")
class MaskedStandardization(layers.Layer):
    """Standardise real frames with fixed statistics; padded (all-zero) frames stay zero and are masked.

    Holding the training split's statistics inside the model means a saved model
    standardises new audio exactly as in training.

    Parameters
    ----------
    mean, std : array-like, shape (n_features,)
        Statistics of the training split's real frames.
    """

    def __init__(self, mean=None, std=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._initial_mean = None if mean is None else np.asarray(mean, dtype="float32")
        self._initial_std = None if std is None else np.asarray(std, dtype="float32")

    def build(self, input_shape):
        features = input_shape[-1]
        mean = self._initial_mean if self._initial_mean is not None else np.zeros(features, "float32")
        std = self._initial_std if self._initial_std is not None else np.ones(features, "float32")
        self.mean = self.add_weight(
            shape=(features,), initializer=keras.initializers.Constant(mean), trainable=False, name="mean"
        )
        self.std = self.add_weight(
            shape=(features,), initializer=keras.initializers.Constant(std), trainable=False, name="std"
        )

    def compute_mask(self, inputs, mask=None):
        return ops.any(ops.not_equal(inputs, 0), axis=-1)

    def call(self, inputs):
        real = ops.expand_dims(ops.cast(ops.any(ops.not_equal(inputs, 0), axis=-1), inputs.dtype), -1)
        return (inputs - self.mean) / self.std * real

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        # The statistics are weights, saved and restored with the model; not constructor arguments.
        return super().get_config()


def vector_embedding(matrix, name):
    """A trainable Embedding layer initialised from word vectors; token 0 (padding) is masked.

    Parameters
    ----------
    matrix : np.ndarray, shape (V, D)
        Row ``t`` is token ``t``'s initial vector.
    name : str
    """
    vocabulary, dim = matrix.shape
    return layers.Embedding(
        vocabulary, dim, embeddings_initializer=keras.initializers.Constant(matrix), mask_zero=True, name=name
    )
