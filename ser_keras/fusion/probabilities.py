"""Late fusion of class probabilities: ``mean`` (nothing trained) and ``svm`` (trained on validation rows).

The counterpart of Krishna and Reddy's early fusion: each run's model predicts alone, and
only their class probabilities meet.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..runner import Run
from ..systems import SklearnSystem, Training
from ..tasks import get_task
from . import register
from .base import FusionError, FusionMethod, FusionSettings, aligned, fused_fold, rows


@dataclass(frozen=True)
class SvmFusionSettings(FusionSettings):
    """The SVM's seed (its probabilities come from a sigmoid fitted on internal folds)."""

    seed: int = 0


def _fusion_system(method, settings):
    return SklearnSystem(
        name=f"late-fusion-{method}",
        paper="late fusion of class probabilities (Atmaja's tutorial)",
        summary="the runs' class probabilities averaged" if method == "mean" else "an SVM on the runs' probabilities",
        reads=(),
        settings=settings,
    )


def _svm_probabilities(folds, labels, index, test, seed):
    """An RBF SVM (C 1) on the concatenated validation probabilities, applied to the test rows."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import SVC

    validation = np.concatenate([fold.validation["predictions"]["categorical"]["emotion"] for fold in folds], 1)
    validation_rows = rows(index, folds[0].validation["ids"])
    counts = np.bincount(labels[validation_rows])
    internal = min(5, int(counts[counts > 0].min()))  # folds for the sigmoid of the probabilities
    if internal < 2:
        raise FusionError(f"{folds[0].fold}: the validation part has a class with one utterance; use mean")
    model = CalibratedClassifierCV(SVC(kernel="rbf", random_state=seed), cv=internal, ensemble=False)
    model.fit(validation, labels[validation_rows])
    probabilities = np.zeros_like(folds[0].predictions["categorical"]["emotion"])
    probabilities[:, model.classes_] = model.predict_proba(test)
    return probabilities


def probability_fusion(bundle, run_dirs, method="mean", seed=0):
    """Fuse the class probabilities of several runs, fold by fold.

    Parameters
    ----------
    bundle : Bundle
    run_dirs : sequence of path
        Runs predicting the categorical task on the same folds.
    method : {"mean", "svm"}
        ``mean``: the average of the runs' probabilities. ``svm``: an RBF SVM (C 1, its
        probabilities by a sigmoid fitted on internal folds) on the concatenated
        probabilities of the validation rows, applied to the test rows.
    seed : int

    Returns
    -------
    ser_keras.runner.Run
    """
    if method not in ("mean", "svm"):
        raise FusionError(f"method must be mean or svm, got {method!r}")
    task = get_task("categorical")
    groups, protocol, index = aligned(bundle, run_dirs, "categorical", needs_validation=method == "svm")
    labels = np.asarray(bundle.array("labels"))
    kind = SvmFusionSettings if method == "svm" else FusionSettings
    settings = kind(runs=tuple(map(str, run_dirs)), **({"seed": seed} if method == "svm" else {}))
    result = Run(_fusion_system(method, kind), settings, Training(), [task], protocol,
                 sorted({folds[0].seed for folds in groups}))  # fmt: skip
    for folds in groups:
        test = np.concatenate([fold.predictions["categorical"]["emotion"] for fold in folds], axis=1)
        if method == "mean":
            probabilities = np.mean([fold.predictions["categorical"]["emotion"] for fold in folds], axis=0)
        else:
            probabilities = _svm_probabilities(folds, labels, index, test, seed)
        test_rows = rows(index, folds[0].test_ids)
        predictions = {"emotion": probabilities.astype(np.float32)}
        scores = task.score(labels[test_rows], labels[test_rows], predictions, bundle.classes)
        result.folds.append(fused_fold(folds, "categorical", scores, predictions))
    return result


register(
    FusionMethod(
        "mean",
        lambda bundle, run_dirs, settings: probability_fusion(bundle, run_dirs, "mean"),
        "the runs' class probabilities averaged (nothing trained)",
    )
)
register(
    FusionMethod(
        "svm",
        lambda bundle, run_dirs, settings: probability_fusion(bundle, run_dirs, "svm", settings.seed),
        "an RBF SVM on the runs' class probabilities of the validation rows, applied to the test rows",
        SvmFusionSettings,
    )
)
