"""CA-MSER: 3 s segments, segment-to-utterance pooling, the co-attention, the speech encoders, the protocols."""

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import run_feature_extraction, write_tone

from ser_keras.features.bundle import read_bundle
from ser_keras.features.camser import (
    SEGMENT_FRAMES,
    SEGMENT_SAMPLES,
    cut_wave,
    segment_bounds,
    segment_features,
)
from ser_keras.runner import run_protocol
from ser_keras.segments import mean_log_probability, segment_rows
from ser_keras.systems import get_system

# Small enough to train in seconds: AlexNet at a tenth of its channels on the 200 x 300 image.
TINY = {"image_height": 0, "alexnet_width": 0.1, "lstm_units": 4, "units": 8}
# The system's own training (AdamW, selection by UA + WA on training speakers), shorter.
TINY_TRAINING = replace(
    get_system("camser").training, learning_rate=1e-3, batch_size=16, epochs=3, patience=1, start_epoch=0
)


def tiny_whisper_preset(folder, hidden_dim=8):
    """A randomly initialised Whisper backbone and its audio converter, saved as a keras-hub preset folder."""
    import keras_hub

    backbone = keras_hub.models.WhisperBackbone(
        vocabulary_size=16,
        num_layers=1,
        num_heads=2,
        hidden_dim=hidden_dim,
        intermediate_dim=16,
        max_encoder_sequence_length=3000,
        max_decoder_sequence_length=8,
    )
    backbone.save_to_preset(str(folder))
    keras_hub.layers.WhisperAudioConverter().save_to_preset(str(folder))
    return folder


@pytest.fixture(scope="module")
def camser_bundle(demo_bundle, tmp_path_factory):
    """The small demo bundle with the segments and the frames of a tiny keras-hub Whisper encoder."""
    pytest.importorskip("keras_hub")
    root = tmp_path_factory.mktemp("camser")
    preset = tiny_whisper_preset(root / "tiny-whisper")
    path = root / "bundle"
    shutil.copytree(demo_bundle[0], path)
    result = run_feature_extraction(
        "--out", str(path), "--feature-sets", "segments,encoder_frames",
        "--speech-encoder", str(preset), "--speech-encoder-library", "keras-hub",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return read_bundle(path)


@pytest.mark.parametrize("length", [1, 299, 300, 301, 899, 900, 1234])
@pytest.mark.parametrize("last", ["padded", "shifted"])
def test_segments_cover_every_step_and_the_shifted_last_one_ends_at_the_end(length, last):
    bounds = segment_bounds(length, SEGMENT_FRAMES, last)
    assert len(bounds) == max(1, -(-length // SEGMENT_FRAMES))
    assert np.all(bounds[:, 1] - bounds[:, 0] <= SEGMENT_FRAMES) and np.all(bounds[:, 1] > bounds[:, 0])
    covered = np.zeros(length, dtype=bool)
    for start, end in bounds:
        covered[start:end] = True
    assert covered.all()
    assert bounds[-1, 1] == length
    if last == "shifted":
        assert bounds[-1, 1] - bounds[-1, 0] == min(length, SEGMENT_FRAMES)
    else:  # the authors' loop: the last one starts where the one before ended
        assert bounds[-1, 0] == (len(bounds) - 1) * SEGMENT_FRAMES


def test_segment_features_of_synthesised_audio(tmp_path):
    rng = np.random.default_rng(0)
    signal = rng.normal(0, 0.1, int(7.3 * 16000)).astype(np.float32)  # 731 frames: 3 segments
    for last in ("padded", "shifted"):
        features = segment_features(signal, last)
        assert features["mfcc"].shape == (3, 300, 40)
        assert features["spectrogram"].shape == (3, 200, 300)
        bounds = features["bounds"]
        assert bounds.shape == (3, 2) and bounds[-1, 1] == len(signal)
        waves = cut_wave(signal, bounds)
        assert waves.shape == (3, SEGMENT_SAMPLES)
        # The waveform is zero-padded at the front, as the code pads it.
        start, end = bounds[-1]
        np.testing.assert_array_equal(waves[-1, SEGMENT_SAMPLES - (end - start) :], signal[start:end])
        assert not waves[-1, : SEGMENT_SAMPLES - (end - start)].any()
    padded = segment_features(signal, "padded")
    # padded: the last 131 frames, then zeros; shifted: a full 300 frames of speech.
    assert not padded["mfcc"][-1, 131:].any() and padded["mfcc"][-1, :131].any()
    assert segment_features(signal, "shifted")["mfcc"][-1, -1].any()


def test_segment_rows_and_owners():
    counts = np.array([1, 3, 2, 1])
    segments, owners = segment_rows(counts, np.array([2, 0, 1]))
    np.testing.assert_array_equal(segments, [4, 5, 0, 1, 2, 3])
    np.testing.assert_array_equal(owners, [0, 0, 1, 2, 2, 2])


def test_an_utterance_is_decided_by_the_mean_of_its_segments_log_probabilities():
    probabilities = np.array([[0.9, 0.05, 0.05], [0.01, 0.5, 0.49], [0.6, 0.3, 0.1]])
    owners = np.array([0, 0, 1])
    pooled = mean_log_probability(probabilities, owners, 2)
    by_hand = np.exp(np.log(probabilities[:2]).mean(axis=0))
    np.testing.assert_allclose(pooled[0], by_hand / by_hand.sum(), rtol=1e-6)
    np.testing.assert_allclose(pooled[1], probabilities[2], rtol=1e-6)
    # The mean of the probabilities would choose class 0 (0.455); the code's mean of log-softmax, class 1.
    assert probabilities[:2].mean(axis=0).argmax() == 0 and pooled[0].argmax() == 1


def test_the_co_attention_has_one_weight_per_encoder_frame_and_sums_the_weighted_frames(camser_bundle):
    import keras

    from ser_keras.tasks import get_task

    system = get_system("camser")
    settings = system.make_settings(TINY)
    arrays = {name: np.asarray(camser_bundle.array(name)) for name in system.arrays(settings)}
    arrays["labels"] = np.asarray(camser_bundle.array("labels"))
    rows = np.arange(len(camser_bundle.meta))
    outputs = get_task("categorical").outputs(camser_bundle.classes)
    model = system.build(arrays, rows, outputs, settings)
    frames = arrays["encoder_frames"].shape[1]
    weights_layer = model.get_layer("co_attention_weights")
    assert weights_layer.units == frames == 150  # 50 frames a second over 3 s
    probe = keras.Model(model.inputs, [weights_layer.output, model.get_layer("co_attention").output])
    inputs = system.inputs(arrays, rows[:4], settings)
    weights, attended = probe.predict(inputs, verbose=0)
    assert weights.shape == (len(inputs["encoder"]), frames) and np.all(weights >= 0)  # ReLU, no softmax
    by_hand = np.einsum("st,std->sd", weights, inputs["encoder"].astype(np.float32))
    np.testing.assert_allclose(attended, by_hand, rtol=1e-3, atol=1e-4)


def test_camser_trains_on_segments_and_scores_utterances(camser_bundle):
    system = get_system("camser")
    run = run_protocol(
        system, camser_bundle, "paper", seeds=(0,), settings=system.make_settings(TINY), training=TINY_TRAINING,
        verbose=0,
    )  # fmt: skip
    (fold,) = run.folds
    meta = camser_bundle.meta
    test_speakers = set(meta.set_index("id").loc[fold.test_ids, "speaker"])
    # One prediction per test utterance, pooled from its segments.
    assert fold.predictions["categorical"]["emotion"].shape == (len(fold.test_ids), len(camser_bundle.classes))
    held_out = fold.validation["ids"]
    assert held_out and not set(meta.set_index("id").loc[held_out, "speaker"]) & test_speakers
    assert "val_ua_plus_wa" in fold.history


def test_selection_on_test_keeps_the_epoch_best_on_the_test_rows(camser_bundle):
    system = get_system("camser")
    training = replace(TINY_TRAINING, selection="test", patience=3)
    run = run_protocol(
        system, camser_bundle, "paper", seeds=(0,), settings=system.make_settings(TINY), training=training, verbose=0
    )
    (fold,) = run.folds
    scores = fold.scores["categorical"]
    # The weights kept are those of the epoch with the best UA + WA of the test rows themselves.
    assert scores["ua"] + scores["wa"] == pytest.approx(max(fold.history["val_ua_plus_wa"]), abs=1e-6)
    assert not fold.validation  # nothing held out of training: no validation predictions for late fusion


def test_the_command_line_says_that_selection_on_test_is_optimistic(camser_bundle, tmp_path):
    import subprocess
    import sys

    from conftest import REPOSITORY

    out = tmp_path / "run"
    command = [
        sys.executable, str(REPOSITORY / "classification.py"), "--features", str(camser_bundle.path),
        "--system", "camser", "--protocol", "paper", "--select-on-test", "--epochs", "2", "--batch-size", "16",
        "--verbose", "0",
        "--learning-rate", "1e-3", "--out", str(out),
    ] + [argument for name, value in TINY.items() for argument in ("--set", f"{name}={value}")]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["training"]["selection"] == "test"
    assert "OPTIMISTIC" in (out / "report.md").read_text()
    from ser_keras.evaluation.compare import comparison_table

    table = comparison_table([out])
    assert "(selected on test)" in table and "optimistic" in table
    # The saved run predicts a test file again from its audio, with the encoder its bundle recorded.
    import pandas

    from ser_keras.predict import Predictor

    row = pandas.read_csv(out / "predictions.csv").iloc[0]
    root = Path(json.loads((camser_bundle.path / "manifest.json").read_text())["corpus"]["root"])
    predicted = Predictor(out).predict(next(root.rglob(f"{row['id']}.wav")))
    for name in camser_bundle.classes:
        assert predicted[name] == pytest.approx(row[f"p_{name}"], abs=2e-3)


def test_the_keras_hub_encoder_loads_a_local_preset_and_gives_50_frames_a_second(tmp_path):
    pytest.importorskip("keras_hub")
    from ser_keras.features.speech_encoders import encode_segments, load_speech_encoder

    encoder = load_speech_encoder(tiny_whisper_preset(tmp_path / "preset", hidden_dim=12), "keras-hub")
    waves = np.random.default_rng(0).normal(0, 0.1, (3, SEGMENT_SAMPLES)).astype(np.float32)
    frames = encode_segments(encoder, waves, batch_size=2)
    assert frames.shape == (3, 150, 12) and frames.dtype == np.float16 and np.all(np.isfinite(frames))
    # Each segment is encoded on its own: batching changes nothing.
    np.testing.assert_allclose(frames[2], encode_segments(encoder, waves[2:])[0], atol=1e-2)


# PyTorch and TensorFlow in one process crash here, so the PyTorch side runs in a process of its own: the
# model is built and saved there, and feature_extraction.py loads it as a user's command would.
TINY_WAV2VEC2 = """
import sys, transformers
config = transformers.Wav2Vec2Config(
    hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
    conv_dim=(8,) * 7, num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=2,
)
transformers.Wav2Vec2Model(config).save_pretrained(sys.argv[1])
transformers.Wav2Vec2FeatureExtractor(do_normalize=True).save_pretrained(sys.argv[1])
"""
TINY_WHISPER_CT2 = """
import sys, ctranslate2, transformers
config = transformers.WhisperConfig(
    vocab_size=64, d_model=16, encoder_layers=1, decoder_layers=1, encoder_attention_heads=2,
    decoder_attention_heads=2, encoder_ffn_dim=32, decoder_ffn_dim=32, max_source_positions=1500,
    max_target_positions=16, decoder_start_token_id=1, pad_token_id=0, eos_token_id=2, bos_token_id=1,
)
transformers.WhisperForConditionalGeneration(config).save_pretrained(sys.argv[1] + "-hf")
ctranslate2.converters.TransformersConverter(sys.argv[1] + "-hf", load_as_float16=False).convert(sys.argv[1])
"""


def frames_through_the_command_line(camser_bundle, tmp_path, script, library):
    """Build a tiny model with ``script`` in its own process, then add its frames to a copy of the bundle."""
    import subprocess
    import sys

    folder = tmp_path / f"tiny-{library}"
    built = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    path = tmp_path / "bundle"
    shutil.copytree(camser_bundle.path, path)
    result = run_feature_extraction(
        "--out", str(path), "--feature-sets", "encoder_frames", "--speech-encoder", str(folder),
        "--speech-encoder-library", library,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    bundle = read_bundle(path)
    assert bundle.feature_sets["encoder_frames"]["settings"]["library"] == library
    return np.asarray(bundle.array("encoder_frames"), dtype=np.float32), bundle


def test_the_transformers_encoder_loads_a_local_wav2vec2_folder(camser_bundle, tmp_path):
    pytest.importorskip("torch", reason="optional extra: pip install -e '.[transformers]'")
    pytest.importorskip("transformers", reason="optional extra: pip install -e '.[transformers]'")
    frames, bundle = frames_through_the_command_line(camser_bundle, tmp_path, TINY_WAV2VEC2, "transformers")
    segments = int(np.sum(bundle.array("segment_counts")))
    assert frames.shape == (segments, 149, 16) and np.all(np.isfinite(frames))  # wav2vec 2.0: 149 frames per 3 s


def test_the_ctranslate2_encoder_loads_a_converted_tiny_whisper(camser_bundle, tmp_path):
    pytest.importorskip("ctranslate2", reason="optional extra: pip install -e '.[ctranslate2]'")
    pytest.importorskip("torch", reason="converting a Whisper model for CTranslate2 needs transformers and PyTorch")
    pytest.importorskip("transformers", reason="converting a Whisper model for CTranslate2 needs transformers")
    frames, bundle = frames_through_the_command_line(camser_bundle, tmp_path, TINY_WHISPER_CT2, "ctranslate2")
    segments = int(np.sum(bundle.array("segment_counts")))
    assert frames.shape == (segments, 150, 16) and np.all(np.isfinite(frames))


def test_an_unknown_encoder_library_and_a_missing_source_get_one_line(demo_bundle, tmp_path):
    from ser_keras.features.speech_encoders import load_speech_encoder

    with pytest.raises(ValueError, match="library must be one of"):
        load_speech_encoder("anything", "torchaudio")
    result = run_feature_extraction("--out", str(demo_bundle[0]), "--feature-sets", "encoder_frames")
    assert result.returncode != 0 and "needs --speech-encoder" in result.stderr


def test_write_tone_gives_one_segment_per_three_seconds(tmp_path):
    from ser_keras.features.camser import segments_of_file

    write_tone(tmp_path / "tone.wav", 6.5)
    assert len(segments_of_file(tmp_path / "tone.wav")["bounds"]) == 3


def test_finetune_encoder_trains_a_keras_hub_whisper_inside_the_model(camser_bundle, tmp_path):
    from ser_keras.features.speech_encoders import whisper_encoder_model

    preset = tiny_whisper_preset(tmp_path / "preset")
    path = tmp_path / "bundle"
    shutil.copytree(camser_bundle.path, path)
    result = run_feature_extraction(
        "--out", str(path), "--feature-sets", "encoder_inputs", "--speech-encoder", str(preset)
    )
    assert result.returncode == 0, result.stderr
    bundle = read_bundle(path)
    segments = int(np.sum(bundle.array("segment_counts")))
    assert bundle.array("encoder_inputs").shape == (segments, 300, 80)  # Whisper's log-mel of 3 s
    system = get_system("camser")
    settings = system.make_settings({**TINY, "finetune_encoder": str(preset)})
    assert system.feature_sets(settings) == ("segments", "encoder_inputs")
    training = replace(TINY_TRAINING, epochs=1)
    run = run_protocol(system, bundle, "paper", seeds=(0,), settings=settings, training=training, verbose=0)
    model = run.folds[0].model
    trained = model.get_layer("whisper_encoder")
    assert model.get_layer("co_attention_weights").units == 150
    before = whisper_encoder_model(preset)
    pairs = zip(trained.trainable_weights, before.trainable_weights)
    changed = [not np.allclose(np.asarray(a), np.asarray(b)) for a, b in pairs]
    assert trained.trainable_weights and sum(changed) > len(changed) // 2  # the encoder learned with the model


def test_the_encoder_svm_trains_on_pooled_real_frames(camser_bundle):
    from ser_keras.features.camser import SEGMENT_SAMPLES
    from ser_keras.features.sets import add_feature_sets
    from ser_keras.features.speech_encoders import utterance_statistics

    bundle = add_feature_sets(camser_bundle, ["encoder_stats_by_speaker"], progress=False, log=None)
    expected = utterance_statistics(
        bundle.array("encoder_frames"), bundle.array("segment_counts"), bundle.array("segment_bounds"), SEGMENT_SAMPLES
    )
    np.testing.assert_allclose(np.asarray(bundle.array("encoder_stats")), expected, rtol=1e-6)
    system = get_system("encoder-svm")
    run = run_protocol(system, bundle, "paper", [0], system.make_settings({"by_speaker": "true"}), log=None)
    assert sum(map(sum, run.folds[0].scores["categorical"]["confusion"])) == 16
