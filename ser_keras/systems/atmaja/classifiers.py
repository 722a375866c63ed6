"""Classic classifiers on statistics of frames, as in Atmaja's tutorial slides (their "classic" part).

Five scikit-learn pipelines on a per-utterance feature vector (default: HSF, the mean and
standard deviation of the 34 pyAudioAnalysis features at 25 ms / 10 ms): SVM (RBF), MLP,
random forest, logistic regression and k-nearest neighbours. Scaling is inside each
pipeline, so it is fitted on the training rows only. Hyperparameters are chosen by
cross-validation grouped by training speaker (no speaker in both parts of a split),
scored by unweighted average recall; the grids are small, stated below, and the project's
choice: the tutorial shows the classifiers with fixed settings.

``--set features=hsf2`` (or ``egemaps``, ``acoustic_stats``) reads another feature set;
``--set search=false`` fits the first value of each grid without cross-validation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .. import SklearnSystem, register

PAPER = "Atmaja, speech emotion recognition from acoustic and linguistic information (tutorial slides)"
FEATURE_SETS = ("hsf", "hsf2", "egemaps", "acoustic_stats")
CV_FOLDS = 4


@dataclass(frozen=True)
class ClassifierSettings:
    """What the classic classifiers read and whether they search their grid.

    Attributes
    ----------
    features : {"hsf", "hsf2", "egemaps", "acoustic_stats"}
    search : bool
        Choose hyperparameters by cross-validation grouped by training speaker.
    """

    features: str = "hsf"
    search: bool = True

    def to_dict(self):
        return asdict(self)


def _estimators(seed):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC

    return {
        # Probabilities by a sigmoid fitted on internal folds, as SVC(probability=True) did (deprecated).
        "svm": (
            CalibratedClassifierCV(SVC(kernel="rbf", random_state=seed), ensemble=False),
            {"estimator__C": [1, 10, 0.1], "estimator__gamma": ["scale", 0.01]},
        ),
        "mlp": (
            MLPClassifier(max_iter=1000, early_stopping=True, random_state=seed),
            {"hidden_layer_sizes": [(128,), (256, 128)], "alpha": [1e-4, 1e-2]},
        ),
        "random-forest": (
            RandomForestClassifier(n_estimators=300, random_state=seed, n_jobs=1),
            {"max_depth": [None, 10], "min_samples_leaf": [1, 3]},
        ),
        "logistic-regression": (LogisticRegression(max_iter=2000, random_state=seed), {"C": [1, 0.1, 10]}),
        "knn": (KNeighborsClassifier(), {"n_neighbors": [11, 5, 21], "weights": ["uniform", "distance"]}),
    }


@dataclass(frozen=True)
class ClassicClassifier(SklearnSystem):
    """One of the five classifiers; ``name`` picks it."""

    settings: type = ClassifierSettings

    def feature_sets(self, settings):
        if settings.features not in FEATURE_SETS:
            raise ValueError(f"features must be one of {FEATURE_SETS}, got {settings.features!r}")
        return (settings.features,)

    def arrays(self, settings):
        return [{"egemaps": "egemaps"}.get(settings.features, settings.features)]

    def inputs(self, arrays, rows, settings, trim=False):
        return np.asarray(arrays[self.arrays(settings)[0]][rows], dtype=np.float64)

    def build(self, settings, seed):
        from sklearn.model_selection import GridSearchCV
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        estimator, grid = _estimators(seed)[self.short_name]
        pipeline = Pipeline([("scale", StandardScaler()), ("classify", estimator)])
        if not settings.search:
            return pipeline.set_params(**{f"classify__{key}": values[0] for key, values in grid.items()})
        grid = {f"classify__{key}": values for key, values in grid.items()}
        return GridSearchCV(pipeline, grid, scoring="balanced_accuracy", n_jobs=1)

    def fit(self, estimator, inputs, targets, groups):
        from sklearn.model_selection import GridSearchCV, GroupKFold

        if isinstance(estimator, GridSearchCV):
            # Folds of whole training speakers: a speaker never validates the settings it trained.
            estimator.set_params(cv=GroupKFold(n_splits=min(CV_FOLDS, len(set(groups)))))
            estimator.fit(inputs, targets, groups=groups)
        else:
            estimator.fit(inputs, targets)


SUMMARIES = {
    "svm": "SVM, RBF kernel (C, gamma searched)",
    "mlp": "multi-layer perceptron (hidden sizes, L2 searched)",
    "random-forest": "random forest, 300 trees (depth, leaf size searched)",
    "logistic-regression": "logistic regression (C searched)",
    "knn": "k-nearest neighbours (k, weighting searched)",
}

for _name, _summary in SUMMARIES.items():
    register(
        ClassicClassifier(
            name=f"atmaja2020/{_name}",
            aliases=(_name,),
            paper=f"{PAPER}; Atmaja and Akagi's HSF (APSIPA Trans. SIP 9:e17, 2020)",
            summary=f"{_summary} on statistics of frames, scaled inside the pipeline",
            reads=("hsf",),
            deviations=(
                "hyperparameters chosen by cross-validation grouped by training speaker over small grids "
                "(the tutorial fixes them)",
            ),
        )
    )
