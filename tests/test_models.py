import numpy as np
import pytest
from sklearn.metrics import accuracy_score, balanced_accuracy_score

from ser_keras.evaluation import scores
from ser_keras.features.bundle import read_bundle
from ser_keras.protocols import folds
from ser_keras.protocols.paper import paper_split
from ser_keras.runner import load_arrays, train_fold
from ser_keras.systems import Training, get_system
from ser_keras.systems.krishna_reddy.graphs import build_acoustic_model, build_embedding_model, build_multimodal_model
from ser_keras.tasks import get_task
from ser_keras.training import standardisation_statistics


def trainable_parameters(model):
    return int(sum(np.prod(weight.shape) for weight in model.trainable_weights))


def test_the_fused_model_has_the_papers_parameter_count():
    model = build_multimodal_model(4, embedding_dim=50)
    assert trainable_parameters(model) == 614_148
    # Besides those, only the 2 x 34 standardisation statistics, which are not trained.
    assert model.count_params() == 614_148 + 68
    assert [tuple(i.shape) for i in model.inputs] == [(None, 200, 34), (None, 128, 50)]
    assert [i.name for i in model.inputs] == ["acoustic", "speech_embeddings"]


def test_single_modality_models_follow_sections_4_1_and_4_2():
    acoustic = build_acoustic_model(4)
    assert trainable_parameters(acoustic) == 166_912 + 65_792 + 1_028  # Bi-LSTM, Dense 256, softmax
    embedding = build_embedding_model(4, embedding_dim=50)
    assert trainable_parameters(embedding) == 183_296 + 65_792 + 65_792 + 1_028  # Bi-LSTM, 2 x Dense 256
    matrix = np.random.default_rng(0).normal(size=(30, 50)).astype("float32")
    with_table = build_embedding_model(4, embedding_matrix=matrix)
    assert with_table.inputs[0].name == "tokens"
    assert trainable_parameters(with_table) == trainable_parameters(embedding) + 30 * 50
    np.testing.assert_array_equal(with_table.get_layer("speech_embedding_table").get_weights()[0], matrix)


@pytest.mark.parametrize("trainable", [False, True])
def test_padding_does_not_change_the_prediction(trainable):
    rng = np.random.default_rng(1)
    matrix = rng.normal(size=(20, 8)).astype("float32") if trainable else None
    model = build_multimodal_model(
        4,
        embedding_dim=8,
        embedding_matrix=matrix,
        mean=rng.normal(size=34),
        std=rng.uniform(0.5, 2, size=34),
        variable_length=True,
    )
    frames, words = 23, 6
    acoustic = np.zeros((1, 200, 34), "float32")
    acoustic[0, :frames] = rng.normal(size=(frames, 34))
    if trainable:
        sequence = np.zeros((1, 128), "int32")
        sequence[0, :words] = rng.integers(2, 20, size=words)
        unpadded_words = {"tokens": sequence[:, :words]}
        padded_words = {"tokens": sequence}
    else:
        sequence = np.zeros((1, 128, 8), "float32")
        sequence[0, :words] = rng.normal(size=(words, 8))
        unpadded_words = {"speech_embeddings": sequence[:, :words]}
        padded_words = {"speech_embeddings": sequence}
    padded = model.predict({"acoustic": acoustic, **padded_words}, verbose=0)
    unpadded = model.predict({"acoustic": acoustic[:, :frames], **unpadded_words}, verbose=0)
    np.testing.assert_allclose(padded, unpadded, rtol=1e-5, atol=1e-6)
    # And the padding is really ignored, not merely small: changing a real frame changes the answer.
    acoustic[0, frames - 1] += 5
    changed = model.predict({"acoustic": acoustic, **padded_words}, verbose=0)
    assert np.abs(changed - padded).max() > 1e-4


def test_splits_use_each_session_once_and_never_train_on_it():
    import pandas as pd

    sessions = np.array([1, 2, 3, 4, 5] * 7 + [5, 2])
    meta = pd.DataFrame({"session": sessions, "speaker": [f"S{s}" for s in sessions]})
    session_folds = folds("leave-one-session-out", meta)
    assert [fold.name for fold in session_folds] == [f"session {s}" for s in (1, 2, 3, 4, 5)]
    tested = np.concatenate([fold.test for fold in session_folds])
    assert sorted(tested.tolist()) == list(range(len(sessions)))  # every row tested exactly once
    for session, fold in zip((1, 2, 3, 4, 5), session_folds):
        assert np.all(sessions[fold.test] == session) and not np.any(sessions[fold.train] == session)
        assert len(fold.train) + len(fold.test) == len(sessions)
    assert [fold.name for fold in folds("loso", meta)] == [fold.name for fold in session_folds]
    train, test = paper_split(sessions)
    assert set(sessions[train]) == {1, 2, 3, 4} and set(sessions[test]) == {5}


def test_standardisation_uses_training_rows_and_real_frames_only():
    acoustic = np.zeros((3, 5, 2), "float32")
    acoustic[0, :2] = [[1, 10], [3, 30]]
    acoustic[1, :1] = [[5, 50]]
    acoustic[2, :5] = 1000  # a test row: must not count
    mean, std = standardisation_statistics(acoustic, np.array([2, 1, 5]), np.array([0, 1]))
    np.testing.assert_allclose(mean, [3, 30])
    np.testing.assert_allclose(std, np.std([[1, 10], [3, 30], [5, 50]], axis=0))


def test_ua_and_wa_agree_with_scikit_learn():
    y_true = np.array([0, 0, 0, 0, 1, 1, 2, 2, 2, 3])
    y_pred = np.array([0, 0, 1, 3, 1, 1, 2, 0, 2, 2])
    result = scores(y_true, y_pred, ["angry", "excited", "neutral", "sad"])
    assert result["ua"] == pytest.approx(balanced_accuracy_score(y_true, y_pred))
    assert result["ua"] == pytest.approx((2 / 4 + 2 / 2 + 2 / 3 + 0 / 1) / 4)
    assert result["wa"] == pytest.approx(accuracy_score(y_true, y_pred)) == pytest.approx(0.6)
    assert result["confusion"][0] == [2, 1, 0, 1] and result["per_class"]["sad"]["support"] == 1


def test_train_save_load_predict_gives_equal_outputs(demo_bundle, tmp_path):
    import keras

    bundle = read_bundle(demo_bundle[0])
    system = get_system("multimodal")
    settings = system.make_settings()
    arrays = load_arrays(bundle, system, settings, [get_task("categorical")])
    train, test = paper_split(bundle.meta["session"].to_numpy())
    training = Training(epochs=1, batch_size=16)
    result = train_fold(system, arrays, bundle.classes, train, test, settings, training, seed=0)
    probabilities = result.predictions["categorical"]["emotion"]
    assert probabilities.shape == (len(test), 4)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    result.model.save(tmp_path / "model.keras")
    loaded = keras.models.load_model(tmp_path / "model.keras")
    untrimmed = system.inputs(arrays, test, settings)  # the full 200 / 128 padding
    np.testing.assert_allclose(loaded.predict(untrimmed, verbose=0), probabilities, rtol=1e-5, atol=1e-6)
    # The standardisation statistics travel inside the model.
    mean, _ = standardisation_statistics(arrays["acoustic"], arrays["acoustic_lengths"], train)
    np.testing.assert_allclose(loaded.get_layer("acoustic_standardization").get_weights()[0], mean)
