"""Transcripts to word tokens, the way the paper's word-level encoder reads them."""

from __future__ import annotations

import re

import numpy as np

MAX_WORDS = 128  # section 4.2: sequences padded to 128 words

_NON_SPEECH = re.compile(r"\[[^\]]*\]|<[^>]*>|\{[^}]*\}")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")


def tokenize(transcript):
    """Split a transcript into words.

    Lower-case; punctuation stripped; apostrophes kept inside words (``can't``,
    ``it's``); bracketed non-speech marks such as ``[LAUGHTER]`` dropped.

    Parameters
    ----------
    transcript : str

    Returns
    -------
    list of str

    Examples
    --------
    >>> tokenize("Oh [LAUGHTER] I can't -- believe it's 'true'!")
    ['oh', 'i', "can't", 'believe', "it's", 'true']
    """
    text = _NON_SPEECH.sub(" ", transcript.lower())
    return _WORD.findall(text)


PADDING_ID = 0
UNKNOWN_ID = 1
PADDING_TOKEN = "<pad>"
UNKNOWN_TOKEN = "<unk>"


def build_vocabulary(token_lists, keep=None):
    """A vocabulary of the words of a corpus, ids 0 and 1 reserved.

    Parameters
    ----------
    token_lists : iterable of list of str
    keep : callable, optional
        ``keep(word) -> bool``; words for which it is false are left out (and
        so map to the unknown id), e.g. words without a pretrained vector.

    Returns
    -------
    list of str
        ``["<pad>", "<unk>", word, ...]``: words by descending count, ties in
        alphabetical order, so the same corpus gives the same ids.
    """
    counts: dict[str, int] = {}
    for tokens in token_lists:
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
    words = sorted(counts, key=lambda word: (-counts[word], word))
    if keep is not None:
        words = [word for word in words if keep(word)]
    return [PADDING_TOKEN, UNKNOWN_TOKEN] + words


def encode(token_lists, vocabulary, max_words=MAX_WORDS):
    """Token ids, zero-padded or cut to ``max_words``.

    Parameters
    ----------
    token_lists : sequence of list of str, length N
    vocabulary : list of str
        As returned by :func:`build_vocabulary`.
    max_words : int

    Returns
    -------
    ids : np.ndarray, int32, shape (N, max_words)
        0 is padding, 1 an out-of-vocabulary word.
    lengths : np.ndarray, int32, shape (N,)
        Words kept per utterance.
    cut : np.ndarray, int32, shape (N,)
        Words cut off past ``max_words``.
    """
    index = {word: i for i, word in enumerate(vocabulary)}
    ids = np.zeros((len(token_lists), max_words), dtype=np.int32)
    lengths = np.zeros(len(token_lists), dtype=np.int32)
    cut = np.zeros(len(token_lists), dtype=np.int32)
    for row, tokens in enumerate(token_lists):
        kept = tokens[:max_words]
        ids[row, : len(kept)] = [index.get(token, UNKNOWN_ID) for token in kept]
        lengths[row] = len(kept)
        cut[row] = len(tokens) - len(kept)
    return ids, lengths, cut
