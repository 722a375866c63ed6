"""The three kinds of task a system predicts: what it is trained on, its heads, how it is scored.

* ``categorical``: one class per utterance (``labels``); softmax head ``emotion``,
  cross-entropy; UA, WA, per-class scores and the confusion matrix.
* ``dimensional``: valence, arousal, dominance (``dimensions``); three linear heads,
  targets scaled to [-1, 1] with the training rows' minimum and maximum, mean squared
  error unless a system brings its own loss; CCC per dimension and their mean, Pearson
  r, RMSE, on the corpus's own scale.
* ``votes``: the distribution of the annotators' votes (``votes``); softmax head
  ``votes``, KL divergence; precision, recall and F1 at 1 against the gold classes (those
  with the most votes, ties kept, as KEMDy19's ``Emotion`` column lists them for MATE),
  and UA/WA of the utterance's label so the system sits in the same table as the
  categorical ones.
* ``arousal-valence``: arousal and valence on the corpus's own rating scale
  (``dimensions``, unscaled: MATE's heads end in ``4 * sigmoid + 1``, the 1-5 scale);
  heads ``arousal`` and ``valence``, mean squared error; CCC, Pearson r, RMSE.

A system may predict several tasks at once; each task's head, loss and targets are
keyed by its output names.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .evaluation.metrics import at_one_scores, dimensional_scores, scores
from .registry import Registry

DIMENSIONS = ("valence", "arousal", "dominance")


def gold_classes(votes):
    """The classes with the most votes in each row (ties kept), as a multi-hot array.

    Parameters
    ----------
    votes : array-like, shape (N, C)

    Returns
    -------
    np.ndarray of bool, shape (N, C)
        All False for a row without votes.
    """
    votes = np.asarray(votes, dtype=np.float64)
    return (votes == votes.max(axis=1, keepdims=True)) & (votes > 0)


@dataclass(frozen=True)
class Output:
    """One head of a model: its name, its width and its activation."""

    name: str
    units: int
    activation: str


class Task:
    """Base class: a target of the bundle, the heads that predict it, and its scores."""

    name = ""
    description = ""
    target = ""  # the bundle array holding the targets
    headline = ()  # the scores that summary tables show
    estimator = None  # what a scikit-learn estimator learns of it: "classifier", "regressor" or None (cannot)

    def usable(self, target):
        """Rows with a target (bool, shape (N,))."""
        return np.ones(len(target), dtype=bool)

    def outputs(self, classes):
        """The model heads (list of :class:`Output`)."""
        raise NotImplementedError

    def fit(self, target, rows, classes):
        """What the targets need from the training rows (JSON-serialisable), e.g. a scaling."""
        return {}

    def targets(self, target, rows, state):
        """Training targets by output name for some rows."""
        raise NotImplementedError

    def losses(self):
        """Keras loss by output name."""
        raise NotImplementedError

    def metrics(self):
        """Keras metrics by output name."""
        return {}

    def decode(self, outputs, state):
        """Model outputs (by output name) to predictions (by name, in the corpus's terms)."""
        raise NotImplementedError

    def score(self, target, labels, predictions, classes):
        """Scores of predictions against the targets of the same rows (dict)."""
        raise NotImplementedError

    def columns(self, target, labels, predictions, classes):
        """Per-utterance columns for ``predictions.csv`` (dict of name -> sequence)."""
        raise NotImplementedError

    def rated_and_predicted(self, target, predictions):
        """Ratings and their predictions as two (N, K) arrays, for scatter plots (None: not rated)."""
        return None

    def named(self, predictions, classes):
        """The first row of predictions as ``{name: value}`` (class probabilities or ratings)."""
        (values,) = predictions.values()
        return {name: float(value) for name, value in zip(classes, values[0])}

    def named_columns(self, classes):
        """The names :meth:`named` gives, for a table of predictions; a class task adds ``emotion``, its argmax."""
        return ["emotion", *classes]


class Categorical(Task):
    name = "categorical"
    description = "one emotion class per utterance (UA, WA)"
    target = "labels"
    headline = ("ua", "wa")
    estimator = "classifier"

    def outputs(self, classes):
        return [Output("emotion", len(classes), "softmax")]

    def targets(self, target, rows, state):
        classes = state["classes"]
        return {"emotion": np.eye(classes, dtype=np.float32)[target[rows]]}

    def fit(self, target, rows, classes):
        return {"classes": len(classes)}

    def losses(self):
        return {"emotion": "categorical_crossentropy"}

    def metrics(self):
        return {"emotion": ["accuracy"]}

    def decode(self, outputs, state):
        return {"emotion": np.asarray(outputs["emotion"], dtype=np.float32)}

    def score(self, target, labels, predictions, classes):
        return scores(target, predictions["emotion"].argmax(axis=1), classes)

    def columns(self, target, labels, predictions, classes):
        probabilities = predictions["emotion"]
        return {
            "label": [classes[i] for i in target],
            "predicted": [classes[i] for i in probabilities.argmax(axis=1)],
            **{f"p_{name}": probabilities[:, i] for i, name in enumerate(classes)},
        }


class Dimensional(Task):
    name = "dimensional"
    description = "valence, arousal, dominance (CCC)"
    target = "dimensions"
    headline = ("ccc_mean", "ccc_valence", "ccc_arousal", "ccc_dominance")
    estimator = "regressor"

    def usable(self, target):
        return np.all(np.isfinite(target), axis=1)

    def outputs(self, classes):
        return [Output(name, 1, "linear") for name in DIMENSIONS]

    def fit(self, target, rows, classes):
        # Min-max scaling fitted on the training rows only (Atmaja fits it on every label).
        low, high = target[rows].min(axis=0), target[rows].max(axis=0)
        return {"low": low.astype(float).tolist(), "high": np.maximum(high, low + 1e-6).astype(float).tolist()}

    def scale(self, values, state):
        low, high = np.asarray(state["low"]), np.asarray(state["high"])
        return (2 * (values - low) / (high - low) - 1).astype(np.float32)

    def unscale(self, values, state):
        low, high = np.asarray(state["low"]), np.asarray(state["high"])
        return ((np.asarray(values) + 1) / 2 * (high - low) + low).astype(np.float32)

    def targets(self, target, rows, state):
        scaled = self.scale(target[rows], state)
        return {name: scaled[:, [index]] for index, name in enumerate(DIMENSIONS)}

    def losses(self):
        return {name: "mean_squared_error" for name in DIMENSIONS}

    def decode(self, outputs, state):
        scaled = np.concatenate([np.asarray(outputs[name]).reshape(-1, 1) for name in DIMENSIONS], axis=1)
        return {"dimensions": self.unscale(scaled, state)}

    def score(self, target, labels, predictions, classes):
        return dimensional_scores(target, predictions["dimensions"], DIMENSIONS)

    def rated_and_predicted(self, target, predictions):
        return np.asarray(target), predictions["dimensions"]

    def named(self, predictions, classes):
        return {name: float(value) for name, value in zip(DIMENSIONS, predictions["dimensions"][0])}

    def named_columns(self, classes):
        return list(DIMENSIONS)

    def columns(self, target, labels, predictions, classes):
        columns = {}
        for index, name in enumerate(DIMENSIONS):
            columns[name] = target[:, index]
            columns[f"predicted_{name}"] = predictions["dimensions"][:, index]
        return columns


class Votes(Task):
    name = "votes"
    description = "the distribution of the annotators' votes (P/R/F1@1)"
    target = "votes"
    headline = ("f1_at_1", "precision_at_1", "recall_at_1", "ua", "wa")

    def usable(self, target):
        return target.sum(axis=1) > 0

    def outputs(self, classes):
        return [Output("votes", len(classes), "softmax")]

    def targets(self, target, rows, state):
        votes = target[rows]
        return {"votes": (votes / votes.sum(axis=1, keepdims=True)).astype(np.float32)}

    def losses(self):
        return {"votes": "kl_divergence"}

    def decode(self, outputs, state):
        return {"votes": np.asarray(outputs["votes"], dtype=np.float32)}

    def score(self, target, labels, predictions, classes):
        probabilities = predictions["votes"]
        result = at_one_scores(gold_classes(target), probabilities)
        result.update(scores(labels, probabilities.argmax(axis=1), classes))
        return result

    def columns(self, target, labels, predictions, classes):
        probabilities = predictions["votes"]
        return {
            "label": [classes[i] for i in labels],
            "votes": [";".join(f"{classes[i]}:{int(v)}" for i, v in enumerate(row) if v) for row in target],
            "predicted": [classes[i] for i in probabilities.argmax(axis=1)],
            **{f"p_{name}": probabilities[:, i] for i, name in enumerate(classes)},
        }


class ArousalValence(Task):
    name = "arousal-valence"
    description = "arousal and valence on the corpus's rating scale (CCC)"
    target = "dimensions"
    headline = ("ccc_arousal", "ccc_valence")
    names = ("arousal", "valence")
    columns_of = {"valence": 0, "arousal": 1}  # in ``dimensions``

    def usable(self, target):
        return np.all(np.isfinite(target[:, [self.columns_of[name] for name in self.names]]), axis=1)

    def outputs(self, classes):
        return [Output(name, 1, "linear") for name in self.names]

    def targets(self, target, rows, state):
        return {name: target[rows][:, [self.columns_of[name]]].astype(np.float32) for name in self.names}

    def losses(self):
        return {name: "mean_squared_error" for name in self.names}

    def decode(self, outputs, state):
        values = [np.asarray(outputs[name], dtype=np.float32).reshape(-1, 1) for name in self.names]
        return {"arousal_valence": np.concatenate(values, axis=1)}

    def truth(self, target):
        return np.asarray(target)[:, [self.columns_of[name] for name in self.names]]

    def score(self, target, labels, predictions, classes):
        result = dimensional_scores(self.truth(target), predictions["arousal_valence"], self.names)
        result["ccc_mean_arousal_valence"] = result.pop("ccc_mean")
        return result

    def rated_and_predicted(self, target, predictions):
        return self.truth(target), predictions["arousal_valence"]

    def named(self, predictions, classes):
        return {name: float(value) for name, value in zip(self.names, predictions["arousal_valence"][0])}

    def named_columns(self, classes):
        return list(self.names)

    def columns(self, target, labels, predictions, classes):
        truth, columns = self.truth(target), {}
        for index, name in enumerate(self.names):
            columns[name] = truth[:, index]
            columns[f"predicted_{name}"] = predictions["arousal_valence"][:, index]
        return columns


TASKS = Registry("task", entry_points="ser_keras.tasks", environment="SER_KERAS_TASKS")
for _task in (Categorical(), Dimensional(), Votes(), ArousalValence()):
    TASKS.register(_task)


def register_task(task):
    """Add a task (an instance of a :class:`Task` subclass) to the registry and return it."""
    return TASKS.register(task)


def get_task(name):
    """A task by name (``categorical``, ``dimensional`` or ``votes``)."""
    return TASKS.get(name)
