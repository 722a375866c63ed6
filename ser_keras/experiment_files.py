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

    [[run]]                                           # a late fusion of runs above, in its place
    name = "demo-two-stage"
    fuse = ["demo-atmaja-acoustic", "demo-atmaja-text"]
    method = "svr"                                    # a fusion method: svr, mean, svm
    # settings = { C = 100 }                          # the method's settings changed

Every run resumes from its finished folds, so a file runs again in the time its unfinished
folds take; the feature sets a run's system reads are added to the bundle when it lacks them.
The standard library reads the file (``tomllib``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

RUN_KEYS = {"name", "system", "seeds", "protocol", "preset", "settings", "training", "tasks", "description"}
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
    runs = []
    for index, entry in enumerate(record.get("run", []), 1):
        runs.append(_fusion(path, index, entry, runs) if "fuse" in entry else _run(path, index, entry))
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
    )


def _check_keys(path, index, entry, allowed, required, what):
    """Refuse an entry with a key it may not have, or without one it must have."""
    unknown, missing = set(entry) - allowed, set(required) - set(entry)
    if unknown or missing:
        problem = f"unknown {', '.join(sorted(unknown))}" if unknown else f"missing {', '.join(sorted(missing))}"
        raise ExperimentFileError(f"{path}: run {index}: {problem} for {what} (keys: {', '.join(sorted(allowed))})")


def _run(path, index, entry):
    _check_keys(path, index, entry, RUN_KEYS, ("name", "system"), "a run")
    seeds = entry.get("seeds", 1)
    seeds = tuple(range(seeds)) if isinstance(seeds, int) else tuple(seeds)
    tasks = tuple(entry["tasks"]) if "tasks" in entry else None
    return RunSpec(entry["name"], entry["system"], seeds, entry.get("protocol"), entry.get("preset"),
                   dict(entry.get("settings", {})), dict(entry.get("training", {})), tasks,
                   entry.get("description", ""))  # fmt: skip


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
    from .features.sets import add_feature_sets, needed_sets
    from .run_folder import run_into_folder
    from .systems import get_system

    bundle = read_bundle(experiment.bundle)
    folders = []
    for spec in experiment.runs:
        if isinstance(spec, FusionSpec):
            folders.append(_fuse(experiment, bundle, spec))
            continue
        system = get_system(spec.system)
        settings, training = system.configure(spec.preset, spec.settings, spec.training)
        missing = [name for name in needed_sets(system.feature_sets(settings)) if name not in bundle.feature_sets]
        if missing:
            bundle = add_feature_sets(bundle, missing, options=experiment.feature_options, log=log)
        folder = experiment.runs_folder / spec.name
        if log:
            seeds = ", ".join(map(str, spec.seeds))
            log(f"\n{spec.name}: {spec.system}, {spec.protocol or system.protocol}, seeds {seeds}")
        run_into_folder(system, bundle, folder, spec.protocol, spec.seeds, settings, training, spec.tasks, execution,
                        f"classification.py --config {experiment.path} ({spec.name})", log=log)  # fmt: skip
        folders.append(folder)
    if experiment.table is not None:
        experiment.table.parent.mkdir(parents=True, exist_ok=True)
        experiment.table.write_text(comparison_table([str(folder) for folder in folders]) + "\n")
    return folders


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
