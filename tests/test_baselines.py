"""The baselines: per-speaker standardisation, ComParE 2016 functionals, SVMs chosen on training speakers."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import run_feature_extraction, write_tone

from ser_keras.features.bundle import read_bundle
from ser_keras.features.sets import ArraysContext, compute_feature_set
from ser_keras.features.speaker_statistics import standardise_by_speaker
from ser_keras.runner import run_protocol
from ser_keras.systems import get_system


def test_each_speaker_is_standardised_by_its_own_statistics_only():
    values = np.array([[1.0, 5.0], [2.0, 5.0], [3.0, 5.0], [10.0, -1.0], [30.0, 1.0]])
    speakers = np.array(["a", "a", "a", "b", "b"])
    result = standardise_by_speaker(values, speakers)
    by_hand_a = (np.array([1.0, 2.0, 3.0]) - 2.0) / np.sqrt(2.0 / 3.0)
    np.testing.assert_allclose(result[:3, 0], by_hand_a, rtol=1e-6)
    np.testing.assert_array_equal(result[:3, 1], 0.0)  # constant within speaker a
    np.testing.assert_allclose(result[3:], [[-1.0, -1.0], [1.0, 1.0]], rtol=1e-6)
    moved = values.copy()
    moved[3:] *= 100.0
    np.testing.assert_array_equal(standardise_by_speaker(moved, speakers)[:3], result[:3])


def test_frames_are_standardised_over_real_frames_and_padding_stays_zero():
    frames = np.zeros((2, 4, 1))
    frames[0, :3, 0] = [1.0, 2.0, 3.0]
    frames[1, :1, 0] = [4.0]
    lengths = np.array([3, 1])
    result = standardise_by_speaker(frames, np.array(["a", "a"]), lengths)
    real = np.array([1.0, 2.0, 3.0, 4.0])
    expected = (real - real.mean()) / real.std()
    np.testing.assert_allclose(result[0, :3, 0], expected[:3], rtol=1e-6)
    np.testing.assert_allclose(result[1, 0, 0], expected[3], rtol=1e-6)
    assert result[0, 3, 0] == 0.0 and np.all(result[1, 1:, 0] == 0.0)


def test_compare_2016_has_its_6373_functionals(tmp_path):
    # In a process of its own: openSMILE's library can crash a process that has loaded TensorFlow
    # (as the test process has by now); feature_extraction.py computes it before TensorFlow loads.
    write_tone(tmp_path / "tone.wav", 1.0)
    code = (
        "import sys, json, numpy as np; from ser_keras.features.compare import compare_functionals, compare_names; "
        "v = compare_functionals(sys.argv[1]); "
        "print(json.dumps([list(v.shape), str(v.dtype), bool(np.all(np.isfinite(v))), len(compare_names()), "
        "compare_names()[0]]))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "tone.wav")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    shape, dtype, finite, names, first = json.loads(result.stdout.splitlines()[-1])
    assert shape == [6373] and dtype == "float32" and finite
    assert names == 6373 and first.startswith("audspec")


@pytest.fixture(scope="module")
def baseline_bundle(demo_bundle, tmp_path_factory):
    """The small demo bundle with the 34 features' statistics and frames standardised by speaker."""
    path = tmp_path_factory.mktemp("baselines") / "bundle"
    shutil.copytree(demo_bundle[0], path)
    result = run_feature_extraction(
        "--out", str(path), "--feature-sets", "acoustic_stats_by_speaker,acoustic_by_speaker"
    )
    assert result.returncode == 0, result.stderr
    return read_bundle(path)


def test_the_standardised_set_is_the_function_of_the_bundle_speakers(baseline_bundle):
    speakers = baseline_bundle.meta["speaker"].astype(str).to_numpy()
    stored = np.asarray(baseline_bundle.array("acoustic_stats_by_speaker"))
    expected = standardise_by_speaker(np.asarray(baseline_bundle.array("acoustic_stats")), speakers)
    np.testing.assert_allclose(stored, expected, rtol=1e-6)
    first = speakers == speakers[0]
    np.testing.assert_allclose(stored[first].mean(axis=0)[stored[first].std(axis=0) > 0], 0.0, atol=1e-5)


def test_one_file_cannot_be_standardised_by_its_speaker():
    context = ArraysContext({"acoustic_stats": np.ones((1, 68))}, [])
    with pytest.raises(ValueError, match="statistics of the speaker's own utterances"):
        compute_feature_set("acoustic_stats_by_speaker", context)


def test_the_svm_baseline_chooses_its_kernel_on_training_speakers(baseline_bundle):
    system = get_system("stats-svm")
    plain = run_protocol(system, baseline_bundle, "paper", [0], log=None)
    by_speaker = run_protocol(system, baseline_bundle, "paper", [0], system.make_settings({"by_speaker": "true"}))
    for run in (plain, by_speaker):
        model = run.folds[0].model
        assert model.best_params_["svm__kernel"] in ("linear", "rbf")
        probabilities = np.asarray(run.folds[0].predictions["categorical"]["emotion"])
        np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
        assert sum(map(sum, run.folds[0].scores["categorical"]["confusion"])) == 16
    assert system.feature_sets(system.make_settings({"by_speaker": "true"})) == ("acoustic_stats_by_speaker",)
    # The two read different inputs, so their probabilities differ.
    assert not np.allclose(
        plain.folds[0].predictions["categorical"]["emotion"], by_speaker.folds[0].predictions["categorical"]["emotion"]
    )


def test_the_acoustic_model_reads_frames_standardised_by_speaker(baseline_bundle):
    from ser_keras.systems import Training

    system = get_system("acoustic-by-speaker")
    settings = system.make_settings()
    assert system.arrays(settings) == ["acoustic_by_speaker", "acoustic_lengths"]
    frames, lengths = baseline_bundle.array("acoustic_by_speaker"), baseline_bundle.array("acoustic_lengths")
    rows = np.arange(4)
    inputs = system.inputs({"acoustic_by_speaker": frames, "acoustic_lengths": lengths}, rows, settings, trim=True)
    np.testing.assert_array_equal(inputs["acoustic"], np.asarray(frames[rows, : int(lengths[rows].max())]))
    run = run_protocol(system, baseline_bundle, "paper", [0], training=Training(epochs=1, batch_size=16), log=None)
    assert sum(map(sum, run.folds[0].scores["categorical"]["confusion"])) == 16


def test_encoder_statistics_pool_the_real_frames_of_every_segment():
    from ser_keras.features.speech_encoders import utterance_statistics

    frames = np.arange(3 * 4 * 2, dtype=np.float32).reshape(3, 4, 2)
    counts = np.array([2, 1])
    # Segments of 8 samples, 4 frames each: a full one, then one of 3 samples (2 real frames at the
    # end, the front being padding); the second utterance's only segment has 8 samples.
    bounds = np.array([[0, 8], [8, 11], [0, 8]])
    statistics = utterance_statistics(frames, counts, bounds, segment_samples=8)
    first = np.concatenate([frames[0], frames[1, 2:]])
    np.testing.assert_allclose(statistics[0], np.concatenate([first.mean(0), first.std(0)]), rtol=1e-6)
    np.testing.assert_allclose(statistics[1], np.concatenate([frames[2].mean(0), frames[2].std(0)]), rtol=1e-6)


def test_the_encoder_svm_reads_the_pooled_frames_or_their_per_speaker_copy():
    system = get_system("encoder-svm")
    assert system.feature_sets(system.make_settings()) == ("encoder_stats",)
    assert system.feature_sets(system.make_settings({"by_speaker": "true"})) == ("encoder_stats_by_speaker",)
