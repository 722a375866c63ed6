"""Krishna and Reddy's split (section 3): sessions 1-4 train, session 5 tests (4290 and 1241 utterances)."""

from __future__ import annotations

import numpy as np

from . import Fold, Protocol, ProtocolError, register_protocol, sessions_of

TEST_SESSION = 5


def paper_split(sessions, test_session=TEST_SESSION):
    """The paper's split: every session but ``test_session`` for training, ``test_session`` for testing.

    Parameters
    ----------
    sessions : array-like of int, shape (N,)
    test_session : int

    Returns
    -------
    train, test : np.ndarray of int
        Row indices.
    """
    sessions = np.asarray(sessions)
    return np.flatnonzero(sessions != test_session), np.flatnonzero(sessions == test_session)


def _folds(meta, labels, seed, test_session):
    sessions = sessions_of(meta, "paper")
    if test_session not in set(sessions):
        raise ProtocolError(f"the paper protocol tests on session {test_session}, which this bundle does not have")
    train, test = paper_split(sessions, test_session)
    return [Fold(f"session {test_session}", train, test)]


register_protocol(
    Protocol(
        "paper",
        "sessions 1-4 train, 5 test (Krishna and Reddy's)",
        _folds,
        parameters={"test_session": TEST_SESSION},
    )
)
