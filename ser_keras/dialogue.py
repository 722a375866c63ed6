"""Dialogue context: the turns before each turn, in speaking order, never across dialogues.

MATE (Hong et al., KCC 2022) predicts the emotion of a turn from a window of it and
the turns before it in the same dialogue, left-padded with empty turns when the
dialogue has fewer.
"""

from __future__ import annotations

import numpy as np

PADDING = -1


def turn_order(dialogues, starts):
    """Each turn's dialogue and its position in that dialogue by start time.

    Parameters
    ----------
    dialogues : sequence of str, length N
        The dialogue of every turn.
    starts : sequence of float, length N
        Start times in seconds within the dialogue; ties keep the given order.

    Returns
    -------
    dialogue_ids : np.ndarray of int32, shape (N,)
        Dialogues numbered 0, 1, ... in order of first appearance.
    positions : np.ndarray of int32, shape (N,)
        0 for the first turn of a dialogue, 1 for the next, ...
    """
    _, first, dialogue_ids = np.unique(np.asarray(dialogues, dtype=str), return_index=True, return_inverse=True)
    # Renumber by first appearance, so the numbers do not depend on dialogue names sorting.
    dialogue_ids = np.argsort(np.argsort(first))[dialogue_ids].astype(np.int32)
    starts = np.asarray(starts, dtype=np.float64)
    positions = np.zeros(len(starts), dtype=np.int32)
    for dialogue in np.unique(dialogue_ids):
        members = np.flatnonzero(dialogue_ids == dialogue)
        positions[members[np.argsort(starts[members], kind="stable")]] = np.arange(len(members))
    return dialogue_ids, positions


def dialogue_windows(dialogue_ids, positions, rows, window):
    """The window of every row: the turns before it in its dialogue and the row itself.

    Only turns among ``rows`` enter a window, so a window of training rows never holds
    a test turn, even as unlabelled context.

    Parameters
    ----------
    dialogue_ids, positions : np.ndarray of int, shape (N,)
        From :func:`turn_order`.
    rows : np.ndarray of int, shape (R,)
    window : int
        Turns per window (MATE: 8).

    Returns
    -------
    np.ndarray of int, shape (R, window)
        Row indices into the N turns, oldest first; the last column is ``rows`` itself;
        :data:`PADDING` (-1) where the dialogue has no earlier turn.
    """
    rows = np.asarray(rows, dtype=int)
    windows = np.full((len(rows), window), PADDING, dtype=int)
    slot = np.empty(len(dialogue_ids), dtype=int)
    slot[rows] = np.arange(len(rows))
    for dialogue in np.unique(dialogue_ids[rows]):
        members = rows[dialogue_ids[rows] == dialogue]
        ordered = members[np.argsort(positions[members], kind="stable")]
        padded = np.concatenate([np.full(window - 1, PADDING), ordered])
        # Row k of the sliding view ends at ordered[k]: the turn and the window - 1 before it.
        sliding = np.lib.stride_tricks.sliding_window_view(padded, window)
        windows[slot[ordered]] = sliding
    return windows


def gather(values, windows):
    """``values`` of every turn of every window, zero where the window is padded.

    Parameters
    ----------
    values : np.ndarray, shape (N, ...)
    windows : np.ndarray of int, shape (R, W)

    Returns
    -------
    np.ndarray, shape (R, W, ...), the dtype of ``values``
    """
    gathered = np.asarray(values)[np.maximum(windows, 0)]
    gathered[windows == PADDING] = 0
    return gathered
