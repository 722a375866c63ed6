"""Splits, standardisation statistics and fitting: bundle arrays in, a trained model out."""

from __future__ import annotations

import numpy as np

from .config import PaperConfig
from .models import build_acoustic_model, build_embedding_model, build_multimodal_model
from .pipeline import make_dataset, real_steps

MODEL_KINDS = ("acoustic", "embedding", "multimodal")
PIPELINES = ("arrays", "tf.data", "tf.data-by-length")
TEST_SESSION = 5  # section 3: sessions 1-4 train, session 5 test


def paper_split(sessions):
    """The paper's split: sessions 1-4 for training, session 5 for testing.

    Parameters
    ----------
    sessions : array-like of int, shape (N,)

    Returns
    -------
    train, test : np.ndarray of int
        Row indices.
    """
    sessions = np.asarray(sessions)
    return np.flatnonzero(sessions != TEST_SESSION), np.flatnonzero(sessions == TEST_SESSION)


def leave_one_session_out(sessions):
    """One fold per session: that session is the test set, the others the training set.

    Returns
    -------
    list of (int, np.ndarray, np.ndarray)
        ``(test session, train rows, test rows)`` in session order.
    """
    sessions = np.asarray(sessions)
    return [(int(s), np.flatnonzero(sessions != s), np.flatnonzero(sessions == s)) for s in np.unique(sessions)]


def standardisation_statistics(acoustic, lengths, rows):
    """Mean and standard deviation of the real frames of the given rows (padding excluded).

    Parameters
    ----------
    acoustic : np.ndarray, shape (N, T, F)
    lengths : np.ndarray of int, shape (N,)
    rows : np.ndarray of int
        The training rows: statistics never see test data.

    Returns
    -------
    mean, std : np.ndarray, float32, shape (F,)
        ``std`` is at least 1e-8 so constant features do not divide by zero.
    """
    frames = np.concatenate([acoustic[row, : lengths[row]] for row in rows]).astype(np.float64)
    return frames.mean(axis=0).astype(np.float32), np.maximum(frames.std(axis=0), 1e-8).astype(np.float32)


def arrays_needed(kind, trainable_embeddings=False):
    """The bundle arrays that :func:`train_and_predict` reads for a model.

    Returns
    -------
    list of str
        Always ``labels`` and ``acoustic_lengths``; ``acoustic`` for models with
        ENC1; ``tokens``, ``embedding_matrix`` and (in lookup mode)
        ``speech_embeddings`` for models with ENC2.
    """
    names = ["labels", "acoustic_lengths"]
    if kind in ("acoustic", "multimodal"):
        names.append("acoustic")
    if kind in ("embedding", "multimodal"):
        names += ["tokens", "embedding_matrix"]
        if not trainable_embeddings:
            names.append("speech_embeddings")
    return names


def model_inputs(arrays, rows, kind, trainable_embeddings=False, trim=False):
    """The model's input dict for some rows of a bundle.

    Parameters
    ----------
    arrays : dict
        Bundle arrays (``acoustic``, ``speech_embeddings``, ``tokens`` ...).
    rows : np.ndarray of int
    kind : {"acoustic", "embedding", "multimodal"}
    trainable_embeddings : bool
        Feed ``tokens`` instead of ``speech_embeddings``.
    trim : bool
        Cut the time axes to the longest real sequence among ``rows``. Masking
        makes the extra padded steps no-ops, so predictions do not change, and a
        Bi-LSTM then runs 59 steps instead of 200 on the demo corpus.

    Returns
    -------
    dict of str -> np.ndarray
    """
    inputs = {}
    if kind in ("acoustic", "multimodal"):
        frames = int(arrays["acoustic_lengths"][rows].max()) if trim else None
        inputs["acoustic"] = np.asarray(arrays["acoustic"][rows, :frames], dtype=np.float32)
    if kind in ("embedding", "multimodal"):
        name = "tokens" if trainable_embeddings else "speech_embeddings"
        words = np.asarray(arrays[name][rows], dtype=np.int32 if trainable_embeddings else np.float32)
        inputs[name] = np.ascontiguousarray(words[:, : longest_real(words)]) if trim else words
    return inputs


def longest_real(sequences):
    """Steps up to the last non-zero step of any row (at least 1).

    Counted from the array itself because in Speech2Vec acoustic mode the aligned
    words, not the transcript's tokens, fill the rows.
    """
    return int(real_steps({"x": sequences})["x"].max())


def build_model(
    kind,
    n_classes,
    config=PaperConfig(),
    embedding_matrix=None,
    trainable_embeddings=False,
    mean=None,
    std=None,
    variable_length=False,
):
    """One of the paper's models, by name.

    Parameters
    ----------
    kind : {"acoustic", "embedding", "multimodal"}
    n_classes : int
    config : PaperConfig
    embedding_matrix : np.ndarray, shape (V, D), optional
        Needed by the embedding and multimodal models (its D sizes the input).
    trainable_embeddings : bool
    mean, std : np.ndarray, shape (34,), optional
    variable_length : bool
        Time axes of any length (for trimmed inputs).

    Returns
    -------
    keras.Model
    """
    if kind not in MODEL_KINDS:
        raise ValueError(f"model must be one of {MODEL_KINDS}, got {kind!r}")
    if kind == "acoustic":
        return build_acoustic_model(n_classes, config, mean, std, variable_length)
    dim = embedding_matrix.shape[1]
    table = embedding_matrix if trainable_embeddings else None
    if kind == "embedding":
        return build_embedding_model(n_classes, config, dim, table, variable_length)
    return build_multimodal_model(n_classes, config, dim, table, mean, std, variable_length)


def train_and_predict(
    arrays,
    labels,
    train,
    test,
    kind,
    n_classes,
    config=PaperConfig(),
    seed=0,
    trainable_embeddings=False,
    verbose=1,
    trim=True,
    pipeline="arrays",
    strategy=None,
    shuffle=True,
):
    """Fit a fresh model on the training rows and predict the test rows.

    Standardisation statistics come from the training rows' real frames and live
    inside the model. The test rows are evaluated after every epoch for the
    curves only: nothing is selected on them (the paper trains a fixed 20 epochs).

    Parameters
    ----------
    arrays : dict
        Bundle arrays.
    labels : np.ndarray of int, shape (N,)
    train, test : np.ndarray of int
        Row indices.
    kind : {"acoustic", "embedding", "multimodal"}
    n_classes : int
    config : PaperConfig
    seed : int
    trainable_embeddings : bool
    verbose : int
        Keras progress (0 silent, 1 bar, 2 a line per epoch).
    trim : bool
        Train and predict on arrays cut to the longest real sequence of the rows
        used (see :func:`model_inputs`); the model accepts any length.
    pipeline : {"arrays", "tf.data", "tf.data-by-length"}
        ``arrays``: Keras batches the NumPy arrays (the default, with which the
        README's numbers were measured). ``tf.data``: a shuffled, batched,
        prefetching ``tf.data`` pipeline. ``tf.data-by-length``: the same with
        utterances of similar length batched together and each batch padded only
        to its own longest row (:func:`ser_keras.pipeline.make_dataset`).
    strategy : tf.distribute.Strategy, optional
        Build and train the model under it (:func:`ser_keras.distribute.choose_strategy`).
    shuffle : bool
        Shuffle the training rows every epoch (False: the same batches in the same
        order, to compare runs batch for batch).

    Returns
    -------
    dict
        ``model``, ``history`` (dict of per-epoch lists), ``probabilities``
        (len(test), n_classes), ``mean``/``std`` (34,) or None.
    """
    import contextlib

    import keras

    if pipeline not in PIPELINES:
        raise ValueError(f"pipeline must be one of {PIPELINES}, got {pipeline!r}")
    keras.utils.set_random_seed(seed)
    mean = std = None
    if kind != "embedding":
        mean, std = standardisation_statistics(arrays["acoustic"], arrays["acoustic_lengths"], train)
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        model = build_model(
            kind, n_classes, config, arrays.get("embedding_matrix"), trainable_embeddings, mean, std, True
        )
    one_hot = np.eye(n_classes, dtype=np.float32)
    test_inputs = model_inputs(arrays, test, kind, trainable_embeddings, trim)
    train_inputs = model_inputs(arrays, train, kind, trainable_embeddings, trim)
    if pipeline == "arrays":
        history = model.fit(
            train_inputs,
            one_hot[labels[train]],
            validation_data=(test_inputs, one_hot[labels[test]]),
            batch_size=config.batch_size,
            epochs=config.epochs,
            shuffle=shuffle,
            verbose=verbose,
        )
    else:
        by_length = pipeline == "tf.data-by-length"
        training_data = make_dataset(
            train_inputs, one_hot[labels[train]], config.batch_size, shuffle=shuffle, seed=seed, by_length=by_length
        )
        test_data = make_dataset(test_inputs, one_hot[labels[test]], config.batch_size, shuffle=False)
        history = model.fit(
            training_data, validation_data=test_data, epochs=config.epochs, shuffle=False, verbose=verbose
        )
    probabilities = model.predict(test_inputs, batch_size=config.batch_size, verbose=0)
    return {"model": model, "history": history.history, "probabilities": probabilities, "mean": mean, "std": std}
