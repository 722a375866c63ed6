"""Evaluation protocols: which rows train and which test, fold by fold, and the validation split.

* ``paper``: Krishna and Reddy's split (section 3): sessions 1-4 train, session 5 tests.
* ``leave-one-session-out`` (``loso``): one fold per session.
* ``leave-one-speaker-out``: one fold per speaker (10 on IEMOCAP, as CA-MSER's LOSpkO).
* ``speaker-dependent``: one fold; a fixed share (20%) of each speaker's utterances tests,
  spread over the classes, the rest train; drawn once, from seed 0.

Systems that select epochs or checkpoints get a validation split taken from the
training rows of a fold, by whole speakers: it never holds a test speaker.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .corpora.iemocap import TEST_SESSION

SPEAKER_DEPENDENT_TEST_SHARE = 0.2
PROTOCOLS = ("paper", "leave-one-session-out", "leave-one-speaker-out", "speaker-dependent")
ALIASES = {"loso": "leave-one-session-out", "lospko": "leave-one-speaker-out", "sd": "speaker-dependent"}


class ProtocolError(ValueError):
    """A protocol that the corpus cannot support (no sessions, no session 5 ...)."""


@dataclass(frozen=True)
class Fold:
    """One train/test division of the rows.

    Attributes
    ----------
    name : str
        E.g. ``"session 5"``, ``"speaker Ses01F"``.
    train, test : np.ndarray of int
        Row indices; disjoint.
    """

    name: str
    train: np.ndarray
    test: np.ndarray

    @property
    def key(self):
        """The name as a file-name part."""
        return self.name.replace(" ", "-")


def canonical(protocol):
    """The full name of a protocol or of its alias."""
    protocol = ALIASES.get(protocol, protocol)
    if protocol not in PROTOCOLS:
        raise ProtocolError(f"protocol must be one of {PROTOCOLS} (or {sorted(ALIASES)}), got {protocol!r}")
    return protocol


def paper_split(sessions):
    """The paper's split: sessions 1-4 for training, session 5 for testing.

    Parameters
    ----------
    sessions : array-like of int, shape (N,)

    Returns
    -------
    train, test : np.ndarray of int
        Row indices.
    """
    sessions = np.asarray(sessions)
    return np.flatnonzero(sessions != TEST_SESSION), np.flatnonzero(sessions == TEST_SESSION)


def leave_one_group_out(groups, label):
    """One fold per distinct group (sorted): its rows test, all others train.

    Parameters
    ----------
    groups : array-like, shape (N,)
    label : str
        What a group is, for fold names ("session", "speaker").

    Returns
    -------
    list of Fold
    """
    groups = np.asarray(groups)
    return [
        Fold(f"{label} {group}", np.flatnonzero(groups != group), np.flatnonzero(groups == group))
        for group in np.unique(groups)
    ]


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


def folds(protocol, meta, labels=None, seed=0):
    """The folds of a protocol on a bundle's utterances.

    Parameters
    ----------
    protocol : str
        One of :data:`PROTOCOLS` or an alias.
    meta : pandas.DataFrame
        The bundle's ``meta.csv`` (``session`` and ``speaker`` columns).
    labels : np.ndarray of int, shape (N,), optional
        For the stratified speaker-dependent split.
    seed : int
        For the speaker-dependent split.

    Returns
    -------
    list of Fold

    Raises
    ------
    ProtocolError
        When the corpus lacks what the protocol needs.
    """
    protocol = canonical(protocol)
    if protocol == "leave-one-speaker-out":
        return leave_one_group_out(meta["speaker"].astype(str).to_numpy(), "speaker")
    if protocol == "speaker-dependent":
        if labels is None:
            labels = np.zeros(len(meta), dtype=int)
        train, test = speaker_dependent_split(meta["speaker"].astype(str).to_numpy(), labels, seed=seed)
        return [Fold("speaker-dependent", train, test)]
    sessions = meta["session"].to_numpy()
    if any(str(session) == "" for session in sessions):
        raise ProtocolError(f"this bundle's corpus has no sessions; the {protocol} protocol needs them")
    sessions = sessions.astype(int)
    if protocol == "leave-one-session-out":
        return leave_one_group_out(sessions, "session")
    if TEST_SESSION not in set(sessions):
        raise ProtocolError(f"the paper protocol tests on session {TEST_SESSION}, which this bundle does not have")
    train, test = paper_split(sessions)
    return [Fold(f"session {TEST_SESSION}", train, test)]


def validation_split(speakers, train, fraction=0.2, seed=0):
    """Take a validation part from a fold's training rows, by whole speakers.

    Parameters
    ----------
    speakers : array-like of str, shape (N,)
        Speaker of every row of the bundle.
    train : np.ndarray of int
        The fold's training rows (test rows are never among them, so never among the
        validation rows either).
    fraction : float
        Share of the training speakers held out (at least one). With a single training
        speaker, the same share of its rows is held out instead.
    seed : int

    Returns
    -------
    fit, validation : np.ndarray of int
        Disjoint; together the training rows.
    """
    rng = np.random.default_rng(seed)
    speakers = np.asarray(speakers)[train]
    names = np.unique(speakers)
    if len(names) < 2:
        shuffled = rng.permutation(len(train))
        count = max(1, int(round(fraction * len(train))))
        return np.sort(train[shuffled[count:]]), np.sort(train[shuffled[:count]])
    count = min(len(names) - 1, max(1, int(round(fraction * len(names)))))
    held_out = rng.choice(names, size=count, replace=False)
    is_validation = np.isin(speakers, held_out)
    return train[~is_validation], train[is_validation]
