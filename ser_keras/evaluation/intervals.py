"""How sure a test score is: bootstrap confidence intervals over the test utterances."""

from __future__ import annotations

import numpy as np

from .metrics import unweighted_average_recall


def bootstrap_interval(y_true, y_pred, confidence=0.95, resamples=2000, seed=0, method="percentile"):
    """A bootstrap confidence interval of the UA of one set of test predictions.

    The test utterances are drawn again with replacement, ``resamples`` times, and UA is
    computed on each draw (scipy.stats.bootstrap, pairs kept together). The interval says how
    much the score would move on another test set of the same size from the same speakers;
    it does not cover a change of speakers, corpus or seed.

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (N,)
    confidence : float
    resamples : int
    seed : int
    method : {"percentile", "basic", "BCa"}
        scipy's interval method.

    Returns
    -------
    low, high : float
    """
    from scipy.stats import bootstrap

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    result = bootstrap(
        (y_true, y_pred),
        unweighted_average_recall,
        paired=True,
        vectorized=False,
        confidence_level=confidence,
        n_resamples=resamples,
        method=method,
        random_state=np.random.default_rng(seed),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)
