"""Write and read the feature bundle: the contract between feature extraction and training.

A bundle is a folder::

    acoustic.npy           float32 (N, 200, 34)  raw features, zero-padded
    acoustic_lengths.npy   int32 (N,)            real frames per utterance
    speech_embeddings.npy  float32 (N, 128, D)   looked-up word vectors, zero-padded
    tokens.npy             int32 (N, 128)        token ids (0 padding, 1 unknown)
    vocab.txt              one word per line, line i is id i
    embedding_matrix.npy   float32 (V, D)        rows of the trainable embedding layer
    labels.npy             int32 (N,)            index into manifest["classes"]
    meta.csv               one row per utterance
    manifest.json          written last: its presence means the bundle is complete

Writes are atomic: everything goes to a hidden folder beside the target, which is
renamed into place when complete, so an interrupted run never leaves a bundle
that looks complete.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MANIFEST = "manifest.json"
ARRAYS = (
    "acoustic",
    "acoustic_lengths",
    "speech_embeddings",
    "tokens",
    "embedding_matrix",
    "labels",
)


class BundleError(ValueError):
    """A folder that is not a complete feature bundle."""


def write_bundle(out, arrays, vocabulary, meta, manifest):
    """Write a bundle atomically.

    Parameters
    ----------
    out : str or pathlib.Path
        The bundle folder; an existing bundle there is replaced only once the
        new one is complete.
    arrays : dict of str -> np.ndarray
        Names from :data:`ARRAYS` (``speech_embeddings`` may be absent).
    vocabulary : list of str
    meta : pandas.DataFrame
    manifest : dict
        JSON-serialisable.

    Returns
    -------
    pathlib.Path
        ``out``.
    """
    out = Path(out)
    if out.exists() and not (out / MANIFEST).is_file():
        raise BundleError(f"{out} exists and is not a feature bundle; choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.parent / f".{out.name}.partial-{os.getpid()}"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir()
    try:
        for name, array in arrays.items():
            if name not in ARRAYS:
                raise ValueError(f"unknown bundle array {name!r}")
            np.save(partial / f"{name}.npy", array)
        (partial / "vocab.txt").write_text("\n".join(vocabulary) + "\n", encoding="utf-8")
        meta.to_csv(partial / "meta.csv", index=False)
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    except BaseException:  # interrupted or failed: leave nothing behind
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if out.exists():
        previous = out.parent / f".{out.name}.previous-{os.getpid()}"
        out.rename(previous)
        partial.rename(out)
        shutil.rmtree(previous)
    else:
        partial.rename(out)
    return out


@dataclass
class Bundle:
    """A feature bundle read from disk; arrays are memory-mapped."""

    path: Path
    manifest: dict
    meta: object  # pandas.DataFrame
    vocabulary: list

    def array(self, name):
        """One array of the bundle, e.g. ``bundle.array("acoustic")``, shape as in the module docstring."""
        path = self.path / f"{name}.npy"
        if not path.is_file():
            raise BundleError(f"{self.path} has no {name}.npy")
        return np.load(path, mmap_mode="r")

    @property
    def classes(self):
        return list(self.manifest["classes"])


def read_bundle(path):
    """Open a feature bundle.

    Raises
    ------
    BundleError
        When ``path`` is missing or not complete (no ``manifest.json``).
    """
    import pandas as pd

    path = Path(path)
    if not (path / MANIFEST).is_file():
        raise BundleError(f"{path} is not a complete feature bundle (no {MANIFEST}); run feature_extraction.py")
    manifest = json.loads((path / MANIFEST).read_text())
    meta = pd.read_csv(path / "meta.csv", keep_default_na=False)
    vocabulary = (path / "vocab.txt").read_text(encoding="utf-8").splitlines()
    return Bundle(path=path, manifest=manifest, meta=meta, vocabulary=vocabulary)
