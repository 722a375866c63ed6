"""Baselines a user would pick instead of a paper's network: SVMs on utterance-level functionals.

* ``compare-svm``: openSMILE's ComParE 2016 functionals (6,373), the INTERSPEECH
  Computational Paralinguistics challenges' baseline features, with an SVM as there.
* ``egemaps-svm``: openSMILE's eGeMAPS v02 (88 functionals).
* ``stats-svm``: mean and standard deviation of the 34 pyAudioAnalysis features over
  each utterance's 100 ms frames (the first paper's features as statistics; 68 values).

Each standardises its features on the training rows and chooses the SVM by
cross-validation grouped by training speaker, scored by unweighted average recall, over
the challenges' linear kernel (C from 1e-4 to 1e-1) and an RBF kernel (C 1 or 10);
probabilities come from a sigmoid fitted on internal folds. ``--set by_speaker=true``
reads the same features standardised by each speaker's own statistics (no labels; for a
test speaker, that speaker's unlabelled utterances: :mod:`ser_keras.features.speaker_statistics`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from . import SklearnSystem, register

LINEAR_C = (1e-4, 1e-3, 1e-2, 1e-1)
RBF_C = (1.0, 10.0)
CV_FOLDS = 4


@dataclass(frozen=True)
class BaselineSettings:
    """What a baseline reads and how it chooses its SVM.

    Attributes
    ----------
    by_speaker : bool
        Read the features standardised by each speaker's own statistics.
    search : bool
        Choose kernel and C by cross-validation grouped by training speaker (otherwise
        a linear SVM with C 1e-2).
    """

    by_speaker: bool = False
    search: bool = True

    def to_dict(self):
        return asdict(self)


class SearchedSVM:
    """Scaler + SVC, its kernel and C chosen on folds of training speakers, then calibrated.

    Parameters
    ----------
    seed : int
    search : bool
        Search the grid (otherwise a linear SVM with C 1e-2).
    params : dict, optional
        Kernel and C already chosen (by :meth:`search_grid`): no search.
    """

    def __init__(self, seed=0, search=True, params=None):
        self.seed, self.search, self.params = seed, search, params

    def _pipeline(self):
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC

        return Pipeline([("scale", StandardScaler()), ("svm", SVC(kernel="linear", C=1e-2, random_state=self.seed))])

    def search_grid(self, inputs, targets, groups=None):
        """The kernel and C with the best unweighted average recall on folds of training speakers.

        Returns
        -------
        params : dict
            Empty (the fixed linear SVM) without a search or with fewer than two speakers.
        score : float
            Its mean balanced accuracy over the folds (NaN without a search).
        """
        from sklearn.model_selection import GridSearchCV, GroupKFold

        if not (self.search and groups is not None and len(set(groups)) >= 2):
            return {}, float("nan")
        grid = [
            {"svm__kernel": ["linear"], "svm__C": list(LINEAR_C)},
            {"svm__kernel": ["rbf"], "svm__C": list(RBF_C), "svm__gamma": ["scale"]},
        ]
        folds = GroupKFold(min(CV_FOLDS, len(set(groups))))
        searcher = GridSearchCV(self._pipeline(), grid, scoring="balanced_accuracy", cv=folds)
        searcher.fit(inputs, targets, groups=groups)
        return searcher.best_params_, float(searcher.best_score_)

    def fit(self, inputs, targets, groups=None):
        from sklearn.calibration import CalibratedClassifierCV

        if self.params is None:
            self.best_params_, self.best_score_ = self.search_grid(inputs, targets, groups)
        else:
            self.best_params_, self.best_score_ = dict(self.params), float("nan")
        pipeline = self._pipeline().set_params(**self.best_params_)
        # Probabilities by a sigmoid fitted on internal folds, as SVC(probability=True) did (deprecated).
        self.model_ = CalibratedClassifierCV(pipeline, ensemble=False, cv=3).fit(inputs, targets)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, inputs):
        return self.model_.predict_proba(inputs)

    def predict(self, inputs):
        return self.classes_[np.argmax(self.predict_proba(inputs), axis=1)]


@dataclass(frozen=True)
class FunctionalsSVM(SklearnSystem):
    """An SVM on one utterance-level feature set (``features``), or its per-speaker standardised copy."""

    features: str = "compare"
    settings: type = BaselineSettings

    def _array(self, settings):
        return f"{self.features}_by_speaker" if settings.by_speaker else self.features

    def feature_sets(self, settings):
        return (self._array(settings),)

    def arrays(self, settings):
        return [self._array(settings)]

    def inputs(self, arrays, rows, settings, trim=False):
        return np.asarray(arrays[self._array(settings)][rows], dtype=np.float64)

    def build(self, settings, seed):
        return SearchedSVM(seed, settings.search)

    def fit(self, estimator, inputs, targets, groups):
        estimator.fit(inputs, targets, groups=groups)


BASELINES = {
    "compare-svm": ("compare", "openSMILE ComParE 2016 functionals (6,373), the INTERSPEECH challenges' baseline"),
    "egemaps-svm": ("egemaps", "openSMILE eGeMAPS v02 functionals (88)"),
    "stats-svm": ("acoustic_stats", "mean and std of the 34 pyAudioAnalysis features over 100 ms frames (68)"),
}

for _name, (_features, _what) in BASELINES.items():
    register(
        FunctionalsSVM(
            name=f"baseline/{_name}",
            aliases=(_name,),
            paper="baseline: Schuller et al., the INTERSPEECH 2016 ComParE challenge (features and SVM); "
            "Eyben et al., eGeMAPS (IEEE Trans. Affective Computing 7(2), 2016)",
            summary=f"SVM (linear or RBF, chosen on training speakers) on {_what}; --set by_speaker=true: "
            "standardised per speaker",
            reads=(_features,),
            features=_features,
        )
    )
