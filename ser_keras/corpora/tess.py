"""Read TESS, the Toronto emotional speech set (Dupuis and Pichora-Fuller 2010), into records.

The release (University of Toronto) has one folder per speaker and emotion, and each file
names the speaker, the word and the emotion::

    OAF_angry/OAF_back_angry.wav          speaker_word_emotion
    YAF_pleasant_surprised/YAF_bar_ps.wav

* two speakers: OAF (aged 64) and YAF (aged 26), both women;
* 200 target words in the carrier phrase "Say the word ___";
* emotion angry, disgust, fear, happy, neutral, ps (pleasant surprise), sad.

Folder names vary between copies (``OAF_Fear``, ``YAF_pleasant_surprised``), so only the file
names are read. Published: 2,800 files, 400 per emotion, 1,400 per speaker. Fold groups: one
per speaker (1 OAF, 2 YAF), so ``--protocol loso`` trains on one woman and tests on the other.
"""

from __future__ import annotations

import re

from .acted import FileName, published_counts, read_acted, require_folder, speaker_folds, wav_files
from .loading import CorpusReader, register_corpus

NAME = "TESS"
EMOTIONS = {
    "angry": "angry",
    "disgust": "disgusted",
    "fear": "fearful",
    "happy": "happy",
    "neutral": "neutral",
    "ps": "surprised",
    "sad": "sad",
}
SPEAKERS = ("OAF", "YAF")
PUBLISHED_COUNTS = {label: 400 for label in EMOTIONS.values()}
LAYOUT = "folders such as OAF_angry/ holding files named OAF_back_angry.wav (speaker_word_emotion)"
_NAME = re.compile(r"^(OAF|YAF)_([A-Za-z]+)_([A-Za-z]+)$", re.IGNORECASE)
_FOLDS = speaker_folds(SPEAKERS)


def parse_name(path):
    """Read one TESS file name: a :class:`FileName`, or ``None`` outside the scheme."""
    match = _NAME.match(path.stem)
    if not match:
        return None
    speaker, word, emotion = match.group(1).upper(), match.group(2).lower(), match.group(3).lower()
    if emotion not in EMOTIONS:
        return None
    return FileName(
        id=f"{speaker}_{word}_{emotion}",
        speaker=speaker,
        code=emotion,
        transcript=f"Say the word {word}",
        session=_FOLDS[speaker],
    )


def read_tess(root, labels="all"):
    """Read TESS.

    Parameters
    ----------
    root : str or pathlib.Path
        The folder holding the speaker-emotion folders.
    labels : {"all", "four"}
        All 7 classes, or angry, happy, neutral and sad.

    Returns
    -------
    Corpus
    """
    root = require_folder(root, NAME)
    return read_acted(root, NAME, wav_files(root), parse_name, EMOTIONS, labels, LAYOUT)


def expected_counts(labels="all"):
    """The published counts per class for a label set."""
    return published_counts(PUBLISHED_COUNTS, labels)


register_corpus(
    CorpusReader("tess", read_tess, ("all", "four"), "the release folder (OAF_angry/ ...)", expected_counts)
)
