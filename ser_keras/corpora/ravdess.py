"""Read RAVDESS, its speech part (Livingstone and Russo 2018), into :class:`Utterance` records.

The release's ``Audio_Speech_Actors_01-24.zip`` unpacks to one folder per actor::

    Actor_01/03-01-05-02-01-01-01.wav     modality-channel-emotion-intensity-statement-repetition-actor

* modality 03 is audio only, channel 01 speech (02, song, is another zip: left out here);
* emotion 01 neutral, 02 calm, 03 happy, 04 sad, 05 angry, 06 fearful, 07 disgust, 08 surprised;
* statement 01 "Kids are talking by the door", 02 "Dogs are sitting by the door";
* actors 01-24, odd numbers male, even female.

Published: 1,440 files, 60 per actor: neutral 96 (normal intensity only), every other
emotion 192. Fold groups: six groups of four consecutive actors (1-4, 5-8, ..., 21-24),
two men and two women each, so ``--protocol loso`` is a 6-fold speaker-independent
protocol and ``--protocol lospko`` leaves one actor out.
"""

from __future__ import annotations

import re

from .acted import FileName, published_counts, read_acted, require_folder, wav_files
from .loading import CorpusReader, register_corpus

NAME = "RAVDESS"
EMOTIONS = {
    "01": "neutral",
    "02": "calm",
    "03": "happy",
    "04": "sad",
    "05": "angry",
    "06": "fearful",
    "07": "disgusted",
    "08": "surprised",
}
STATEMENTS = {"01": "Kids are talking by the door", "02": "Dogs are sitting by the door"}
PUBLISHED_COUNTS = {label: (96 if label == "neutral" else 192) for label in EMOTIONS.values()}
ACTORS_PER_FOLD = 4
LAYOUT = "folders Actor_01 ... Actor_24 holding files named 03-01-EE-II-SS-RR-AA.wav (Audio_Speech_Actors_01-24.zip)"
_NAME = re.compile(r"^(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)-(\d\d)$")
_ACTOR_FOLDER = re.compile(r"^Actor_(\d\d)$")


def parse_name(path):
    """Read one RAVDESS file name.

    Returns
    -------
    FileName, str or None
        ``None`` for a name outside the scheme, or a file in a folder of another actor;
        a reason string for files that are not audio-only speech.
    """
    match = _NAME.match(path.stem)
    if not match:
        return None
    modality, channel, emotion, _, statement, _, actor = match.groups()
    folder = _ACTOR_FOLDER.match(path.parent.name)
    if emotion not in EMOTIONS or statement not in STATEMENTS or folder is None or folder.group(1) != actor:
        return None
    if modality != "03":
        return "video, not audio only"
    if channel != "01":
        return "song, not speech"
    number = int(actor)
    return FileName(
        id=path.stem,
        speaker=f"Actor_{actor}",
        code=emotion,
        transcript=STATEMENTS[statement],
        session=(number - 1) // ACTORS_PER_FOLD + 1,
    )


def read_ravdess(root, labels="all"):
    """Read the speech part of RAVDESS.

    Parameters
    ----------
    root : str or pathlib.Path
        The folder holding ``Actor_01`` ... ``Actor_24``.
    labels : {"all", "four"}
        All 8 classes, or angry, happy, neutral and sad.

    Returns
    -------
    Corpus
    """
    root = require_folder(root, NAME)
    files = [path for folder in sorted(root.glob("Actor_*")) if folder.is_dir() for path in wav_files(folder)]
    return read_acted(root, NAME, files, parse_name, EMOTIONS, labels, LAYOUT)


def expected_counts(labels="all"):
    """The published counts per class for a label set."""
    return published_counts(PUBLISHED_COUNTS, labels)


register_corpus(
    CorpusReader(
        "ravdess", read_ravdess, ("all", "four"), "the release folder (Actor_01 ... Actor_24)", expected_counts
    )
)
