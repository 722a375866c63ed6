"""The ``tf.data`` input pipeline: shuffle, batch (optionally by length), prefetch.

Bundles pad every utterance to 200 frames and 128 words, but most are far shorter.
Cutting a whole dataset to its longest utterance helps little when one utterance
fills the 20 s (IEMOCAP); batching utterances of similar length and padding each
batch only to its own longest one makes every batch short. Masking makes the
padding a no-op, so what the model computes for an utterance does not change.
"""

from __future__ import annotations

import numpy as np


def real_steps(inputs):
    """Real (non-padding) steps of each row of each model input.

    Parameters
    ----------
    inputs : dict of str -> np.ndarray
        Each (N, T) or (N, T, F), padded with zeros, e.g. ``acoustic`` (N, T, 34),
        ``speech_embeddings`` (N, W, D) or ``tokens`` (N, W).

    Returns
    -------
    dict of str -> np.ndarray of int32, shape (N,)
        One past the last non-zero step of each row (at least 1).
    """
    steps = {}
    for name, array in inputs.items():
        real = array != 0 if array.ndim == 2 else np.any(array != 0, axis=-1)
        last = real.shape[1] - np.argmax(real[:, ::-1], axis=1)
        steps[name] = np.where(real.any(axis=1), last, 1).astype(np.int32)
    return steps


def make_dataset(inputs, targets, batch_size=32, shuffle=True, seed=0, by_length=False, buckets=8):
    """A ``tf.data.Dataset`` of (inputs, targets) batches.

    Parameters
    ----------
    inputs : dict of str -> np.ndarray, each (N, ...)
    targets : np.ndarray, shape (N, ...), or dict of output name -> such arrays
    batch_size : int
        The global batch: a distribution strategy splits it across devices.
    shuffle : bool
        Reshuffled every epoch, from ``seed``.
    seed : int
    by_length : bool
        Group utterances of similar length (by their longest input, in steps) into
        ``buckets`` length ranges, and pad each batch only to its own longest row.
    buckets : int

    Returns
    -------
    tf.data.Dataset
        Prefetching; batches are dicts of float32/int32 tensors and the targets.
    """
    import tensorflow as tf

    rows = len(next(iter(inputs.values())))
    if not by_length:
        dataset = tf.data.Dataset.from_tensor_slices((inputs, targets))
        if shuffle:
            dataset = dataset.shuffle(rows, seed=seed, reshuffle_each_iteration=True)
        return dataset.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    steps = real_steps(inputs)
    names = list(inputs)
    # Bucket by the input with the longest sequences on average: its steps cost most.
    key = max(names, key=lambda name: steps[name].mean())
    lengths = steps[key]
    dataset = tf.data.Dataset.from_tensor_slices((inputs, targets, steps))
    if shuffle:
        dataset = dataset.shuffle(rows, seed=seed, reshuffle_each_iteration=True)

    def cut(features, target, length):
        return {name: features[name][: length[name]] for name in names}, target, length[key]

    boundaries = np.unique(np.quantile(lengths, np.linspace(0, 1, buckets + 1)[1:-1]).astype(int) + 1)
    dataset = dataset.map(cut, num_parallel_calls=tf.data.AUTOTUNE).bucket_by_sequence_length(
        lambda features, target, length: length,
        bucket_boundaries=[int(b) for b in boundaries],
        bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
    )
    return dataset.map(lambda features, target, length: (features, target)).prefetch(tf.data.AUTOTUNE)
