"""Atmaja and Akagi's two-stage fusion: one SVR per dimension over the networks' predictions.

Speech Communication 126 (2021), code ``bagustris/two-stage-ser`` (``fuse_iemocap_*.py``):
stage 1, an acoustic and a text network predict valence, arousal and dominance on the
validation part of the training speakers and on the test fold; stage 2, one SVR per
dimension (RBF, C 200, gamma 0.1, epsilon 0.01) takes the two predictions of the
validation rows as its inputs, is fitted to their ratings, and predicts the test fold.
The SVR never sees a test row. Inputs and targets are in the networks' [-1, 1] scale,
fitted on each fold's training rows. Registered as the fusion method ``svr``
(``python -m ser_keras.fusion RUN RUN --out DIR``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...fusion import FusionMethod, FusionSettings, aligned, fused_fold, register
from ...fusion.base import rows
from ...runner import Run
from ...tasks import DIMENSIONS, get_task
from .. import SklearnSystem, Training


@dataclass(frozen=True)
class TwoStageSettings(FusionSettings):
    """The SVRs' settings (the paper's), and the runs fused."""

    C: float = 200.0
    gamma: float = 0.1
    epsilon: float = 0.01


# Kept as a system so that its reports name the paper and state how its first stage differs.
FUSION = SklearnSystem(
    name="two-stage-svr",
    paper="Atmaja and Akagi, Two-stage dimensional emotion recognition by fusing predictions of acoustic and "
    "text networks using SVM, Speech Communication 126, 2021",
    summary="one SVR per dimension over the acoustic and text networks' predictions, fitted on the validation part",
    reads=(),
    tasks=("dimensional",),
    settings=TwoStageSettings,
    deviations=(
        "first stage: the runs given (the project's ATSIP networks); the two-stage code's first-stage networks "
        "differ (text Dense 128; tanh acoustic heads without the closing dropout)",
    ),
)


def svr_fold(inputs_validation, targets_validation, inputs_test, settings=TwoStageSettings()):
    """Fit one SVR per dimension on validation rows and predict test rows.

    Parameters
    ----------
    inputs_validation : np.ndarray, shape (n_validation, n_runs, 3)
        Each run's scaled prediction of each dimension.
    targets_validation : np.ndarray, shape (n_validation, 3)
        Scaled ratings of the validation rows.
    inputs_test : np.ndarray, shape (n_test, n_runs, 3)
    settings : TwoStageSettings

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
    settings : TwoStageSettings, optional

    Returns
    -------
    ser_keras.runner.Run
        One fold result per fold and seed, as the runner's, for the same reports.
    """
    settings = settings or TwoStageSettings(runs=tuple(str(d) for d in run_dirs))
    task = get_task("dimensional")
    groups, protocol, index = aligned(bundle, run_dirs, "dimensional", needs_validation=True)
    ratings = np.asarray(bundle.array("dimensions"))
    result = Run(FUSION, settings, Training(), [task], protocol, sorted({folds[0].seed for folds in groups}))
    for folds in groups:
        state = folds[0].states["dimensional"]

        def stacked(part):
            return np.stack([task.scale(part(fold)["dimensional"]["dimensions"], state) for fold in folds], axis=1)

        predicted = svr_fold(
            stacked(lambda fold: fold.validation["predictions"]),
            task.scale(ratings[rows(index, folds[0].validation["ids"])], state),
            stacked(lambda fold: fold.predictions),
            settings,
        )
        predictions = {"dimensions": task.unscale(predicted, state)}
        scores = task.score(ratings[rows(index, folds[0].test_ids)], None, predictions, bundle.classes)
        result.folds.append(fused_fold(folds, "dimensional", scores, predictions, state))
    return result


register(
    FusionMethod(
        "svr",
        two_stage_fusion,
        "Atmaja and Akagi's two-stage fusion: one SVR per dimension over the runs' validation predictions",
        TwoStageSettings,
    )
)
