"""Quick scikit-learn baselines: is a corpus fit for teaching multi-modal emotion recognition?

Four logistic regressions on the paper's split (sessions 1-4 train, session 5
test): acoustic (mean and standard deviation over frames of the 34 features),
words (bag of words), both concatenated, and both with the dialogue context: a
second regression reads the first one's log-probabilities of the turn and of each of
the up to 7 turns before it in its dialogue, as MATE's window of 8 turns (stacking: the
training rows' probabilities come from models that did not see their speaker).
The demo corpus is meant to make each modality alone ambiguous and the two together
not, and to let emotion persist in a dialogue, so the bar is:

* each single modality lands between 40% and 80% unweighted average recall (UA);
* the combination beats the better single modality by at least 10 points;
* the context adds at least 2 points to the combination.

It lives beside the demo corpus because it is a property of the corpus; it is the one
module of ``corpora`` that reads features, through pyAudioAnalysis's reference
extractor, so that the check does not depend on the project's own fast backend.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..features.acoustic import N_FEATURES, extract_reference
from ..features.audio import load_audio
from ..features.parallel import map_files
from ..features.text import tokenize
from .iemocap import TEST_SESSION, read_iemocap

SINGLE_MODALITY_RANGE = (0.40, 0.80)
FUSION_MARGIN = 0.10
CONTEXT_MARGIN = 0.02
CONTEXT_TURNS = 7  # MATE's window of 8 turns: the turn and the 7 before it


def acoustic_statistics(wav_paths, workers=None, progress=True):
    """Mean and standard deviation over frames of the 34 features, per file.

    Parameters
    ----------
    wav_paths : sequence of path
    workers : int, optional
        Processes (default: the number of CPU cores).
    progress : bool

    Returns
    -------
    np.ndarray, float64, shape (n_files, 68)
        34 means then 34 standard deviations.
    """
    workers = workers or os.cpu_count() or 1
    return np.stack(map_files(_statistics, [str(path) for path in wav_paths], workers, progress))


def _statistics(path):
    frames = extract_reference(load_audio(path))
    if len(frames) == 0:
        return np.zeros(2 * N_FEATURES)
    return np.concatenate([frames.mean(axis=0), frames.std(axis=0)])


@dataclass
class BaselineResult:
    """UA and WA of one baseline on the test split."""

    name: str
    unweighted_average_recall: float
    weighted_accuracy: float


def previous_turns(dialogues, starts, turns=CONTEXT_TURNS):
    """The up to ``turns`` turns before each turn in its dialogue, as row indices (-1 where there are fewer).

    Returns
    -------
    np.ndarray of int, shape (n, turns)
    """
    from ..dialogue import dialogue_windows, turn_order

    dialogue_ids, positions = turn_order(dialogues, starts)
    return dialogue_windows(dialogue_ids, positions, np.arange(len(dialogue_ids)), turns + 1)[:, :-1]


def context_mean(values, previous):
    """Mean of ``values``' rows over each turn's previous turns (zeros for a dialogue's first turn).

    Parameters
    ----------
    values : np.ndarray, shape (n, k)
    previous : np.ndarray of int, shape (n, turns)
        From :func:`previous_turns`.

    Returns
    -------
    np.ndarray, shape (n, k)
    """
    from ..dialogue import gather

    return gather(values, previous).sum(axis=1) / np.maximum((previous >= 0).sum(axis=1), 1)[:, None]


def _context_baseline(matrix, labels, is_train, previous, speakers, random_state):
    """Test predictions of the stacked context model (the module docstring)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold, cross_val_predict

    first = LogisticRegression(max_iter=5000, random_state=random_state)
    probabilities = np.zeros((len(labels), len(np.unique(labels[is_train]))))
    probabilities[is_train] = cross_val_predict(
        first, matrix[is_train], labels[is_train], groups=speakers[is_train], cv=GroupKFold(4), method="predict_proba"
    )
    probabilities[~is_train] = first.fit(matrix[is_train], labels[is_train]).predict_proba(matrix[~is_train])
    turn = np.log(probabilities + 1e-6)
    # Each earlier turn its own block (zeros before the dialogue's first turn), as in a window.
    stacked = np.hstack([turn] + [context_mean(turn, previous[:, [column]]) for column in range(previous.shape[1])])
    second = LogisticRegression(max_iter=5000, random_state=random_state)
    return second.fit(stacked[is_train], labels[is_train]).predict(stacked[~is_train])


def run_baselines(acoustic, transcripts, labels, is_train, previous=None, speakers=None, random_state=0):
    """Fit the logistic-regression baselines and score them on the test rows.

    Parameters
    ----------
    acoustic : np.ndarray, shape (n, 68)
    transcripts : sequence of str, length n
    labels : sequence of str, length n
    is_train : np.ndarray of bool, shape (n,)
        Training rows; the others are the test rows.
    previous : np.ndarray of int, shape (n, k), optional
        Each turn's previous turns (:func:`previous_turns`); adds the context baseline.
    speakers : sequence of str, length n, optional
        Needed with ``previous``: the stacking's inner folds are by speaker.
    random_state : int

    Returns
    -------
    list of BaselineResult
        ``acoustic``, ``words``, ``acoustic + words`` and, with ``previous``,
        ``acoustic + words + context``, in that order.
    """
    from scipy.sparse import csr_matrix, hstack
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, balanced_accuracy_score
    from sklearn.preprocessing import StandardScaler

    labels = np.asarray(labels)
    is_train = np.asarray(is_train, dtype=bool)
    scaler = StandardScaler().fit(acoustic[is_train])
    acoustic_scaled = csr_matrix(scaler.transform(acoustic))
    vectorizer = CountVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None)
    vectorizer.fit([text for text, train in zip(transcripts, is_train) if train])
    words = vectorizer.transform(transcripts)
    inputs = {
        "acoustic": acoustic_scaled,
        "words": words,
        "acoustic + words": hstack([acoustic_scaled, words]).tocsr(),
    }
    results = []
    for name, matrix in inputs.items():
        model = LogisticRegression(max_iter=5000, random_state=random_state)
        model.fit(matrix[is_train], labels[is_train])
        predicted = model.predict(matrix[~is_train])
        results.append(
            BaselineResult(
                name=name,
                # Unweighted average recall is scikit-learn's balanced accuracy.
                unweighted_average_recall=balanced_accuracy_score(labels[~is_train], predicted),
                weighted_accuracy=accuracy_score(labels[~is_train], predicted),
            )
        )
    if previous is not None:
        predicted = _context_baseline(
            inputs["acoustic + words"], labels, is_train, previous, np.asarray(speakers), random_state
        )
        results.append(
            BaselineResult(
                name="acoustic + words + context",
                unweighted_average_recall=balanced_accuracy_score(labels[~is_train], predicted),
                weighted_accuracy=accuracy_score(labels[~is_train], predicted),
            )
        )
    return results


def meets_teaching_bar(results):
    """Check the bar of this module's docstring.

    Returns
    -------
    (bool, list of str)
        Whether every condition holds, and one line per condition.
    """
    by_name = {result.name: result.unweighted_average_recall for result in results}
    low, high = SINGLE_MODALITY_RANGE
    lines, passed = [], True
    for name in ("acoustic", "words"):
        ok = low <= by_name[name] <= high
        passed &= ok
        lines.append(f"[{'ok' if ok else 'FAIL'}] {name} UA {by_name[name]:.1%} within {low:.0%}-{high:.0%}")
    best = max(by_name["acoustic"], by_name["words"])
    gain = by_name["acoustic + words"] - best
    ok = gain >= FUSION_MARGIN
    passed &= ok
    lines.append(
        f"[{'ok' if ok else 'FAIL'}] acoustic + words beats the better single modality by "
        f"{gain * 100:+.1f} points (needs >= {FUSION_MARGIN * 100:.0f})"
    )
    if "acoustic + words + context" in by_name:
        gain = by_name["acoustic + words + context"] - by_name["acoustic + words"]
        ok = gain >= CONTEXT_MARGIN
        passed &= ok
        lines.append(
            f"[{'ok' if ok else 'FAIL'}] the {CONTEXT_TURNS} turns before add {gain * 100:+.1f} points "
            f"to acoustic + words (needs >= {CONTEXT_MARGIN * 100:.0f})"
        )
    return passed, lines


def format_table(results, n_train, n_test):
    """The results as a Markdown table."""
    lines = [
        f"| baseline (logistic regression; train sessions 1-4: {n_train}, test session 5: {n_test}) | UA | WA |",
        "|---|---:|---:|",
    ]
    names = {
        "acoustic": "acoustic: mean + std of the 34 features",
        "words": "words: bag of words",
        "acoustic + words": "acoustic + words, concatenated",
        "acoustic + words + context": f"acoustic + words, stacked with the {CONTEXT_TURNS} turns before",
    }
    for result in results:
        lines.append(
            f"| {names[result.name]} | {result.unweighted_average_recall:.1%} | {result.weighted_accuracy:.1%} |"
        )
    return "\n".join(lines)


def check_demo_corpus(root, workers=None, progress=True):
    """Print the baseline table for an IEMOCAP-layout corpus and whether it meets the bar.

    Parameters
    ----------
    root : path
        A corpus :func:`ser_keras.corpora.read_iemocap` reads, with sessions 1-5.
    workers : int, optional
    progress : bool

    Returns
    -------
    bool
        Whether the teaching bar is met.
    """
    corpus = read_iemocap(root)
    utterances = corpus.utterances
    acoustic = acoustic_statistics([u.wav_path for u in utterances], workers=workers, progress=progress)
    is_train = np.array([u.session != TEST_SESSION for u in utterances])
    previous = previous_turns([u.dialogue for u in utterances], [u.start for u in utterances])
    results = run_baselines(
        acoustic,
        [u.transcript for u in utterances],
        [u.label for u in utterances],
        is_train,
        previous,
        [u.speaker for u in utterances],
    )
    print()
    print(format_table(results, int(is_train.sum()), int((~is_train).sum())))
    print()
    passed, lines = meets_teaching_bar(results)
    print("\n".join(lines))
    print("the corpus is fit for teaching" if passed else "the corpus does NOT meet the teaching bar")
    return passed
