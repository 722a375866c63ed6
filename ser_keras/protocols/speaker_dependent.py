"""Speaker-dependent: a fixed share of every speaker's utterances tests, spread over the classes."""

from __future__ import annotations

import numpy as np

from . import Fold, Protocol, register_protocol

SPEAKER_DEPENDENT_TEST_SHARE = 0.2


def speaker_dependent_split(speakers, labels, share=SPEAKER_DEPENDENT_TEST_SHARE, seed=0):
    """A fixed share of every speaker's utterances tests (at least one), spread over the classes.

    Each speaker's rows are shuffled within each class and dealt class by class in turn, so
    the first ``round(share * n)`` of them cover the classes as evenly as they can.

    Returns
    -------
    train, test : np.ndarray of int
    """
    rng = np.random.default_rng(seed)
    speakers, labels = np.asarray(speakers), np.asarray(labels)
    test = []
    for speaker in np.unique(speakers):
        by_class = [
            rng.permutation(np.flatnonzero((speakers == speaker) & (labels == label))).tolist()
            for label in np.unique(labels)
        ]
        dealt = [rows[turn] for turn in range(max(map(len, by_class))) for rows in by_class if turn < len(rows)]
        test += dealt[: max(1, int(round(share * len(dealt))))]
    test = np.array(sorted(test), dtype=np.int64)
    return np.setdiff1d(np.arange(len(speakers)), test), test


def _folds(meta, labels, seed, share):
    labels = np.zeros(len(meta), dtype=int) if labels is None else labels
    train, test = speaker_dependent_split(meta["speaker"].astype(str).to_numpy(), labels, share, seed)
    return [Fold("speaker-dependent", train, test)]


register_protocol(
    Protocol(
        "speaker-dependent",
        "20% of each speaker's utterances test",
        _folds,
        parameters={"share": SPEAKER_DEPENDENT_TEST_SHARE},
        aliases=("sd",),
    )
)
