"""MATE: dialogue windows, per-turn features, the model's padding, its losses, and a run on the demo bundle."""

import shutil

import numpy as np
import pytest
from conftest import run_feature_extraction

from ser_keras.dialogue import PADDING, dialogue_windows, gather, turn_order
from ser_keras.features.bundle import read_bundle
from ser_keras.runner import run_protocol
from ser_keras.systems import Training, get_system
from ser_keras.tasks import get_task

# The smallest log-mel MATE's four convolutions and three poolings accept: 44 x 44.
SMALL_LOGMEL = ("--logmel-mels", "48", "--logmel-seconds", "1.5")
TINY = {"window": 3, "units": 8, "lstm_layers": 1}


@pytest.fixture(scope="module")
def mate_bundle(demo_bundle, tmp_path_factory):
    """The small demo bundle with a small log-mel, the mean word vector per turn, and the turn order."""
    path = tmp_path_factory.mktemp("mate") / "bundle"
    shutil.copytree(demo_bundle[0], path)
    result = run_feature_extraction("--out", str(path), "--feature-sets", "logmel,sentence,turn_order", *SMALL_LOGMEL)
    assert result.returncode == 0, result.stderr
    return read_bundle(path)


def test_windows_hold_the_turn_last_and_the_turns_before_it_in_its_dialogue_only():
    dialogues = ["b", "a", "b", "a", "b", "c"]
    starts = [5.0, 1.0, 1.0, 0.0, 3.0, 0.0]  # dialogue b in order: rows 2, 4, 0
    ids, positions = turn_order(dialogues, starts)
    assert ids.tolist() == [0, 1, 0, 1, 0, 2] and positions.tolist() == [2, 1, 0, 0, 1, 0]
    windows = dialogue_windows(ids, positions, np.arange(6), window=3)
    assert windows[:, -1].tolist() == list(range(6))  # the target is the last turn
    assert windows.tolist() == [[2, 4, 0], [-1, 3, 1], [-1, -1, 2], [-1, -1, 3], [-1, 2, 4], [-1, -1, 5]]
    for row, window in zip(range(6), windows):
        assert {dialogues[turn] for turn in window if turn != PADDING} == {dialogues[row]}


def test_a_window_holds_only_turns_of_its_own_rows():
    ids, positions = turn_order(["a"] * 4, [0.0, 1.0, 2.0, 3.0])
    windows = dialogue_windows(ids, positions, np.array([3, 1]), window=4)
    assert windows.tolist() == [[-1, -1, 1, 3], [-1, -1, -1, 1]]  # rows 0 and 2 are another split's


def test_padded_turns_are_all_zero():
    values = np.arange(1, 13, dtype=np.float32).reshape(4, 3)
    gathered = gather(values, np.array([[-1, 0, 2], [-1, -1, 3]]))
    assert gathered.shape == (2, 3, 3)
    assert np.all(gathered[0, 0] == 0) and np.all(gathered[1, :2] == 0)
    np.testing.assert_array_equal(gathered[0, 1:], values[[0, 2]])


def test_emotion_persists_in_demo_dialogues_as_stated():
    from ser_keras.corpora.demo import arrange_dialogues

    emotions = np.repeat(["angry", "excited", "neutral", "sad"], 100)
    for persistence, low, high in ((0.9, 0.9, 0.96), (0.0, 0.18, 0.32)):
        parts = arrange_dialogues(emotions, 4, persistence, np.random.default_rng(0))
        assert sorted(np.concatenate(parts).tolist()) == list(range(400))  # every turn once
        kept = np.mean([emotions[a] == emotions[b] for part in parts for a, b in zip(part, part[1:])])
        # Kept with probability persistence, or by chance when the next turn is drawn from all.
        assert low <= kept <= high, (persistence, kept)


def test_the_log_mel_is_standardised_per_turn_and_of_the_stated_shape():
    from ser_keras.features.mate import log_mel

    rng = np.random.default_rng(0)
    signal = rng.normal(0, 0.1, 16000 * 3).astype(np.float32)
    spectrogram = log_mel(signal)
    assert spectrogram.shape == (229, 313)  # 10 s at hop 512, centred frames
    assert abs(spectrogram.mean()) < 1e-4 and abs(spectrogram.std() - 1) < 1e-3
    longer = log_mel(rng.normal(0, 0.1, 16000 * 12).astype(np.float32))
    assert longer.shape == (229, 313)  # cropped to 10 s


def test_feature_sets_on_the_demo_bundle(mate_bundle):
    from ser_keras.features.mate import mean_word_vectors

    rows = len(mate_bundle.meta)
    assert mate_bundle.array("logmel").shape == (rows, 48, 47)
    assert mate_bundle.feature_sets["logmel"]["settings"]["n_mels"] == 48
    tokens, matrix = np.asarray(mate_bundle.array("tokens")), np.asarray(mate_bundle.array("embedding_matrix"))
    row_tokens = tokens[0][tokens[0] > 0]
    np.testing.assert_allclose(mate_bundle.array("sentence_embeddings")[0], matrix[row_tokens].mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(mean_word_vectors(tokens, matrix), mate_bundle.array("sentence_embeddings"))
    ids, positions = np.asarray(mate_bundle.array("dialogue_ids")), np.asarray(mate_bundle.array("turn_positions"))
    meta = mate_bundle.meta
    for dialogue in np.unique(ids):
        members = np.flatnonzero(ids == dialogue)
        assert meta["dialogue"].iloc[members].nunique() == 1
        by_position = members[np.argsort(positions[members])]
        assert np.all(np.diff(meta["start"].to_numpy()[by_position]) >= 0)


def test_padding_and_other_dialogues_change_no_prediction(mate_bundle):
    import keras

    system = get_system("mate")
    settings = system.make_settings(TINY)
    arrays = {name: np.asarray(mate_bundle.array(name)) for name in system.arrays(settings)}
    outputs = get_task("votes").outputs(mate_bundle.classes) + get_task("arousal-valence").outputs(None)
    keras.utils.set_random_seed(0)
    model = system.build(arrays, np.arange(len(mate_bundle.meta)), outputs, settings)
    ids = arrays["dialogue_ids"]
    one_dialogue = np.flatnonzero(ids == ids[0])
    inputs = system.inputs(arrays, one_dialogue, settings)
    first = int(np.argmin(arrays["turn_positions"][one_dialogue]))
    assert np.all(inputs["audio"][first, :-1] == 0) and np.all(inputs["text"][first, :-1] == 0)
    alone = model.predict(inputs, verbose=0)
    every_row = np.arange(len(ids))
    together = model.predict(system.inputs(arrays, every_row, settings), verbose=0)
    for name in ("votes", "arousal", "valence"):
        np.testing.assert_allclose(alone[name], together[name][one_dialogue], rtol=1e-4, atol=1e-5)
    assert np.all((together["arousal"] >= 1) & (together["arousal"] <= 5))  # 4 * sigmoid + 1


def test_the_kl_term_and_the_loss_weights_equal_a_hand_computation():
    import keras

    system = get_system("mate")
    tasks = [get_task("votes"), get_task("arousal-valence")]
    losses, weights = system.losses(tasks, system.make_settings({"lam": 0.75}))
    assert weights == {"votes": 0.75, "arousal": 0.25, "valence": 0.25}
    votes = np.array([[2, 1, 0, 0], [0, 0, 3, 0]], dtype=np.float32)
    targets = get_task("votes").targets(votes, np.arange(2), {})["votes"]
    predicted = np.array([[0.5, 0.3, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1]], dtype=np.float32)
    by_hand = np.mean(
        [(2 / 3) * np.log((2 / 3) / 0.5) + (1 / 3) * np.log((1 / 3) / 0.3), 1.0 * np.log(1.0 / 0.7)]
    )  # KL(votes || predicted), averaged over the batch (PyTorch's "batchmean")
    per_turn = keras.losses.get(losses["votes"])(targets, predicted)  # compile averages it over the batch
    assert float(np.mean(per_turn)) == pytest.approx(by_hand, rel=1e-4)  # Keras clips zero votes to 1e-7


def test_the_class_balanced_loss_equals_a_hand_computation():
    from ser_keras.losses import ClassBalancedCrossEntropy
    from ser_keras.systems.mate import class_balanced_weights

    votes = np.array([[3, 0, 0], [3, 0, 0], [2, 1, 0], [0, 3, 0], [0, 2, 2], [1, 1, 1]])
    # Gold classes (most votes, ties kept): counts 4, 3, 2 -> integer ratios to the rarest 2, 1, 1.
    weights = class_balanced_weights(votes, beta=0.9)
    np.testing.assert_allclose(weights, [(1 - 0.9) / (1 - 0.9**2), 1.0, 1.0], rtol=1e-6)
    targets = get_task("votes").targets(votes, np.arange(6), {})["votes"][[2, 4]]
    predicted = np.array([[0.7, 0.2, 0.1], [0.2, 0.2, 0.6]], dtype=np.float32)
    # The authors' dataset.py trains on the vote shares (votes / annotators), not on the gold classes:
    shares = np.array([[2 / 3, 1 / 3, 0], [0, 1 / 2, 1 / 2]])
    np.testing.assert_allclose(targets, shares, rtol=1e-6)
    terms = -(shares * np.log(predicted) + (1 - shares) * np.log(1 - predicted))
    by_hand = np.mean(weights * terms)  # PyTorch's BCELoss(weight=...), mean over every element
    assert float(ClassBalancedCrossEntropy(weights)(targets, predicted)) == pytest.approx(by_hand, rel=1e-5)


def test_mate_trains_and_scores_on_the_demo_bundle(mate_bundle):
    system = get_system("mate")
    training = Training(optimizer="adam", learning_rate=1e-3, batch_size=16, epochs=2, weight_decay=1e-5)
    run = run_protocol(
        system, mate_bundle, "paper", seeds=(0,), settings=system.make_settings(TINY), training=training, verbose=0
    )
    (fold,) = run.folds
    assert set(fold.scores) == {"votes", "arousal-valence"}
    votes = fold.scores["votes"]
    assert votes["recall_at_1"] <= votes["precision_at_1"]  # recall@1 divides a hit by the gold classes
    # The scores are those of the fold's own predictions against the bundle's votes and ratings.
    from ser_keras.evaluation.metrics import at_one_scores, ccc
    from ser_keras.evaluation.reports import bundle_rows
    from ser_keras.tasks import gold_classes

    rows = bundle_rows(mate_bundle, fold.test_ids)
    predicted = fold.predictions["votes"]["votes"]
    recomputed = at_one_scores(gold_classes(np.asarray(mate_bundle.array("votes"))[rows]), predicted)
    assert votes["f1_at_1"] == pytest.approx(recomputed["f1_at_1"])
    arousal = np.asarray(mate_bundle.array("dimensions"))[rows, 1]
    predicted_arousal = fold.predictions["arousal-valence"]["arousal_valence"][:, 0]
    assert fold.scores["arousal-valence"]["ccc_arousal"] == pytest.approx(ccc(arousal, predicted_arousal))
    # Milestones int(2 / 3) = 0 and int(2 / 2) = 1: PyTorch's MultiStepLR gives 0.7e-3, then 0.49e-3.
    assert fold.history["learning_rate"] == [pytest.approx(0.7e-3), pytest.approx(0.49e-3)]
    classes = len(mate_bundle.classes)
    assert fold.predictions["votes"]["votes"].shape == (len(fold.test_ids), classes)


def test_the_sentence_encoder_path_runs_on_a_tiny_local_model(mate_bundle, tmp_path):
    pytest.importorskip("sentence_transformers", reason="optional extra: pip install -e '.[sentence]'")
    from sentence_transformers import SentenceTransformer, models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + sorted(set(mate_bundle.vocabulary) - {""})
    (tmp_path / "vocab.txt").write_text("\n".join(vocabulary) + "\n")
    folder = tmp_path / "tiny-encoder"
    config = BertConfig(
        vocab_size=len(vocabulary), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32
    )
    BertModel(config).save_pretrained(folder / "bert")
    BertTokenizerFast(vocab_file=str(tmp_path / "vocab.txt")).save_pretrained(folder / "bert")
    transformer = models.Transformer(str(folder / "bert"))
    SentenceTransformer(modules=[transformer, models.Pooling(16, pooling_mode="mean")]).save(str(folder))
    path = tmp_path / "bundle"
    shutil.copytree(mate_bundle.path, path)
    result = run_feature_extraction(
        "--out", str(path), "--feature-sets", "sentence", "--sentence-encoder", str(folder), "--quiet"
    )
    assert result.returncode == 0, result.stderr
    bundle = read_bundle(path)
    embeddings = np.asarray(bundle.array("sentence_embeddings"))
    assert embeddings.shape == (len(bundle.meta), 16) and np.all(np.isfinite(embeddings))
    assert bundle.feature_sets["sentence"]["settings"]["kind"] == "sentence-transformers"
    assert np.std(embeddings, axis=0).max() > 0  # different sentences, different embeddings


def test_precise_batch_norm_sets_the_mean_of_the_batches_statistics():
    import keras
    from keras import layers

    from ser_keras.systems.mate import precise_batch_norm

    inputs = keras.Input((3,), name="x")
    norm = layers.BatchNormalization(momentum=0.9, name="norm")
    model = keras.Model(inputs, norm(inputs))
    values = np.random.default_rng(0).normal(2.0, 3.0, size=(40, 3)).astype(np.float32)
    precise_batch_norm(model, {"x": values}, batch_size=10, seed=1)
    order = np.random.default_rng(1).permutation(40)
    batches = [values[order[start : start + 10]] for start in range(0, 40, 10)]
    np.testing.assert_allclose(norm.moving_mean.numpy(), np.mean([b.mean(axis=0) for b in batches], axis=0), rtol=1e-5)
    np.testing.assert_allclose(
        norm.moving_variance.numpy(), np.mean([b.var(axis=0) for b in batches], axis=0), rtol=1e-4
    )
    assert norm.momentum == 0.9  # restored


def test_recomputed_batch_norm_statistics_survive_the_restore_of_the_selected_epoch(mate_bundle):
    from ser_keras.protocols import validation_split
    from ser_keras.protocols.paper import paper_split
    from ser_keras.runner import load_arrays, train_fold
    from ser_keras.systems.mate import precise_batch_norm

    system = get_system("mate")
    settings = system.make_settings(TINY)
    training = Training(batch_size=16, epochs=3, selection="validation", patience=1, weight_decay=1e-5)
    tasks = [get_task("votes"), get_task("arousal-valence")]
    arrays = load_arrays(mate_bundle, system, settings, tasks)
    speakers = mate_bundle.meta["speaker"].astype(str).to_numpy()
    train, test = paper_split(mate_bundle.meta["session"].to_numpy().astype(int))
    fold = train_fold(system, arrays, mate_bundle.classes, train, test, settings, training, tasks, speakers=speakers)
    norms = [layer for layer in fold.model.layers if layer.__class__.__name__ == "BatchNormalization"]
    kept = [np.array(layer.moving_mean) for layer in norms]
    # The statistics the kept weights give over the rows the model was fitted on (validation held out).
    _, validation = validation_split(speakers, train, training.validation_fraction, 0)
    fitted_rows = np.setdiff1d(train, validation)  # as fit_and_predict takes them
    precise_batch_norm(fold.model, system.inputs(arrays, fitted_rows, settings, trim=True), training.batch_size)
    for layer, statistics in zip(norms, kept):
        np.testing.assert_allclose(statistics, np.array(layer.moving_mean), rtol=1e-4, atol=1e-5)
