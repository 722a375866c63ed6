"""Fusion of utterance-level feature sets, and one recommended system that chooses among them honestly.

Not a paper's systems: what a user with recordings of their own should run. Each feature
set is a block of utterance-level values (openSMILE's ComParE or eGeMAPS functionals, the
statistics of a frozen speech encoder's frames); every classifier is the baselines' SVM
(:class:`ser_keras.systems.baselines.SearchedSVM`: scaled, kernel and C chosen by
cross-validation grouped by training speaker, probabilities calibrated).

* ``project/early-fusion``: one SVM on the blocks side by side (``--set sets=A,B``).
* ``project/late-fusion``: one SVM per block, their calibrated probabilities averaged.
* ``project/recommended``: the candidates (each block alone, and blocks side by side, by
  default ``compare``, ``egemaps``, ``encoder_stats``, ``egemaps+encoder_stats`` and
  ``compare+encoder_stats``) are scored inside each training fold by cross-validation
  grouped by training speaker (unweighted average recall), and the best is refitted on all
  the fold's training rows. No test utterance, and no test speaker, takes part in the
  choice; each fold's scores are kept in its history (``selection/CANDIDATE``).

Per-speaker standardisation (the ``*_by_speaker`` copies) needs every speaker's unlabelled
audio known in advance: ``--set enrolment=true`` declares that, and nothing uses it otherwise.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from . import SklearnSystem, register
from .baselines import SearchedSVM

RECOMMENDED_CANDIDATES = "compare,egemaps,encoder_stats,egemaps+encoder_stats,compare+encoder_stats"


@dataclass(frozen=True)
class FusionSettings:
    """What a fusion reads.

    Attributes
    ----------
    sets : str
        Comma-separated feature sets (early and late fusion), or comma-separated candidates
        of ``+``-joined sets (the recommended system).
    enrolment : bool
        Read each set standardised by each speaker's own statistics: only where every
        speaker's unlabelled audio is known in advance.
    search : bool
        Choose each SVM's kernel and C on folds of training speakers.
    """

    sets: str = "egemaps,encoder_stats"
    enrolment: bool = False
    search: bool = True

    def to_dict(self):
        return asdict(self)


@dataclass(frozen=True)
class RecommendedSettings:
    """The recommended system's: ``sets`` lists its candidates, ``+`` joining the sets of one."""

    sets: str = RECOMMENDED_CANDIDATES
    enrolment: bool = False

    def to_dict(self):
        return asdict(self)


def side_by_side(blocks, names):
    """The named blocks' columns side by side: (rows, sum of their widths)."""
    return np.concatenate([blocks[name] for name in names], axis=1)


def _names(settings, separator=","):
    return [name.strip() for name in settings.sets.split(separator) if name.strip()]


@dataclass(frozen=True)
class BlocksSystem(SklearnSystem):
    """A scikit-learn system whose inputs are named blocks, ``{set: (rows, values)}``."""

    settings: type = FusionSettings

    def blocks(self, settings):
        """The feature sets read, in order (each may be several candidates' part)."""
        return list(dict.fromkeys(_names(settings)))

    def _array(self, name, settings):
        return f"{name}_by_speaker" if settings.enrolment else name

    def feature_sets(self, settings):
        return tuple(self._array(name, settings) for name in self.blocks(settings))

    def arrays(self, settings):
        return list(self.feature_sets(settings))

    def inputs(self, arrays, rows, settings, trim=False):
        return {
            name: np.asarray(arrays[self._array(name, settings)][rows], dtype=np.float64)
            for name in self.blocks(settings)
        }

    def fit(self, estimator, inputs, targets, groups):
        estimator.fit(inputs, targets, groups=groups)


class EarlyFusionSVM:
    """One :class:`SearchedSVM` on the named blocks side by side."""

    def __init__(self, names, seed=0, search=True):
        self.names, self.seed, self.search = list(names), seed, search

    def fit(self, blocks, targets, groups=None):
        self.model_ = SearchedSVM(self.seed, self.search).fit(side_by_side(blocks, self.names), targets, groups)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, blocks):
        return self.model_.predict_proba(side_by_side(blocks, self.names))


class LateFusionSVM:
    """One :class:`SearchedSVM` per block; the mean of their calibrated probabilities."""

    def __init__(self, names, seed=0, search=True):
        self.names, self.seed, self.search = list(names), seed, search

    def fit(self, blocks, targets, groups=None):
        self.models_ = [SearchedSVM(self.seed, self.search).fit(blocks[name], targets, groups) for name in self.names]
        self.classes_ = self.models_[0].classes_
        return self

    def predict_proba(self, blocks):
        return np.mean([model.predict_proba(blocks[name]) for name, model in zip(self.names, self.models_)], axis=0)


class RecommendedSVM:
    """The candidate (a block, or blocks side by side) with the best score on folds of training speakers.

    Each candidate's score is its SVM grid's best unweighted average recall under
    cross-validation grouped by training speaker (:meth:`SearchedSVM.search_grid`); the
    winner is fitted on every training row with the kernel and C it was scored with. With
    fewer than two training speakers nothing can be scored and the first candidate is taken.
    """

    def __init__(self, candidates, seed=0):
        self.candidates, self.seed = [list(candidate) for candidate in candidates], seed

    def fit(self, blocks, targets, groups=None):
        searched = {}
        for candidate in self.candidates:
            joined = side_by_side(blocks, candidate)
            searched["+".join(candidate)] = SearchedSVM(self.seed).search_grid(joined, targets, groups)
        scores = {name: score for name, (_, score) in searched.items()}
        chosen = max(scores, key=lambda name: -1.0 if np.isnan(scores[name]) else scores[name])
        self.chosen_, self.scores_ = chosen.split("+"), scores
        chosen_blocks = side_by_side(blocks, self.chosen_)
        self.model_ = SearchedSVM(self.seed, params=searched[chosen][0]).fit(chosen_blocks, targets, groups)
        self.classes_ = self.model_.classes_
        self.history_ = {f"selection/{name}": [score] for name, score in scores.items()}
        return self

    def predict_proba(self, blocks):
        return self.model_.predict_proba(side_by_side(blocks, self.chosen_))


@dataclass(frozen=True)
class EarlyFusion(BlocksSystem):
    def build(self, settings, seed):
        return EarlyFusionSVM(self.blocks(settings), seed, settings.search)


@dataclass(frozen=True)
class LateFusion(BlocksSystem):
    def build(self, settings, seed):
        return LateFusionSVM(self.blocks(settings), seed, settings.search)


@dataclass(frozen=True)
class Recommended(BlocksSystem):
    def candidates(self, settings):
        return [candidate.split("+") for candidate in _names(settings)]

    def blocks(self, settings):
        return list(dict.fromkeys(name for candidate in self.candidates(settings) for name in candidate))

    def build(self, settings, seed):
        return RecommendedSVM(self.candidates(settings), seed)


_PROJECT = "the project's: utterance-level feature sets fused, each SVM chosen on training speakers"
_ENROLMENT = "--set enrolment=true: each set standardised per speaker (speakers' unlabelled audio known in advance)"

register(
    EarlyFusion(
        name="project/early-fusion",
        aliases=("early-fusion",),
        paper=_PROJECT,
        summary=f"one SVM on feature sets side by side (--set sets=A,B; default eGeMAPS and encoder statistics); "
        f"{_ENROLMENT}",
        reads=("egemaps", "encoder_stats"),
        protocol="loso",
        deviations=("not a paper's system: early fusion of utterance-level feature sets",),
    )
)
register(
    LateFusion(
        name="project/late-fusion",
        aliases=("late-fusion",),
        paper=_PROJECT,
        summary=f"one SVM per feature set, their calibrated probabilities averaged; {_ENROLMENT}",
        reads=("egemaps", "encoder_stats"),
        protocol="loso",
        deviations=("not a paper's system: late fusion of calibrated probabilities",),
    )
)
register(
    Recommended(
        name="project/recommended",
        settings=RecommendedSettings,
        aliases=("recommended",),
        paper=_PROJECT,
        summary="the best of ComParE, eGeMAPS, encoder statistics and two early fusions, chosen inside each "
        f"training fold by cross-validation grouped by training speaker, never on test; {_ENROLMENT}",
        reads=("compare", "egemaps", "encoder_stats"),
        protocol="loso",
        deviations=("not a paper's system: a choice among feature sets made on training speakers only",),
    )
)
