"""What every late fusion shares: its settings, the runs' folds read and aligned, a fused fold."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ..runner import FOLDS_FOLDER, FoldResult


class FusionError(ValueError):
    """Runs that cannot be fused; the message says why."""


@dataclass(frozen=True)
class FusionSettings:
    """The runs fused (what is fused, not a setting: no report lists it as a change from the defaults)."""

    runs: tuple = field(default=(), metadata={"input": True})

    def to_dict(self):
        return {**asdict(self), "runs": list(self.runs)}


@dataclass(frozen=True)
class FusionMethod:
    """A late fusion, registered by name.

    Parameters
    ----------
    name : str
        What ``python -m ser_keras.fusion --method`` and an experiment file's ``method`` call it.
    fuse : callable
        ``fuse(bundle, run_dirs, settings)`` -> :class:`ser_keras.runner.Run`, one fold result
        per fold and seed that the runs share.
    summary : str
    settings : type
        Its settings dataclass (a :class:`FusionSettings`; its other fields are the method's).
    """

    name: str
    fuse: Callable
    summary: str
    settings: type = FusionSettings

    def make_settings(self, run_dirs, changes=None):
        """The method's settings for ``run_dirs``, with ``changes`` (name -> text, as ``--set``) applied.

        Raises
        ------
        FusionError
            For a name the settings do not have, or a value of the wrong type.
        """
        import typing

        from ..systems.base import parse_setting

        kinds = {name: kind for name, kind in typing.get_type_hints(self.settings).items() if name != "runs"}
        values = {}
        for name, text in (changes or {}).items():
            if name not in kinds:
                known = ", ".join(kinds) or "none"
                raise FusionError(f"fusion {self.name} has no setting {name!r} (settings: {known})")
            try:
                values[name] = parse_setting(text, kinds[name], name)
            except ValueError:
                kind = kinds[name].__name__
                raise FusionError(f"fusion {self.name}: {name} must be a {kind}, got {text!r}") from None
        return self.settings(runs=tuple(str(folder) for folder in run_dirs), **values)


def read_folds(run_dir):
    """The finished folds of a run folder, by (seed, fold name)."""
    folder = Path(run_dir) / FOLDS_FOLDER
    if not folder.is_dir():
        raise FusionError(f"{run_dir} has no {FOLDS_FOLDER}/: not a run of classification.py")
    folds = [FoldResult.from_json(json.loads(path.read_text())) for path in sorted(folder.glob("*.json"))]
    return {(fold.seed, fold.fold): fold for fold in folds}


def aligned(bundle, run_dirs, task_name, needs_validation):
    """The runs' folds by (seed, fold), checked to share rows; the protocol; an id -> row index.

    Returns
    -------
    groups : list of list of FoldResult
        For each fold the runs share, the runs' results of it.
    protocol : str
    index : dict of str -> int
        The bundle's row of each utterance id.
    """
    runs = [read_folds(run_dir) for run_dir in run_dirs]
    keys = sorted(set.intersection(*(set(folds) for folds in runs)))
    if not keys:
        raise FusionError("the runs share no fold: fuse runs of the same protocol and seeds")
    reports = [json.loads((Path(run_dir) / "report.json").read_text()) for run_dir in run_dirs]
    if len({(report["protocol"], report["features"]) for report in reports}) > 1:
        raise FusionError("the runs were not made on the same bundle and protocol")
    if any(task_name not in report["tasks"] for report in reports):
        raise FusionError(f"every run must predict the {task_name} task")
    for seed, name in keys:
        folds = [run[(seed, name)] for run in runs]
        validation_ids = folds[0].validation.get("ids", [])
        if needs_validation and not validation_ids:
            raise FusionError(
                f"{run_dirs[0]} kept no validation predictions: fuse runs that selected on a validation split"
            )
        if any(
            fold.validation.get("ids", []) != validation_ids or fold.test_ids != folds[0].test_ids for fold in folds
        ):
            raise FusionError(f"seed {seed}, {name}: the runs used different validation or test rows")
    index = {identifier: row for row, identifier in enumerate(bundle.meta["id"].astype(str))}
    return [[run[key] for run in runs] for key in keys], reports[0]["protocol"], index


def fused_fold(folds, task_name, scores, predictions, state=None):
    """The fold result of a fusion of ``folds`` (the runs' results of one fold): nothing trained is kept."""
    first = folds[0]
    return FoldResult(
        first.seed,
        first.fold,
        len(first.validation.get("ids", [])),
        list(first.test_ids),
        0.0,
        {task_name: scores},
        {task_name: predictions},
        {},
        {task_name: state} if state is not None else {},
    )  # fmt: skip


def rows(index, ids):
    """The bundle rows of utterance ``ids``."""
    return np.array([index[identifier] for identifier in ids])
