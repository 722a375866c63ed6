"""Read SAVEE, Surrey Audio-Visual Expressed Emotion (Haq and Jackson 2009), into records.

The release's audio has one folder per speaker, each file naming the emotion and the take;
copies that flatten it prefix the speaker instead::

    AudioData/DC/sa07.wav       (release)      ALL/DC_sa07.wav     (flattened copies)

* four speakers: DC, JE, JK, KL, male native English speakers;
* emotion a (anger), d (disgust), f (fear), h (happiness), n (neutral), sa (sadness),
  su (surprise); 15 sentences each, 30 neutral.

Published: 480 files, 120 per speaker: 60 of each emotion, 120 neutral. The sentences are
TIMIT's, but the audio release lists no transcript per file, so ``transcript`` is empty (the
words branches have nothing to read on SAVEE). Fold groups: one per speaker (1-4), so
``--protocol loso`` leaves one speaker out.
"""

from __future__ import annotations

import re

from .acted import FileName, published_counts, read_acted, require_folder, speaker_folds, wav_files
from .loading import CorpusReader, register_corpus

NAME = "SAVEE"
EMOTIONS = {
    "a": "angry",
    "d": "disgusted",
    "f": "fearful",
    "h": "happy",
    "n": "neutral",
    "sa": "sad",
    "su": "surprised",
}
SPEAKERS = ("DC", "JE", "JK", "KL")
PUBLISHED_COUNTS = {label: (120 if label == "neutral" else 60) for label in EMOTIONS.values()}
LAYOUT = "speaker folders DC, JE, JK, KL holding a01.wav ... su15.wav, or files named DC_a01.wav"
_TAKE = re.compile(r"^(a|d|f|h|n|sa|su)(\d\d)$")
_PREFIXED = re.compile(r"^(DC|JE|JK|KL)_(a|d|f|h|n|sa|su)(\d\d)$")
_FOLDS = speaker_folds(SPEAKERS)


def parse_name(path):
    """Read one SAVEE file name, with its speaker from the folder or the prefix."""
    prefixed = _PREFIXED.match(path.stem)
    if prefixed:
        speaker, emotion, take = prefixed.groups()
    else:
        match = _TAKE.match(path.stem)
        if not match or path.parent.name not in SPEAKERS:
            return None
        speaker, (emotion, take) = path.parent.name, match.groups()
    return FileName(
        id=f"{speaker}_{emotion}{take}", speaker=speaker, code=emotion, transcript="", session=_FOLDS[speaker]
    )


def read_savee(root, labels="all"):
    """Read SAVEE.

    Parameters
    ----------
    root : str or pathlib.Path
        The release's ``AudioData`` folder (or the folder above it), or a flattened copy.
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
    CorpusReader(
        "savee", read_savee, ("all", "four"), "the release folder (speaker folders DC, JE, JK, KL)", expected_counts
    )
)
