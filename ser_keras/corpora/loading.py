"""One entry to every corpus reader, for the command-line scripts."""

from __future__ import annotations

from pathlib import Path

from . import crema_d, ravdess, savee, tess
from .demo import DEFAULT_ROOT, build_demo_corpus, read_marker
from .iemocap import read_iemocap
from .manifest import read_manifest

# The free acted corpora, by the name the scripts take: (reader, published counts per class).
ACTED_CORPORA = {
    "ravdess": (ravdess.read_ravdess, ravdess.expected_counts),
    "crema-d": (crema_d.read_crema_d, crema_d.expected_counts),
    "tess": (tess.read_tess, tess.expected_counts),
    "savee": (savee.read_savee, savee.expected_counts),
}
KINDS = ("demo", "iemocap", "manifest", *ACTED_CORPORA)


def read_acted_corpus(kind, root, labels=None):
    """Read one of the acted corpora by name (``labels`` None: every class)."""
    read, _ = ACTED_CORPORA[kind]
    return read(root, labels=labels or "all")


def load_corpus(kind, root, labels=None, progress=True):
    """Read a corpus of any kind the scripts accept, building the demo corpus when missing.

    Parameters
    ----------
    kind : {"demo", "iemocap", "manifest", "ravdess", "crema-d", "tess", "savee"}
    root : path or None
        demo: the corpus folder (default ``data/demo_corpus``); iemocap: the
        ``IEMOCAP_full_release`` folder; manifest: the CSV file; an acted corpus:
        its release folder.
    labels : str, optional
        demo and IEMOCAP: ``"paper"`` (default) or ``"all"``; the acted corpora:
        ``"all"`` (default) or ``"four"``.
    progress : bool

    Returns
    -------
    utterances : list of Utterance
    info : dict
        Kind, root and what the reader left out, for a bundle manifest.

    Raises
    ------
    ValueError
        When ``root`` is missing for iemocap or manifest.
    """
    if kind == "demo":
        root = root or DEFAULT_ROOT
        if read_marker(root) is None:  # a complete demo corpus is used as built, whatever its settings
            print(f"building the demo corpus at {root}", flush=True)
            build_demo_corpus(root, progress=progress)
    elif root is None:
        raise ValueError(f"--corpus {kind} needs --root")
    if kind == "manifest":
        utterances = read_manifest(root)
        return utterances, {"kind": kind, "root": str(Path(root).resolve())}
    if kind in ACTED_CORPORA:
        labels = labels or "all"
        corpus = read_acted_corpus(kind, root, labels)
    else:
        labels = labels or "paper"
        corpus = read_iemocap(root, labels=labels)
    info = {"kind": kind, "root": str(Path(root).resolve()), "labels": labels}
    left_out = dict(corpus.excluded)
    for _, reason in corpus.skipped:
        left_out[reason] = left_out.get(reason, 0) + 1
    info["left_out"] = dict(sorted(left_out.items()))
    return corpus.utterances, info
