"""Issue 7: the --fast variant, the tf.data pipeline and training across two devices."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPOSITORY

from ser_keras.config import KrishnaReddySettings, fast_settings
from ser_keras.features.bundle import read_bundle
from ser_keras.models import gpu_available
from ser_keras.pipeline import make_dataset, real_steps
from ser_keras.protocols import paper_split
from ser_keras.runner import train_fold
from ser_keras.systems import Training, get_system
from ser_keras.tasks import Output

SYSTEM = get_system("multimodal")
HEADS = [Output("emotion", 4, "softmax")]


def model_inputs(arrays, rows, trim=False):
    return SYSTEM.inputs(arrays, rows, KrishnaReddySettings(), trim)


@pytest.fixture(scope="module")
def arrays(demo_bundle):
    bundle = read_bundle(demo_bundle[0])
    names = ("acoustic", "acoustic_lengths", "speech_embeddings", "tokens", "embedding_matrix", "labels")
    loaded = {name: np.asarray(bundle.array(name)) for name in names}
    loaded["sessions"] = bundle.meta["session"].to_numpy()
    return loaded


def bilstms(model):
    return [layer for layer in model.layers if layer.name.endswith("bilstm")]


def test_fast_variant_moves_recurrent_dropout_to_the_inputs(arrays):
    config = fast_settings()
    assert (config.recurrent_dropout, config.input_dropout) == (0.0, 0.2)
    assert SYSTEM.fast(KrishnaReddySettings()) == config
    dim = arrays["embedding_matrix"].shape[1]
    rows = np.arange(len(arrays["labels"]))
    faithful = SYSTEM.build(arrays, rows, HEADS, KrishnaReddySettings())
    fast = SYSTEM.build(arrays, rows, HEADS, config)
    assert fast.count_params() == faithful.count_params()  # the same weights, only dropout moves
    for layer in bilstms(fast):
        assert layer.forward_layer.recurrent_dropout == 0.0 and layer.forward_layer.dropout == 0.2
    for layer in bilstms(faithful):
        assert layer.forward_layer.recurrent_dropout == 0.2 and layer.forward_layer.dropout == 0.0
    # Padding still changes nothing.
    rows = np.arange(8)
    padded = model_inputs(arrays, rows)
    trimmed = model_inputs(arrays, rows, trim=True)
    assert padded["acoustic"].shape[1] == 200 and trimmed["acoustic"].shape[1] < 200 and dim > 0
    np.testing.assert_allclose(fast.predict(padded, verbose=0), fast.predict(trimmed, verbose=0), atol=1e-5)


@pytest.mark.skipif(not gpu_available(), reason="TensorFlow sees no GPU here, so the cuDNN path cannot be exercised")
def test_fast_variant_trains_on_cudnn_on_a_gpu(arrays):
    model = SYSTEM.build(arrays, np.arange(32), HEADS, fast_settings())
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    assert all(layer.forward_layer.use_cudnn is True for layer in bilstms(model))
    inputs = model_inputs(arrays, np.arange(32), trim=True)
    # With use_cudnn=True, Keras raises rather than fall back to the generic kernel.
    model.fit(inputs, np.eye(4)[arrays["labels"][:32]], epochs=1, verbose=0)


def test_by_length_batches_pad_each_batch_to_its_own_longest_row(arrays):
    rows = np.arange(len(arrays["labels"]))
    inputs = model_inputs(arrays, rows)
    identity = np.eye(len(rows), dtype=np.float32)  # the target of a row names the row
    steps = real_steps(inputs)
    seen = []
    for features, targets in make_dataset(inputs, identity, batch_size=8, seed=0, by_length=True, buckets=4):
        index = np.argmax(targets.numpy(), axis=1)
        seen += index.tolist()
        acoustic, words = features["acoustic"].numpy(), features["speech_embeddings"].numpy()
        assert acoustic.shape[1] == steps["acoustic"][index].max()
        assert words.shape[1] == steps["speech_embeddings"][index].max()
        for row, original in enumerate(index):
            np.testing.assert_array_equal(acoustic[row], inputs["acoustic"][original, : acoustic.shape[1]])
            np.testing.assert_array_equal(words[row], inputs["speech_embeddings"][original, : words.shape[1]])
    assert sorted(seen) == rows.tolist()


def test_tf_data_by_length_training_predicts_as_the_padded_model(arrays):
    train, test = paper_split(arrays["sessions"])
    result = train_fold(
        SYSTEM, arrays, ["a", "e", "n", "s"], train, test, training=Training(epochs=1, batch_size=16),
        pipeline="tf.data-by-length",
    )  # fmt: skip
    probabilities = result.predictions["categorical"]["emotion"]
    assert probabilities.shape == (len(test), 4)
    padded = model_inputs(arrays, test)
    np.testing.assert_allclose(result.model.predict(padded, verbose=0), probabilities, atol=1e-5)


def test_mirrored_on_two_cpu_devices_matches_one_device(demo_bundle):
    script = REPOSITORY / "tests" / "scripts" / "mirrored_matches_one_device.py"
    result = subprocess.run([sys.executable, str(script), str(demo_bundle[0])], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["replicas"] == 2
    assert figures["probabilities"] < 1e-4 and figures["weights"] < 1e-4
    np.testing.assert_allclose(figures["loss_one"], figures["loss_mirrored"], rtol=1e-4)


def test_strategy_and_mixed_precision_errors_are_one_line(demo_bundle, monkeypatch):
    script = REPOSITORY / "classification.py"
    monkeypatch.delenv("TF_CONFIG", raising=False)
    result = subprocess.run(
        [sys.executable, str(script), "--features", str(demo_bundle[0]), "--strategy", "multiworker"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "needs TF_CONFIG" in result.stderr
    if not gpu_available():
        result = subprocess.run(
            [sys.executable, str(script), "--features", str(demo_bundle[0]), "--mixed-precision"],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 2 and "needs a GPU" in result.stderr


def test_strategy_choice_and_the_chief(monkeypatch):
    from ser_keras.distribute import choose_strategy, is_chief

    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert choose_strategy("none") is None and is_chief()
    if not gpu_available():
        assert choose_strategy("auto") is None  # one CPU: nothing to distribute over
    with pytest.raises(ValueError, match="strategy must be one of"):
        choose_strategy("parameter-server")
    cluster = {"worker": ["a:1", "b:1"]}
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": {"type": "worker", "index": 0}}))
    assert is_chief()
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": {"type": "worker", "index": 1}}))
    assert not is_chief()
    with_chief = {"chief": ["c:1"], **cluster}
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": with_chief, "task": {"type": "worker", "index": 0}}))
    assert not is_chief()


def test_multiworker_under_keras_3_stops_at_once_with_the_reason(demo_bundle, monkeypatch):
    # Two worker processes on 127.0.0.1 fail inside Model.fit (keras-team/keras#20585); the command says so first.
    config = {"cluster": {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}, "task": {"type": "worker", "index": 0}}
    monkeypatch.setenv("TF_CONFIG", json.dumps(config))
    result = subprocess.run(
        [
            sys.executable,
            str(REPOSITORY / "classification.py"),
            "--features",
            str(demo_bundle[0]),
            "--strategy",
            "auto",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("error: --strategy multiworker: Keras 3.")
    assert "keras-team/keras#20585" in result.stderr
