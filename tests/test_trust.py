"""Every number means what the README says: UA, the deviations a report lists, the losses' targets and weights."""

import subprocess
import sys

import numpy as np
import pytest
from conftest import REPOSITORY

from ser_keras.evaluation.metrics import scores, unweighted_average_recall
from ser_keras.systems import get_system
from ser_keras.systems.base import changes_from_defaults, describe_changes
from ser_keras.tasks import get_task


def test_ua_averages_the_classes_present_in_the_truth():
    from sklearn.metrics import balanced_accuracy_score

    truth, predicted = [0, 0, 1, 1, 2, 2], [0, 0, 1, 1, 2, 3]
    measured = scores(truth, predicted, ["a", "b", "c", "d"])
    # Class d has no test utterance: recalls 1, 1, 0.5 over three classes, not four.
    assert measured["ua"] == pytest.approx(2.5 / 3)
    assert measured["ua"] == pytest.approx(balanced_accuracy_score(truth, predicted))
    assert list(measured["per_class"]) == ["a", "b", "c", "d"] and measured["per_class"]["d"]["support"] == 0
    assert len(measured["confusion"]) == 4
    rng = np.random.default_rng(0)
    for _ in range(20):
        truth, predicted = rng.integers(0, 5, size=30), rng.integers(0, 6, size=30)
        assert unweighted_average_recall(truth, predicted) == pytest.approx(balanced_accuracy_score(truth, predicted))


def test_selection_scores_ua_as_the_reports_do():
    import keras

    from ser_keras.systems import Training
    from ser_keras.trainers.keras_trainer import best_accuracy_callback

    labels = np.array([0, 0, 1, 1, 2, 2])
    probabilities = np.eye(4, dtype=np.float32)[[0, 0, 1, 1, 2, 3]]
    callback = best_accuracy_callback(lambda: probabilities, labels, Training(patience=3))
    callback.set_model(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))
    callback.on_train_begin()
    logs = {}
    callback.on_epoch_end(0, logs)
    assert logs["val_ua_plus_wa"] == pytest.approx(2.5 / 3 + 5 / 6)


def test_changes_from_the_defaults_are_computed_and_worded_as_list_does():
    from dataclasses import replace

    system = get_system("mate")
    settings = system.make_settings({"window": "1", "loss": "class-balanced"})
    training = replace(system.training, epochs=20)
    changes = changes_from_defaults(system, settings, training)
    assert [(change["kind"], change["name"]) for change in changes] == [
        ("setting", "window"),
        ("setting", "loss"),
        ("training", "epochs"),
    ]
    assert describe_changes(changes) == [
        "window=1 (default 8)",
        "loss=class-balanced (default kl)",
        "training epochs=20 (default 50)",
    ]
    assert changes_from_defaults(system, system.make_settings(), system.training) == []


def test_fixed_embeddings_are_a_deviation_wherever_the_paper_trains_them():
    from ser_keras.cli.classification import systems_table
    from ser_keras.systems.krishna_reddy import FIXED_EMBEDDINGS

    for name in ("embedding", "multimodal"):
        system = get_system(name)
        assert FIXED_EMBEDDINGS in system.deviations_for(system.make_settings())
        assert FIXED_EMBEDDINGS not in system.deviations_for(system.make_settings({"trainable_embeddings": "true"}))
    acoustic = get_system("acoustic")
    assert FIXED_EMBEDDINGS not in acoustic.deviations_for(acoustic.make_settings())
    listed = systems_table().split("\n")
    for name in ("krishna2019/embedding", "krishna2019/multimodal"):
        block = listed[listed.index(next(line for line in listed if line.startswith(f"{name}  ("))) :]
        block = block[: next(i for i, line in enumerate(block[1:], 1) if not line.startswith("    "))]
        assert f"    deviation: {FIXED_EMBEDDINGS}" in block


@pytest.mark.parametrize(
    "overrides, weights",
    [
        ({}, (0.7, 0.2, 0.1)),
        ({"alpha": "1", "beta": "1", "gamma": "1"}, (1.0, 1.0, 1.0)),  # ATSIP Table 6, "no parameter"
        ({"alpha": "0.9", "beta": "0.9", "gamma": "0.2"}, (0.9, 0.9, 0.2)),  # "three parameters"
        ({"alpha": "0.5", "beta": "0.5"}, (0.5, 0.5, 0.0)),
    ],
)
def test_atmajas_task_weights_are_the_papers_variants(overrides, weights):
    system = get_system("atmaja-bimodal")
    _, given = system.losses([get_task("dimensional")], system.make_settings(overrides))
    assert tuple(given[name] for name in ("valence", "arousal", "dominance")) == pytest.approx(weights)


@pytest.mark.parametrize(
    "overrides", [{"alpha": "1", "beta": "1"}, {"alpha": "1.5", "beta": "0"}, {"beta": "-0.1"}, {"gamma": "2"}]
)
def test_bad_task_weights_are_refused(overrides):
    with pytest.raises(ValueError, match="must be"):
        get_system("atmaja-bimodal").make_settings(overrides)


def test_bad_task_weights_are_a_one_line_error_of_the_command(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPOSITORY / "classification.py"), "--features", str(tmp_path), "--system",
         "atmaja-bimodal", "--set", "alpha=1", "--set", "beta=1"],
        capture_output=True,
        text=True,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "alpha + beta must be at most 1" in result.stderr


def test_atmajas_text_dense_has_no_activation_as_the_code():
    import keras

    from ser_keras.tasks import DIMENSIONS, Output

    system = get_system("atmaja-text")
    arrays = {"tokens": np.ones((2, 5), dtype=np.int32), "embedding_matrix": np.ones((10, 4), dtype=np.float32)}
    model = system.build(
        arrays, np.arange(2), [Output(name, 1, "linear") for name in DIMENSIONS], system.make_settings()
    )
    assert model.get_layer("text_dense").activation is keras.activations.linear


def test_mates_table_3_ablation_feeds_no_emotion_to_the_affect_heads():
    from ser_keras.tasks import Output

    system = get_system("mate")
    rows = 4
    arrays = {
        "logmel": np.zeros((rows, 48, 47), dtype=np.float16),
        "sentence_embeddings": np.zeros((rows, 16), dtype=np.float32),
    }
    outputs = [Output("votes", 7, "softmax"), Output("arousal", 1, "linear"), Output("valence", 1, "linear")]
    counts = {}
    for feed in (True, False):
        settings = system.make_settings({"window": 3, "units": 8, "lstm_layers": 1, "emotion_to_affect": feed})
        model = system.build(arrays, np.arange(rows), outputs, settings)
        counts[feed] = model.count_params()
        assert any(layer.name == "affect_and_emotion" for layer in model.layers) is feed
    # Each of the two heads' first Dense (128 units) reads the 7 emotion probabilities or not.
    assert counts[True] - counts[False] == 2 * 7 * 128
