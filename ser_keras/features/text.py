"""Transcripts to word tokens, the way the paper's word-level encoder reads them."""

from __future__ import annotations

import re

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
