"""Evaluation protocols: which rows train and which test, fold by fold, and the validation split.

Each protocol is one registered :class:`Protocol` in a module of this package (or of the
``ser_keras.protocols`` entry-point group, or ``SER_KERAS_PROTOCOLS``), with its aliases
and its parameters:

* ``paper``: Krishna and Reddy's split (section 3): sessions 1-4 train, session 5 tests
  (parameter ``test_session``).
* ``leave-one-session-out`` (``loso``): one fold per session.
* ``leave-one-speaker-out`` (``lospko``): one fold per speaker (10 on IEMOCAP, as CA-MSER's LOSpkO).
* ``speaker-dependent`` (``sd``): one fold; a fixed share (parameter ``share``, 20%) of each
  speaker's utterances tests, spread over the classes, the rest train; drawn once, from seed 0.
* ``cross-corpus`` (``cross``): on a pooled bundle of several corpora, one fold per corpus: it
  tests, the others train (parameter ``test``).

Systems that select epochs or checkpoints get a validation split taken from the
training rows of a fold, by whole speakers: it never holds a test speaker.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..registry import Registry


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


@dataclass(frozen=True)
class Protocol:
    """One registered protocol.

    Attributes
    ----------
    name : str
    description : str
        One line for ``--help``.
    make_folds : callable
        ``make_folds(meta, labels, seed, **parameters) -> list of Fold``; raises
        :class:`ProtocolError` when the corpus lacks what it needs.
    parameters : dict
        The parameters it takes, with their defaults.
    aliases : tuple of str
    """

    name: str
    description: str
    make_folds: object
    parameters: dict = field(default_factory=dict)
    aliases: tuple = ()


PROTOCOLS = Registry("protocol", __name__, entry_points="ser_keras.protocols", environment="SER_KERAS_PROTOCOLS")


def register_protocol(protocol):
    """Add a protocol (under its name and aliases) to the registry and return it."""
    return PROTOCOLS.register(protocol, protocol.aliases)


def available_protocols():
    """Every registered protocol, by name."""
    return PROTOCOLS.available()


def canonical(protocol):
    """The full name of a protocol or of its alias."""
    try:
        return PROTOCOLS.get(protocol).name
    except ValueError:
        names = tuple(available_protocols())
        raise ProtocolError(
            f"protocol must be one of {names} (or {sorted(PROTOCOLS.aliases())}), got {protocol!r}"
        ) from None


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


def folds(protocol, meta, labels=None, seed=0, **parameters):
    """The folds of a protocol on a bundle's utterances.

    Parameters
    ----------
    protocol : str
        A registered protocol's name or alias.
    meta : pandas.DataFrame
        The bundle's ``meta.csv`` (``session`` and ``speaker`` columns).
    labels : np.ndarray of int, shape (N,), optional
        For stratified splits.
    seed : int
        For drawn splits.
    **parameters
        The protocol's own (its defaults otherwise).

    Returns
    -------
    list of Fold

    Raises
    ------
    ProtocolError
        When the corpus lacks what the protocol needs, or for a parameter it does not take.
    """
    chosen = PROTOCOLS.get(canonical(protocol))
    unknown = sorted(set(parameters) - set(chosen.parameters))
    if unknown:
        raise ProtocolError(f"protocol {chosen.name} takes no parameter {', '.join(unknown)}")
    return chosen.make_folds(meta, labels, seed, **{**chosen.parameters, **parameters})


def sessions_of(meta, protocol):
    """The session of every utterance as int; ProtocolError when the corpus has none."""
    sessions = meta["session"].to_numpy()
    if any(str(session) == "" for session in sessions):
        raise ProtocolError(f"this bundle's corpus has no sessions; the {protocol} protocol needs them")
    return sessions.astype(int)


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
