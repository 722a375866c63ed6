"""Utterances as several model examples (CA-MSER's 3 s segments), and their outputs pooled back.

A bundle's per-segment arrays hold the segments of utterance 0, then of utterance 1, and
so on; ``segment_counts`` (N,) says how many each has. A system that trains on segments
maps the runner's utterance rows to segment rows here, and pools the segments'
predictions into one per utterance.
"""

from __future__ import annotations

import numpy as np


def segment_offsets(counts):
    """Where each utterance's segments start in the per-segment arrays, and where the last ends: (N + 1,)."""
    return np.concatenate([[0], np.cumsum(np.asarray(counts, dtype=np.int64))])


def segment_rows(counts, rows):
    """The segments of some utterances, and which of them each belongs to.

    Parameters
    ----------
    counts : np.ndarray of int, shape (N,)
        Segments of every utterance of the bundle.
    rows : np.ndarray of int, shape (R,)
        Utterance rows.

    Returns
    -------
    segments : np.ndarray of int, shape (S,)
        Rows of the per-segment arrays, utterance by utterance in the order of ``rows``.
    owners : np.ndarray of int, shape (S,)
        For each segment, its utterance's position in ``rows`` (0 to R - 1).
    """
    counts = np.asarray(counts, dtype=np.int64)
    rows = np.asarray(rows, dtype=np.int64)
    offsets = segment_offsets(counts)
    segments = np.concatenate([np.arange(offsets[row], offsets[row + 1]) for row in rows]) if len(rows) else []
    owners = np.repeat(np.arange(len(rows)), counts[rows])
    return np.asarray(segments, dtype=np.int64), owners


def mean_log_probability(probabilities, owners, count):
    """Each utterance's class probabilities from its segments': the mean of their logs, normalised.

    CA-MSER decides an utterance by the argmax of the mean of its segments' log-softmax;
    the normalised exponential of that mean has the same argmax and is a distribution.

    Parameters
    ----------
    probabilities : np.ndarray, shape (S, C)
        Softmax outputs of the segments.
    owners : np.ndarray of int, shape (S,)
        The utterance (0 to ``count`` - 1) of each segment.
    count : int

    Returns
    -------
    np.ndarray, float32, shape (count, C)
    """
    logs = np.log(np.clip(np.asarray(probabilities, dtype=np.float64), 1e-12, None))
    sums = np.zeros((count, logs.shape[1]))
    np.add.at(sums, owners, logs)
    means = sums / np.maximum(np.bincount(owners, minlength=count), 1)[:, None]
    exponentials = np.exp(means - means.max(axis=1, keepdims=True))
    return (exponentials / exponentials.sum(axis=1, keepdims=True)).astype(np.float32)
