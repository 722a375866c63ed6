"""The notebooks' shared steps: the bootstrap interval of UA, the table of mistakes, the players."""

import numpy as np
from conftest import write_tone

from ser_keras.corpora.utterance import Utterance
from ser_keras.evaluation import bootstrap_interval
from ser_keras.evaluation.metrics import unweighted_average_recall
from ser_keras.teaching import confusions, mistakes, play_examples


def _predictions(size, accuracy, seed):
    """Balanced labels of 4 classes, right with probability ``accuracy``, else a random other class."""
    generator = np.random.default_rng(seed)
    truth = np.repeat(np.arange(4), size // 4)
    wrong = (truth + generator.integers(1, 4, size=len(truth))) % 4
    return truth, np.where(generator.random(len(truth)) < accuracy, truth, wrong)


def test_the_interval_holds_the_score_and_narrows_as_the_test_set_grows():
    widths = []
    for size in (48, 192, 768):
        truth, predicted = _predictions(size, 0.7, seed=size)
        low, high = bootstrap_interval(truth, predicted, resamples=1000, seed=0)
        assert low < unweighted_average_recall(truth, predicted) < high
        widths.append(high - low)
        # On balanced classes UA is close to accuracy, whose 95% interval is about 2 x 1.96 x sqrt(p(1-p)/N).
        normal = 2 * 1.96 * np.sqrt(0.7 * 0.3 / size)
        assert 0.7 * normal < high - low < 1.3 * normal
    assert widths[0] > widths[1] > widths[2]
    # Perfect predictions leave nothing to resample: the interval is the point.
    truth, _ = _predictions(48, 1.0, seed=1)
    assert bootstrap_interval(truth, truth, resamples=200) == (1.0, 1.0)


def test_mistakes_lists_only_the_wrong_rows_most_confident_first():
    probabilities = np.array([[0.9, 0.1, 0.0], [0.2, 0.7, 0.1], [0.1, 0.3, 0.6], [0.5, 0.4, 0.1]])
    table = mistakes(["a", "b", "c", "d"], [0, 0, 2, 1], probabilities, ["x", "y", "z"], transcripts=list("ABCD"))
    assert list(table["id"]) == ["b", "d"]
    assert list(table["predicted"]) == ["y", "x"] and list(table["true"]) == ["x", "y"]
    assert list(table["confidence"]) == [0.7, 0.5] and list(table["p_true"]) == [0.2, 0.4]
    assert list(table["transcript"]) == ["B", "D"]
    assert confusions([0, 0, 0, 1, 1, 2], [1, 1, 0, 0, 1, 1], ["x", "y", "z"]) == [
        ("x", "y", 2),
        ("y", "x", 1),
        ("z", "y", 1),
    ]


def test_one_player_per_class_with_the_recordings_own_samples(tmp_path):
    utterances = []
    for index, (label, frequency) in enumerate([("angry", 400.0), ("sad", 150.0), ("angry", 420.0), ("sad", 160.0)]):
        path = tmp_path / f"{index}.wav"
        write_tone(path, 0.5, frequency=frequency)
        utterances.append(Utterance(id=str(index), wav_path=path, transcript="", label=label, session=1, speaker="s"))
    played = play_examples(utterances, per_class=1, seed=0)
    assert sorted(u.label for u in played) == ["angry", "sad"]
    assert len(play_examples(utterances, per_class=5, seed=0)) == 4
