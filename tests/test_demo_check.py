import numpy as np

from ser_keras.corpora import read_iemocap
from ser_keras.corpora.demo_check import BaselineResult, acoustic_statistics, meets_teaching_bar, run_baselines
from ser_keras.features.acoustic import FEATURE_NAMES, extract_reference
from ser_keras.features.audio import load_audio


def test_reference_features_are_34_per_100_ms_frame(small_demo):
    utterance = read_iemocap(small_demo).utterances[0]
    signal = load_audio(utterance.wav_path)
    frames = extract_reference(signal)
    assert len(FEATURE_NAMES) == 34
    assert frames.shape == (len(signal) // 1600, 34)
    assert np.all(np.isfinite(frames))


def test_baselines_run_on_the_demo_corpus(small_demo):
    utterances = read_iemocap(small_demo).utterances
    acoustic = acoustic_statistics([u.wav_path for u in utterances], workers=1, progress=False)
    assert acoustic.shape == (len(utterances), 68)
    is_train = np.array([u.session != 5 for u in utterances])
    results = run_baselines(acoustic, [u.transcript for u in utterances], [u.label for u in utterances], is_train)
    assert [r.name for r in results] == ["acoustic", "words", "acoustic + words"]
    for result in results:
        assert 0.0 <= result.unweighted_average_recall <= 1.0
    assert np.all(np.isfinite(acoustic))


def test_each_baseline_uses_its_own_modality():
    # Words name the class, acoustics are noise: words are perfect, acoustics near chance, fusion far above it.
    rng = np.random.default_rng(0)
    labels = np.array(["angry", "excited", "neutral", "sad"] * 50)
    transcripts = [f"well {label} indeed" for label in labels]
    acoustic = rng.normal(size=(len(labels), 68))
    is_train = np.arange(len(labels)) < 160
    by_name = {r.name: r for r in run_baselines(acoustic, transcripts, labels, is_train)}
    assert by_name["words"].unweighted_average_recall == 1.0
    assert by_name["acoustic + words"].unweighted_average_recall > by_name["acoustic"].unweighted_average_recall + 0.3
    assert by_name["acoustic"].unweighted_average_recall < 0.6


def test_teaching_bar():
    def results(acoustic, words, both):
        return [
            BaselineResult("acoustic", acoustic, acoustic),
            BaselineResult("words", words, words),
            BaselineResult("acoustic + words", both, both),
        ]

    assert meets_teaching_bar(results(0.55, 0.60, 0.75))[0]
    assert not meets_teaching_bar(results(0.55, 0.60, 0.69))[0]  # fusion gain 9 points
    assert not meets_teaching_bar(results(0.35, 0.60, 0.80))[0]  # acoustics below 40%
    assert not meets_teaching_bar(results(0.55, 0.85, 0.99))[0]  # words above 80%


def test_the_context_baseline_reads_the_turns_before():
    from ser_keras.corpora.demo_check import previous_turns

    # Each dialogue holds one emotion; a turn's own features are ambiguous half the time, and
    # the turns before it then tell its emotion: only the context baseline can know it.
    rng = np.random.default_rng(0)
    classes = np.array(["angry", "excited", "neutral", "sad"])
    labels, transcripts, dialogues, starts, speakers = [], [], [], [], []
    for dialogue in range(40):
        label = classes[dialogue % 4]
        for turn in range(8):
            labels.append(label)
            transcripts.append(f"well {label} indeed" if rng.random() < 0.5 else "well indeed")
            dialogues.append(f"d{dialogue}")
            starts.append(float(turn))
            speakers.append(f"s{dialogue % 5}")  # every speaker in every emotion
    labels = np.array(labels)
    acoustic = rng.normal(size=(len(labels), 2))  # two columns of noise: few enough not to drown the words
    is_train = np.array([int(d[1:]) < 32 for d in dialogues])
    previous = previous_turns(dialogues, starts)
    assert previous.shape == (len(labels), 7) and np.all(previous[::8] == -1)  # a dialogue's first turn
    results = run_baselines(acoustic, transcripts, labels, is_train, previous, speakers)
    by_name = {r.name: r.unweighted_average_recall for r in results}
    assert by_name["acoustic + words + context"] > by_name["acoustic + words"] + 0.1


def test_teaching_bar_with_context():
    def results(both, context):
        return [
            BaselineResult("acoustic", 0.55, 0.55),
            BaselineResult("words", 0.60, 0.60),
            BaselineResult("acoustic + words", both, both),
            BaselineResult("acoustic + words + context", context, context),
        ]

    assert meets_teaching_bar(results(0.75, 0.78))[0]
    assert not meets_teaching_bar(results(0.75, 0.76))[0]  # context gain 1 point
