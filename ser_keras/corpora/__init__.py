"""Corpus readers: a corpus on disk in, a list of :class:`Utterance` out."""

from .iemocap import PAPER_CLASS_COUNTS, PAPER_CLASSES, Corpus, count_report, read_iemocap
from .manifest import read_manifest
from .utterance import CorpusError, Utterance, WordSegment, class_counts

__all__ = [
    "PAPER_CLASSES",
    "PAPER_CLASS_COUNTS",
    "Corpus",
    "CorpusError",
    "Utterance",
    "WordSegment",
    "class_counts",
    "count_report",
    "read_iemocap",
    "read_manifest",
]
