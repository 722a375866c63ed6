"""The record every corpus reader returns: one spoken utterance and what is known of it."""

from __future__ import annotations

from collections import Counter
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


@dataclass
class Corpus:
    """Utterances read from disk and an account of everything left out.

    Attributes
    ----------
    root : pathlib.Path
    utterances : list of Utterance
        In session, dialog and start-time order.
    excluded : collections.Counter
        Corpus label code -> number of turns left out by the label set.
    skipped : list of (str, str)
        ``(turn, reason)`` for turns with a kept label but no usable data.
    notes : collections.Counter
        Non-fatal observations, e.g. ``"no word alignment"``.
    """

    root: Path
    utterances: list[Utterance]
    excluded: Counter = field(default_factory=Counter)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: Counter = field(default_factory=Counter)

    def class_counts(self) -> dict[str, int]:
        """Utterances per class, ``{label: count}``."""
        return class_counts(self.utterances)


def count_report(corpus: Corpus, expected=None) -> str:
    """A plain-text table of the counts per class, beside the expected ones.

    Parameters
    ----------
    corpus : Corpus
    expected : dict, optional
        ``{label: count}`` to compare with, e.g. :data:`PAPER_CLASS_COUNTS`
        on the full IEMOCAP release, or a corpus's published counts.

    Returns
    -------
    str
    """
    found = corpus.class_counts()
    names = sorted(set(found) | set(expected or {}))
    rows = [f"{'class':<12} {'found':>7}" + (f" {'expected':>8}" if expected else "")]
    for name in names:
        row = f"{name:<12} {found.get(name, 0):>7}"
        if expected:
            row += f" {expected.get(name, 0):>8}"
        rows.append(row)
    total = f"{'total':<12} {sum(found.values()):>7}"
    if expected:
        total += f" {sum(expected.values()):>8}"
    rows.append(total)
    if corpus.excluded:
        left_out = ", ".join(f"{code} {n}" for code, n in sorted(corpus.excluded.items()))
        rows.append(f"left out by label set: {left_out}")
    if corpus.skipped:
        reasons = Counter(reason for _, reason in corpus.skipped)
        rows.append("skipped: " + ", ".join(f"{reason} {n}" for reason, n in sorted(reasons.items())))
    return "\n".join(rows)
