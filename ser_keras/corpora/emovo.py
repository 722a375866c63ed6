"""Read EMOVO, the Italian emotional speech corpus (Costantini et al., LREC 2014), into records.

The release has one folder per actor, each file naming the emotion, the actor and the sentence::

    f1/neu-f1-b1.wav        emotion-actor-sentence

* six actors: f1, f2, f3 (women), m1, m2, m3 (men), professional, Italian;
* emotion dis (disgust), gio (joy), neu (neutral), pau (fear), rab (anger), sor (surprise),
  tri (sadness);
* fourteen sentences, coded by kind: b1-b3 short, l1-l4 long, n1-n5 nonsense, d1-d2 questions
  (the texts below are the release document's list, in its order).

Published: 588 files, 98 per actor, 84 per emotion (6 actors x 14 sentences). The recordings
are 48 kHz stereo; the project reads them as it reads any file (mono, resampled). Fold groups:
one per actor (1-6, women first), so ``--protocol loso`` leaves one actor out. Italian: give
``--language it`` to a recogniser.
"""

from __future__ import annotations

import re

from .acted import FileName, published_counts, read_acted, require_folder, speaker_folds, wav_files
from .loading import CorpusReader, register_corpus

NAME = "EMOVO"
EMOTIONS = {
    "dis": "disgusted",
    "gio": "happy",
    "neu": "neutral",
    "pau": "fearful",
    "rab": "angry",
    "sor": "surprised",
    "tri": "sad",
}
SENTENCES = {
    "b1": "Gli operai si alzano presto.",
    "b2": "I vigili sono muniti di pistola.",
    "b3": "La cascata fa molto rumore.",
    "l1": "L'autunno prossimo Tony partirà per la Spagna nella prima metà di ottobre.",
    "l2": "Ora prendo la felpa di là ed esco per fare una passeggiata.",
    "l3": "Un attimo dopo s'è incamminato ... ed è inciampato.",
    "l4": "Vorrei il numero telefonico del Signor Piatti.",
    "n1": "La casa forte vuole col pane.",
    "n2": "La forza trova il passo e l'aglio rosso.",
    "n3": "Il gatto sta scorrendo nella pera.",
    "n4": "Insalata pastasciutta coscia d'agnello limoncello.",
    "n5": "Uno quarantatré dieci mille cinquantasette venti.",
    "d1": "Sabato sera cosa farà?",
    "d2": "Porti con te quella cosa?",
}
SPEAKERS = ("f1", "f2", "f3", "m1", "m2", "m3")
PUBLISHED_COUNTS = {label: 84 for label in EMOTIONS.values()}
LAYOUT = "actor folders f1 ... m3 holding files named emotion-actor-sentence.wav (neu-f1-b1.wav)"
_NAME = re.compile(r"^(dis|gio|neu|pau|rab|sor|tri)-([fm][123])-([bldn]\d)$")
_FOLDS = speaker_folds(SPEAKERS)


def parse_name(path):
    """Read one EMOVO file name: emotion, actor and sentence."""
    match = _NAME.match(path.stem.lower())
    if not match or match.group(3) not in SENTENCES:
        return None
    emotion, actor, sentence = match.groups()
    return FileName(
        id=f"{emotion}-{actor}-{sentence}",
        speaker=actor,
        code=emotion,
        transcript=SENTENCES[sentence],
        session=_FOLDS[actor],
    )


def read_emovo(root, labels="all"):
    """Read EMOVO.

    Parameters
    ----------
    root : str or pathlib.Path
        The folder holding the actor folders ``f1`` ... ``m3``.
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
    CorpusReader("emovo", read_emovo, ("all", "four"), "the release folder (actor folders f1 ... m3)", expected_counts)
)
