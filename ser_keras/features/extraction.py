"""Corpus to feature bundle: the step behind ``feature_extraction.py``."""

from __future__ import annotations

import os
import time
from collections import Counter

import numpy as np

from ..version import __version__
from .acoustic import FEATURE_NAMES, FRAME_SECONDS, MAX_FRAMES, acoustic_features
from .audio import SAMPLE_RATE
from .bundle import BASE_SETS, describe_arrays, write_bundle
from .embeddings import embedding_matrix, find, load_vectors, lookup, train_word2vec
from .text import MAX_WORDS, UNKNOWN_ID, build_vocabulary, encode, tokenize

TRAIN_WORD2VEC = "train-word2vec"


def extract_bundle(
    utterances,
    out,
    embeddings=TRAIN_WORD2VEC,
    dim=50,
    seed=0,
    backend="vectorised",
    workers=1,
    max_frames=MAX_FRAMES,
    max_words=MAX_WORDS,
    corpus_info=None,
    progress=True,
    speech_embeddings=None,
    acoustic=None,
):
    """Extract every feature of a corpus and write the bundle.

    Parameters
    ----------
    utterances : list of Utterance
    out : path
        Bundle folder (written atomically).
    embeddings : str or path
        A vector file for :func:`load_vectors`, or ``"train-word2vec"`` to train
        skip-gram word2vec on the corpus's transcripts (``dim``, ``seed``).
    dim, seed : int
    backend : {"vectorised", "pyaudioanalysis"}
    workers : int
    max_frames, max_words : int
    corpus_info : dict, optional
        Recorded in the manifest (kind, root, what the reader left out).
    progress : bool
    speech_embeddings : callable, optional
        ``speech_embeddings(utterances, max_words) -> (array, record)``: ENC2's input from
        each word's audio (Speech2Vec acoustic mode), (K, max_words, D) zero past each
        utterance's words, and a dict for the manifest (default: each token's vector).
    acoustic : dict, optional
        The acoustic features already computed, as :func:`acoustic_features` returns
        them (the merged slices of :mod:`ser_keras.features.shards`).

    Returns
    -------
    dict
        The manifest written, which holds the summary figures.
    """
    started = time.perf_counter()
    if not utterances:
        raise ValueError("no utterances to extract")
    if acoustic is None:
        acoustic = acoustic_features([u.wav_path for u in utterances], backend, max_frames, workers, progress)
    kept = [utterances[i] for i in acoustic["kept"]]
    if not kept:
        raise ValueError("no usable audio: every file was skipped")
    token_lists = [tokenize(u.transcript) for u in kept]
    vectors, source = word_vectors(token_lists, embeddings, dim, seed)
    vocabulary = build_vocabulary(token_lists, keep=lambda word: find(vectors, word) is not None)
    tokens, word_counts, words_cut = encode(token_lists, vocabulary, max_words)
    matrix = embedding_matrix(vocabulary, vectors)
    classes = sorted({u.label for u in kept})
    labels = np.array([classes.index(u.label) for u in kept], dtype=np.int32)
    arrays = {"acoustic": acoustic["features"], "acoustic_lengths": acoustic["lengths"], "speech_embeddings": None}
    arrays.update(tokens=tokens, embedding_matrix=matrix, labels=labels, **targets(kept, classes))
    source["mode"] = "lookup" if speech_embeddings is None else "acoustic"
    if speech_embeddings is None:
        arrays["speech_embeddings"] = lookup(tokens, matrix)
    else:
        arrays["speech_embeddings"], source["speech_embeddings"] = speech_embeddings(kept, max_words)
    words = {"tokens": tokens, "counts": word_counts, "cut": words_cut, "vocabulary": vocabulary}
    manifest = _manifest(utterances, kept, classes, labels, acoustic, words, source, corpus_info, backend, max_frames,
                         max_words)  # fmt: skip
    manifest["feature_sets"] = {
        name: {"arrays": describe_arrays({a: arrays[a] for a in names}), "settings": settings}
        for name, names, settings in (
            ("acoustic", BASE_SETS["acoustic"], manifest["acoustic"]),
            ("words", BASE_SETS["words"], {**manifest["words"], "embeddings": source}),
        )
    }
    manifest["seconds"] = round(time.perf_counter() - started, 2)
    write_bundle(out, arrays, vocabulary, _meta(kept, acoustic, words), manifest)
    return manifest


def word_vectors(token_lists, embeddings=TRAIN_WORD2VEC, dim=50, seed=0):
    """The word vectors of a bundle, and the manifest's record of where they came from.

    Parameters
    ----------
    token_lists : list of list of str
        The transcripts' words (training word2vec reads them; nothing else does).
    embeddings : str or path
        A vector file, or ``"train-word2vec"``.
    dim, seed : int
        For vectors trained here.

    Returns
    -------
    vectors : gensim.models.KeyedVectors
    source : dict
    """
    if str(embeddings) == TRAIN_WORD2VEC and not any(token_lists):
        # A corpus without transcripts (SAVEE's audio release): acoustic systems still read the bundle.
        from gensim.models import KeyedVectors

        vectors = KeyedVectors(vector_size=dim)
        source = {"kind": "none: the corpus has no transcripts (the words branches have nothing to read)", "dim": dim}
    elif str(embeddings) == TRAIN_WORD2VEC:
        vectors = train_word2vec(token_lists, dim=dim, seed=seed)
        source = {"kind": "word2vec skip-gram trained on the corpus transcripts (no labels)", "dim": dim, "seed": seed}
    else:
        vectors = load_vectors(embeddings)
        source = {"kind": "pretrained file", "path": str(os.path.abspath(embeddings)), "dim": vectors.vector_size}
    source["vectors"] = len(vectors)
    return vectors, source


def _meta(kept, acoustic, words):
    """``meta.csv``: one row per kept utterance, in bundle order."""
    import pandas as pd

    oov = (words["tokens"] == UNKNOWN_ID).sum(axis=1).astype(np.int32)
    return pd.DataFrame(
        {
            "id": [u.id for u in kept],
            "session": [u.session if u.session is not None else "" for u in kept],
            "speaker": [u.speaker for u in kept],
            "dialogue": [u.dialogue or "" for u in kept],
            "start": [u.start if u.start is not None else "" for u in kept],
            "label": [u.label for u in kept],
            "transcript": [u.transcript for u in kept],
            "duration": np.round(acoustic["seconds"], 4),
            "frames": acoustic["lengths"],
            "words": words["counts"],
            "oov": oov,
        }
    )


def _manifest(utterances, kept, classes, labels, acoustic, words, source, corpus_info, backend, max_frames, max_words):
    """The bundle's manifest: what was read, kept, cut and skipped, and with what."""
    skipped = [{"id": utterances[i].id, "reason": reason} for i, reason in acoustic["skipped"]]
    oov = int((words["tokens"] == UNKNOWN_ID).sum())
    total_words = int(words["counts"].sum())
    return {
        "format": 2,
        "created_by": f"ser_keras {__version__}",
        "corpus": corpus_info or {},
        "classes": classes,
        "counts": {name: int((labels == i).sum()) for i, name in enumerate(classes)},
        "utterances": len(kept),
        "acoustic": {
            "backend": backend,
            "sample_rate": SAMPLE_RATE,
            "window_seconds": FRAME_SECONDS,
            "step_seconds": FRAME_SECONDS,
            "max_frames": max_frames,
            "feature_names": list(FEATURE_NAMES),
            "utterances_cut": int((acoustic["cut"] > 0).sum()),
            "frames_cut": int(acoustic["cut"].sum()),
        },
        "words": {
            "max_words": max_words,
            "vocabulary": len(words["vocabulary"]),
            "tokens": total_words,
            "oov_tokens": oov,
            "oov_rate": float(oov / total_words) if total_words else 0.0,
            "utterances_cut": int((words["cut"] > 0).sum()),
            "words_cut": int(words["cut"].sum()),
            "utterances_without_words": int((words["counts"] == 0).sum()),
        },
        "embeddings": source,
        "skipped": {
            "count": len(skipped),
            "reasons": dict(Counter(s["reason"] for s in skipped)),
            "utterances": skipped,
        },
        "audio_seconds": round(float(acoustic["seconds"].sum()), 2),
        "versions": _versions(),
    }


def targets(utterances, classes):
    """The dimensional ratings and annotator votes of utterances, as bundle target arrays.

    Parameters
    ----------
    utterances : sequence of Utterance, length N
    classes : list of str, length C

    Returns
    -------
    dict
        ``dimensions`` float32 (N, 3): valence, arousal, dominance as the corpus rates
        them, NaN where it does not; ``votes`` float32 (N, C): how many annotators chose
        each class (all zero where the corpus records no annotators).
    """
    dimensions = np.array(
        [[np.nan if value is None else value for value in (u.valence, u.arousal, u.dominance)] for u in utterances],
        dtype=np.float32,
    ).reshape(len(utterances), 3)
    votes = np.zeros((len(utterances), len(classes)), dtype=np.float32)
    index = {name: i for i, name in enumerate(classes)}
    for row, utterance in enumerate(utterances):
        for name in utterance.votes:
            if name in index:
                votes[row, index[name]] += 1
    return {"dimensions": dimensions, "votes": votes}


def summary(manifest):
    """A short plain-text summary of a bundle manifest."""
    lines = ["utterances per class: " + ", ".join(f"{k} {v}" for k, v in manifest["counts"].items())]
    lines.append(f"total: {manifest['utterances']} utterances, {manifest['audio_seconds'] / 60:.1f} min of audio")
    skipped = manifest["skipped"]
    if skipped["count"]:
        reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(skipped["reasons"].items()))
        lines.append(f"skipped: {skipped['count']} ({reasons})")
    else:
        lines.append("skipped: none")
    left_out = manifest["corpus"].get("left_out")
    if left_out:
        lines.append("left out by the corpus reader: " + ", ".join(f"{k} {v}" for k, v in left_out.items()))
    words = manifest["words"]
    lines.append(
        f"words: {words['tokens']} tokens, vocabulary {words['vocabulary']}, "
        f"OOV rate {words['oov_rate']:.2%}, utterances cut at {words['max_words']} words: {words['utterances_cut']}"
    )
    acoustic = manifest["acoustic"]
    lines.append(
        f"acoustic: {acoustic['backend']} backend, utterances cut at {acoustic['max_frames']} frames: "
        f"{acoustic['utterances_cut']} ({acoustic['frames_cut']} frames)"
    )
    embedding = manifest["embeddings"]
    lines.append(f"embeddings: {embedding['kind']}, dim {embedding['dim']}")
    if embedding.get("mode") == "acoustic":
        lines.append(f"ENC2 input: {embedding['speech_embeddings']['kind']}")
    seconds = manifest["seconds"]
    lines.append(f"time: {seconds:.1f} s, {manifest['audio_seconds'] / max(seconds, 1e-9):.0f}x real time")
    return "\n".join(lines)


def _versions():
    from ..environment import versions

    packages = ("numpy", "scipy", "librosa", "soundfile", "pyAudioAnalysis", "gensim", "scikit-learn")
    return {**versions(packages), "ser_keras": __version__}
