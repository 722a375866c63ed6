"""The paper's models with the Keras functional API, one builder each.

* :func:`build_acoustic_model` (section 4.1): Bi-LSTM over the 34 acoustic features, Dense 256, softmax.
* :func:`build_embedding_model` (4.2): Bi-LSTM over word embeddings, two Dense 256 each followed by
  dropout 0.3, softmax.
* :func:`build_multimodal_model` (4.3, Figure 1): ENC1 (acoustic Bi-LSTM, Dense 256) and ENC2
  (speech-embedding Bi-LSTM, Dense 256) concatenated, Dense 256, softmax.

Inputs are named ``acoustic`` (200, 34), ``speech_embeddings`` (128, D) or, with
``trainable_embeddings=True``, ``tokens`` (128,) read through an Embedding layer initialised
from the bundle's embedding matrix and trained with the rest (section 2.4).

Padding never changes a prediction: the first layer of each encoder masks padded steps
(all-zero frames, padding token 0), so each Bi-LSTM's "last time step" is the last real
frame or word.
"""

from __future__ import annotations

import keras
from keras import layers

from ...distribute import gpu_available
from ...features.acoustic import MAX_FRAMES, N_FEATURES
from ...features.text import MAX_WORDS
from ...heads import heads
from ...layers import MaskedStandardization, vector_embedding
from .settings import KrishnaReddySettings

EMBEDDING_DIM = 50  # sections 4.2, 4.3 (Table 3 also tries 100, 200, 300)


def acoustic_input(variable_length=False):
    """``acoustic``: (200, 34) float32, or (None, 34) with ``variable_length``."""
    steps = None if variable_length else MAX_FRAMES
    return keras.Input(shape=(steps, N_FEATURES), name="acoustic")


def acoustic_encoder(inputs, config=KrishnaReddySettings(), mean=None, std=None):
    """ENC1: masked standardisation, Bi-LSTM (last real frame, fwd + bwd = 256), Dense 256.

    Returns
    -------
    KerasTensor, shape (batch, dense_units)
    """
    x = MaskedStandardization(mean, std, name="acoustic_standardization")(inputs)
    x = layers.Bidirectional(_lstm(config), name="acoustic_bilstm")(x)
    return layers.Dense(config.dense_units, activation="relu", name="acoustic_dense")(x)


def embedding_input(embedding_dim=EMBEDDING_DIM, trainable_embeddings=False, variable_length=False):
    """``speech_embeddings`` (128, D) float32, or ``tokens`` (128,) int32; None steps if variable."""
    steps = None if variable_length else MAX_WORDS
    if trainable_embeddings:
        return keras.Input(shape=(steps,), dtype="int32", name="tokens")
    return keras.Input(shape=(steps, embedding_dim), name="speech_embeddings")


def embedding_encoder(inputs, config=KrishnaReddySettings(), embedding_matrix=None):
    """ENC2's recurrent part: (trainable Embedding,) masking, Bi-LSTM (last real word).

    Parameters
    ----------
    inputs : KerasTensor
        ``speech_embeddings`` vectors, or ``tokens`` when ``embedding_matrix`` is given.
    embedding_matrix : np.ndarray, shape (V, D), optional
        Initial weights of a trainable Embedding layer (section 2.4).

    Returns
    -------
    KerasTensor, shape (batch, 2 * lstm_units)
    """
    if embedding_matrix is not None:
        x = vector_embedding(embedding_matrix, "speech_embedding_table")(inputs)
    else:
        x = layers.Masking(mask_value=0.0, name="speech_embedding_mask")(inputs)
    return layers.Bidirectional(_lstm(config), name="speech_bilstm")(x)


def _lstm(config):
    # With no recurrent dropout on a GPU, cuDNN is required rather than hoped for: Keras
    # then raises instead of silently falling back to a kernel many times slower.
    use_cudnn = True if config.recurrent_dropout == 0 and gpu_available() else "auto"
    return layers.LSTM(
        config.lstm_units,
        dropout=config.input_dropout,
        recurrent_dropout=config.recurrent_dropout,
        use_cudnn=use_cudnn,
    )


def build_acoustic_model(outputs, config=KrishnaReddySettings(), mean=None, std=None, variable_length=False):
    """Section 4.1: acoustic features only.

    Parameters
    ----------
    outputs : int or list of ser_keras.tasks.Output
        Number of classes, or the heads (:func:`heads`).
    config : KrishnaReddySettings
    mean, std : array-like, shape (34,), optional
        Standardisation statistics of the training split.
    variable_length : bool
        Accept any number of frames (masking makes the answer independent of padding),
        so training can cut the padding away; the default is the paper's fixed 200.

    Returns
    -------
    keras.Model
        ``acoustic`` (batch, 200, 34) -> class probabilities (batch, n_classes); uncompiled.
    """
    inputs = acoustic_input(variable_length)
    x = acoustic_encoder(inputs, config, mean, std)
    # Inputs by name, as the fused model takes them: callers pass the same dict to all three.
    return keras.Model({"acoustic": inputs}, heads(x, outputs), name="acoustic_model")


def build_embedding_model(
    outputs, config=KrishnaReddySettings(), embedding_dim=EMBEDDING_DIM, embedding_matrix=None, variable_length=False
):
    """Section 4.2: speech (or word) embeddings only.

    Parameters
    ----------
    outputs : int or list of ser_keras.tasks.Output
    config : KrishnaReddySettings
    embedding_dim : int
        D of the ``speech_embeddings`` input.
    embedding_matrix : np.ndarray, shape (V, D), optional
        Given: the input is ``tokens`` and a trainable Embedding layer starts from it.
    variable_length : bool
        Accept any number of words (see :func:`build_acoustic_model`).

    Returns
    -------
    keras.Model
        Uncompiled.
    """
    inputs = embedding_input(embedding_dim, embedding_matrix is not None, variable_length)
    x = embedding_encoder(inputs, config, embedding_matrix)
    for index in (1, 2):
        x = layers.Dense(config.dense_units, activation="relu", name=f"speech_dense_{index}")(x)
        x = layers.Dropout(config.dense_dropout, name=f"speech_dropout_{index}")(x)
    return keras.Model({inputs.name: inputs}, heads(x, outputs), name="embedding_model")


def build_multimodal_model(
    outputs,
    config=KrishnaReddySettings(),
    embedding_dim=EMBEDDING_DIM,
    embedding_matrix=None,
    mean=None,
    std=None,
    variable_length=False,
):
    """Section 4.3: ENC1 and ENC2 fused.

    ENC1: Bi-LSTM over acoustic frames, Dense 256. ENC2: Bi-LSTM over word embeddings,
    Dense 256. The two 256-d outputs are concatenated, passed through Dense 256 and a
    softmax; every dense layer is followed by dropout 0.3.

    Returns
    -------
    keras.Model
        Inputs ``[acoustic, speech_embeddings | tokens]``; 614,148 parameters for D = 50
        and 4 classes (no Embedding layer); uncompiled.
    """
    acoustic = acoustic_input(variable_length)
    words = embedding_input(embedding_dim, embedding_matrix is not None, variable_length)
    enc1 = layers.Dropout(config.dense_dropout, name="acoustic_dropout")(acoustic_encoder(acoustic, config, mean, std))
    enc2 = embedding_encoder(words, config, embedding_matrix)
    enc2 = layers.Dense(config.dense_units, activation="relu", name="speech_dense")(enc2)
    enc2 = layers.Dropout(config.dense_dropout, name="speech_dropout")(enc2)
    fused = layers.Concatenate(name="fusion")([enc1, enc2])
    x = layers.Dense(config.dense_units, activation="relu", name="fusion_dense")(fused)
    x = layers.Dropout(config.dense_dropout, name="fusion_dropout")(x)
    return keras.Model([acoustic, words], heads(x, outputs), name="multimodal_model")
