"""Experiments from files: a TOML file lists runs (and late fusions of them), and one command runs them all.

::

    description = "Krishna and Reddy's three models on the demo bundle"
    bundle = "data/features/demo"
    table = "runs/demo-results/krishna-reddy.md"      # optional: the comparison table of every run

    [feature_options]                                 # optional: options of sets the bundle lacks
    logmel_mels = 64

    [[run]]
    name = "demo-acoustic-paper"                      # the run folder: runs/<name>
    system = "acoustic"
    seeds = 3                                         # or a list: [0, 1, 2]
    protocol = "paper"                                # default: the system's own (its paper's)
    # preset = "demo", settings = { lstm_units = 64 }, training = { epochs = 5 }, tasks = ["dimensional"]

    [vectors.speech-50]                               # optional: word vectors a run reads instead of the bundle's
    train = "speech2vec"                              # or "word2vec"; or file = "path/to/vectors.vec"
    dim = 50
    holdout_sessions = [5]                            # sessions Speech2Vec does not train on; epochs, seed

    [[run]]
    name = "demo-embedding-speech-50"
    system = "embedding"
    vectors = "speech-50"                             # tokens and embedding matrix from these vectors
    settings = { trainable_embeddings = true }
    paper = [{ source = "Table 1", name = "Speech embedding only model", ua = 0.6003 }]  # shown beside ours
    # bundle = "data/features/other"                  # this run's own bundle (default: the file's)

    [[run]]                                           # a late fusion of runs above, in its place
    name = "demo-two-stage"
    fuse = ["demo-atmaja-acoustic", "demo-atmaja-text"]
    method = "svr"                                    # a fusion method: svr, mean, svm
    # settings = { C = 100 }                          # the method's settings changed

Every run resumes from its finished folds, so a file runs again in the time its unfinished
folds take; the feature sets a run's system reads are added to the bundle when it lacks them.
Trained vectors are cached in ``<runs_folder>/vectors/``. A run that reads other vectors
than its bundle's keeps no model (prediction would compute new audio's words as the
bundle's); its folds and reports are written as any run's.
The standard library reads the file (``tomllib``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RUN_KEYS = {"name", "system", "seeds", "protocol", "preset", "settings", "training", "tasks", "description",
            "vectors", "bundle", "paper"}  # fmt: skip
VECTOR_KEYS = {"file", "train", "dim", "epochs", "seed", "holdout_sessions"}
PAPER_KEYS = {"source", "name", "ua", "wa", "f1", "ccc"}
FUSION_KEYS = {"name", "fuse", "method", "settings"}


class ExperimentFileError(ValueError):
    """An experiment file that cannot be run; the message says where and why."""


@dataclass(frozen=True)
class RunSpec:
    """One run of an experiment file."""

    name: str
    system: str
    seeds: tuple
    protocol: str | None = None
    preset: str | None = None
    settings: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)
    tasks: tuple | None = None
    description: str = ""
    vectors: str | None = None
    bundle: Path | None = None
    paper: tuple = ()


@dataclass(frozen=True)
class FusionSpec:
    """A late fusion of runs of the same file."""

    name: str
    fuse: tuple
    method: str = "svr"
    settings: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Experiment:
    """What an experiment file holds: its runs and fusions, in the file's order."""

    path: Path
    bundle: Path
    runs: tuple
    runs_folder: Path = Path("runs")
    table: Path | None = None
    feature_options: dict = field(default_factory=dict)
    description: str = ""
    vectors: dict = field(default_factory=dict)


def read_experiment(path):
    """An :class:`Experiment` from a TOML file.

    Raises
    ------
    ExperimentFileError
        For a file that is not TOML, or an entry with a missing or unknown key.
    """
    path = Path(path)
    try:
        record = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ExperimentFileError(f"{path}: {error}") from None
    vectors = {name: _vectors(path, name, entry) for name, entry in record.get("vectors", {}).items()}
    runs = []
    for index, entry in enumerate(record.get("run", []), 1):
        runs.append(_fusion(path, index, entry, runs) if "fuse" in entry else _run(path, index, entry, vectors))
    if not runs:
        raise ExperimentFileError(f"{path}: no [[run]] entry")
    return Experiment(
        path=path,
        bundle=Path(record.get("bundle", "data/features/demo")),
        runs=tuple(runs),
        runs_folder=Path(record.get("runs_folder", "runs")),
        table=Path(record["table"]) if "table" in record else None,
        feature_options=dict(record.get("feature_options", {})),
        description=record.get("description", ""),
        vectors=vectors,
    )


def _vectors(path, name, entry):
    """A :class:`~ser_keras.vector_sources.VectorSource` from a ``[vectors.NAME]`` table."""
    from .vector_sources import VectorSource

    unknown = set(entry) - VECTOR_KEYS
    if unknown or "dim" not in entry:
        problem = f"unknown {', '.join(sorted(unknown))}" if unknown else "missing dim"
        raise ExperimentFileError(f"{path}: vectors {name}: {problem} (keys: {', '.join(sorted(VECTOR_KEYS))})")
    try:
        return VectorSource(name, int(entry["dim"]), Path(entry["file"]) if "file" in entry else None,
                            entry.get("train"), int(entry.get("epochs", 5)), int(entry.get("seed", 0)),
                            tuple(entry.get("holdout_sessions", ())))  # fmt: skip
    except ValueError as error:
        raise ExperimentFileError(f"{path}: {error}") from None


def _check_keys(path, index, entry, allowed, required, what):
    """Refuse an entry with a key it may not have, or without one it must have."""
    unknown, missing = set(entry) - allowed, set(required) - set(entry)
    if unknown or missing:
        problem = f"unknown {', '.join(sorted(unknown))}" if unknown else f"missing {', '.join(sorted(missing))}"
        raise ExperimentFileError(f"{path}: run {index}: {problem} for {what} (keys: {', '.join(sorted(allowed))})")


def _run(path, index, entry, vectors):
    _check_keys(path, index, entry, RUN_KEYS, ("name", "system"), "a run")
    seeds = entry.get("seeds", 1)
    seeds = tuple(range(seeds)) if isinstance(seeds, int) else tuple(seeds)
    tasks = tuple(entry["tasks"]) if "tasks" in entry else None
    if "vectors" in entry and entry["vectors"] not in vectors:
        named = ", ".join(vectors) or "none"
        raise ExperimentFileError(f"{path}: run {index}: no [vectors.{entry['vectors']}] table (vectors: {named})")
    paper = entry.get("paper", [])
    for figure in [paper] if isinstance(paper, dict) else paper:
        _check_keys(path, index, figure, PAPER_KEYS, ("source",), "a paper figure")
    return RunSpec(entry["name"], entry["system"], seeds, entry.get("protocol"), entry.get("preset"),
                   dict(entry.get("settings", {})), dict(entry.get("training", {})), tasks,
                   entry.get("description", ""), entry.get("vectors"),
                   Path(entry["bundle"]) if "bundle" in entry else None,
                   tuple([paper] if isinstance(paper, dict) else paper))  # fmt: skip


def _fusion(path, index, entry, earlier):
    _check_keys(path, index, entry, FUSION_KEYS, ("fuse",), "a fusion")
    names = [run.name for run in earlier]
    absent = [name for name in entry["fuse"] if name not in names]
    if absent:
        raise ExperimentFileError(f"{path}: run {index}: no earlier run named {', '.join(absent)} to fuse")
    from .fusion import FUSIONS

    method = entry.get("method", "svr")
    if method not in FUSIONS:
        choices = ", ".join(FUSIONS.available())
        raise ExperimentFileError(f"{path}: run {index}: no fusion method {method!r} (methods: {choices})")
    settings = {key: str(value) for key, value in entry.get("settings", {}).items()}
    return FusionSpec(entry.get("name", f"fusion-{index}"), tuple(entry["fuse"]), method, settings)


def run_experiment_file(path, execution=None, log=print):
    """Run every run and fusion of an experiment file; returns the run folders, in the file's order.

    Writes the comparison table of every run to the file's ``table`` when it names one.
    """
    return run_experiment(read_experiment(path), execution, log)


def run_experiment(experiment, execution=None, log=print):
    """Run every run and fusion of an :class:`Experiment` (read from a file, perhaps changed); see above."""
    from .evaluation.compare import comparison_table
    from .features.bundle import read_bundle

    bundles = {experiment.bundle: read_bundle(experiment.bundle)}
    folders = []
    for spec in experiment.runs:
        if isinstance(spec, FusionSpec):
            folders.append(_fuse(experiment, bundles[experiment.bundle], spec))
            continue
        where = spec.bundle or experiment.bundle
        if where not in bundles:
            bundles[where] = read_bundle(where)
        bundles[where] = _one_run(experiment, spec, bundles[where], execution, log)
        folders.append(experiment.runs_folder / spec.name)
    if experiment.table is not None:
        experiment.table.parent.mkdir(parents=True, exist_ok=True)
        experiment.table.write_text(comparison_table([str(folder) for folder in folders]) + "\n")
    return folders


def _one_run(experiment, spec, bundle, execution, log):
    """One run of the file into its folder; returns the bundle, with the sets the run added."""
    from .features.sets import add_feature_sets, needed_sets
    from .run_folder import run_into_folder
    from .systems import get_system

    system = get_system(spec.system)
    settings, training = system.configure(spec.preset, spec.settings, spec.training)
    missing = [name for name in needed_sets(system.feature_sets(settings)) if name not in bundle.feature_sets]
    if missing:
        bundle = add_feature_sets(bundle, missing, options=experiment.feature_options, log=log)
    arrays, extra = None, {"paper": list(spec.paper)} if spec.paper else {}
    if spec.vectors is not None:
        arrays, extra["vectors"] = _vector_arrays(experiment, spec, system, settings, bundle, log)
    if log:
        seeds = ", ".join(map(str, spec.seeds))
        log(f"\n{spec.name}: {spec.system}, {spec.protocol or system.protocol}, seeds {seeds}")
    run_into_folder(system, bundle, experiment.runs_folder / spec.name, spec.protocol, spec.seeds, settings, training,
                    spec.tasks, execution, f"classification.py --config {experiment.path} ({spec.name})",
                    extra=extra, log=log, arrays=arrays)  # fmt: skip
    return bundle


def _vector_arrays(experiment, spec, system, settings, bundle, log):
    """The token ids and embedding matrix of a run's ``vectors``, and what the report says of them."""
    from .features.embeddings import load_vectors, lookup
    from .vector_sources import prepare_vectors, token_arrays

    if "tokens" not in system.arrays(settings):
        raise ExperimentFileError(f"{experiment.path}: run {spec.name}: {system.name} reads no token ids to swap")
    source = experiment.vectors[spec.vectors]
    path, description = prepare_vectors(source, experiment.runs_folder / "vectors", bundle, progress=bool(log))
    transcripts = bundle.meta["transcript"].fillna("").astype(str).tolist()
    max_words = np.asarray(bundle.array("tokens")).shape[1]
    arrays = token_arrays(transcripts, load_vectors(path), max_words)
    if "speech_embeddings" in system.arrays(settings):  # frozen vectors: looked up once, as a bundle's are
        arrays["speech_embeddings"] = lookup(arrays["tokens"], arrays["embedding_matrix"])
    return arrays, {"name": source.name, "file": str(path), "description": description}


def _fuse(experiment, bundle, fusion):
    """One late fusion of runs of the file, into its own folder."""
    from .evaluation.reports import write_reports
    from .fusion import fuse

    inputs = [experiment.runs_folder / name for name in fusion.fuse]
    run = fuse(bundle, inputs, fusion.method, fusion.settings)
    folder = experiment.runs_folder / fusion.name
    folder.mkdir(parents=True, exist_ok=True)
    write_reports(run, bundle, folder, f"classification.py --config {experiment.path} ({fusion.name})")
    return folder
