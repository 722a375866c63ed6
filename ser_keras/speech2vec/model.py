"""The Speech2Vec encoder-decoder: build, train on skip-gram pairs, embed, save and load.

The Bi-LSTM encoder and LSTM decoder sizes (``units=128``) are this project's choice
for small corpora; Chung and Glass do not fix them for the skip-gram model we follow.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from .segments import CONTEXT_WINDOW, N_MFCC, segment_features, skipgram_pairs, standardise, word_segments

ENCODER_FILE = "encoder.keras"
VECTORS_FILE = "vectors.vec"
SETTINGS_FILE = "training.json"


def build_speech2vec(dim=50, units=128, learning_rate=0.001):
    """The Speech2Vec encoder-decoder.

    Parameters
    ----------
    dim : int
        Embedding size (50, 100, 200 or 300 in the paper's Table 3).
    units : int
        LSTM cells of the encoder (per direction) and of the decoder.
    learning_rate : float
        Adam.

    Returns
    -------
    model : keras.Model
        Inputs ``centre`` (batch, T1, 13) and ``decoder_input`` (batch, T2, 13) (the
        context word's frames shifted right by one, zeros first: teacher forcing);
        output (batch, T2, 13), the predicted context frames. Padding frames (all
        zero) are masked out of the encoder, the decoder and the loss.
    encoder : keras.Model
        ``centre`` -> (batch, dim): the final forward and backward states,
        concatenated and projected to ``dim``.
    """
    import keras
    from keras import layers

    centre = keras.Input(shape=(None, N_MFCC), name="centre")
    masked = layers.Masking(0.0, name="centre_mask")(centre)
    states = layers.Bidirectional(layers.LSTM(units), name="encoder_bilstm")(masked)
    embedding = layers.Dense(dim, name="embedding")(states)
    encoder = keras.Model(centre, embedding, name="speech2vec_encoder")

    decoder_input = keras.Input(shape=(None, N_MFCC), name="decoder_input")
    hidden = layers.Dense(units, activation="tanh", name="decoder_initial_h")(embedding)
    cell = layers.Dense(units, activation="tanh", name="decoder_initial_c")(embedding)
    decoder_mask = layers.Masking(0.0, name="context_mask")(decoder_input)
    sequence = layers.LSTM(units, return_sequences=True, name="decoder_lstm")(
        decoder_mask, initial_state=[hidden, cell]
    )
    output = layers.Dense(N_MFCC, name="context_frames")(sequence)
    model = keras.Model([centre, decoder_input], output, name="speech2vec")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
    return model, encoder


def teacher_forcing_inputs(context):
    """Decoder inputs for padded context frames: shifted right by one frame, zeros first.

    A real first step must not look like padding, so the start frame is a small
    constant rather than zeros, and padded steps stay exactly zero.

    Parameters
    ----------
    context : np.ndarray, shape (n, T, 13)

    Returns
    -------
    np.ndarray, float32, shape (n, T, 13)
    """
    real = np.any(context != 0, axis=-1)
    shifted = np.zeros_like(context, dtype=np.float32)
    shifted[:, 1:] = context[:, :-1]
    shifted[:, 0] = 1e-3  # "go" frame
    shifted[~real] = 0.0
    return shifted


def _pad(frames_list, multiple=8):
    # Lengths rounded up to a multiple of 8 keep the number of distinct batch shapes
    # (and so of traced graphs) small; masking makes the extra steps no-ops.
    length = -(-max(len(f) for f in frames_list) // multiple) * multiple
    out = np.zeros((len(frames_list), length, N_MFCC), dtype=np.float32)
    for i, frames in enumerate(frames_list):
        out[i, : len(frames)] = frames
    return out


def length_batches(lengths, batch_size, rng=None, pool=50):
    """Batches of indices of similar length, so little time goes on padding.

    Shuffled indices are cut into pools of ``pool`` batches; each pool is sorted
    by length and cut into batches, and the batch order is shuffled.

    Parameters
    ----------
    lengths : np.ndarray of int, shape (n,)
    batch_size : int
    rng : np.random.Generator, optional
        None keeps the input order within each pool (deterministic, for inference).
    pool : int

    Returns
    -------
    list of np.ndarray of int
        Every index exactly once.
    """
    lengths = np.asarray(lengths)
    order = rng.permutation(len(lengths)) if rng is not None else np.arange(len(lengths))
    batches = []
    size = batch_size * pool
    for start in range(0, len(order), size):
        chunk = order[start : start + size]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def _pair_batches(frames, pairs, batch_size, seed):
    import keras

    class PairBatches(keras.utils.PyDataset):
        """Skip-gram pairs as length-bucketed batches, reshuffled every epoch."""

        def __init__(self):
            super().__init__()
            self.lengths = np.array([max(len(frames[a]), len(frames[b])) for a, b in pairs])
            self.rng = np.random.default_rng(seed)
            self.on_epoch_end()

        def on_epoch_end(self):
            self.batches = length_batches(self.lengths, batch_size, self.rng)

        def __len__(self):
            return len(self.batches)

        def __getitem__(self, index):
            chosen = pairs[self.batches[index]]
            centre = _pad([frames[i] for i in chosen[:, 0]])
            context = _pad([frames[i] for i in chosen[:, 1]])
            return (centre, teacher_forcing_inputs(context)), context

    return PairBatches()


def train_speech2vec(
    utterances, dim=50, epochs=10, window=CONTEXT_WINDOW, units=128, batch_size=64, seed=0, progress=True
):
    """Train Speech2Vec on the aligned words of a corpus.

    MFCCs are standardised with the corpus's mean and standard deviation per
    coefficient (returned, to be applied to new audio the same way). Pairs are
    batched by length (:func:`length_batches`): on the demo corpus this is about
    twice as fast as padding every batch to the longest word.

    Parameters
    ----------
    utterances : sequence of Utterance
        Each with a word alignment.
    dim, epochs, window, units, batch_size, seed : int
    progress : bool

    Returns
    -------
    dict
        ``model``, ``encoder``, ``segments``, ``frames`` (standardised, list of
        (n, 13)), ``pairs`` (n_pairs, 2), ``history`` (loss per epoch), ``mean``
        and ``std`` (13,).
    """
    import keras

    segments = word_segments(utterances)
    raw = segment_features(utterances, segments, progress)
    stacked = np.concatenate(raw)
    mean, std = stacked.mean(axis=0), np.maximum(stacked.std(axis=0), 1e-8)
    frames = standardise(raw, mean, std)
    pairs = skipgram_pairs(segments, window)
    keras.utils.set_random_seed(seed)
    model, encoder = build_speech2vec(dim=dim, units=units)
    # One line per epoch when the output is a file: a bar redrawn for every batch fills a log.
    verbose = (1 if sys.stdout.isatty() else 2) if progress else 0
    history = model.fit(_pair_batches(frames, pairs, batch_size, seed), epochs=epochs, verbose=verbose)
    return {
        "model": model,
        "encoder": encoder,
        "segments": segments,
        "frames": frames,
        "pairs": pairs,
        "history": history.history["loss"],
        "mean": mean,
        "std": std,
    }


def embed_segments(encoder, frames, batch_size=256):
    """The encoder's embedding of every segment.

    Parameters
    ----------
    encoder : keras.Model
    frames : list of np.ndarray, each (n, 13)
        Standardised as in training.
    batch_size : int

    Returns
    -------
    np.ndarray, float32, shape (len(frames), dim)
        Independent of batching: padding is masked.
    """
    dim = encoder.output_shape[-1]
    out = np.zeros((len(frames), dim), dtype=np.float32)
    for batch in length_batches([len(f) for f in frames], batch_size):
        out[batch] = np.asarray(encoder(_pad([frames[i] for i in batch]), training=False))
    return out


def word_vectors(encoder, segments, frames, batch_size=256):
    """Each word type's mean embedding over its spoken segments.

    Returns
    -------
    dict of str -> np.ndarray (dim,)
        Words by descending number of segments, ties alphabetical.
    """
    return mean_by_word([s.word for s in segments], embed_segments(encoder, frames, batch_size))


def mean_by_word(words, embeddings):
    """Mean embedding per word type.

    Parameters
    ----------
    words : sequence of str, length n
    embeddings : np.ndarray, shape (n, dim)

    Returns
    -------
    dict of str -> np.ndarray (dim,)
        Words by descending count, ties alphabetical.
    """
    sums: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    for word, vector in zip(words, embeddings):
        sums[word] = sums.get(word, 0) + vector
        counts[word] = counts.get(word, 0) + 1
    order = sorted(sums, key=lambda word: (-counts[word], word))
    return {word: (sums[word] / counts[word]).astype(np.float32) for word in order}


def write_vectors(path, vectors):
    """Write word vectors in word2vec text format (header ``count dim``), which gensim reads."""
    dim = len(next(iter(vectors.values())))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f"{len(vectors)} {dim}\n")
        for word, vector in vectors.items():
            handle.write(word + " " + " ".join(f"{value:.6f}" for value in vector) + "\n")


def save_speech2vec(directory, result, settings):
    """Write ``vectors.vec``, ``encoder.keras`` and ``training.json`` to a folder.

    Parameters
    ----------
    directory : path
    result : dict
        As returned by :func:`train_speech2vec`.
    settings : dict
        Recorded in ``training.json`` (corpus, sessions, dim, epochs ...), with the
        loss per epoch and the MFCC statistics that new audio must be standardised with.

    Returns
    -------
    dict of str -> np.ndarray
        The word vectors written.
    """
    from ..io import atomic_folder

    directory = Path(directory)
    check_output(directory)
    vectors = word_vectors(result["encoder"], result["segments"], result["frames"])
    record = dict(settings)
    record.update(
        segments=len(result["segments"]),
        pairs=len(result["pairs"]),
        words=len(vectors),
        loss_per_epoch=[float(v) for v in result["history"]],
        mfcc_mean=[float(v) for v in result["mean"]],
        mfcc_std=[float(v) for v in result["std"]],
    )
    # An interrupted save leaves no half model.
    with atomic_folder(directory) as partial:
        write_vectors(partial / VECTORS_FILE, vectors)
        result["encoder"].save(partial / ENCODER_FILE)
        (partial / SETTINGS_FILE).write_text(json.dumps(record, indent=2) + "\n")
    return vectors


def check_output(directory):
    """Raise ValueError unless ``directory`` is missing, empty or a previous Speech2Vec model (replaced)."""
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()) and not (directory / SETTINGS_FILE).is_file():
        raise ValueError(f"{directory} exists and is not a Speech2Vec model folder; refusing to replace it")


def load_speech2vec(directory):
    """Read a folder written by :func:`save_speech2vec`.

    Returns
    -------
    encoder : keras.Model
    settings : dict
        ``training.json``, with ``mfcc_mean`` and ``mfcc_std`` as np.ndarray (13,).

    Raises
    ------
    ValueError
        When the folder is not a complete Speech2Vec model.
    """
    import keras

    directory = Path(directory)
    for name in (SETTINGS_FILE, ENCODER_FILE):
        if not (directory / name).is_file():
            raise ValueError(
                f"{directory} is not a Speech2Vec model folder (no {name}); "
                "write one with: python -m ser_keras.speech2vec train --out DIR"
            )
    settings = json.loads((directory / SETTINGS_FILE).read_text())
    settings["mfcc_mean"] = np.asarray(settings["mfcc_mean"], dtype=np.float32)
    settings["mfcc_std"] = np.asarray(settings["mfcc_std"], dtype=np.float32)
    return keras.models.load_model(directory / ENCODER_FILE), settings
