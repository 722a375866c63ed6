"""Metrics of the three kinds of task: categories, dimensions, soft labels from annotators' votes."""

from __future__ import annotations

import numpy as np


def scores(y_true, y_pred, classes):
    """Unweighted and weighted accuracy, per-class metrics and the confusion matrix.

    UA is the mean recall over the classes present in ``y_true``, as scikit-learn's
    ``balanced_accuracy_score`` and CA-MSER's code compute it: a class with no test
    utterance has no recall, so it does not count as a recall of 0 (a fold of speakers
    who never show one class would otherwise lose a whole class's share of UA). The
    per-class table and the confusion matrix still list every class.

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (N,)
    classes : list of str

    Returns
    -------
    dict
        ``ua``: unweighted average recall (the mean of per-class recalls over the classes
        of ``y_true``, which the paper calls unweighted accuracy); ``wa``: weighted
        accuracy (plain accuracy); ``per_class``: precision, recall, F1 and support per
        class; ``confusion``: counts, rows true, columns predicted.
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = list(range(len(classes)))
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "ua": unweighted_average_recall(y_true, y_pred),
        "wa": float(accuracy_score(y_true, y_pred)),
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(classes, precision, recall, f1, support)
        },
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def unweighted_average_recall(y_true, y_pred):
    """The mean of per-class recalls over the classes present in ``y_true`` (UA).

    Equal to ``sklearn.metrics.balanced_accuracy_score``, without its warning when a
    prediction names a class absent from the truth.

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (N,)

    Returns
    -------
    float
        0 for empty input.
    """
    from sklearn.metrics import recall_score

    y_true = np.asarray(y_true)
    if y_true.size == 0:
        return 0.0
    present = np.unique(y_true).tolist()
    return float(recall_score(y_true, np.asarray(y_pred), labels=present, average="macro", zero_division=0))


def ccc(y_true, y_pred):
    """Lin's concordance correlation coefficient.

    ``2 cov(x, y) / (var(x) + var(y) + (mean(x) - mean(y))^2)`` with population
    statistics: variances and covariance divided by N (numpy's default, ``ddof=0``).
    Atmaja's ``calc_scores`` divides the variances by N - 1 and the covariance by N,
    which gives a slightly smaller value on small sets.

    Parameters
    ----------
    y_true, y_pred : array-like of float, shape (N,)

    Returns
    -------
    float
        In [-1, 1]; 1 when the predictions equal the ratings. 0 when both are constant.
    """
    x, y = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    covariance = np.mean((x - x.mean()) * (y - y.mean()))
    denominator = x.var() + y.var() + (x.mean() - y.mean()) ** 2
    return float(2 * covariance / denominator) if denominator > 0 else 0.0


def dimensional_scores(y_true, y_pred, names=("valence", "arousal", "dominance")):
    """CCC, Pearson r and RMSE per dimension, and the mean CCC.

    Parameters
    ----------
    y_true, y_pred : array-like of float, shape (N, K)
    names : sequence of str, length K

    Returns
    -------
    dict
        ``ccc_mean`` and, per dimension ``d``, ``ccc_d``; ``per_dimension``: ``{d: {"ccc",
        "pearson", "rmse"}}``.
    """
    y_true, y_pred = np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    per_dimension = {}
    for index, name in enumerate(names):
        truth, prediction = y_true[:, index], y_pred[:, index]
        varies = truth.std() > 0 and prediction.std() > 0
        per_dimension[name] = {
            "ccc": ccc(truth, prediction),
            "pearson": float(np.corrcoef(truth, prediction)[0, 1]) if varies else 0.0,
            "rmse": float(np.sqrt(np.mean((truth - prediction) ** 2))),
        }
    result = {"ccc_mean": float(np.mean([values["ccc"] for values in per_dimension.values()]))}
    result.update({f"ccc_{name}": values["ccc"] for name, values in per_dimension.items()})
    result["per_dimension"] = per_dimension
    return result


def at_one_scores(gold, probabilities):
    """Precision, recall and F1 at 1 against multi-hot targets, as MATE's ``metric.py`` computes them.

    Precision@1 is 1 when the top class is one of the gold classes; recall@1 is that hit
    divided by the number of gold classes; both are averaged over utterances and
    F1 = 2PR / (P + R) of the averages. The authors' code computes F1 so on each batch
    of 64 (with 1e-3 added to the denominator) and averages the batches; over the whole
    test set the figure does not depend on the batch size.

    Parameters
    ----------
    gold : array-like, shape (N, C)
        Non-zero where a class is in the gold set (votes or multi-hot).
    probabilities : array-like, shape (N, C)

    Returns
    -------
    dict
        ``precision_at_1``, ``recall_at_1``, ``f1_at_1``.
    """
    gold = np.asarray(gold) > 0
    top = np.asarray(probabilities).argmax(axis=1)
    hit = gold[np.arange(len(top)), top].astype(np.float64)
    precision = hit
    recall = hit / np.maximum(gold.sum(axis=1), 1)
    mean_precision, mean_recall = float(precision.mean()), float(recall.mean())
    total = mean_precision + mean_recall
    return {
        "precision_at_1": mean_precision,
        "recall_at_1": mean_recall,
        "f1_at_1": 2 * mean_precision * mean_recall / total if total > 0 else 0.0,
    }


def summarise(values):
    """Mean and standard deviation (population) of a list of numbers."""
    values = np.asarray(values, dtype=float)
    return {"mean": float(values.mean()), "std": float(values.std()), "values": values.tolist()}
