"""Read CREMA-D (Cao et al. 2014) into :class:`Utterance` records.

The release (its GitHub repository, with the audio fetched by ``git lfs pull``) keeps the
audio in one folder::

    AudioWAV/1001_DFA_ANG_XX.wav      actor_sentence_emotion_level

* actors 1001-1091 (91: 48 men, 43 women);
* 12 sentences, by code (below);
* emotion ANG, DIS, FEA, HAP, NEU, SAD; level LO, MD, HI or XX (unspecified).

Published: 7,442 clips; 1,271 of each emotion but neutral, 1,087 neutral. Fold groups: five
groups by actor number, ``(actor - 1001) % 5 + 1`` (18 or 19 actors each), so
``--protocol loso`` is a 5-fold speaker-independent protocol.
"""

from __future__ import annotations

import re

from .acted import FileName, published_counts, read_acted, require_folder, wav_files
from .loading import CorpusReader, register_corpus

NAME = "CREMA-D"
EMOTIONS = {"ANG": "angry", "DIS": "disgusted", "FEA": "fearful", "HAP": "happy", "NEU": "neutral", "SAD": "sad"}
SENTENCES = {
    "IEO": "It's eleven o'clock",
    "TIE": "That is exactly what happened",
    "IOM": "I'm on my way to the meeting",
    "IWW": "I wonder what this is about",
    "TAI": "The airplane is almost full",
    "MTI": "Maybe tomorrow it will be cold",
    "IWL": "I would like a new alarm clock",
    "ITH": "I think I have a doctor's appointment",
    "DFA": "Don't forget a jacket",
    "ITS": "I think I've seen this before",
    "TSI": "The surface is slick",
    "WSI": "We'll stop in a couple of minutes",
}
PUBLISHED_COUNTS = {label: (1087 if label == "neutral" else 1271) for label in EMOTIONS.values()}
FOLDS = 5
FIRST_ACTOR = 1001
LAYOUT = "a folder AudioWAV (or ROOT itself) holding files named 1001_DFA_ANG_XX.wav"
_NAME = re.compile(r"^(\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{1,2})$")


def parse_name(path):
    """Read one CREMA-D file name: a :class:`FileName`, or ``None`` outside the scheme."""
    match = _NAME.match(path.stem)
    if not match:
        return None
    actor, sentence, emotion, _ = match.groups()
    if sentence not in SENTENCES or emotion not in EMOTIONS:
        return None
    return FileName(
        id=path.stem,
        speaker=actor,
        code=emotion,
        transcript=SENTENCES[sentence],
        session=(int(actor) - FIRST_ACTOR) % FOLDS + 1,
    )


def read_crema_d(root, labels="all"):
    """Read CREMA-D.

    Parameters
    ----------
    root : str or pathlib.Path
        The release folder (holding ``AudioWAV``), or the ``AudioWAV`` folder itself.
    labels : {"all", "four"}
        All 6 classes, or angry, happy, neutral and sad.

    Returns
    -------
    Corpus
    """
    root = require_folder(root, NAME)
    audio = root / "AudioWAV" if (root / "AudioWAV").is_dir() else root
    return read_acted(root, NAME, wav_files(audio), parse_name, EMOTIONS, labels, LAYOUT)


def expected_counts(labels="all"):
    """The published counts per class for a label set."""
    return published_counts(PUBLISHED_COUNTS, labels)


register_corpus(
    CorpusReader("crema-d", read_crema_d, ("all", "four"), "the release folder (AudioWAV)", expected_counts)
)
