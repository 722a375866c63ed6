"""Read TurEV-DB, the Turkish Emotion Voice Database (Canpolat, Ormanoğlu and Zeyrek, SLTU 2020).

The authors' release (the GitHub repository Xeonen/TurEV-DB, CC BY-NC-ND 4.0) has one folder
per emotion under ``Sound Source``, each file naming the speaker, the emotion and the word::

    Sound Source/Angry/1157_kz_acik.wav        speaker_emotion_word

* six amateur speakers, known by four-digit codes (1157, 1234, 1358, 1984, 6783, 7895);
* emotion kz (kızgın, angry), sk (sakin, calm), mt (mutlu, happy), hl (hüzünlü, sad);
* one word a file, written in the file name without Turkish letters (``acik`` for *açık*).

Published: "over 1700 tokens based on 82 words" in four emotions (the paper's abstract). The
release holds 1,735 files: angry 487, calm 408, happy 357, sad 483; those are the counts this
reader checks. Fold groups: one per speaker (1-6 in code order), so ``--protocol loso`` leaves
one speaker out.

The corpus has no neutral class. With ``labels="four"`` its calm stands in for neutral (the
nearest of its four to the unmarked voice), which is how it joins the other corpora in a
cross-corpus run; the project says so in the README's "Where the project decides".
Turkish: give ``--language tr`` to a recogniser.
"""

from __future__ import annotations

import re

from .acted import FileName, published_counts, read_acted, require_folder, speaker_folds, wav_files
from .loading import CorpusReader, register_corpus

NAME = "TurEV-DB"
EMOTIONS = {"kz": "angry", "sk": "calm", "mt": "happy", "hl": "sad"}
SPEAKERS = ("1157", "1234", "1358", "1984", "6783", "7895")
RELEASE_COUNTS = {"angry": 487, "calm": 408, "happy": 357, "sad": 483}
LAYOUT = "Sound Source/ with Angry/ Calm/ Happy/ Sad/ holding files named speaker_emotion_word.wav (1157_kz_acik.wav)"
_NAME = re.compile(r"^(\d{4})_(kz|sk|mt|hl)_([a-z]+)(\d*)$")  # one sad file ends in a take number
_FOLDS = speaker_folds(SPEAKERS)


def parse_name(path):
    """Read one TurEV-DB file name: speaker, emotion and word."""
    match = _NAME.match(path.stem.lower())
    if not match or match.group(1) not in _FOLDS:
        return None
    speaker, emotion, word, take = match.groups()
    return FileName(
        id=f"{speaker}_{emotion}_{word}{take}", speaker=speaker, code=emotion, transcript=word, session=_FOLDS[speaker]
    )


def read_turev(root, labels="all"):
    """Read TurEV-DB.

    Parameters
    ----------
    root : str or pathlib.Path
        The repository, or its ``Sound Source`` folder.
    labels : {"all", "four"}
        The 4 classes (angry, calm, happy, sad), or angry, happy, neutral and sad with calm
        read as neutral.

    Returns
    -------
    Corpus
    """
    root = require_folder(root, NAME)
    return read_acted(root, NAME, wav_files(root), parse_name, EMOTIONS, labels, LAYOUT)


def expected_counts(labels="all"):
    """The release's counts per class for a label set (calm counted as neutral with ``"four"``)."""
    return published_counts(RELEASE_COUNTS, labels)


register_corpus(
    CorpusReader("turev", read_turev, ("all", "four"), "the release (its Sound Source/ folder)", expected_counts)
)
