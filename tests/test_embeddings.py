import numpy as np
import pytest

from ser_keras.features.embeddings import (
    EmbeddingError,
    embedding_matrix,
    find,
    load_vectors,
    lookup,
    train_word2vec,
)
from ser_keras.features.text import build_vocabulary, encode

ROWS = "hello 0.1 0.2 0.3\nworld 0.4 0.5 0.6\nSad -1 0 1\n"


@pytest.mark.parametrize(
    "text",
    [
        "3 3\n" + ROWS,  # header
        ROWS,  # no header
        ROWS + "\n",  # no header, stray blank line at the end
        "3 3\n" + ROWS + "\n",  # header and stray blank line
    ],
    ids=["header", "headerless", "headerless-trailing-blank", "header-trailing-blank"],
)
def test_text_vector_files(tmp_path, text):
    path = tmp_path / "vectors.vec"
    path.write_text(text)
    vectors = load_vectors(path)
    assert vectors.index_to_key == ["hello", "world", "Sad"]
    np.testing.assert_allclose(vectors["world"], [0.4, 0.5, 0.6], rtol=1e-6)


def test_binary_and_keyedvectors_files(tmp_path):
    (tmp_path / "v.vec").write_text(ROWS)
    vectors = load_vectors(tmp_path / "v.vec")
    vectors.save_word2vec_format(str(tmp_path / "v.bin"), binary=True)
    vectors.save(str(tmp_path / "v.kv"))
    for name in ("v.bin", "v.kv"):
        again = load_vectors(tmp_path / name)
        assert again.index_to_key == vectors.index_to_key
        np.testing.assert_allclose(again["Sad"], vectors["Sad"])


def test_unreadable_vector_files_get_one_clear_error(tmp_path):
    with pytest.raises(EmbeddingError, match="not found"):
        load_vectors(tmp_path / "none.vec")
    (tmp_path / "ragged.vec").write_text("a 1 2 3\nb 1 2\n")
    with pytest.raises(EmbeddingError, match="2 values, expected 3"):
        load_vectors(tmp_path / "ragged.vec")
    (tmp_path / "junk.bin").write_bytes(b"\x00\x01garbage")
    with pytest.raises(EmbeddingError):
        load_vectors(tmp_path / "junk.bin")


def test_vocabulary_matrix_and_lookup(tmp_path):
    (tmp_path / "v.vec").write_text(ROWS)
    vectors = load_vectors(tmp_path / "v.vec")
    tokens = [["hello", "sad", "world", "hello"], ["unknown", "hello"]]
    vocabulary = build_vocabulary(tokens, keep=lambda word: find(vectors, word) is not None)
    assert vocabulary == ["<pad>", "<unk>", "hello", "sad", "world"]  # by count, then alphabetically
    ids, lengths, cut = encode(tokens, vocabulary, max_words=3)
    assert ids.tolist() == [[2, 3, 4], [1, 2, 0]] and lengths.tolist() == [3, 2] and cut.tolist() == [1, 0]
    matrix = embedding_matrix(vocabulary, vectors)
    assert matrix.shape == (5, 3) and matrix.dtype == np.float32
    assert np.all(matrix[:2] == 0)
    np.testing.assert_allclose(matrix[3], [-1, 0, 1])  # "sad" found as "Sad"
    sequences = lookup(ids, matrix)
    assert sequences.shape == (2, 3, 3)
    assert np.all(sequences[1, 0] == 0) and np.all(sequences[1, 2] == 0)  # unknown and padding


def test_trained_word2vec_is_deterministic():
    sentences = [["the", "cat", "sat"], ["the", "dog", "ran"], ["a", "cat", "ran"]] * 20
    first = train_word2vec(sentences, dim=8, seed=3, epochs=5)
    second = train_word2vec(sentences, dim=8, seed=3, epochs=5)
    assert first.vector_size == 8 and set(first.index_to_key) == {"the", "cat", "sat", "dog", "ran", "a"}
    np.testing.assert_array_equal(first["cat"], second["cat"])
    with pytest.raises(EmbeddingError):
        train_word2vec([[], []])
