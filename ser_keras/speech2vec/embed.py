"""Acoustic mode: each word of each utterance embedded from its own audio by a trained encoder."""

from __future__ import annotations

import numpy as np

from .model import embed_segments
from .segments import segment_features, standardise, word_segments


def utterance_embeddings(encoder, mean, std, utterances, max_words=128, batch_size=256, progress=True):
    """Speech2Vec embeddings of the aligned words of every utterance, in spoken order.

    Unlike a word -> vector lookup, two tokens of the same word get different
    vectors when they are spoken differently, so speaker, channel and manner
    reach ENC2.

    Parameters
    ----------
    encoder : keras.Model
        A trained Speech2Vec encoder, (batch, frames, 13) -> (batch, D).
    mean, std : np.ndarray, shape (13,)
        The MFCC statistics of the encoder's training corpus.
    utterances : sequence of Utterance, length N
        Each with a word alignment.
    max_words : int
        Words kept per utterance; later words are cut.
    batch_size : int
    progress : bool

    Returns
    -------
    embeddings : np.ndarray, float32, shape (N, max_words, D)
        Row t of utterance n is the embedding of its t-th aligned word; rows past
        the utterance's word count are exactly zero.
    counts : np.ndarray, int32, shape (N,)
        Aligned words kept per utterance.

    Raises
    ------
    ValueError
        When an utterance has no word alignment.
    """
    segments = [s for s in word_segments(utterances) if s.position < max_words]
    frames = standardise(segment_features(utterances, segments, progress), mean, std)
    vectors = embed_segments(encoder, frames, batch_size)
    out = np.zeros((len(utterances), max_words, vectors.shape[1]), dtype=np.float32)
    counts = np.zeros(len(utterances), dtype=np.int32)
    for segment, vector in zip(segments, vectors):
        out[segment.utterance, segment.position] = vector
        counts[segment.utterance] += 1
    return out, counts
