"""Contracts every registered system keeps.

* Each Keras system builds at its paper's size with the trainable-parameter count that its
  authors' layer sizes give (the arithmetic is written beside each count), trains one
  batch, and predicts the same after a save and a reload through the project's own save
  and load.
* Each scikit-learn system is fitted on its training rows alone: noise in place of the
  test fold's features and labels leaves the fitted model (its chosen hyperparameters and
  its predictions) unchanged.

A system registered without an entry here fails the first test of its kind.
"""

import numpy as np
import pandas as pd
import pytest

from ser_keras.systems import available, get_system
from ser_keras.tasks import get_task

# PyTorch's LSTM (MATE, CA-MSER) and Keras 2's CuDNNLSTM (Atmaja) hold two bias vectors per
# gate, Keras 3's LSTM one: each layer and direction has 4 * units fewer parameters here.


def lstm(inputs, units, bias_vectors=1):
    """Parameters of one LSTM direction: 4 gates of (inputs + units) weights and the bias vectors."""
    return 4 * units * (inputs + units) + bias_vectors * 4 * units


def dense(inputs, units, bias=True):
    return inputs * units + (units if bias else 0)


def convolution(inputs, filters, kernel, bias=True):
    return inputs * filters * kernel * kernel + (filters if bias else 0)


# Krishna and Reddy publish no code: their counts come from the paper's layer sizes (sections
# 4.1-4.3), 34 features, 50-d embeddings, 4 classes. DESIGN.md states 614,148 for the fused model.
KRISHNA_ACOUSTIC = 2 * lstm(34, 128) + dense(256, 256) + dense(256, 4)  # 233,732
KRISHNA_EMBEDDING = 2 * lstm(50, 128) + dense(256, 256) + dense(256, 256) + dense(256, 4)
KRISHNA_MULTIMODAL = 2 * lstm(34, 128) + dense(256, 256) + 2 * lstm(50, 128) + dense(256, 256) + dense(512, 256)
KRISHNA_MULTIMODAL += dense(256, 4)

# Atmaja (bagustris/dimensional-ser, lstm_lstm.py): BatchNormalization (68 gammas and betas), 3 x
# CuDNNLSTM 256 over HSF as one step, three Dense(1) heads; the text network: Embedding(3438, 300),
# 3 x CuDNNLSTM 256, Dense(64); the bimodal network: both, then Dense 64, Dense 32 and the heads.
ATMAJA_ACOUSTIC_BRANCH = 2 * 68 + lstm(68, 256, 2) + 2 * lstm(256, 256, 2)
ATMAJA_TEXT_BRANCH = 3438 * 300 + lstm(300, 256, 2) + 2 * lstm(256, 256, 2) + dense(256, 64)
ATMAJA_ACOUSTIC = ATMAJA_ACOUSTIC_BRANCH + 3 * dense(256, 1) - 3 * 4 * 256
ATMAJA_TEXT = ATMAJA_TEXT_BRANCH + 3 * dense(64, 1) - 3 * 4 * 256
ATMAJA_BIMODAL = ATMAJA_ACOUSTIC_BRANCH + ATMAJA_TEXT_BRANCH + dense(320, 64) + dense(64, 32) + 3 * dense(32, 1)
ATMAJA_BIMODAL -= 6 * 4 * 256

# MATE (HongSungRae/ETRI_2022_AI_Competition, model.py): 4 BasicConv2d (no bias, BatchNorm2d weight
# and bias), an LSTM of 4 layers of 512 over 816 + 768 values per turn, BasicLinear blocks
# (Linear, ReLU, BatchNorm1d) 4096-2048-512-256-64 and Linear 7; the A/V trunk 4096-2048-1024-512;
# per head BasicLinear 519-128, 128-32, Linear 32-1.
MATE_CONVOLUTIONS = sum(
    convolution(channels_in, channels_out, kernel, bias=False) + 2 * channels_out
    for channels_in, channels_out, kernel in ((8, 32, 3), (32, 48, 3), (48, 32, 5), (32, 8, 7))
)
MATE_LSTM = lstm(816 + 768, 512, 2) + 3 * lstm(512, 512, 2)
MATE_EMOTION = sum(dense(a, b) + 2 * b for a, b in ((4096, 2048), (2048, 512), (512, 256), (256, 64))) + dense(64, 7)
MATE_TRUNK = sum(dense(a, b) + 2 * b for a, b in ((4096, 2048), (2048, 1024), (1024, 512)))
MATE_HEAD = dense(512 + 7, 128) + 2 * 128 + dense(128, 32) + 2 * 32 + dense(32, 1)
MATE = MATE_CONVOLUTIONS + MATE_LSTM + MATE_EMOTION + MATE_TRUNK + 2 * MATE_HEAD - 4 * 4 * 512

# CA-MSER (Vincent-ZHQ/CA-MSER, models/ser_model.py): torchvision AlexNet's features, Dense 9216-128;
# a 2-layer Bi-LSTM of 256 over 40 MFCC, its 300 x 512 outputs flattened, Dense 153,600-128; the
# co-attention Dense 256-149 over wav2vec 2.0's 149 x 768 frames (the encoder itself is frozen
# here and not counted), Dense 768-128; the head 384-128-128-4.
ALEXNET = sum(
    convolution(channels_in, channels_out, kernel)
    for channels_in, channels_out, kernel in ((3, 64, 11), (64, 192, 5), (192, 384, 3), (384, 256, 3), (256, 256, 3))
)
CAMSER_LSTM = 2 * lstm(40, 256, 2) + 2 * lstm(512, 256, 2)
CAMSER = ALEXNET + dense(9216, 128) + CAMSER_LSTM + dense(300 * 512, 128) + dense(256, 149) + dense(768, 128)
CAMSER += dense(384, 128) + dense(128, 128) + dense(128, 4) - 4 * 4 * 256


def krishna_arrays(rows, rng, small=False):
    lengths = rng.integers(5, 30, size=rows).astype(np.int32)
    frames = rng.normal(size=(rows, 200, 34)).astype(np.float32) * (
        np.arange(200)[None, :, None] < lengths[:, None, None]
    )
    tokens = np.zeros((rows, 128), dtype=np.int32)
    tokens[:, :12] = rng.integers(2, 500, size=(rows, 12))
    matrix = rng.normal(size=(500, 50)).astype(np.float32)
    return {
        "acoustic": frames,
        "acoustic_by_speaker": frames,
        "acoustic_lengths": lengths,
        "tokens": tokens,
        "embedding_matrix": matrix,
        "speech_embeddings": matrix[tokens] * (tokens > 0)[..., None],
    }


def atmaja_arrays(rows, rng, small=False):
    words, vocabulary, dim = (20, 50, 8) if small else (554, 3438, 300)
    tokens = np.zeros((rows, words), dtype=np.int32)
    tokens[:, -10:] = rng.integers(1, vocabulary, size=(rows, 10))
    return {
        "hsf": rng.normal(size=(rows, 68)).astype(np.float32),
        "tokens": tokens,
        "embedding_matrix": rng.normal(size=(vocabulary, dim)).astype(np.float32),
    }


def mate_arrays(rows, rng, small=False):
    mels, frames, dim = (48, 47, 16) if small else (229, 313, 768)
    return {
        "logmel": rng.normal(size=(rows, mels, frames)).astype(np.float16),
        "sentence_embeddings": rng.normal(size=(rows, dim)).astype(np.float32),
        "dialogue_ids": np.zeros(rows, dtype=np.int64),
        "turn_positions": np.arange(rows),
        "votes": np.eye(7, dtype=np.float32)[np.arange(rows) % 7] * 10,
    }


def camser_arrays(rows, rng, small=False):
    # One 3 s segment per utterance; small: fewer MFCC frames (an eager Bi-LSTM step is slow) and encoder frames.
    mfcc_frames, frames, dim = (30, 20, 16) if small else (300, 149, 768)
    return {
        "segment_counts": np.ones(rows, dtype=np.int32),
        "segment_spectrogram": rng.normal(size=(rows, 200, 300)).astype(np.float16),
        "segment_mfcc": rng.normal(size=(rows, mfcc_frames, 40)).astype(np.float16),
        "encoder_frames": rng.normal(size=(rows, frames, dim)).astype(np.float16),
    }


def layer_arrays(rows, rng, small=False):
    # Whisper tiny.en: the front end and 4 layers, mean and std of 384-d frames.
    layers, dim = (3, 16) if small else (5, 768)
    return {"encoder_layer_stats": rng.normal(size=(rows, layers, dim)).astype(np.float32)}


# The project's layer-weighted system: 5 layer weights, Dense 768 -> 128, the 4-class head.
LAYER_WEIGHTED = 5 + (768 * 128 + 128) + (128 * 4 + 4)

# Per Keras system: its arrays at paper size, its classes and the expected trainable parameters.
PAPER_SIZE = {
    "acoustic": (krishna_arrays, 4, KRISHNA_ACOUSTIC),
    "acoustic-by-speaker": (krishna_arrays, 4, KRISHNA_ACOUSTIC),
    "embedding": (krishna_arrays, 4, KRISHNA_EMBEDDING),
    "multimodal": (krishna_arrays, 4, KRISHNA_MULTIMODAL),
    "atmaja-acoustic": (atmaja_arrays, 4, ATMAJA_ACOUSTIC),
    "atmaja-text": (atmaja_arrays, 4, ATMAJA_TEXT),
    "atmaja-bimodal": (atmaja_arrays, 4, ATMAJA_BIMODAL),
    "mate": (mate_arrays, 7, MATE),
    "camser": (camser_arrays, 4, CAMSER),
    "layer-weighted": (layer_arrays, 4, LAYER_WEIGHTED),
}
# The training step, save and reload run at a small size: the same layers, seconds instead of a
# minute (a paper-size MATE or CA-MSER file with its optimiser state is some 300 MB).
SMALL = {
    "acoustic": {"lstm_units": 8, "dense_units": 8},
    "acoustic-by-speaker": {"lstm_units": 8, "dense_units": 8},
    "embedding": {"lstm_units": 8, "dense_units": 8},
    "multimodal": {"lstm_units": 8, "dense_units": 8},
    "atmaja-acoustic": {"units": 8, "dense": 8},
    "atmaja-text": {"units": 8, "dense": 8},
    "atmaja-bimodal": {"units": 8, "dense": 8},
    "mate": {"window": 3, "units": 8, "lstm_layers": 1},
    "camser": {"image_height": 0, "alexnet_width": 0.125, "lstm_units": 4, "units": 8},
    "layer-weighted": {"units": 8},
}
KERAS = sorted(system.short_name for system in available().values() if system.trainer == "keras")
SKLEARN = sorted(system.short_name for system in available().values() if system.trainer == "sklearn")


def test_the_counts_written_here_are_the_known_ones():
    assert KRISHNA_MULTIMODAL == 614_148  # DESIGN.md, the fused model at 50-d
    assert KRISHNA_ACOUSTIC == 233_732


def test_every_keras_system_has_a_paper_size_and_a_small_size():
    assert KERAS and set(KERAS) <= set(PAPER_SIZE) & set(SMALL), sorted(set(KERAS) - set(PAPER_SIZE) & set(SMALL))


def outputs_of(system, classes):
    names = [str(index) for index in range(classes)]
    return [output for task in system.tasks_by_default() for output in get_task(task).outputs(names)]


def trainable_parameters(model):
    return sum(int(np.prod(weight.shape)) for weight in model.trainable_weights)


@pytest.mark.parametrize("name", KERAS)
def test_a_keras_system_has_its_authors_parameter_count_at_paper_size(name):
    import keras

    system = get_system(name)
    make_arrays, classes, expected = PAPER_SIZE[name]
    arrays = make_arrays(2, np.random.default_rng(0))
    keras.utils.set_random_seed(0)
    model = system.build(arrays, np.arange(2), outputs_of(system, classes), system.make_settings())
    assert trainable_parameters(model) == expected, (name, trainable_parameters(model), expected)
    keras.backend.clear_session()


@pytest.mark.parametrize("name", KERAS)
def test_a_keras_system_trains_a_batch_saves_and_predicts_the_same_after_reloading(name, tmp_path):
    import keras

    from ser_keras.trainers import get_trainer
    from ser_keras.trainers.keras_trainer import make_optimizer

    system = get_system(name)
    settings = system.make_settings(SMALL[name])
    make_arrays, classes, _ = PAPER_SIZE[name]
    rng = np.random.default_rng(0)
    arrays, rows = make_arrays(4, rng, small=True), np.arange(4)
    keras.utils.set_random_seed(0)
    outputs = outputs_of(system, classes)
    model = system.build(arrays, rows, outputs, settings)
    tasks = [get_task(task) for task in system.tasks_by_default()]
    losses, weights = system.losses(tasks, settings, arrays, rows)
    single = len(outputs) == 1
    model.compile(
        optimizer=make_optimizer(system.training),
        loss=losses[outputs[0].name] if single else losses,
        loss_weights=weights,
        run_eagerly=True,  # one step: tracing it would cost more than running it; fit is traced in other tests
    )
    inputs = system.inputs(arrays, rows, settings, trim=True)
    targets = {
        output.name: np.eye(output.units, dtype=np.float32)[rows % output.units]
        if output.units > 1
        else rng.uniform(1, 5, size=(4, 1)).astype(np.float32)
        for output in outputs
    }
    before = [keras.ops.convert_to_numpy(weight) for weight in model.trainable_weights]
    model.train_on_batch(inputs, targets[outputs[0].name] if single else targets)
    after = [keras.ops.convert_to_numpy(weight) for weight in model.trainable_weights]
    assert sum(not np.array_equal(a, b) for a, b in zip(before, after)) > len(before) // 2  # the step trained

    predicted = model(inputs, training=False)
    trainer = get_trainer(system.trainer)
    reloaded = trainer.load(tmp_path / trainer.save(model, tmp_path))
    again = reloaded(inputs, training=False)
    keys = list(predicted) if isinstance(predicted, dict) else [None]
    for key in keys:
        first = predicted if key is None else predicted[key]
        second = again if key is None else again[key]
        np.testing.assert_allclose(
            keras.ops.convert_to_numpy(first), keras.ops.convert_to_numpy(second), rtol=1e-5, atol=1e-6
        )
    keras.backend.clear_session()


def sklearn_arrays(system, settings, rng, rows=72, speakers=6):
    """Every array the system reads: 12 features with a class signal in the first 4."""
    labels = np.arange(rows) % 4
    features = rng.normal(size=(rows, 12))
    features[np.arange(rows), labels] += 3.0
    return (
        {name: features.copy() for name in system.arrays(settings)},
        labels,
        np.repeat(np.arange(speakers), rows // speakers),
    )


@pytest.mark.parametrize("name", SKLEARN)
def test_a_scikit_learn_system_never_sees_its_test_fold(name):
    from ser_keras.training import FoldData, fit_and_predict

    system = get_system(name)
    settings = system.make_settings()
    rng = np.random.default_rng(0)
    arrays, labels, groups = sklearn_arrays(system, settings, rng)
    train, test = np.flatnonzero(groups < 4), np.flatnonzero(groups >= 4)
    task = get_task("categorical")
    outputs = task.outputs(["a", "b", "c", "d"])

    def fitted(arrays, labels):
        targets = task.targets(labels, np.arange(len(labels)), {"classes": 4})
        data = FoldData(arrays, [task], outputs, targets, train, test, seed=0, groups=groups)
        result = fit_and_predict(system, settings, system.training, data)
        return result["model"]

    model = fitted(arrays, labels)
    noisy = {name: values.copy() for name, values in arrays.items()}
    for values in noisy.values():
        values[test] = rng.normal(scale=10.0, size=values[test].shape)
    shuffled = labels.copy()
    shuffled[test] = rng.integers(0, 4, size=len(test))
    other = fitted(noisy, shuffled)

    assert getattr(model, "best_params_", None) == getattr(other, "best_params_", None)
    inputs = system.inputs(arrays, train, settings)
    np.testing.assert_array_equal(model.predict_proba(inputs), other.predict_proba(inputs))
    # And the model learnt the signal of its training rows: the check above is not vacuous.
    assert np.mean(model.predict_proba(system.inputs(arrays, test, settings)).argmax(axis=1) == labels[test]) > 0.5


def declared_sizes(feature_set, arrays, segments):
    """Check each array of a set against its declared shape; the sizes of the set's named dimensions."""
    sizes = {"utterances": 2, "segments": segments}
    for name, shape in feature_set.shapes.items():
        actual = arrays[name].shape
        assert len(actual) == len(shape), (feature_set.name, name, actual, shape)
        for size, declared in zip(actual, shape):
            expected = sizes.setdefault(declared, size) if isinstance(declared, str) else declared
            assert size == expected, (feature_set.name, name, actual, shape)
    return sizes


def test_every_feature_set_computes_the_shapes_it_declares(small_demo, tmp_path):
    """Each registered set on a bundle of two demo files (two speakers), as feature_extraction.py adds it."""
    pytest.importorskip("keras_hub")
    from conftest import run_feature_extraction
    from test_camser import tiny_whisper_preset

    from ser_keras.corpora.loading import load_corpus
    from ser_keras.features.bundle import read_bundle
    from ser_keras.features.sets import available_feature_sets

    utterances, _ = load_corpus("demo", small_demo, progress=False)
    pair = [utterances[0], next(u for u in utterances if u.speaker != utterances[0].speaker)]
    manifest = tmp_path / "two.csv"
    columns = ("wav_path", "transcript", "label", "speaker", "session")
    table = pd.DataFrame([[getattr(u, name) for name in columns] for u in pair], columns=columns)
    table.rename(columns={"wav_path": "path"}).to_csv(manifest, index=False)
    bundle = tmp_path / "bundle"
    sets = available_feature_sets()
    encoder = {"encoder_frames", "encoder_inputs", "encoder_stats", "encoder_stats_by_speaker", "encoder_layer_stats"}
    # The base sets and openSMILE's in a process without TensorFlow (ComParE crashes where it is loaded).
    plain = [name for name, feature_set in sets.items() if not feature_set.base and name not in encoder]
    result = run_feature_extraction(
        "--corpus", "manifest", "--root", str(manifest), "--out", str(bundle), "--dim", "8",
        "--feature-sets", ",".join(plain), "--logmel-mels", "48",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    preset = tiny_whisper_preset(tmp_path / "tiny-whisper")
    result = run_feature_extraction(
        "--out", str(bundle), "--feature-sets", ",".join(sorted(encoder)),
        "--speech-encoder", str(preset), "--speech-encoder-library", "keras-hub",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr

    read = read_bundle(bundle)
    assert set(read.feature_sets) == set(sets)
    segments = int(np.asarray(read.array("segment_counts")).sum())
    for name, feature_set in sets.items():
        assert set(feature_set.shapes) == set(feature_set.arrays), name  # a shape for every array it writes
        arrays = {array: np.asarray(read.array(array)) for array in feature_set.arrays}
        sizes = declared_sizes(feature_set, arrays, segments)
        assert sizes["utterances"] == 2
    assert np.asarray(read.array("logmel")).shape[1] == 48  # the option reached the set
