"""Extraction spread over machines: one slice of a corpus per call, and a merge into one bundle.

The acoustic features of every utterance are what costs; the words (vocabulary, word2vec
trained on every transcript) need the whole corpus and cost little. So
``feature_extraction.py --shard K/N`` computes the acoustic features of the K-th of N
contiguous slices of the corpus into ``OUT.shards/K-of-N/``, and ``--merge N`` joins the N
slices, in corpus order, then computes the words and writes the bundle as one call would:
the same arrays, byte for byte (``tests/test_feature_extraction.py``). Any scheduler that
runs N copies of a command (an array job, one container per shard) spreads a corpus this way.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..io import atomic_folder, write_json
from .acoustic import acoustic_features

_SHARD = re.compile(r"^(\d+)/(\d+)$")


def parse_shard(text):
    """``"K/N"`` -> (K, N), 1 <= K <= N; ValueError otherwise."""
    match = _SHARD.match(str(text))
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ValueError(f"--shard: expected K/N with 1 <= K <= N, got {text!r}")
    return int(match.group(1)), int(match.group(2))


def shard_rows(count, shard, shards):
    """The utterance indices of slice ``shard`` (1-based) of ``shards`` contiguous slices of ``count``."""
    return np.array_split(np.arange(count), shards)[shard - 1]


def shards_folder(out):
    """Where the slices of the bundle ``out`` are written."""
    out = Path(out)
    return out.with_name(out.name + ".shards")


def extract_shard(utterances, out, shard, shards, backend="vectorised", max_frames=200, workers=1, progress=True):
    """Compute the acoustic features of one slice of the corpus and write them beside ``out``.

    Parameters
    ----------
    utterances : list of Utterance
        The whole corpus, in the order every shard reads it.
    out : path
        The bundle folder the merge will write.
    shard, shards : int
        This slice (1-based) and their number.
    backend, max_frames, workers, progress
        As :func:`ser_keras.features.acoustic.acoustic_features` takes them.

    Returns
    -------
    pathlib.Path
        The slice's folder (written atomically: a slice is there whole or not at all).
    """
    rows = shard_rows(len(utterances), shard, shards)
    computed = acoustic_features([utterances[row].wav_path for row in rows], backend, max_frames, workers, progress)
    folder = shards_folder(out) / f"{shard}-of-{shards}"
    folder.parent.mkdir(parents=True, exist_ok=True)
    with atomic_folder(folder) as partial:
        for name in ("features", "lengths", "cut", "seconds"):
            np.save(partial / f"{name}.npy", computed[name])
        np.save(partial / "kept.npy", rows[computed["kept"]])
        record = {
            "shard": shard,
            "shards": shards,
            "utterances": len(utterances),
            "ids": [utterances[row].id for row in rows],
            "backend": backend,
            "max_frames": max_frames,
            "skipped": [[int(rows[index]), reason] for index, reason in computed["skipped"]],
        }
        write_json(partial / "shard.json", record)
    return folder


def merged_acoustic(utterances, out, shards, backend="vectorised", max_frames=200):
    """The acoustic features of every slice joined in corpus order, as ``acoustic_features`` returns them.

    Raises
    ------
    ValueError
        For a missing slice, or one computed from another corpus or with other options.
    """
    import json

    parts = []
    for shard in range(1, shards + 1):
        folder = shards_folder(out) / f"{shard}-of-{shards}"
        if not (folder / "shard.json").is_file():
            raise ValueError(f"slice {shard} of {shards} is missing: run --shard {shard}/{shards} (looked in {folder})")
        record = json.loads((folder / "shard.json").read_text())
        rows = shard_rows(len(utterances), shard, shards)
        expected = {"ids": [utterances[row].id for row in rows], "backend": backend, "max_frames": max_frames}
        differing = [key for key, value in expected.items() if record.get(key) != value]
        if differing:
            raise ValueError(f"slice {shard} of {shards} differs from this call in {', '.join(differing)}")
        parts.append((folder, record))
    names = ("features", "lengths", "cut", "seconds", "kept")
    merged = {name: np.concatenate([np.load(folder / f"{name}.npy") for folder, _ in parts]) for name in names}
    merged["skipped"] = [(index, reason) for _, record in parts for index, reason in record["skipped"]]
    return merged
