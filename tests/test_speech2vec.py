import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import run_feature_extraction, write_tone

from ser_keras.corpora import Utterance, WordSegment, read_iemocap
from ser_keras.features.bundle import read_bundle
from ser_keras.speech2vec import (
    Segment,
    build_speech2vec,
    embed_segments,
    length_batches,
    load_speech2vec,
    pad_segments,
    segment_frames,
    skipgram_pairs,
    teacher_forcing_inputs,
    utterance_embeddings,
    word_segments,
)
from ser_keras.speech2vec.evaluate import nearest_other_speaker, nearest_words, similarity_figures


def utterance(name, words):
    return Utterance(
        id=name,
        wav_path=None,
        transcript=" ".join(w for w, _, _ in words),
        label="neutral",
        session=1,
        speaker="Ses01F",
        words=tuple(WordSegment(w, s, e) for w, s, e in words),
    )


def test_segments_and_skipgram_pairs_from_a_hand_made_alignment():
    utterances = [
        utterance("a", [("the", 0.1, 0.2), ("cat", 0.2, 0.5), ("sat", 0.6, 0.9), ("down", 0.9, 1.2)]),
        utterance("b", [("hello", 0.0, 0.4), ("there", 0.4, 0.8)]),
    ]
    segments = word_segments(utterances)
    assert segments[1] == Segment(0, 1, "cat", 0.2, 0.5)
    assert [s.word for s in segments] == ["the", "cat", "sat", "down", "hello", "there"]
    pairs = skipgram_pairs(segments, window=1)
    assert pairs.tolist() == [[0, 1], [1, 0], [1, 2], [2, 1], [2, 3], [3, 2], [4, 5], [5, 4]]
    pairs = skipgram_pairs(segments, window=3)
    assert len(pairs) == 4 * 3 + 2  # every ordered pair within each utterance
    assert not any({int(a), int(b)} & {4, 5} and not {int(a), int(b)} <= {4, 5} for a, b in pairs)


def test_frames_of_a_word():
    mfcc = np.arange(100 * 13, dtype=np.float32).reshape(100, 13)
    frames = segment_frames(mfcc, 0.2, 0.5)
    assert frames.shape == (30, 13) and frames[0, 0] == mfcc[20, 0]
    assert segment_frames(mfcc, 0.991, 0.992).shape == (1, 13)
    padded = pad_segments([frames, frames[:5]])
    assert padded.shape == (2, 30, 13) and np.all(padded[1, 5:] == 0)


def test_decoder_loss_ignores_padding_and_training_lowers_it():
    import keras

    keras.utils.set_random_seed(0)
    model, encoder = build_speech2vec(dim=8, units=16)
    rng = np.random.default_rng(0)
    centre = pad_segments([rng.normal(size=(n, 13)) for n in (7, 4, 9, 5)], 12)
    context = pad_segments([rng.normal(size=(n, 13)) for n in (6, 8, 3, 10)], 12)
    decoder = teacher_forcing_inputs(context)
    loss = model.evaluate([centre, decoder], context, verbose=0)
    # Changing what sits in the padding (targets and inputs past each length) changes nothing.
    noisy_target = context.copy()
    noisy_target[2, 3:] = 99.0
    assert np.isclose(model.evaluate([centre, decoder], noisy_target, verbose=0), loss, rtol=1e-6)
    real_change = context.copy()
    real_change[2, 2] += 5.0  # a real frame: the loss must see it
    assert model.evaluate([centre, decoder], real_change, verbose=0) > loss * 1.01
    assert encoder.predict(centre, verbose=0).shape == (4, 8)
    model.fit([centre, decoder], context, epochs=30, batch_size=4, verbose=0)
    assert model.evaluate([centre, decoder], context, verbose=0) < 0.95 * loss


def speech2vec(*arguments):
    return subprocess.run([sys.executable, "-m", "ser_keras.speech2vec", *arguments], capture_output=True, text=True)


@pytest.fixture(scope="module")
def trained_model(small_demo, tmp_path_factory):
    """A tiny Speech2Vec trained for one epoch on sessions 1-4 of the small demo corpus."""
    out = tmp_path_factory.mktemp("speech2vec") / "model"
    result = speech2vec(
        "train", "--root", str(small_demo), "--dim", "8", "--units", "16", "--epochs", "1", "--quiet", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    return out


def test_trained_vectors_load_with_gensim_and_cover_the_training_vocabulary(small_demo, trained_model):
    from ser_keras.features.embeddings import load_vectors

    vectors = load_vectors(trained_model / "vectors.vec")
    corpus = read_iemocap(small_demo).utterances
    words = {w.word for u in corpus if u.session != 5 for w in u.words}  # session 5 is held out
    assert set(vectors.index_to_key) == words and vectors.vector_size == 8
    settings = json.loads((trained_model / "training.json").read_text())
    assert settings["holdout_sessions"] == [5] and len(settings["mfcc_mean"]) == 13
    assert settings["utterances"] == sum(u.session != 5 for u in corpus)


def test_length_batches_cover_every_index_once_and_group_similar_lengths():
    lengths = np.random.default_rng(0).integers(1, 100, size=1000)
    batches = length_batches(lengths, 16, np.random.default_rng(1), pool=10)
    assert sorted(np.concatenate(batches).tolist()) == list(range(1000))
    assert all(np.all(np.diff(lengths[b]) >= 0) for b in batches)
    spread = np.mean([np.ptp(lengths[b]) for b in batches])
    assert spread < 0.2 * np.ptp(lengths)  # a random batch would span most of the range


def test_embeddings_do_not_depend_on_batching_or_padding():
    import keras

    keras.utils.set_random_seed(0)
    _, encoder = build_speech2vec(dim=6, units=8)
    rng = np.random.default_rng(0)
    frames = [rng.normal(size=(n, 13)).astype(np.float32) for n in (3, 17, 9, 40, 1, 25)]
    alone = np.concatenate([encoder.predict(f[None], verbose=0) for f in frames])
    np.testing.assert_allclose(embed_segments(encoder, frames, batch_size=4), alone, rtol=1e-5, atol=1e-6)


def test_acoustic_mode_gives_one_row_per_aligned_word_and_zeros_after(small_demo):
    import keras

    keras.utils.set_random_seed(0)
    _, encoder = build_speech2vec(dim=8, units=8)
    utterances = read_iemocap(small_demo).utterances[:12]
    array, counts = utterance_embeddings(encoder, np.zeros(13), np.ones(13), utterances, max_words=128, progress=False)
    assert array.shape == (12, 128, 8) and array.dtype == np.float32
    assert counts.tolist() == [len(u.words) for u in utterances]
    for row, count in zip(array, counts):
        assert np.all(row[count:] == 0) and np.all(np.any(row[:count] != 0, axis=1))
    # Each word comes from its own audio: two tokens of one word in one corpus differ.
    first = {}
    for u, (row, count) in enumerate(zip(array, counts)):
        for position, word in enumerate(utterances[u].words[:count]):
            first.setdefault(word.word, []).append(row[position])
    # (A lookup table would give every token of a word one vector; eSpeak may speak a short word
    # the same way twice, so most pairs, not every pair, differ.)
    repeated = [vectors for vectors in first.values() if len(vectors) > 1]
    differing = [not np.allclose(vectors[0], vectors[1], atol=1e-4) for vectors in repeated]
    assert len(repeated) >= 3 and np.mean(differing) > 0.5, differing
    cut, cut_counts = utterance_embeddings(encoder, np.zeros(13), np.ones(13), utterances, max_words=3, progress=False)
    np.testing.assert_allclose(cut, array[:, :3], rtol=1e-5, atol=1e-6)
    assert cut_counts.max() == 3


def test_feature_extraction_in_acoustic_mode(small_demo, trained_model, tmp_path):
    out = tmp_path / "bundle"
    result = run_feature_extraction(
        "--root", str(small_demo), "--speech2vec-model", str(trained_model), "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "ENC2 input: Speech2Vec acoustic mode" in result.stdout
    bundle = read_bundle(out)
    speech = np.asarray(bundle.array("speech_embeddings"))
    utterances = {u.id: u for u in read_iemocap(small_demo).utterances}
    counts = np.array([len(utterances[i].words) for i in bundle.meta["id"]])
    assert speech.shape == (len(counts), 128, 8)
    assert all(np.all(row[n:] == 0) and np.all(np.any(row[:n] != 0, axis=1)) for row, n in zip(speech, counts))
    assert bundle.manifest["embeddings"]["mode"] == "acoustic"
    assert bundle.manifest["embeddings"]["speech_embeddings"]["aligned_words"] == counts.sum()
    # The lookup table is the model's vectors.vec: same words, same dimension.
    assert bundle.array("embedding_matrix").shape[1] == 8

    # New audio is embedded as the bundle was, from its words' times (a recogniser's at prediction time).
    from dataclasses import replace

    from ser_keras.features.sets import ArraysContext, compute_feature_set, options_of

    row = int(np.argmax(counts))
    spoken = utterances[bundle.meta["id"][row]]
    kept = {"embedding_matrix": np.asarray(bundle.array("embedding_matrix"))}
    options = options_of(bundle.manifest["feature_sets"])
    computed, _ = compute_feature_set("words", ArraysContext({}, [spoken], bundle.vocabulary, kept, options=options))
    np.testing.assert_allclose(computed["speech_embeddings"][0], speech[row], atol=1e-5)
    without_times = ArraysContext({}, [replace(spoken, words=())], bundle.vocabulary, kept, options=options)
    with pytest.raises(ValueError, match="needs each word's times: predict with --transcribe"):
        compute_feature_set("words", without_times)


def test_acoustic_mode_needs_alignments_and_a_model(tmp_path, trained_model):
    write_tone(tmp_path / "a.wav", 1.0)
    (tmp_path / "manifest.csv").write_text("path,transcript,label,speaker,session\na.wav,hello there,angry,spk1,1\n")
    result = run_feature_extraction(
        "--corpus",
        "manifest",
        "--root",
        str(tmp_path / "manifest.csv"),
        "--speech2vec-model",
        str(trained_model),
        "--out",
        str(tmp_path / "b"),
    )
    assert result.returncode == 2
    assert "1 of 1 utterances have no word alignment" in result.stderr
    result = run_feature_extraction("--speech2vec-model", str(tmp_path), "--out", str(tmp_path / "b"))
    assert result.returncode == 2 and "not a Speech2Vec model folder" in result.stderr
    assert not (tmp_path / "b").exists()


def test_similarity_figures_on_hand_made_embeddings():
    rng = np.random.default_rng(0)
    words = np.repeat(["cat", "dog", "sun", "sea"], 20)
    speakers = np.tile(["a", "b"], 40)
    centres = {w: rng.normal(size=16) for w in set(words)}
    clean = np.stack([centres[w] for w in words]) + 0.01 * rng.normal(size=(80, 16))
    figures = similarity_figures(clean, words, speakers, n_pairs=500)
    assert figures["same_word"] > 0.99 and figures["neighbour_same_word"] == 1.0
    assert figures["different_word"] < 0.5 and figures["chance"] == pytest.approx(0.25)
    noise = rng.normal(size=(80, 16))
    random = similarity_figures(noise, words, speakers, n_pairs=500)
    assert abs(random["gap"]) < 0.1 and random["neighbour_same_word"] < 0.5
    # The nearest segment by another speaker, never the segment itself or its own speaker's, in blocks or not.
    points = np.array([[1.0, 0], [1.0, 0.05], [0.9, 0.5], [0, 1.0]])
    assert nearest_other_speaker(points, ["a", "a", "b", "b"]).tolist() == [2, 2, 1, 1]
    assert nearest_other_speaker(points, ["a", "a", "b", "b"], chunk=1).tolist() == [2, 2, 1, 1]
    neighbours = nearest_words({"a": np.array([1.0, 0]), "b": np.array([1.0, 0.1]), "c": np.array([0, 1.0])}, ["a"])
    assert [w for w, _ in neighbours["a"]] == ["b", "c"]


def test_evaluate_prints_trained_against_untrained(trained_model):
    result = speech2vec("evaluate", str(trained_model), "--pairs", "200")
    assert result.returncode == 0, result.stderr
    assert "trained" in result.stdout and "untrained" in result.stdout
    assert "held out of training" in result.stdout
    record = json.loads((trained_model / "evaluation.json").read_text())
    assert record["sessions"] == [5]
    for name in ("trained", "untrained"):
        assert 0 <= record["figures"][name]["neighbour_same_word"] <= 1
    encoder, settings = load_speech2vec(trained_model)
    assert encoder.output_shape == (None, 8) and settings["mfcc_std"].shape == (13,)
