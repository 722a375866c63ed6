"""The registry of feature sets: what each computes, from what, and how to add one to a bundle.

Every bundle holds the two base sets that ``feature_extraction.py`` always writes:

* ``acoustic``: the 34 pyAudioAnalysis features per 100 ms frame (Krishna and Reddy 2.1);
* ``words``: token ids, vocabulary and word vectors (2.2, 2.4).

Further sets are added by name (``feature_extraction.py --feature-sets a,b``) into
``sets/NAME/`` of an existing bundle, without recomputing the others. A set is one
function ``compute(context) -> (arrays, settings)``; ``context`` gives the bundle's
arrays (``context.array(name)``) and its utterances in bundle order
(``context.utterances()``, for sets computed from audio). The same function computes
the set of new audio at prediction time.
"""

from __future__ import annotations

import platform
from dataclasses import dataclass
from importlib import metadata

import numpy as np


@dataclass(frozen=True)
class FeatureSet:
    """One registered feature set.

    Attributes
    ----------
    name : str
    description : str
    arrays : tuple of str
        The arrays it writes, each with one row per utterance.
    needs : tuple of str
        Feature sets it is computed from (computed first when missing).
    compute : callable or None
        ``compute(context) -> (dict of arrays, dict of settings)``; None for the base
        sets, which the main extraction writes.
    packages : tuple of str
        Packages whose versions are recorded with the set.
    """

    name: str
    description: str
    arrays: tuple
    needs: tuple = ()
    compute: object = None
    packages: tuple = ("numpy",)


_REGISTRY: dict[str, FeatureSet] = {}


def register_feature_set(feature_set):
    """Add a feature set to the registry and return it."""
    existing = _REGISTRY.get(feature_set.name)
    if existing is not None and existing is not feature_set:
        raise ValueError(f"a feature set named {feature_set.name!r} is already registered")
    _REGISTRY[feature_set.name] = feature_set
    return feature_set


def available_feature_sets():
    """Every registered feature set, by name."""
    return dict(sorted(_REGISTRY.items()))


def get_feature_set(name):
    """A registered feature set by name; ValueError naming the available ones otherwise."""
    if name not in _REGISTRY:
        raise ValueError(f"no feature set named {name!r}; available: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


class BundleContext:
    """What a feature set's ``compute`` reads when adding it to a bundle.

    Parameters
    ----------
    bundle : Bundle
    workers : int
    progress : bool
    """

    def __init__(self, bundle, workers=1, progress=True):
        self.bundle = bundle
        self.workers = workers
        self.progress = progress
        self._utterances = None

    def array(self, name):
        """A bundle array (memory-mapped)."""
        return self.bundle.array(name)

    def utterances(self):
        """The bundle's utterances, read again from its corpus, in bundle order.

        Raises
        ------
        ValueError
            When the corpus is no longer where the bundle was extracted from.
        """
        if self._utterances is None:
            from ..corpora.loading import load_corpus

            corpus = self.bundle.manifest.get("corpus", {})
            if not corpus.get("kind"):
                raise ValueError(f"{self.bundle.path} does not record its corpus; re-run feature_extraction.py")
            utterances, _ = load_corpus(corpus["kind"], corpus["root"], corpus.get("labels", "paper"), progress=False)
            by_id = {u.id: u for u in utterances}
            ids = self.bundle.meta["id"].astype(str).tolist()
            missing = [identifier for identifier in ids if identifier not in by_id]
            if missing:
                raise ValueError(
                    f"{len(missing)} utterances of the bundle are not in {corpus['root']} (first: {missing[0]})"
                )
            self._utterances = [by_id[identifier] for identifier in ids]
        return self._utterances


class ArraysContext:
    """The same interface over arrays in memory (prediction of new audio)."""

    def __init__(self, arrays, utterances, workers=1, progress=False):
        self.arrays = arrays
        self._utterances = utterances
        self.workers = workers
        self.progress = progress

    def array(self, name):
        return self.arrays[name]

    def utterances(self):
        return self._utterances


def versions(packages):
    """Python's and each package's version (None when not installed)."""
    found = {"python": platform.python_version()}
    for package in packages:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = None
    return found


def compute_feature_set(name, context):
    """Compute one registered set (not a base set) on a context.

    Returns
    -------
    arrays : dict of str -> np.ndarray
    settings : dict
        The set's own settings, with ``versions``.
    """
    feature_set = get_feature_set(name)
    if feature_set.compute is None:
        raise ValueError(f"{name} is a base feature set, written by every run of feature_extraction.py")
    arrays, settings = feature_set.compute(context)
    return arrays, {**settings, "description": feature_set.description, "versions": versions(feature_set.packages)}


def add_feature_sets(bundle, names, workers=1, progress=True, log=print):
    """Compute the named sets (and the sets they need that the bundle lacks) and add each to the bundle.

    Each set is written atomically as it is done; the others are not touched.

    Returns
    -------
    Bundle
        The bundle read again.
    """
    from .bundle import add_feature_set

    order = []

    def visit(name):
        feature_set = get_feature_set(name)
        for need in feature_set.needs:
            if need not in bundle.feature_sets:
                visit(need)
        if name not in order:
            order.append(name)

    for name in names:
        visit(name)
    for name in order:
        if log:
            log(f"feature set {name}: {get_feature_set(name).description}")
        arrays, settings = compute_feature_set(name, BundleContext(bundle, workers, progress))
        bundle = add_feature_set(bundle, name, arrays, settings)
    return bundle


def _acoustic_statistics(context):
    """Mean and standard deviation over each utterance's real frames of the 34 features: (N, 68)."""
    frames, lengths = context.array("acoustic"), context.array("acoustic_lengths")
    statistics = np.zeros((len(lengths), 2 * frames.shape[2]), dtype=np.float32)
    for row, length in enumerate(lengths):
        real = np.asarray(frames[row, : max(int(length), 1)], dtype=np.float64)
        statistics[row] = np.concatenate([real.mean(axis=0), real.std(axis=0)])
    return {"acoustic_stats": statistics}, {"of": "acoustic", "statistics": ["mean", "std"], "frames": "real only"}


register_feature_set(
    FeatureSet(
        "acoustic",
        "34 pyAudioAnalysis features per 100 ms frame, zero-padded to 200 frames (Krishna and Reddy 2.1)",
        ("acoustic", "acoustic_lengths"),
        packages=("numpy", "librosa", "pyAudioAnalysis"),
    )
)
register_feature_set(
    FeatureSet(
        "words",
        "token ids (128 words), vocabulary, word vectors and the looked-up sequences (Krishna and Reddy 2.2, 2.4)",
        ("speech_embeddings", "tokens", "embedding_matrix"),
        packages=("numpy", "gensim"),
    )
)
register_feature_set(
    FeatureSet(
        "acoustic_stats",
        "mean and standard deviation of the 34 features over each utterance's real 100 ms frames (68 values)",
        ("acoustic_stats",),
        needs=("acoustic",),
        compute=_acoustic_statistics,
    )
)
