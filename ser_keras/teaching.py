"""What the tutorial notebooks share: hear the classes, read a result in prose, look at the mistakes.

Small on purpose: each function is one step a lecturer would otherwise paste into every
notebook. Nothing here trains or scores a model; the notebooks call the project's own
modules for that and pass their outputs in.
"""

from __future__ import annotations

import numpy as np


def reading(text):
    """Show a paragraph of Markdown under a result.

    The notebooks write their readings of a table or figure with f-strings, so every number
    in the prose is the number the cell above computed, in this run.
    """
    from IPython.display import Markdown, display

    display(Markdown(text))


def play_examples(utterances, per_class=1, seed=0):
    """One audio player per class (or ``per_class`` of them), with the label and the words said.

    Parameters
    ----------
    utterances : list of Utterance
    per_class : int
    seed : int
        Which utterances are drawn.

    Returns
    -------
    list of Utterance
        The utterances played, class by class.
    """
    from IPython.display import Audio, Markdown, display

    from .features.audio import SAMPLE_RATE, load_audio

    generator = np.random.default_rng(seed)
    chosen = []
    for label in sorted({u.label for u in utterances}):
        of_class = [u for u in utterances if u.label == label]
        for index in generator.choice(len(of_class), size=min(per_class, len(of_class)), replace=False):
            utterance = of_class[index]
            words = f': "{utterance.transcript}"' if utterance.transcript else ""
            display(Markdown(f"**{label}** ({utterance.id}, speaker {utterance.speaker}){words}"))
            display(Audio(load_audio(utterance.wav_path), rate=SAMPLE_RATE))
            chosen.append(utterance)
    return chosen


def mistakes(ids, y_true, probabilities, classes, transcripts=None):
    """The misclassified utterances, most confident mistake first.

    Parameters
    ----------
    ids : array-like of str, shape (N,)
    y_true : array-like of int, shape (N,)
    probabilities : array-like of float, shape (N, C)
    classes : list of str
    transcripts : array-like of str, shape (N,), optional

    Returns
    -------
    pandas.DataFrame
        One row per mistake: ``id``, ``true``, ``predicted``, ``confidence`` (the predicted
        class's probability), ``p_true`` (the true class's) and ``transcript`` when given.
    """
    import pandas as pd

    probabilities = np.asarray(probabilities)
    y_true = np.asarray(y_true)
    predicted = probabilities.argmax(axis=1)
    rows = np.flatnonzero(predicted != y_true)
    table = pd.DataFrame(
        {
            "id": np.asarray(ids)[rows],
            "true": [classes[i] for i in y_true[rows]],
            "predicted": [classes[i] for i in predicted[rows]],
            "confidence": probabilities[rows, predicted[rows]].round(3),
            "p_true": probabilities[rows, y_true[rows]].round(3),
        }
    )
    if transcripts is not None:
        table["transcript"] = np.asarray(transcripts)[rows]
    return table.sort_values("confidence", ascending=False).reset_index(drop=True)


def confusions(y_true, y_pred, classes, top=3):
    """The most frequent confusions, as ``[(true, predicted, count), ...]``, largest first."""
    from sklearn.metrics import confusion_matrix

    matrix = confusion_matrix(y_true, y_pred, labels=list(range(len(classes))))
    np.fill_diagonal(matrix, 0)
    order = np.dstack(np.unravel_index(np.argsort(-matrix, axis=None, kind="stable"), matrix.shape))[0]
    return [(classes[i], classes[j], int(matrix[i, j])) for i, j in order[:top] if matrix[i, j] > 0]
