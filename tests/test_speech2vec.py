import numpy as np

from ser_keras.corpora import Utterance, WordSegment
from ser_keras.speech2vec import (
    Segment,
    build_speech2vec,
    pad_segments,
    segment_frames,
    skipgram_pairs,
    teacher_forcing_inputs,
    word_segments,
)


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


def test_trained_vectors_load_with_gensim_and_cover_the_corpus_vocabulary(small_demo, tmp_path):
    import subprocess
    import sys

    from ser_keras.corpora import read_iemocap
    from ser_keras.features.embeddings import load_vectors

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ser_keras.speech2vec",
            "train",
            "--root",
            str(small_demo),
            "--dim",
            "8",
            "--epochs",
            "1",
            "--out",
            str(tmp_path / "s2v"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    vectors = load_vectors(tmp_path / "s2v" / "vectors.vec")
    words = {w.word for u in read_iemocap(small_demo).utterances for w in u.words}
    assert set(vectors.index_to_key) == words and vectors.vector_size == 8
    assert (tmp_path / "s2v" / "encoder.keras").is_file()
