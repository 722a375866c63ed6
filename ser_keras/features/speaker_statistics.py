"""Per-speaker standardisation: each speaker's features in units of that speaker's own spread.

A common lift on small acted corpora, where speakers differ more than emotions do. The
statistics are each speaker's own, over all of that speaker's utterances in the bundle,
without labels; for a test speaker this uses that speaker's unlabelled audio (the test
speaker's recordings are all known before any is classified), which a deployed system
would get by enrolment or by waiting for several utterances of a new speaker.
"""

from __future__ import annotations

import numpy as np

from . import acoustic, atmaja, compare, speech_encoders  # noqa: F401  the sources of the copies
from .sets import FeatureSet, get_feature_set, register_feature_set


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


# Per-speaker standardised copies of the utterance-level sets and of the 34 features' frames; their
# families are imported above so that each source's declared shape is known here.
BY_SPEAKER = ("acoustic", "acoustic_stats", "hsf", "egemaps", "compare", "encoder_stats")


def _by_speaker(source):
    def compute(context):
        speakers = context.speakers()
        lengths = np.asarray(context.array("acoustic_lengths")) if source == "acoustic" else None
        values = standardise_by_speaker(np.asarray(context.array(source)), speakers, lengths)
        return {f"{source}_by_speaker": values}, {
            "of": source,
            "statistics": "mean and std of each speaker's own utterances (all of them, no labels)",
        }

    return compute


for _source in BY_SPEAKER:
    register_feature_set(
        FeatureSet(
            f"{_source}_by_speaker",
            f"{_source} standardised by each speaker's own mean and standard deviation (no labels; a test "
            "speaker's statistics come from that speaker's unlabelled utterances)",
            (f"{_source}_by_speaker",),
            compute=_by_speaker(_source),
            needs=(_source,),
            shapes={f"{_source}_by_speaker": get_feature_set(_source).shapes[_source]},
        )
    )
