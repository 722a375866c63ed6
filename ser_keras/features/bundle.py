"""Write and read the feature bundle: the contract between feature extraction and training.

A bundle is a folder::

    acoustic.npy           float32 (N, 200, 34)  raw features, zero-padded      } feature set
    acoustic_lengths.npy   int32 (N,)            real frames per utterance      } "acoustic"
    speech_embeddings.npy  float32 (N, 128, D)   looked-up word vectors, zero-padded  } feature
    tokens.npy             int32 (N, 128)        token ids (0 padding, 1 unknown)     } set
    vocab.txt              one word per line, line i is id i                          } "words"
    embedding_matrix.npy   float32 (V, D)        rows of the trainable embedding layer}
    labels.npy             int32 (N,)            index into manifest["classes"]      targets
    dimensions.npy         float32 (N, 3)        valence, arousal, dominance; NaN where unrated
    votes.npy              float32 (N, C)        annotators' votes per class (0 when none)
    sets/NAME/*.npy        further feature sets, added by ``--feature-sets``
    meta.csv               one row per utterance (id, session, speaker, dialogue, start, ...)
    manifest.json          written last: its presence means the bundle is complete

``manifest["feature_sets"]`` declares every feature set: its arrays with shape and
dtype, its settings and the package versions that computed it. Writes are atomic:
a whole bundle, and each added set, is written to a hidden folder renamed into place,
and the manifest is replaced in one step after it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..io import atomic_folder, write_json

MANIFEST = "manifest.json"
SETS_FOLDER = "sets"
TARGETS = ("labels", "dimensions", "votes")
BASE_SETS = {"acoustic": ("acoustic", "acoustic_lengths"), "words": ("speech_embeddings", "tokens", "embedding_matrix")}


class BundleError(ValueError):
    """A folder that is not a complete feature bundle, or lacks what a step needs."""


def describe_arrays(arrays):
    """``{name: {"shape": [...], "dtype": str}}`` for a manifest."""
    return {name: {"shape": list(array.shape), "dtype": str(array.dtype)} for name, array in arrays.items()}


def write_bundle(out, arrays, vocabulary, meta, manifest):
    """Write a bundle atomically.

    Parameters
    ----------
    out : str or pathlib.Path
        The bundle folder; an existing bundle there is replaced only once the
        new one is complete.
    arrays : dict of str -> np.ndarray
        The arrays of the base feature sets (:data:`BASE_SETS`) and the targets
        (:data:`TARGETS`); ``speech_embeddings`` may be absent.
    vocabulary : list of str
    meta : pandas.DataFrame
    manifest : dict
        JSON-serialisable; ``feature_sets`` and ``arrays`` entries are added here.

    Returns
    -------
    pathlib.Path
        ``out``.
    """
    out = Path(out)
    if out.exists() and not (out / MANIFEST).is_file():
        raise BundleError(f"{out} exists and is not a feature bundle; choose another --out")
    known = set(TARGETS).union(*BASE_SETS.values())
    unknown = sorted(set(arrays) - known)
    if unknown:
        raise ValueError(f"unknown bundle arrays {unknown}; further feature sets go through add_feature_set")
    manifest = dict(manifest)
    manifest["targets"] = describe_arrays({name: arrays[name] for name in TARGETS if name in arrays})
    with atomic_folder(out) as partial:
        for name, array in arrays.items():
            np.save(partial / f"{name}.npy", array)
        (partial / "vocab.txt").write_text("\n".join(vocabulary) + "\n", encoding="utf-8")
        meta.to_csv(partial / "meta.csv", index=False)
        write_json(partial / MANIFEST, manifest)
    return out


def add_feature_set(bundle, name, arrays, settings):
    """Add (or replace) one named feature set of an existing bundle, atomically.

    The set's arrays go to ``sets/NAME/`` through a hidden folder renamed into
    place; the manifest, which declares the set, is replaced after it. An
    interrupted call leaves the bundle as it was.

    Parameters
    ----------
    bundle : Bundle
    name : str
    arrays : dict of str -> np.ndarray
        Each with N rows, N the bundle's utterances; those named in ``settings["per_segment"]``
        have one row per segment instead, ``segment_counts`` (N,) saying how many each
        utterance has.
    settings : dict
        JSON-serialisable: how the set was computed, package versions included.

    Returns
    -------
    Bundle
        The bundle read again.
    """
    rows = len(bundle.meta)
    per_segment = set(settings.get("per_segment", ()))
    if per_segment:
        counts = arrays["segment_counts"] if "segment_counts" in arrays else bundle.array("segment_counts")
        segments = int(np.sum(counts))
    for array_name, array in arrays.items():
        expected, unit = (segments, "segments") if array_name in per_segment else (rows, "utterances")
        if len(array) != expected:
            raise BundleError(f"feature set {name}: {array_name} has {len(array)} rows, the bundle {expected} {unit}")
    with atomic_folder(bundle.path / SETS_FOLDER / name) as partial:
        for array_name, array in arrays.items():
            np.save(partial / f"{array_name}.npy", array)
    manifest = dict(bundle.manifest)
    manifest["feature_sets"] = dict(manifest.get("feature_sets") or {})
    manifest["feature_sets"][name] = {"arrays": describe_arrays(arrays), "settings": settings}
    write_json(bundle.path / MANIFEST, manifest)
    return read_bundle(bundle.path)


@dataclass
class Bundle:
    """A feature bundle read from disk; arrays are memory-mapped."""

    path: Path
    manifest: dict
    meta: object  # pandas.DataFrame
    vocabulary: list

    @property
    def feature_sets(self):
        """``{set name: declaration}`` of every feature set the bundle holds."""
        return self.manifest.get("feature_sets", {})

    def array(self, name):
        """One array of the bundle, e.g. ``bundle.array("acoustic")``, shape as in the module docstring.

        Raises
        ------
        BundleError
            When the bundle lacks it; the message says which command adds it.
        """
        for set_name, declaration in self.feature_sets.items():
            if name in declaration["arrays"] and set_name not in BASE_SETS:
                return np.load(self.path / SETS_FOLDER / set_name / f"{name}.npy", mmap_mode="r")
        path = self.path / f"{name}.npy"
        if not path.is_file():
            raise BundleError(f"{self.path} has no {name}.npy: {self.missing_hint(name)}")
        return np.load(path, mmap_mode="r")

    def missing_hint(self, name):
        """What to run to get array or feature set ``name`` into this bundle."""
        if name in TARGETS:
            return "re-run feature_extraction.py (bundles written before targets were stored lack it)"
        return f"add it with `python feature_extraction.py --out {self.path} --feature-sets SET`"

    def require_sets(self, names):
        """Raise a one-line :class:`BundleError` naming the command when a feature set is missing."""
        missing = [name for name in names if name not in self.feature_sets]
        base = [name for name in missing if name in BASE_SETS]
        if base:
            raise BundleError(
                f"{self.path} has no {', '.join(base)} feature set; re-run feature_extraction.py "
                f"(the words set needs word vectors: --embeddings)"
            )
        if missing:
            raise BundleError(
                f"{self.path} lacks the feature set(s) {', '.join(missing)}; add them with "
                f"`python feature_extraction.py --out {self.path} --feature-sets {','.join(missing)}`"
            )

    @property
    def classes(self):
        return list(self.manifest["classes"])


def read_bundle(path):
    """Open a feature bundle.

    Bundles written before feature sets were declared get their two base sets
    declared from the files present.

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
    if "feature_sets" not in manifest:
        manifest["feature_sets"] = {
            name: {"arrays": {array: {} for array in arrays if (path / f"{array}.npy").is_file()}, "settings": {}}
            for name, arrays in BASE_SETS.items()
            if (path / f"{arrays[0]}.npy").is_file() or (path / f"{arrays[-1]}.npy").is_file()
        }
    meta = pd.read_csv(path / "meta.csv", keep_default_na=False)
    vocabulary = (path / "vocab.txt").read_text(encoding="utf-8").splitlines()
    return Bundle(path=path, manifest=manifest, meta=meta, vocabulary=vocabulary)
