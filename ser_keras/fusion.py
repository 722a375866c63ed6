"""Late fusion of finished runs: Atmaja and Akagi's two-stage SVR over dimensional predictions.

Speech Communication 126 (2021), code ``bagustris/two-stage-ser`` (``fuse_iemocap_*.py``):
stage 1, an acoustic and a text network predict valence, arousal and dominance on the
validation part of the training speakers and on the test fold; stage 2, one SVR per
dimension (RBF, C 200, gamma 0.1, epsilon 0.01) takes the two predictions of the
validation rows as its inputs, is fitted to their ratings, and predicts the test fold.
The SVR never sees a test row. Inputs and targets are in the networks' [-1, 1] scale,
fitted on each fold's training rows.

The two runs must come from the same bundle, protocol and seeds with validation
selection, so that they share every fold's validation split.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .runner import FOLDS_FOLDER, FoldResult, Run
from .systems import SklearnSystem, Training
from .tasks import DIMENSIONS, get_task

SVR_SETTINGS = {"kernel": "rbf", "C": 200, "gamma": 0.1, "epsilon": 0.01}


class FusionError(ValueError):
    """Runs that cannot be fused; the message says why."""


@dataclass(frozen=True)
class FusionSettings:
    """The SVR's settings and the runs fused."""

    runs: tuple = ()
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
    runs = [read_folds(run_dir) for run_dir in run_dirs]
    keys = sorted(set.intersection(*(set(folds) for folds in runs)))
    if not keys:
        raise FusionError("the runs share no fold: fuse runs of the same protocol and seeds")
    reports = [json.loads((Path(run_dir) / "report.json").read_text()) for run_dir in run_dirs]
    if len({(report["protocol"], report["features"]) for report in reports}) > 1:
        raise FusionError("the runs were not made on the same bundle and protocol")
    index = {identifier: row for row, identifier in enumerate(bundle.meta["id"].astype(str))}
    ratings = np.asarray(bundle.array("dimensions"))
    result = Run(FUSION, settings, Training(), [task], reports[0]["protocol"], sorted({seed for seed, _ in keys}))
    for seed, name in keys:
        folds = [run[(seed, name)] for run in runs]
        validation_ids, test_ids = folds[0].validation.get("ids", []), folds[0].test_ids
        if not validation_ids:
            raise FusionError(f"{run_dirs[0]} kept no validation predictions: fuse systems that select on validation")
        if any(fold.validation.get("ids") != validation_ids or fold.test_ids != test_ids for fold in folds):
            raise FusionError(f"seed {seed}, {name}: the runs used different validation or test rows")
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


if __name__ == "__main__":
    import sys

    from .cli.fusion import main

    sys.exit(main())
