"""Atmaja's systems: feature sets, the CCC loss and its weights, classic classifiers, two-stage fusion."""

import json
import shutil

import numpy as np
import pytest
from conftest import recomputed_ua, run_feature_extraction

from ser_keras.evaluation.metrics import ccc
from ser_keras.evaluation.reports import bundle_rows
from ser_keras.features.bundle import read_bundle
from ser_keras.features.sets import ArraysContext, compute_feature_set
from ser_keras.runner import run_protocol
from ser_keras.systems import Training, get_system
from ser_keras.tasks import DIMENSIONS, Output


@pytest.fixture(scope="module")
def atmaja_bundle(demo_bundle, tmp_path_factory):
    """The small demo bundle with HSF, eGeMAPS, the silence ratio and HSF2 added."""
    path = tmp_path_factory.mktemp("atmaja") / "bundle"
    shutil.copytree(demo_bundle[0], path)
    result = run_feature_extraction("--out", str(path), "--feature-sets", "hsf,hsf2", "--workers", "2")
    assert result.returncode == 0, result.stderr
    return read_bundle(path)


def test_the_feature_sets_have_the_stated_shapes(atmaja_bundle):
    rows = len(atmaja_bundle.meta)
    assert set(atmaja_bundle.feature_sets) >= {"hsf", "egemaps", "silence_ratio", "hsf2"}
    assert atmaja_bundle.array("hsf").shape == (rows, 68)
    assert atmaja_bundle.array("egemaps").shape == (rows, 88)  # eGeMAPS' 88 functionals per file
    lld = atmaja_bundle.array("egemaps_lld")
    assert lld.shape[0] == rows and lld.shape[2] == 25
    assert atmaja_bundle.array("hsf2").shape == (rows, 51)
    ratio = np.asarray(atmaja_bundle.array("silence_ratio"))
    assert np.all((ratio >= 0) & (ratio <= 1))
    functionals = atmaja_bundle.feature_sets["egemaps"]["settings"]["functionals"]
    assert len(functionals) == 88 and "F0semitoneFrom27.5Hz_sma3nz_amean" in functionals


def test_statistics_of_frames_ignore_padding(atmaja_bundle):
    lld, lengths = (
        np.asarray(atmaja_bundle.array("egemaps_lld")),
        np.asarray(atmaja_bundle.array("egemaps_lld_lengths")),
    )
    silence = np.asarray(atmaja_bundle.array("silence_ratio"))
    garbage = lld.copy()
    for row, length in enumerate(lengths):
        garbage[row, length:] = 1e6  # what lies past each utterance's frames must not count
    arrays = {"egemaps_lld": garbage, "egemaps_lld_lengths": lengths, "silence_ratio": silence}
    computed, _ = compute_feature_set("hsf2", ArraysContext(arrays, []))
    np.testing.assert_allclose(computed["hsf2"], atmaja_bundle.array("hsf2"), rtol=1e-6)
    row = int(np.argmin(lengths))  # the shortest utterance is padded the most
    real = lld[row, : lengths[row]]
    np.testing.assert_allclose(computed["hsf2"][row, :25], real.mean(axis=0), rtol=1e-5)


def test_hsf_are_the_statistics_of_25_ms_frames(atmaja_bundle, small_demo):
    from ser_keras.corpora import read_iemocap
    from ser_keras.features.acoustic import extract_reference
    from ser_keras.features.audio import load_audio

    utterance = {u.id: u for u in read_iemocap(small_demo).utterances}[atmaja_bundle.meta["id"][0]]
    frames = extract_reference(load_audio(utterance.wav_path), 16000, 0.025, 0.010)
    expected = np.concatenate([frames.mean(axis=0), frames.std(axis=0)])
    np.testing.assert_allclose(atmaja_bundle.array("hsf")[0], expected, rtol=1e-5, atol=1e-6)


def test_the_ccc_loss_is_one_minus_ccc_and_zero_when_perfect():
    from ser_keras.losses import ccc_loss

    truth = np.array([[1.0], [2.0], [3.0], [4.0]], dtype=np.float32)
    predicted = np.array([[2.0], [2.0], [4.0], [5.0]], dtype=np.float32)
    assert float(ccc_loss(truth, predicted)) == pytest.approx(1 - 11 / 14, abs=1e-6)  # hand case of test_framework
    assert float(ccc_loss(truth, predicted)) == pytest.approx(1 - ccc(truth[:, 0], predicted[:, 0]), abs=1e-6)
    assert float(ccc_loss(truth, truth)) == pytest.approx(0.0, abs=1e-6)


def test_the_multi_task_weights_weight_each_dimension_as_stated(atmaja_bundle):
    import keras

    from ser_keras.losses import ccc_loss
    from ser_keras.tasks import get_task

    system = get_system("atmaja-acoustic")
    settings = system.make_settings({"alpha": "0.6", "beta": "0.3"})
    losses, weights = system.losses([get_task("dimensional")], settings)
    assert weights == pytest.approx({"valence": 0.6, "arousal": 0.3, "dominance": 0.1})
    arrays = {"hsf": np.asarray(atmaja_bundle.array("hsf"))}
    rows = np.arange(32)
    model = system.build(arrays, rows, [Output(name, 1, "linear") for name in DIMENSIONS], settings)
    model.compile(optimizer="rmsprop", loss=losses, loss_weights=weights)
    inputs = system.inputs(arrays, rows, settings)
    rng = np.random.default_rng(0)
    targets = {name: rng.uniform(-1, 1, size=(len(rows), 1)).astype(np.float32) for name in DIMENSIONS}
    total = model.evaluate(inputs, targets, batch_size=len(rows), verbose=0, return_dict=True)["loss"]
    predicted = model.predict(inputs, verbose=0)
    by_hand = sum(weights[name] * float(ccc_loss(targets[name], predicted[name])) for name in DIMENSIONS)
    assert total == pytest.approx(by_hand, rel=1e-4)
    mse_losses, _ = system.losses([get_task("dimensional")], system.make_settings({"loss": "mse"}))
    assert set(mse_losses.values()) == {"mean_squared_error"} and ccc_loss not in mse_losses.values()
    assert keras.saving.get_registered_object("ser_keras>ccc_loss") is ccc_loss


def test_classic_classifiers_search_by_training_speaker(atmaja_bundle):
    system = get_system("svm")
    run = run_protocol(system, atmaja_bundle, "paper", [0], log=None)
    scores = run.folds[0].scores["categorical"]
    assert scores["ua"] == pytest.approx(recomputed_ua(atmaja_bundle, run.folds[0]))
    assert sum(map(sum, scores["confusion"])) == 16
    search = run.folds[0].model
    assert type(search.cv).__name__ == "GroupKFold" and search.cv.n_splits == 4
    assert set(search.best_params_) == {"classify__estimator__C", "classify__estimator__gamma"}
    # The same classifier without the search, on another feature set.
    plain = run_protocol(
        system, atmaja_bundle, "paper", [0], system.make_settings({"features": "hsf2", "search": "false"}), log=None
    )
    assert type(plain.folds[0].model).__name__ == "Pipeline"


def test_the_two_stage_svr_never_sees_the_test_fold(atmaja_bundle, tmp_path):
    from ser_keras.evaluation.reports import write_reports
    from ser_keras.fusion import fuse

    training = Training(optimizer="rmsprop", batch_size=16, epochs=2, selection="validation", patience=10)
    runs = []
    for name in ("atmaja-acoustic", "atmaja-text"):
        run = run_protocol(get_system(name), atmaja_bundle, "paper", [0], training=training, out=tmp_path / name,
                           verbose=0, log=None)  # fmt: skip
        write_reports(run, atmaja_bundle, tmp_path / name, "test")
        runs.append(tmp_path / name)
        validation = run.folds[0].validation
        assert validation["ids"] and not set(validation["ids"]) & set(run.folds[0].test_ids)
    fused = fuse(atmaja_bundle, runs, "svr")
    scores = fused.folds[0].scores["dimensional"]
    assert set(scores) >= {"ccc_mean", "ccc_valence", "ccc_arousal", "ccc_dominance"}

    # Change the ratings of every test utterance: the fused predictions must not move.
    changed = tmp_path / "changed"
    shutil.copytree(atmaja_bundle.path, changed)
    ratings = np.load(changed / "dimensions.npy")
    test = atmaja_bundle.meta["id"].isin(fused.folds[0].test_ids).to_numpy()
    ratings[test] = np.random.default_rng(1).uniform(1, 5, size=(test.sum(), 3))
    np.save(changed / "dimensions.npy", ratings)
    again = fuse(read_bundle(changed), runs, "svr")
    np.testing.assert_allclose(
        again.folds[0].predictions["dimensional"]["dimensions"], fused.folds[0].predictions["dimensional"]["dimensions"]
    )
    assert again.folds[0].scores["dimensional"]["ccc_mean"] != scores["ccc_mean"]
    report = write_reports(fused, atmaja_bundle, tmp_path / "fused", "test")
    assert report["system"]["name"] == "two-stage-svr" and json.loads((tmp_path / "fused" / "run.json").read_text())


def test_late_fusion_of_class_probabilities(demo_bundle, tmp_path):
    from ser_keras.evaluation.reports import write_reports
    from ser_keras.fusion import FusionError, fuse

    bundle = read_bundle(demo_bundle[0])
    training = Training(batch_size=16, epochs=1, selection="validation", patience=5)
    runs, folds = [], []
    for name in ("acoustic", "embedding"):
        run = run_protocol(get_system(name), bundle, "paper", [0], training=training, out=tmp_path / name,
                           verbose=0, log=None)  # fmt: skip
        write_reports(run, bundle, tmp_path / name, "test")
        runs.append(tmp_path / name)
        folds.append(run.folds[0])
    mean = fuse(bundle, runs, "mean")
    expected = (folds[0].predictions["categorical"]["emotion"] + folds[1].predictions["categorical"]["emotion"]) / 2
    np.testing.assert_allclose(mean.folds[0].predictions["categorical"]["emotion"], expected, rtol=1e-6)
    fused = fuse(bundle, runs, "svm")
    probabilities = fused.folds[0].predictions["categorical"]["emotion"]
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)

    # The SVM is fitted on validation labels only: other test labels change its scores, not its output.
    changed = tmp_path / "changed"
    shutil.copytree(bundle.path, changed)
    labels = np.load(changed / "labels.npy")
    test = bundle.meta["id"].isin(fused.folds[0].test_ids).to_numpy()
    labels[test] = (labels[test] + 1) % 4
    np.save(changed / "labels.npy", labels)
    again = fuse(read_bundle(changed), runs, "svm")
    np.testing.assert_allclose(again.folds[0].predictions["categorical"]["emotion"], probabilities)
    assert again.folds[0].scores["categorical"]["confusion"] != fused.folds[0].scores["categorical"]["confusion"]

    # Runs that trained fixed epochs kept no validation predictions: the SVM refuses, the mean does not.
    fixed = run_protocol(get_system("acoustic"), bundle, "paper", [0], training=Training(batch_size=16, epochs=1),
                         out=tmp_path / "fixed", verbose=0, log=None)  # fmt: skip
    write_reports(fixed, bundle, tmp_path / "fixed", "test")
    with pytest.raises(FusionError, match="kept no validation predictions"):
        fuse(bundle, [tmp_path / "fixed", runs[1]], "svm")


def test_the_acoustic_network_reads_frame_level_descriptors(atmaja_bundle):
    system = get_system("atmaja-acoustic")
    settings = system.make_settings({"features": "egemaps_lld"})
    assert system.feature_sets(settings) == ("egemaps",)
    run = run_protocol(system, atmaja_bundle, "paper", [0], settings, Training(optimizer="rmsprop", batch_size=16,
                       epochs=1, selection="validation"), verbose=0, log=None)  # fmt: skip
    model = run.folds[0].model
    frames = atmaja_bundle.array("egemaps_lld").shape[1]
    assert tuple(model.get_layer("acoustic_features").output.shape) == (None, frames, 25)
    # The reported CCC is that of the fold's own predictions against the bundle's ratings.
    fold = run.folds[0]
    rated = np.asarray(atmaja_bundle.array("dimensions"))[bundle_rows(atmaja_bundle, fold.test_ids)]
    predicted = fold.predictions["dimensional"]["dimensions"]
    recomputed = np.mean([ccc(rated[:, index], predicted[:, index]) for index in range(3)])
    assert fold.scores["dimensional"]["ccc_mean"] == pytest.approx(recomputed, abs=1e-6)
    with pytest.raises(ValueError, match="features must be one of"):
        system.feature_sets(system.make_settings({"features": "mfcc"}))


def test_fusion_methods_are_registered_where_their_paper_lives(capsys):
    from ser_keras.cli.fusion import main
    from ser_keras.fusion import FUSIONS, FusionError, get_fusion

    assert {"svr", "mean", "svm"} <= set(FUSIONS.available())
    assert get_fusion("svr").fuse.__module__ == "ser_keras.systems.atmaja.two_stage"
    assert get_fusion("svr").make_settings(["a", "b"], {"C": "100"}).C == 100.0
    with pytest.raises(FusionError, match="has no setting 'kernel'"):
        get_fusion("svr").make_settings(["a", "b"], {"kernel": "linear"})
    with pytest.raises(FusionError, match="C must be a float"):
        get_fusion("svr").make_settings(["a", "b"], {"C": "big"})
    with pytest.raises(SystemExit):
        main(["a", "b", "--out", "c", "--method", "nope"])
    assert "invalid choice: 'nope'" in capsys.readouterr().err
