"""Word vectors through gensim: load pretrained files, or train skip-gram word2vec on a corpus.

The public Speech2Vec and word2vec releases are word2vec text files (``.vec``) of
50, 100, 200 or 300 dimensions; some have a header line (``count dim``), some do
not, and one is known to end with a stray blank line. All of these load here, as
do word2vec binary files and saved gensim ``KeyedVectors``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from .sets import FeatureSet, Option, register_feature_set
from .text import MAX_WORDS, PADDING_ID, UNKNOWN_ID, encode, tokenize


class EmbeddingError(ValueError):
    """A vector file that cannot be read; the message says which and why."""


def load_vectors(path):
    """Load pretrained word vectors.

    Parameters
    ----------
    path : str or pathlib.Path
        ``.kv`` / ``.model``: saved gensim KeyedVectors (or a Word2Vec model);
        ``.bin``: word2vec binary; anything else: word2vec text, with or
        without a header line, blank lines ignored.

    Returns
    -------
    gensim.models.KeyedVectors

    Raises
    ------
    EmbeddingError
    """
    from gensim.models import KeyedVectors, Word2Vec

    path = Path(path)
    if not path.is_file():
        raise EmbeddingError(f"vector file not found: {path}")
    try:
        if path.suffix in (".kv", ".model"):
            try:
                return KeyedVectors.load(str(path))
            except AttributeError:
                return Word2Vec.load(str(path)).wv
        if path.suffix == ".bin":
            return KeyedVectors.load_word2vec_format(str(path), binary=True)
        return _load_text(path)
    except EmbeddingError:
        raise
    except Exception as error:  # gensim raises ValueError, UnicodeDecodeError, pickle errors...
        raise EmbeddingError(f"{path}: not a word-vector file gensim can read ({error})") from None


def _load_text(path):
    from gensim.models import KeyedVectors

    with path.open("rb") as handle:
        first = handle.readline().split()
    has_header = len(first) == 2 and all(part.isdigit() for part in first)
    if has_header:
        try:
            return KeyedVectors.load_word2vec_format(str(path), binary=False)
        except ValueError:
            pass  # a blank line inside the file: clean it below
    # gensim counts lines to size a headerless file, so blank lines break it: give it a clean copy.
    rows = 0
    dim = None
    handle, clean = tempfile.mkstemp(suffix=".vec")
    try:
        with os.fdopen(handle, "wb") as out, path.open("rb") as source:
            body = []
            for number, line in enumerate(source, start=1):
                if not line.strip() or (number == 1 and has_header):
                    continue
                width = len(line.split()) - 1
                if dim is None:
                    dim = width
                elif width != dim:
                    raise EmbeddingError(f"{path}:{number}: {width} values, expected {dim}")
                body.append(line if line.endswith(b"\n") else line + b"\n")
                rows += 1
            if not rows or not dim:
                raise EmbeddingError(f"{path}: no vectors")
            out.write(f"{rows} {dim}\n".encode())
            out.writelines(body)
        return KeyedVectors.load_word2vec_format(clean, binary=False)
    finally:
        os.unlink(clean)


def train_word2vec(token_lists, dim=50, seed=0, epochs=30, window=5):
    """Train skip-gram word2vec (gensim) on a corpus's transcripts.

    One worker thread, so the same corpus and seed give the same vectors.

    Parameters
    ----------
    token_lists : sequence of list of str
    dim : int
        Vector size.
    seed : int
    epochs : int
    window : int
        Context words on each side.

    Returns
    -------
    gensim.models.KeyedVectors
    """
    from gensim.models import Word2Vec

    sentences = [tokens for tokens in token_lists if tokens]
    if not sentences:
        raise EmbeddingError("no words to train word2vec on")
    model = Word2Vec(
        sentences=sentences,
        vector_size=dim,
        window=window,
        min_count=1,
        sg=1,
        seed=seed,
        workers=1,
        epochs=epochs,
    )
    return model.wv


def find(vectors, word):
    """The key of ``word`` in ``vectors``: itself, else a case variant (``Hello``), else ``None``."""
    for key in (word, word.capitalize(), word.upper()):
        if key in vectors.key_to_index:
            return key
    return None


def embedding_matrix(vocabulary, vectors):
    """Rows of the trainable embedding layer, in vocabulary order.

    Parameters
    ----------
    vocabulary : list of str
        Ids 0 (padding) and 1 (unknown) first.
    vectors : gensim.models.KeyedVectors

    Returns
    -------
    np.ndarray, float32, shape (len(vocabulary), dim)
        Rows 0 and 1 are zero; a word with no vector also gets a zero row.
    """
    matrix = np.zeros((len(vocabulary), vectors.vector_size), dtype=np.float32)
    for i, word in enumerate(vocabulary):
        if i in (PADDING_ID, UNKNOWN_ID):
            continue
        key = find(vectors, word)
        if key is not None:
            matrix[i] = vectors[key]
    return matrix


def lookup(token_ids, matrix):
    """Vectors of token-id sequences.

    Parameters
    ----------
    token_ids : np.ndarray, int, shape (N, T)
    matrix : np.ndarray, shape (V, D)

    Returns
    -------
    np.ndarray, float32, shape (N, T, D)
        Zero for padding and unknown words.
    """
    return matrix[token_ids].astype(np.float32)


# The feature set of this family: the paper's words (a base set).


def _word_arrays(context):
    """Token ids of each transcript in the vocabulary of the context, and their vectors.

    A bundle whose words were embedded from their audio (Speech2Vec acoustic mode) embeds new
    audio the same way, from each word's times (a recogniser's, ``predict --transcribe``).
    """
    max_words = WORDS.value(context, "max_words")
    utterances = context.utterances()
    transcripts = [utterance.transcript for utterance in utterances]
    if not all(transcripts):
        raise ValueError("reading words needs a transcript of every utterance (--transcript, or --transcribe)")
    tokens, _, _ = encode([tokenize(text) for text in transcripts], context.vocabulary, max_words)
    matrix = np.asarray(context.array("embedding_matrix"))
    if WORDS.value(context, "words_mode") != "lookup":
        return {"tokens": tokens, "speech_embeddings": _from_audio(context, utterances, max_words),
                "embedding_matrix": matrix}, {"max_words": max_words}  # fmt: skip
    known = ((tokens > 0) & (tokens != UNKNOWN_ID)).sum(axis=1)
    if np.any(known == 0):
        raise ValueError(f"no word of {transcripts[int(np.argmin(known))]!r} is in this run's vocabulary")
    arrays = {"tokens": tokens, "speech_embeddings": lookup(tokens, matrix), "embedding_matrix": matrix}
    return arrays, {"max_words": max_words}


def _from_audio(context, utterances, max_words):
    """Speech2Vec acoustic mode for new audio: each word embedded from its own times, by the bundle's model."""
    from ..speech2vec import load_speech2vec, utterance_embeddings

    model = WORDS.value(context, "speech2vec_model")
    if not all(utterance.words for utterance in utterances):
        raise ValueError(
            "this run's words were embedded from each word's audio (Speech2Vec acoustic mode), which needs each "
            "word's times: predict with --transcribe (a recogniser's word times)"
        )
    if not model or not Path(model).is_dir():
        raise ValueError(f"this run's words were embedded by the Speech2Vec model {model}, which is not there")
    encoder, settings = _speech2vec(model, load_speech2vec)
    embeddings, _ = utterance_embeddings(encoder, settings["mfcc_mean"], settings["mfcc_std"], utterances, max_words,
                                         progress=False)  # fmt: skip
    return embeddings


_LOADED = {}


def _speech2vec(model, load):
    """A Speech2Vec model loaded once per process (a page predicts many recordings with one run)."""
    if model not in _LOADED:
        _LOADED[model] = load(model)
    return _LOADED[model]


WORDS = register_feature_set(
    FeatureSet(
        "words",
        "token ids (128 words), vocabulary, word vectors and the looked-up sequences (Krishna and Reddy 2.2, 2.4)",
        ("speech_embeddings", "tokens", "embedding_matrix"),
        compute=_word_arrays,
        base=True,
        packages=("numpy", "gensim"),
        options=(
            Option("max_words", int, MAX_WORDS, "words per utterance (128, the paper's)", records="max_words"),
            Option(
                "words_mode",
                str,
                "lookup",
                "how the bundle's words became vectors: lookup, or acoustic (Speech2Vec from each word's audio)",
                records="embeddings.mode",
                command_line=False,
            ),
            Option(
                "speech2vec_model",
                str,
                None,
                "the Speech2Vec model folder that embedded the bundle's words from their audio",
                records="embeddings.speech_embeddings.model",
                command_line=False,
            ),
        ),  # fmt: skip
        shapes={
            "speech_embeddings": ("utterances", "words", "dimensions"),
            "tokens": ("utterances", "words"),
            "embedding_matrix": ("vocabulary", "dimensions"),
        },
        keeps=("embedding_matrix",),
        keeps_vocabulary=True,
    )
)
