"""Per-speaker standardisation: each speaker's features in units of that speaker's own spread.

A common lift on small acted corpora, where speakers differ more than emotions do. The
statistics are each speaker's own, over all of that speaker's utterances in the bundle,
without labels; for a test speaker this uses that speaker's unlabelled audio (the test
speaker's recordings are all known before any is classified), which a deployed system
would get by enrolment or by waiting for several utterances of a new speaker.
"""

from __future__ import annotations

import numpy as np


def standardise_by_speaker(values, speakers, lengths=None):
    """Standardise features with the mean and standard deviation of each speaker's own rows.

    Parameters
    ----------
    values : np.ndarray, shape (N, F) or (N, T, F)
        One vector per utterance, or frames per utterance (zero-padded after ``lengths``).
    speakers : array-like of str, shape (N,)
    lengths : np.ndarray of int, shape (N,), optional
        Real frames of each utterance, for frame arrays: statistics over real frames only,
        padding left at zero.

    Returns
    -------
    np.ndarray, float32, the shape of ``values``
        Constant features (standard deviation 0 within a speaker) become 0.
    """
    values = np.asarray(values, dtype=np.float64)
    speakers = np.asarray(speakers)
    result = np.zeros(values.shape, dtype=np.float32)
    for speaker in np.unique(speakers):
        rows = np.flatnonzero(speakers == speaker)
        if values.ndim == 2:
            real = values[rows]
        else:
            real = np.concatenate([values[row, : int(lengths[row])] for row in rows])
        mean, std = real.mean(axis=0), real.std(axis=0)
        scale = np.divide(1.0, std, out=np.zeros_like(std), where=std > 0)
        if values.ndim == 2:
            result[rows] = (values[rows] - mean) * scale
        else:
            for row in rows:
                length = int(lengths[row])
                result[row, :length] = (values[row, :length] - mean) * scale
    return result
