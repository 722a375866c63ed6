"""The registry of corpus readers, and one entry to all of them for the command-line scripts.

A corpus is one module that registers a :class:`CorpusReader` at import time: its name,
the function that reads its release layout, its label sets and its published counts. The
readers of this package are found on first use, then those of the ``ser_keras.corpora``
entry-point group and of ``SER_KERAS_CORPORA``, as systems are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..registry import Registry


@dataclass(frozen=True)
class CorpusReader:
    """One registered corpus.

    Attributes
    ----------
    name : str
        What ``--corpus`` takes.
    read : callable
        ``read(root, labels) -> Corpus``.
    label_sets : tuple of str
        The label sets ``--labels`` takes for it; the first is its default.
    root_help : str
        What ``--root`` is for it.
    expected_counts : callable or None
        ``expected_counts(labels) -> dict`` of the published utterances per class (None
        where nothing is published for a label set).
    default_root : path or None
        Where it is read from without ``--root``.
    prepare : callable or None
        ``prepare(root, progress)``: make the corpus where it is missing (the demo corpus).
    records_labels : bool
        A bundle records the label set and what the reader left out.
    """

    name: str
    read: object
    label_sets: tuple = ("all", "four")
    root_help: str = ""
    expected_counts: object = None
    default_root: Path | None = None
    prepare: object = None
    records_labels: bool = True


CORPORA = Registry(
    "corpus",
    "ser_keras.corpora",
    skip=("acted", "demo_check", "espeak", "loading", "utterance"),
    entry_points="ser_keras.corpora",
    environment="SER_KERAS_CORPORA",
)


def register_corpus(reader):
    """Add a corpus reader to the registry and return it."""
    return CORPORA.register(reader)


def get_corpus(name):
    """The registered corpus reader called ``name``."""
    return CORPORA.get(name)


def available_corpora():
    """Every registered corpus reader, by name."""
    return CORPORA.available()


def load_corpus(kind, root, labels=None, progress=True):
    """Read a corpus of any registered kind, making it first where it can be made (the demo corpus).

    Parameters
    ----------
    kind : str
        A registered corpus: demo, iemocap, manifest, ravdess, crema-d, tess, savee, or one added.
    root : path or None
        Its folder (or file, for a manifest); None: its default root, if it has one.
    labels : str, optional
        One of its label sets (default: its first).
    progress : bool

    Returns
    -------
    utterances : list of Utterance
    info : dict
        Kind, root and what the reader left out, for a bundle manifest.

    Raises
    ------
    ValueError
        For an unknown kind, or a missing root.
    """
    reader = get_corpus(kind)
    root = root or reader.default_root
    if root is None:
        raise ValueError(f"--corpus {kind} needs --root")
    if reader.prepare is not None:
        reader.prepare(root, progress)
    labels = labels or reader.label_sets[0]
    corpus = reader.read(root, labels)
    info = {"kind": kind, "root": str(Path(root).resolve())}
    if not reader.records_labels:
        return corpus.utterances, info
    info["labels"] = labels
    left_out = dict(corpus.excluded)
    for _, reason in corpus.skipped:
        left_out[reason] = left_out.get(reason, 0) + 1
    info["left_out"] = dict(sorted(left_out.items()))
    return corpus.utterances, info
