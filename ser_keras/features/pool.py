"""Several corpora in one bundle: the training data of cross-corpus and multi-corpus runs.

Each corpus is extracted on its own (its reader, its label set, its feature sets); pooling
joins their bundles row after row into one, with a ``corpus`` column in ``meta.csv``. The
cross-corpus protocol (:mod:`ser_keras.protocols.cross_corpus`) reads that column: one corpus
tests, the others train.

What is pooled: the targets, the acoustic set and every further set that all the bundles
hold with the same array shapes and the same settings (the same encoder, the same
statistics), per-segment sets included. The words set is not: each corpus's vocabulary and
word vectors are its own (and its language), so token ids do not mean the same word across
corpora. The classes must be the same in every bundle, or a shared label map is given
(``labels="four"``: angry, happy, neutral and sad, the classes the acted corpora share), and
only those utterances are kept, from bundles of every class: no feature is computed again.

Speakers and fold groups stay apart: ``speaker`` becomes ``CORPUS/SPEAKER`` and each corpus's
fold groups are numbered after the previous corpus's, so the speaker-grouped validation
split and ``--protocol loso`` work on the pool too.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..corpora.acted import FOUR_CLASSES, STAND_INS
from ..io import atomic_folder, write_json
from ..segments import segment_rows
from .bundle import BASE_SETS, MANIFEST, SETS_FOLDER, TARGETS, BundleError, describe_arrays, read_bundle

UNPOOLED = ("words",)  # each corpus's vocabulary and vectors are its own
# What a set measured on its corpus (cuts, speed, versions, the longest utterance it padded to),
# not how it was computed.
_MEASURED = ("versions", "speed", "utterances_cut", "frames_cut", "max_frames")
LABEL_MAPS = {"four": FOUR_CLASSES}  # a class a bundle lacks may come from its stand-in (acted.STAND_INS)


def corpus_name(bundle):
    """The corpus a bundle was read from (its reader's name), else its folder's name."""
    return bundle.manifest.get("corpus", {}).get("kind") or bundle.path.name


def pooled_sets(bundles):
    """The feature sets every bundle holds alike, and why each other set is left out.

    Returns
    -------
    kept : list of str
    left_out : dict of str -> str
    """
    first, kept, left_out = bundles[0], [], {}
    for name, declaration in first.feature_sets.items():
        if name in UNPOOLED:
            left_out[name] = "each corpus's vocabulary and word vectors are its own"
            continue
        others = [bundle.feature_sets.get(name) for bundle in bundles[1:]]
        if any(other is None for other in others):
            left_out[name] = "not in every bundle"
        elif any(_padded_shapes(other) != _padded_shapes(declaration) for other in others):
            left_out[name] = "array shapes differ between the bundles"
        elif any(_settings(other) != _settings(declaration) for other in others):
            left_out[name] = "computed with different settings"
        else:
            kept.append(name)
    return kept, left_out


def pool_bundles(paths, out, labels=None):
    """Join feature bundles of several corpora into one bundle with a ``corpus`` column.

    Parameters
    ----------
    paths : list of path
        Two or more bundles, each of another corpus.
    out : path
        The pooled bundle's folder (written atomically).
    labels : {None, "four"}
        None: every bundle must have the same classes. ``"four"``: only the utterances of
        angry, happy, neutral and sad are kept, from every bundle (each must have them all).

    Returns
    -------
    dict
        The pooled bundle's manifest.

    Raises
    ------
    BundleError
        For fewer than two bundles, two of one corpus, or classes that differ.
    """
    bundles = [read_bundle(path) for path in paths]
    classes = _shared_classes(bundles, labels)
    kept, left_out = pooled_sets(bundles)
    parts = [_Part(bundle, classes) for bundle in bundles]
    out = Path(out)
    if out.exists() and not (out / MANIFEST).is_file():
        raise BundleError(f"{out} exists and is not a feature bundle; choose another --out")
    manifest = _pooled_manifest(parts, classes, kept, left_out)
    with atomic_folder(out) as partial:
        targets = {name: _joined(parts, name) for name in TARGETS if all(_has(b, name) for b in bundles)}
        manifest["targets"] = describe_arrays(targets)
        for name, array in targets.items():
            np.save(partial / f"{name}.npy", array)
        for name in kept:
            folder = partial if name in BASE_SETS else partial / SETS_FOLDER / name
            folder.mkdir(parents=True, exist_ok=True)
            declaration = bundles[0].feature_sets[name]
            per_segment = set(declaration.get("settings", {}).get("per_segment", ()))
            arrays = {array: _joined(parts, array, array in per_segment) for array in declaration["arrays"]}
            for array_name, array in arrays.items():
                np.save(folder / f"{array_name}.npy", array)
            manifest["feature_sets"][name]["arrays"] = describe_arrays(arrays)
        (partial / "vocab.txt").write_text("", encoding="utf-8")
        _pooled_meta(parts).to_csv(partial / "meta.csv", index=False)
        write_json(partial / MANIFEST, manifest)
    return manifest


class _Part:
    """One bundle's rows kept in the pool, and how its class indices map to the pool's."""

    def __init__(self, bundle, classes):
        self.bundle = bundle
        self.columns = [bundle.classes.index(_source_class(bundle, name)) for name in classes]
        self.stand_ins = stand_ins(bundle, classes)
        labels = np.asarray(bundle.array("labels"))
        self.rows = np.flatnonzero(np.isin(labels, self.columns))
        self.remap = np.full(len(bundle.classes), -1, dtype=np.int32)
        self.remap[self.columns] = np.arange(len(classes), dtype=np.int32)

    def array(self, name, per_segment=False):
        values = np.asarray(self.bundle.array(name))
        if per_segment:
            return values[segment_rows(self.bundle.array("segment_counts"), self.rows)[0]]
        values = values[self.rows]
        if name == "labels":
            return self.remap[values]
        return values[:, self.columns] if name == "votes" else values


def _shared_classes(bundles, labels):
    _check_poolable(bundles, labels)
    if labels is None:
        return bundles[0].classes
    classes = sorted(LABEL_MAPS[labels])
    for bundle in bundles:
        missing = [name for name in classes if _source_class(bundle, name) not in bundle.classes]
        if missing:
            raise BundleError(f"{bundle.path} has no {', '.join(missing)}: the label map {labels} needs {classes}")
    return classes


def _source_class(bundle, name):
    """The bundle's class read as ``name``: itself, or its stand-in when the bundle lacks it."""
    if name not in bundle.classes and STAND_INS.get(name) in bundle.classes:
        return STAND_INS[name]
    return name


def stand_ins(bundle, classes):
    """Which of ``classes`` the bundle gives through a stand-in, as {class: stand-in}."""
    return {name: _source_class(bundle, name) for name in classes if _source_class(bundle, name) != name}


def _check_poolable(bundles, labels):
    if labels is not None and labels not in LABEL_MAPS:
        raise BundleError(f"labels must be one of {sorted(LABEL_MAPS)}, got {labels!r}")
    if len(bundles) < 2:
        raise BundleError("pooling needs two or more bundles")
    names = [corpus_name(bundle) for bundle in bundles]
    if len(set(names)) < len(names):
        raise BundleError(f"two bundles of one corpus ({', '.join(names)}): pool bundles of different corpora")
    for bundle in bundles[1:]:
        if labels is None and bundle.classes != bundles[0].classes:
            raise BundleError(
                f"{bundle.path} has the classes {bundle.classes}, {bundles[0].path} {bundles[0].classes}: "
                "pool them with --labels four for a shared label map"
            )


def _pooled_meta(parts):
    import pandas as pd

    tables, offset = [], 0
    for part in parts:
        name = corpus_name(part.bundle)
        meta = part.bundle.meta.iloc[part.rows].reset_index(drop=True)
        meta.insert(0, "corpus", name)
        meta["id"] = name + "/" + meta["id"].astype(str)
        meta["speaker"] = name + "/" + meta["speaker"].astype(str)
        if all(str(session) != "" for session in meta["session"]):
            sessions = meta["session"].astype(int)
            meta["session"] = sessions - sessions.min() + 1 + offset
            offset = int(meta["session"].max())
        tables.append(meta)
    return pd.concat(tables, ignore_index=True)


def _pooled_manifest(parts, classes, kept, left_out):
    bundles = [part.bundle for part in parts]
    first = bundles[0]
    labels = np.concatenate([part.array("labels") for part in parts])
    counts = {name: int((labels == index).sum()) for index, name in enumerate(classes)}
    manifest = {key: first.manifest[key] for key in ("format", "created_by") if key in first.manifest}
    manifest.update(
        corpus={
            "kind": "pooled",
            "corpora": [_described(part) for part in parts],
            "labels": "shared" if classes == first.classes else ",".join(classes),
        },
        classes=list(classes),
        counts=counts,
        utterances=int(len(labels)),
        feature_sets={name: dict(first.feature_sets[name]) for name in kept},
        left_out_sets=left_out,
    )
    if "acoustic" in kept:
        manifest["acoustic"] = first.manifest.get("acoustic", {})
    return manifest


def _described(part):
    bundle = part.bundle
    described = {"name": corpus_name(bundle), "bundle": str(bundle.path), "utterances": len(part.rows),
                 **bundle.manifest.get("corpus", {})}  # fmt: skip
    if part.stand_ins:
        described["stand_ins"] = part.stand_ins  # e.g. {"neutral": "calm"}: the pool's class, the corpus's
    return described


def _joined(parts, name, per_segment=False):
    """One array of every part, rows after rows; frame axes zero-padded to the longest (padding is zeros already)."""
    arrays = [part.array(name, per_segment) for part in parts]
    if arrays[0].ndim >= 3 and len({array.shape[1] for array in arrays}) > 1:
        longest = max(array.shape[1] for array in arrays)
        arrays = [np.pad(a, [(0, 0), (0, longest - a.shape[1])] + [(0, 0)] * (a.ndim - 2)) for a in arrays]
    return np.concatenate(arrays)


def _has(bundle, name):
    return (bundle.path / f"{name}.npy").is_file()


def _padded_shapes(declaration):
    """Each array's shape past its rows, with a frame axis (padded to each corpus's longest) left open."""
    padded = "max_frames" in declaration.get("settings", {})
    shapes = {}
    for name, spec in declaration["arrays"].items():
        shape = tuple(spec.get("shape", [])[1:])
        shapes[name] = (None, *shape[1:]) if padded and len(shape) >= 2 else shape
    return shapes


def _settings(declaration):
    return {key: value for key, value in declaration.get("settings", {}).items() if key not in _MEASURED}
