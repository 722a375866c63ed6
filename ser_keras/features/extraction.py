"""Corpus to feature bundle: the step behind ``feature_extraction.py``."""

from __future__ import annotations

import os
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from .. import __version__
from .acoustic import FEATURE_NAMES, FRAME_SECONDS, MAX_FRAMES, N_FEATURES, extract, pad_or_cut
from .audio import SAMPLE_RATE, AudioError, load_audio
from .bundle import BASE_SETS, describe_arrays, write_bundle
from .embeddings import embedding_matrix, find, load_vectors, lookup, train_word2vec
from .text import MAX_WORDS, UNKNOWN_ID, build_vocabulary, encode, tokenize

TRAIN_WORD2VEC = "train-word2vec"


def map_files(function, items, workers=1, progress=True, description="acoustic features"):
    """``[function(item) for item in items]``, across ``workers`` processes, with a progress bar.

    Parameters
    ----------
    function : callable
        Module-level (it is pickled to the worker processes).
    items : sequence
    workers : int
        1 runs in this process.
    progress : bool
    description : str
        Progress-bar label.

    Returns
    -------
    list
        Results in the order of ``items``.
    """
    from tqdm import tqdm

    results = []
    bar = tqdm(total=len(items), desc=description, unit="utt", disable=not progress)
    if workers <= 1:
        for item in items:
            results.append(function(item))
            bar.update()
    else:
        chunksize = max(1, min(16, len(items) // (4 * workers)))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for result in pool.map(function, items, chunksize=chunksize):
                results.append(result)
                bar.update()
    bar.close()
    return results


def acoustic_features(wav_paths, backend="vectorised", max_frames=MAX_FRAMES, workers=1, progress=True):
    """The 34 features of every file, padded or cut to ``max_frames``; unusable files skipped.

    Parameters
    ----------
    wav_paths : sequence of path, length N
    backend : {"vectorised", "pyaudioanalysis"}
    max_frames : int
    workers : int
        Processes across files.
    progress : bool

    Returns
    -------
    dict
        ``features`` float32 (K, max_frames, 34), ``lengths`` int32 (K,),
        ``cut`` int32 (K,), ``seconds`` float64 (K,) for the K usable files;
        ``kept`` (K,) their indices into ``wav_paths``; ``skipped`` a list of
        ``(index, reason)``.
    """
    jobs = [(index, str(path), backend, max_frames) for index, path in enumerate(wav_paths)]
    results = map_files(_one_file, jobs, workers, progress)
    good = [r for r in results if len(r) == 5]
    return {
        "features": np.stack([r[1] for r in good]) if good else np.zeros((0, max_frames, N_FEATURES), np.float32),
        "lengths": np.array([r[2] for r in good], dtype=np.int32),
        "cut": np.array([r[3] for r in good], dtype=np.int32),
        "seconds": np.array([r[4] for r in good], dtype=np.float64),
        "kept": np.array([r[0] for r in good], dtype=np.int64),
        "skipped": [(r[0], r[1]) for r in results if len(r) == 2],
    }


def _one_file(job):
    index, path, backend, max_frames = job
    try:
        signal = load_audio(path)
    except AudioError as error:
        return index, error.reason
    padded, length, cut = pad_or_cut(extract(signal, SAMPLE_RATE, backend), max_frames)
    if not np.all(np.isfinite(padded)):
        return index, "non-finite features"
    return index, padded, length, cut, len(signal) / SAMPLE_RATE


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
        ``speech_embeddings(utterances, max_words) -> (array, record)``: ENC2's input
        computed from the audio of each word (Speech2Vec acoustic mode), an array
        (K, max_words, D) with zero rows past each utterance's words, and a dict for
        the manifest. By default ENC2's input is the lookup of each token's vector.

    Returns
    -------
    dict
        The manifest written, which holds the summary figures.
    """
    import pandas as pd

    started = time.perf_counter()
    if not utterances:
        raise ValueError("no utterances to extract")
    acoustic = acoustic_features(
        [u.wav_path for u in utterances], backend=backend, max_frames=max_frames, workers=workers, progress=progress
    )
    kept = [utterances[i] for i in acoustic["kept"]]
    if not kept:
        raise ValueError("no usable audio: every file was skipped")
    token_lists = [tokenize(u.transcript) for u in kept]

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
    vocabulary = build_vocabulary(token_lists, keep=lambda word: find(vectors, word) is not None)
    tokens, word_counts, words_cut = encode(token_lists, vocabulary, max_words)
    matrix = embedding_matrix(vocabulary, vectors)
    oov = ((tokens == UNKNOWN_ID).sum(axis=1)).astype(np.int32)

    classes = sorted({u.label for u in kept})
    labels = np.array([classes.index(u.label) for u in kept], dtype=np.int32)
    meta = pd.DataFrame(
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
            "words": word_counts,
            "oov": oov,
        }
    )
    skipped = [{"id": utterances[i].id, "reason": reason} for i, reason in acoustic["skipped"]]
    total_words = int(word_counts.sum())
    audio_seconds = float(acoustic["seconds"].sum())
    manifest = {
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
            "vocabulary": len(vocabulary),
            "tokens": total_words,
            "oov_tokens": int(oov.sum()),
            "oov_rate": float(oov.sum() / total_words) if total_words else 0.0,
            "utterances_cut": int((words_cut > 0).sum()),
            "words_cut": int(words_cut.sum()),
            "utterances_without_words": int((word_counts == 0).sum()),
        },
        "embeddings": source,
        "skipped": {
            "count": len(skipped),
            "reasons": dict(Counter(s["reason"] for s in skipped)),
            "utterances": skipped,
        },
        "audio_seconds": round(audio_seconds, 2),
        "versions": _versions(),
    }
    arrays = {
        "acoustic": acoustic["features"],
        "acoustic_lengths": acoustic["lengths"],
        "speech_embeddings": lookup(tokens, matrix) if speech_embeddings is None else None,
        "tokens": tokens,
        "embedding_matrix": matrix,
        "labels": labels,
        **targets(kept, classes),
    }
    if speech_embeddings is None:
        source["mode"] = "lookup"
    else:
        arrays["speech_embeddings"], record = speech_embeddings(kept, max_words)
        source["mode"] = "acoustic"
        source["speech_embeddings"] = record
    manifest["feature_sets"] = {
        name: {"arrays": describe_arrays({a: arrays[a] for a in names}), "settings": settings}
        for name, names, settings in (
            ("acoustic", BASE_SETS["acoustic"], manifest["acoustic"]),
            ("words", BASE_SETS["words"], {**manifest["words"], "embeddings": source}),
        )
    }
    manifest["seconds"] = round(time.perf_counter() - started, 2)
    write_bundle(out, arrays, vocabulary, meta, manifest)
    return manifest


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
