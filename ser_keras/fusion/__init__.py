"""Late fusion of finished runs: Atmaja and Akagi's two-stage SVR, and fused class probabilities.

Speech Communication 126 (2021), code ``bagustris/two-stage-ser`` (``fuse_iemocap_*.py``):
stage 1, an acoustic and a text network predict valence, arousal and dominance on the
validation part of the training speakers and on the test fold; stage 2, one SVR per
dimension (RBF, C 200, gamma 0.1, epsilon 0.01) takes the two predictions of the
validation rows as its inputs, is fitted to their ratings, and predicts the test fold.
The SVR never sees a test row. Inputs and targets are in the networks' [-1, 1] scale,
fitted on each fold's training rows.

For categories, :func:`probability_fusion` averages the runs' class probabilities
(``mean``, nothing trained) or fits an SVM on their validation probabilities (``svm``),
the counterpart of Krishna and Reddy's early fusion.

The runs must come from the same bundle, protocol and seeds; the trained fusions need
runs that selected on a validation split, so that they share every fold's validation
part (``classification.py --selection validation`` for systems that train fixed epochs).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ..runner import FOLDS_FOLDER, FoldResult, Run
from ..systems import SklearnSystem, Training
from ..tasks import DIMENSIONS, get_task

SVR_SETTINGS = {"kernel": "rbf", "C": 200, "gamma": 0.1, "epsilon": 0.01}


class FusionError(ValueError):
    """Runs that cannot be fused; the message says why."""


@dataclass(frozen=True)
class FusionSettings:
    """The SVR's settings and the runs fused."""

    # What is fused, not a setting: no report lists it as a change from the defaults.
    runs: tuple = field(default=(), metadata={"input": True})
    C: float = 200.0
    gamma: float = 0.1
    epsilon: float = 0.01

    def to_dict(self):
        return {**asdict(self), "runs": list(self.runs)}


FUSION = SklearnSystem(
    name="two-stage-svr",
    paper="Atmaja and Akagi, Two-stage dimensional emotion recognition by fusing predictions of acoustic and "
    "text networks using SVM, Speech Communication 126, 2021",
    summary="one SVR per dimension over the acoustic and text networks' predictions, fitted on the validation part",
    reads=(),
    tasks=("dimensional",),
    settings=FusionSettings,
    deviations=(
        "first stage: the runs given (the project's ATSIP networks); the two-stage code's first-stage networks "
        "differ (text Dense 128; tanh acoustic heads without the closing dropout)",
    ),
)


def read_folds(run_dir):
    """The finished folds of a run folder, by (seed, fold name)."""
    folder = Path(run_dir) / FOLDS_FOLDER
    if not folder.is_dir():
        raise FusionError(f"{run_dir} has no {FOLDS_FOLDER}/: not a run of classification.py")
    folds = [FoldResult.from_json(json.loads(path.read_text())) for path in sorted(folder.glob("*.json"))]
    return {(fold.seed, fold.fold): fold for fold in folds}


def svr_fold(inputs_validation, targets_validation, inputs_test, settings=FusionSettings()):
    """Fit one SVR per dimension on validation rows and predict test rows.

    Parameters
    ----------
    inputs_validation : np.ndarray, shape (n_validation, n_runs, 3)
        Each run's scaled prediction of each dimension.
    targets_validation : np.ndarray, shape (n_validation, 3)
        Scaled ratings of the validation rows.
    inputs_test : np.ndarray, shape (n_test, n_runs, 3)

    Returns
    -------
    np.ndarray, shape (n_test, 3)
        Scaled predictions.
    """
    from sklearn.svm import SVR

    predicted = np.zeros((len(inputs_test), len(DIMENSIONS)), dtype=np.float32)
    for index in range(len(DIMENSIONS)):
        model = SVR(kernel="rbf", C=settings.C, gamma=settings.gamma, epsilon=settings.epsilon)
        model.fit(inputs_validation[:, :, index], targets_validation[:, index])
        predicted[:, index] = model.predict(inputs_test[:, :, index])
    return predicted


def _aligned(bundle, run_dirs, task_name, needs_validation):
    """The runs' folds by (seed, fold), checked to share rows; the protocol; an id -> row index."""
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
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.svm import SVC

    if method not in ("mean", "svm"):
        raise FusionError(f"method must be mean or svm, got {method!r}")
    task = get_task("categorical")
    groups, protocol, index = _aligned(bundle, run_dirs, "categorical", needs_validation=method == "svm")
    labels = np.asarray(bundle.array("labels"))
    system = SklearnSystem(
        name=f"late-fusion-{method}",
        paper="late fusion of class probabilities (Atmaja's tutorial)",
        summary="the runs' class probabilities averaged" if method == "mean" else "an SVM on the runs' probabilities",
        reads=(),
        settings=FusionSettings,
    )
    result = Run(system, FusionSettings(runs=tuple(map(str, run_dirs))), Training(), [task], protocol,
                 sorted({folds[0].seed for folds in groups}))  # fmt: skip
    for folds in groups:
        test = np.concatenate([fold.predictions["categorical"]["emotion"] for fold in folds], axis=1)
        if method == "mean":
            probabilities = np.mean([fold.predictions["categorical"]["emotion"] for fold in folds], axis=0)
        else:
            validation = np.concatenate([fold.validation["predictions"]["categorical"]["emotion"] for fold in folds], 1)
            rows = np.array([index[i] for i in folds[0].validation["ids"]])
            counts = np.bincount(labels[rows])
            internal = min(5, int(counts[counts > 0].min()))  # folds for the sigmoid of the probabilities
            if internal < 2:
                raise FusionError(f"{folds[0].fold}: the validation part has a class with one utterance; use mean")
            model = CalibratedClassifierCV(SVC(kernel="rbf", random_state=seed), cv=internal, ensemble=False)
            model.fit(validation, labels[rows])
            probabilities = np.zeros_like(folds[0].predictions["categorical"]["emotion"])
            probabilities[:, model.classes_] = model.predict_proba(test)
        test_rows = np.array([index[i] for i in folds[0].test_ids])
        predictions = {"emotion": probabilities.astype(np.float32)}
        scores = task.score(labels[test_rows], labels[test_rows], predictions, bundle.classes)
        result.folds.append(
            FoldResult(
                folds[0].seed,
                folds[0].fold,
                len(folds[0].validation.get("ids", [])),
                list(folds[0].test_ids),
                0.0,
                {"categorical": scores},
                {"categorical": predictions},
                {},
                {},
            )  # fmt: skip
        )
    return result


def two_stage_fusion(bundle, run_dirs, settings=None):
    """Fuse the dimensional predictions of several runs (fold by fold) with Atmaja's SVRs.

    Parameters
    ----------
    bundle : Bundle
        The bundle the runs read (for the ratings of the validation and test rows).
    run_dirs : sequence of path
        Runs of dimensional systems that selected on a validation split.
    settings : FusionSettings, optional

    Returns
    -------
    ser_keras.runner.Run
        One fold result per fold and seed, as the runner's, for the same reports.
    """
    settings = settings or FusionSettings(runs=tuple(str(d) for d in run_dirs))
    task = get_task("dimensional")
    groups, protocol, index = _aligned(bundle, run_dirs, "dimensional", needs_validation=True)
    ratings = np.asarray(bundle.array("dimensions"))
    result = Run(FUSION, settings, Training(), [task], protocol, sorted({folds[0].seed for folds in groups}))
    for folds in groups:
        seed, name = folds[0].seed, folds[0].fold
        validation_ids, test_ids = folds[0].validation["ids"], folds[0].test_ids
        state = folds[0].states["dimensional"]

        def stacked(part):
            return np.stack([task.scale(part(fold)["dimensional"]["dimensions"], state) for fold in folds], axis=1)

        validation_rows = np.array([index[i] for i in validation_ids])
        test_rows = np.array([index[i] for i in test_ids])
        predicted = svr_fold(
            stacked(lambda fold: fold.validation["predictions"]),
            task.scale(ratings[validation_rows], state),
            stacked(lambda fold: fold.predictions),
            settings,
        )
        predictions = {"dimensions": task.unscale(predicted, state)}
        scores = task.score(ratings[test_rows], None, predictions, bundle.classes)
        result.folds.append(
            FoldResult(
                seed,
                name,
                len(validation_ids),
                list(test_ids),
                0.0,
                {"dimensional": scores},
                {"dimensional": predictions},
                {},
                {"dimensional": state},
            )  # fmt: skip
        )
    return result
