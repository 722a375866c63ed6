"""Run a system under a protocol: folds x seeds, predictions collected, finished folds kept.

One mechanism serves ``classification.py``, ``--experiment`` and the notebooks: each
finished fold is written to ``OUT/folds/seed<S>-<fold>.json`` (scores, predictions of
every test utterance, training history) as it ends, so an interrupted run resumes
from its finished folds, and later steps (late fusion, comparison tables) can read
every prediction back.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from .io import write_json
from .protocols import canonical, folds, validation_split
from .tasks import get_task
from .trainers import Execution, FoldData, get_trainer
from .training import fit_and_predict

FOLDS_FOLDER = "folds"


@dataclass
class FoldResult:
    """One fold of one seed: what was trained on, the test rows' predictions and scores."""

    seed: int
    fold: str
    train: int
    test_ids: list
    seconds: float
    scores: dict
    predictions: dict
    history: dict
    states: dict = field(default_factory=dict)  # what each task fitted on the training rows (target scaling)
    validation: dict = field(default_factory=dict)  # ids and predictions of the validation rows, if any
    model: object = None  # only when trained in this process

    def to_json(self):
        return {
            "seed": self.seed,
            "fold": self.fold,
            "train": self.train,
            "test_ids": self.test_ids,
            "seconds": self.seconds,
            "scores": self.scores,
            "predictions": {
                task: {k: np.asarray(v).tolist() for k, v in p.items()} for task, p in self.predictions.items()
            },
            "history": self.history,
            "states": self.states,
            "validation": {
                "ids": self.validation.get("ids", []),
                "predictions": {
                    task: {name: np.asarray(values).tolist() for name, values in by_name.items()}
                    for task, by_name in self.validation.get("predictions", {}).items()
                },
            },
        }

    @classmethod
    def from_json(cls, record):
        predictions = {
            task: {k: np.asarray(v, dtype=np.float32) for k, v in p.items()}
            for task, p in record["predictions"].items()
        }
        fields = {k: record[k] for k in ("seed", "fold", "train", "test_ids", "seconds", "scores", "history")}
        validation = record.get("validation") or {}
        validation = {
            "ids": validation.get("ids", []),
            "predictions": {
                task: {name: np.asarray(values, dtype=np.float32) for name, values in by_name.items()}
                for task, by_name in validation.get("predictions", {}).items()
            },
        }
        return cls(predictions=predictions, states=record.get("states", {}), validation=validation, **fields)


@dataclass
class Run:
    """Everything one call of :func:`run_protocol` measured."""

    system: object
    settings: object
    training: object
    tasks: list
    protocol: str
    seeds: list
    folds: list = field(default_factory=list)
    resumed: int = 0
    seconds: float = 0.0
    kept_model: str | None = None
    kept_states: dict = field(default_factory=dict)

    def describe(self):
        """The run's settings as JSON (what ``run.json`` and ``report.json`` record)."""
        return {
            "system": self.system.describe(),
            "settings": self.settings.to_dict(),
            "training": self.training.to_dict(),
            "tasks": [task.name for task in self.tasks],
            "protocol": self.protocol,
            "seeds": self.seeds,
        }


def load_arrays(bundle, system, settings, tasks, skip=()):
    """The bundle arrays a system and its tasks read, in memory; one-line errors for what is missing.

    Only what is read: a 300-d IEMOCAP bundle's ``speech_embeddings`` alone is 850 MB.
    """
    bundle.require_sets(system.feature_sets(settings))
    names = list(system.arrays(settings)) + ["labels"] + [task.target for task in tasks]
    return {name: np.asarray(bundle.array(name)) for name in dict.fromkeys(names) if name not in skip}


def fingerprint(bundle, run, execution, overrides=None):
    """A short hash of what makes a fold's result: the bundle's data read, the system, its settings.

    ``overrides`` (arrays used instead of the bundle's) count by their content.
    """
    identity = {
        "overrides": {
            name: hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
            for name, array in sorted((overrides or {}).items())
        },
        # A fold's result does not depend on the other seeds of the call, so they are left out.
        **{key: value for key, value in run.describe().items() if key != "seeds"},
        "bundle": str(Path(bundle.path).resolve()),
        "sets": {name: bundle.feature_sets.get(name) for name in run.system.feature_sets(run.settings)},
        "utterances": len(bundle.meta),
        **execution.fingerprint(),
    }
    # Keys as runs written before trainers and namespaces were named record them ("kind" is the trainer, "name"
    # the short name), so that their finished folds are still found.
    identity["system"] = {"name": run.system.short_name, "kind": run.system.trainer, "reads": list(run.system.reads)}
    return hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:16]


def run_protocol(
    system, bundle, protocol=None, seeds=(0,), settings=None, training=None, tasks=None, out=None,
    execution=None, keep_model=True, log=print, arrays=None, verbose=None,
):  # fmt: skip
    """Train and test ``system`` on every fold of ``protocol`` for every seed.

    Parameters
    ----------
    system : ser_keras.systems.System
    bundle : ser_keras.features.bundle.Bundle
    protocol : str, optional
        See :mod:`ser_keras.protocols` (default: the system's own, its paper's).
    seeds : sequence of int
    settings : dataclass, optional
        The system's model settings (default: the paper's).
    training : ser_keras.systems.Training, optional
        Default: the system's.
    tasks : sequence of str, optional
        Default: the system's first task.
    out : path, optional
        Run folder: finished folds are saved in ``out/folds/`` and reused when the same
        configuration runs again; the model of the first seed's last fold is saved in
        it (its trainer's file) when ``keep_model``. None keeps nothing on disk.
    execution : ser_keras.trainers.Execution, optional
        Pipeline, strategy, trimming, progress and shuffling (default: ``Execution()``).
    keep_model : bool
    log : callable or None
        Called with one line before each fold that trains (it starts with a newline) and
        one after it.
    arrays : dict of str -> np.ndarray, optional
        Arrays to use instead of the bundle's of the same name (the paper's Table 3 swaps
        in the token ids and vectors of another embedding source).
    verbose : int, optional
        Keras progress: a shorthand for ``execution``'s ``verbose``.

    Returns
    -------
    Run
    """
    execution = execution or Execution()
    if verbose is not None:
        execution = replace(execution, verbose=verbose)
    settings = settings if settings is not None else system.make_settings()
    training = training if training is not None else system.training
    tasks = [get_task(name) for name in (tasks or system.tasks_by_default())]
    unsupported = [task.name for task in tasks if task.name not in system.tasks]
    if unsupported:
        raise ValueError(f"system {system.name} does not predict {', '.join(unsupported)} (it predicts {system.tasks})")
    run = Run(system, settings, training, tasks, canonical(protocol or system.protocol), list(seeds))
    overrides = arrays or {}
    arrays = {**load_arrays(bundle, system, settings, tasks, skip=set(overrides)), **overrides}
    folder = Path(out) / FOLDS_FOLDER if out is not None else None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    key = fingerprint(bundle, run, execution, overrides)
    started = time.perf_counter()
    # Fixed across seeds: the speaker-dependent split is drawn once, from seed 0.
    protocol_folds = _usable_folds(folds(run.protocol, bundle.meta, arrays["labels"]), tasks, arrays)
    for seed in run.seeds:
        for index, fold in enumerate(protocol_folds):
            keep = keep_model and out is not None and seed == run.seeds[0] and index == len(protocol_folds) - 1
            saved = folder / f"seed{seed}-{fold.key}.json" if folder is not None else None
            result = _resumed(saved, key)
            if result is None:
                result = _train_and_save(run, bundle, arrays, fold, seed, execution, saved, key, log)
                if keep:
                    run.kept_model = get_trainer(system.trainer).save(result.model, Path(out))
            else:
                run.resumed += 1
                if keep:
                    run.kept_model = get_trainer(system.trainer).model_file
            if keep:
                run.kept_states = result.states
            run.folds.append(result)
    run.seconds = round(time.perf_counter() - started, 1)
    return run


def _usable_folds(protocol_folds, tasks, arrays):
    """The folds without the rows that some task has no target for."""
    usable = np.ones(len(arrays["labels"]), dtype=bool)
    for task in tasks:
        usable &= task.usable(arrays[task.target])
    return [
        replace(fold, train=fold.train[usable[fold.train]], test=fold.test[usable[fold.test]])
        for fold in protocol_folds
    ]


def _resumed(saved, key):
    """The fold saved at ``saved`` when it was computed with the same fingerprint, else None."""
    if saved is None or not saved.is_file():
        return None
    record = json.loads(saved.read_text())
    return FoldResult.from_json(record) if record.get("fingerprint") == key else None


def _train_and_save(run, bundle, arrays, fold, seed, execution, saved, key, log):
    """Train one fold, name its rows by utterance id and save it as soon as it ends."""
    if log:
        log(
            f"\n{run.system.name}, seed {seed}, {fold.name}: {len(fold.train)} training"
            f" and {len(fold.test)} test utterances"
        )
    ids = bundle.meta["id"].astype(str).to_numpy()
    speakers = bundle.meta["speaker"].astype(str).to_numpy()
    result = train_fold(run.system, arrays, bundle.classes, fold.train, fold.test, run.settings, run.training,
                        run.tasks, seed, speakers, execution, name=fold.name)  # fmt: skip
    result.test_ids = ids[fold.test].tolist()
    if result.validation:
        result.validation = {
            "ids": ids[result.validation["rows"]].tolist(),
            "predictions": result.validation["predictions"],
        }
    if saved is not None:
        write_json(saved, {"fingerprint": key, **result.to_json()})
    if log:
        log("  ".join(_headline(result.scores, run.tasks)) + f"  ({result.seconds:.0f} s)")
    return result


def train_fold(
    system, arrays, classes, train, test, settings=None, training=None, tasks=None, seed=0, speakers=None,
    execution=None, name="fold",
):  # fmt: skip
    """Train a fresh model of ``system`` on some rows, predict and score others: one fold.

    Parameters
    ----------
    system : ser_keras.systems.System
    arrays : dict of str -> np.ndarray
        The arrays the system reads, ``labels`` and each task's target array.
    classes : list of str
    train, test : np.ndarray of int
    settings, training : optional
        Default: the system's.
    tasks : sequence of str or Task, optional
        Default: the system's first task.
    seed : int
    speakers : array-like of str, shape (N,), optional
        Needed when the system selects on a validation split (taken by speaker).
    execution : ser_keras.trainers.Execution, optional
        Default: ``Execution(verbose=0)``.
    name : str
        The fold's name in the result.

    Returns
    -------
    FoldResult
        With ``model`` set; ``predictions`` by task hold the test rows' outputs in the
        corpus's terms (class probabilities, ratings).
    """
    settings = settings if settings is not None else system.make_settings()
    training = training if training is not None else system.training
    tasks = [get_task(task) if isinstance(task, str) else task for task in (tasks or system.tasks_by_default())]
    started = time.perf_counter()
    states = {task.name: task.fit(arrays[task.target], train, classes) for task in tasks}
    every_row = np.arange(len(arrays["labels"]))
    outputs, targets = [], {}
    for task in tasks:
        outputs += task.outputs(classes)
        targets.update(task.targets(arrays[task.target], every_row, states[task.name]))
    validation = _selection_rows(system, training, train, test, speakers, seed)
    data = FoldData(arrays, tasks, outputs, targets, train, test, validation, seed,
                    None if speakers is None else np.asarray(speakers))  # fmt: skip
    result = fit_and_predict(system, settings, training, data, execution or Execution(verbose=0))
    predictions = {task.name: task.decode(result["outputs"], states[task.name]) for task in tasks}
    held_out = {}
    if "validation_outputs" in result:
        held_out = {
            "rows": validation,
            "predictions": {task.name: task.decode(result["validation_outputs"], states[task.name]) for task in tasks},
        }
    labels = arrays["labels"][test]
    scores = {
        task.name: task.score(arrays[task.target][test], labels, predictions[task.name], classes) for task in tasks
    }
    return FoldResult(
        seed=seed, fold=name, train=len(train), test_ids=[], seconds=round(time.perf_counter() - started, 1),
        scores=scores, predictions=predictions, states=states, validation=held_out, model=result["model"],
        history={key: [float(v) for v in values] for key, values in result["history"].items()},
    )  # fmt: skip


def _selection_rows(system, training, train, test, speakers, seed):
    """The rows the kept epoch is selected on: held-out training speakers, the test rows, or none."""
    if training.selection == "validation":
        if speakers is None:
            raise ValueError(f"system {system.name} selects on a validation split of speakers: give speakers")
        return validation_split(speakers, train, training.validation_fraction, seed)[1]
    return test if training.selection == "test" else None


def _headline(scores, tasks):
    parts = []
    for task in tasks:
        for metric in task.headline[:2]:
            value = scores[task.name][metric]
            parts.append(
                f"{metric.upper() if len(metric) == 2 else metric} "
                + (f"{value:.1%}" if metric in ("ua", "wa") else f"{value:.3f}")
            )
    return parts
