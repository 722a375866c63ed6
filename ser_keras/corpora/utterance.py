"""The record every corpus reader returns: one spoken utterance and what is known of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class WordSegment:
    """One aligned word.

    Attributes
    ----------
    word : str
        The word, lower-case, as the alignment spells it (pronunciation
        variants such as ``WHAT(2)`` are reduced to ``what``).
    start, end : float
        Seconds from the start of the utterance's audio, ``start < end``.
    """

    word: str
    start: float
    end: float


@dataclass(frozen=True)
class Utterance:
    """One utterance of a corpus.

    Attributes
    ----------
    id : str
        Unique within the corpus, e.g. ``Ses01F_impro01_F000``.
    wav_path : pathlib.Path
        The audio file.
    transcript : str
        What was said, as the corpus writes it (non-speech marks such as
        ``[LAUGHTER]`` are kept here and dropped later by the tokenizer).
    label : str
        The class name used for training, e.g. ``"angry"``.
    session : int or None
        Recording session (1-5 for IEMOCAP); ``None`` when the corpus has none.
    speaker : str
        Speaker id, e.g. ``Ses01F``.
    duration : float or None
        Seconds; ``None`` when the corpus does not say.
    words : tuple of WordSegment
        Word alignment, empty when the corpus has none.
    valence, arousal, dominance : float or None
        Dimensional ratings (IEMOCAP: mean of annotators, scale 1-5).
    annotator_labels : tuple of str
        Per-annotator categorical labels, e.g. ``("Neutral", "Frustration")``.
    source_label : str or None
        The corpus's own code before any merging, e.g. ``"hap"``.
    votes : tuple of str
        The annotators' categorical choices mapped to this label set's class names,
        one entry per annotator and class chosen; choices outside the label set
        are dropped (soft targets for MATE-style training).
    dialogue : str or None
        The conversation the utterance belongs to (IEMOCAP: the dialog file name).
    start : float or None
        Seconds from the start of the dialogue (turn order within it).
    """

    id: str
    wav_path: Path
    transcript: str
    label: str
    session: int | None
    speaker: str
    duration: float | None = None
    words: tuple[WordSegment, ...] = field(default=())
    valence: float | None = None
    arousal: float | None = None
    dominance: float | None = None
    annotator_labels: tuple[str, ...] = field(default=())
    source_label: str | None = None
    votes: tuple[str, ...] = field(default=())
    dialogue: str | None = None
    start: float | None = None


def class_counts(utterances, classes=None) -> dict[str, int]:
    """Count utterances per label.

    Parameters
    ----------
    utterances : iterable of Utterance
    classes : sequence of str, optional
        Order of the returned keys; classes with no utterance get 0.
        By default the labels found, sorted.

    Returns
    -------
    dict
        ``{label: count}``.
    """
    counts: dict[str, int] = {}
    for utterance in utterances:
        counts[utterance.label] = counts.get(utterance.label, 0) + 1
    if classes is None:
        classes = sorted(counts)
    return {name: counts.get(name, 0) for name in classes}


class CorpusError(ValueError):
    """A corpus on disk is not what its reader expects; the message says what and where."""
