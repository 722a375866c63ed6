"""Extraction spread over machines: one slice of a corpus per call, and a merge into one bundle.

The acoustic features of every utterance are what costs; the words (vocabulary, word2vec
trained on every transcript) need the whole corpus and cost little. So
``feature_extraction.py --shard K/N`` computes the acoustic features of the K-th of N
contiguous slices of the corpus into ``OUT.shards/K-of-N/``, and ``--merge N`` joins the N
slices, in corpus order, then computes the words and writes the bundle as one call would:
the same arrays, byte for byte (``tests/test_feature_extraction.py``). Any scheduler that
runs N copies of a command (an array job, one container per shard) spreads a corpus this way.

The further sets of a bundle (a pretrained encoder's frames cost the most) go the same way:
``feature_extraction.py --feature-sets NAME --shard K/N`` computes one slice of an existing
bundle's utterances into ``OUT.shards/sets/NAME/K-of-N/``, and ``--feature-sets NAME --merge
N`` joins them and adds the set, for every set declared ``by_utterance``.
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


# Feature sets added to a bundle, one slice at a time.

# Settings that measure the call rather than describe the set: each slice keeps its own.
MEASURED = ("speed",)


class SliceContext:
    """A :class:`~ser_keras.features.sets.BundleContext` that sees only some utterances of the bundle.

    ``utterances()`` and ``speakers()`` give the slice's; ``array(name)`` gives the slice's rows
    of a per-utterance array, the slice's segments of a per-segment one, and any other array
    (a vocabulary's vectors) whole. A set declared ``by_utterance`` computes the same rows on a
    slice as on the whole bundle.
    """

    def __init__(self, context, rows):
        self._context, self.rows = context, np.asarray(rows)
        self.options, self.workers, self.progress = context.options, context.workers, context.progress
        self.vocabulary = context.vocabulary

    def utterances(self):
        every = self._context.utterances()
        return [every[row] for row in self.rows]

    def speakers(self):
        return self._context.speakers()[self.rows]

    def array(self, name):
        from ..segments import segment_offsets
        from .sets import array_unit

        array = self._context.array(name)
        unit = array_unit(name)
        if unit == "utterances":
            return np.asarray(array[self.rows])
        if unit == "segments":
            offsets = segment_offsets(self._context.array("segment_counts"))
            return np.concatenate([np.asarray(array[offsets[row] : offsets[row + 1]]) for row in self.rows])
        return array


def set_shard_folder(bundle, name, shard, shards):
    """Where slice ``shard`` of ``shards`` of feature set ``name`` of a bundle is written."""
    return shards_folder(bundle.path) / "sets" / name / f"{shard}-of-{shards}"


def compute_set_shard(bundle, name, shard, shards, workers=1, progress=True, options=None):
    """Compute feature set ``name`` for one slice of the bundle's utterances, beside the bundle.

    Parameters
    ----------
    bundle : Bundle
    name : str
        A set declared ``by_utterance`` whose own needs the bundle holds.
    shard, shards : int
        This slice (1-based) and their number.
    workers, progress, options
        As :func:`ser_keras.features.sets.add_feature_sets` takes them.

    Returns
    -------
    pathlib.Path
        The slice's folder (written atomically).
    """
    from .sets import BundleContext, compute_feature_set

    _check_shardable(bundle, name)
    rows = shard_rows(len(bundle.meta), shard, shards)
    context = SliceContext(BundleContext(bundle, workers, progress, options), rows)
    arrays, settings = compute_feature_set(name, context)
    folder = set_shard_folder(bundle, name, shard, shards)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with atomic_folder(folder) as partial:
        for array_name, array in arrays.items():
            np.save(partial / f"{array_name}.npy", array)
        ids = bundle.meta["id"].astype(str).to_numpy()[rows].tolist()
        write_json(partial / "shard.json", {"shard": shard, "shards": shards, "ids": ids, "settings": settings})
    return folder


def merge_set_shards(bundle, name, shards):
    """Join the slices of :func:`compute_set_shard` in bundle order and add the set to the bundle.

    Raises
    ------
    ValueError
        For a missing slice, one computed on other utterances, or slices whose settings
        or array shapes differ (a set whose sizes depend on the data it sees).

    Returns
    -------
    Bundle
        The bundle read again, with the set.
    """
    import json

    from .bundle import add_feature_set

    _check_shardable(bundle, name)
    every_id = bundle.meta["id"].astype(str).to_numpy()
    records, folders = [], []
    for shard in range(1, shards + 1):
        folder = set_shard_folder(bundle, name, shard, shards)
        if not (folder / "shard.json").is_file():
            raise ValueError(f"slice {shard} of {shards} of {name} is missing: run --feature-sets {name} "
                             f"--shard {shard}/{shards} (looked in {folder})")  # fmt: skip
        record = json.loads((folder / "shard.json").read_text())
        if record["ids"] != every_id[shard_rows(len(every_id), shard, shards)].tolist():
            raise ValueError(f"slice {shard} of {shards} of {name} was computed on other utterances than the bundle's")
        records.append(record)
        folders.append(folder)
    settings = _merged_settings(name, [record["settings"] for record in records])
    arrays = {}
    for array_name in sorted(path.stem for path in folders[0].glob("*.npy")):
        parts = [np.load(folder / f"{array_name}.npy") for folder in folders]
        if len({part.shape[1:] for part in parts}) > 1:
            raise ValueError(f"the slices of {name} differ in the shape of {array_name}: its sizes depend on the data")
        arrays[array_name] = np.concatenate(parts)
    return add_feature_set(bundle, name, arrays, {**settings, "shards": shards})


def _merged_settings(name, settings):
    """The slices' settings, which must agree but for what they measured (kept per slice)."""
    described = [{key: value for key, value in entry.items() if key not in MEASURED} for entry in settings]
    if any(entry != described[0] for entry in described[1:]):
        raise ValueError(f"the slices of {name} were computed with different settings")
    measured = {key: [entry[key] for entry in settings] for key in MEASURED if key in settings[0]}
    return {**described[0], **{f"{key}_per_slice": value for key, value in measured.items()}}


def _check_shardable(bundle, name):
    """One-line errors for a set that a slice cannot compute."""
    from .sets import get_feature_set

    feature_set = get_feature_set(name)
    if not feature_set.by_utterance:
        raise ValueError(f"{name} cannot be computed in slices: its values depend on other utterances than each "
                         "row's own (compute it in one call, with --workers N)")  # fmt: skip
    missing = [need for need in feature_set.needs if need not in bundle.feature_sets]
    if missing:
        raise ValueError(f"{name} is computed from {', '.join(missing)}: add {', '.join(missing)} to the bundle first")
