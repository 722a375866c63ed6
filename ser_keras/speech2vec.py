"""Speech2Vec in Keras (Chung and Glass, Interspeech 2018): word embeddings learned from speech.

An RNN encoder reads the MFCC frames of one spoken word and its final state,
projected to D, is the word's embedding; an RNN decoder, given that embedding,
generates the MFCC frames of each neighbouring word (skip-gram), trained with
mean squared error on real frames only.

This module holds the steps from word alignments to a trainable model:

* :func:`word_segments`: aligned words of each utterance;
* :func:`skipgram_pairs`: (centre, context) pairs within a window of words;
* :func:`utterance_mfcc` and :func:`segment_frames`: 13 MFCC per 10 ms frame (25 ms window);
* :func:`build_speech2vec`: the encoder-decoder, with the encoder as its own model.

Defaults and where they come from: 13 MFCC, 10 ms hop, 25 ms window and a context
window of 3 words each side follow Chung and Glass; the Bi-LSTM encoder and LSTM decoder
sizes (``units=128``) are this project's choice for small corpora.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_MFCC = 13
HOP_SECONDS = 0.010
WINDOW_SECONDS = 0.025
CONTEXT_WINDOW = 3


@dataclass(frozen=True)
class Segment:
    """One aligned word of one utterance.

    Attributes
    ----------
    utterance : int
        Index of the utterance in the list given to :func:`word_segments`.
    position : int
        Index of the word in its utterance's alignment.
    word : str
    start, end : float
        Seconds.
    """

    utterance: int
    position: int
    word: str
    start: float
    end: float


def word_segments(utterances):
    """Every aligned word of every utterance, in order.

    Parameters
    ----------
    utterances : sequence of Utterance

    Returns
    -------
    list of Segment

    Raises
    ------
    ValueError
        When an utterance has no word alignment (Speech2Vec needs word boundaries).
    """
    segments = []
    for index, utterance in enumerate(utterances):
        if not utterance.words:
            raise ValueError(f"{utterance.id} has no word alignment; Speech2Vec needs one for every utterance")
        for position, word in enumerate(utterance.words):
            segments.append(Segment(index, position, word.word, word.start, word.end))
    return segments


def skipgram_pairs(segments, window=CONTEXT_WINDOW):
    """(centre, context) pairs of words at most ``window`` apart within one utterance.

    Parameters
    ----------
    segments : sequence of Segment
        As returned by :func:`word_segments`.
    window : int
        Context words on each side.

    Returns
    -------
    np.ndarray, int64, shape (n_pairs, 2)
        Indices into ``segments``: centre first, context second; centres in order,
        contexts from left to right.
    """
    by_utterance: dict[int, list[int]] = {}
    for index, segment in enumerate(segments):
        by_utterance.setdefault(segment.utterance, []).append(index)
    pairs = []
    for indices in by_utterance.values():
        for i, centre in enumerate(indices):
            for j in range(max(0, i - window), min(len(indices), i + window + 1)):
                if j != i:
                    pairs.append((centre, indices[j]))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def utterance_mfcc(signal, sample_rate=16000):
    """13 MFCC per 10 ms frame with a 25 ms window (librosa).

    Parameters
    ----------
    signal : np.ndarray, shape (n_samples,)
    sample_rate : int

    Returns
    -------
    np.ndarray, float32, shape (n_frames, 13)
        Frame t covers the window centred at t * 10 ms.
    """
    import librosa

    hop = int(round(HOP_SECONDS * sample_rate))
    window = int(round(WINDOW_SECONDS * sample_rate))
    mfcc = librosa.feature.mfcc(
        y=np.asarray(signal, dtype=np.float32),
        sr=sample_rate,
        n_mfcc=N_MFCC,
        n_fft=512,
        win_length=window,
        hop_length=hop,
    )
    return mfcc.T.astype(np.float32)


def segment_frames(mfcc, start, end):
    """The MFCC frames of one word: frames whose centres fall in [start, end).

    Returns
    -------
    np.ndarray, shape (n, 13)
        At least one frame.
    """
    first = int(np.floor(start / HOP_SECONDS))
    last = max(int(np.ceil(end / HOP_SECONDS)), first + 1)
    return mfcc[first : min(last, len(mfcc))] if first < len(mfcc) else mfcc[-1:]


def pad_segments(frames_list, max_frames=None):
    """Stack variable-length segments, zero-padded.

    Returns
    -------
    np.ndarray, float32, shape (n, max_frames, 13)
    """
    max_frames = max_frames or max(len(frames) for frames in frames_list)
    out = np.zeros((len(frames_list), max_frames, N_MFCC), dtype=np.float32)
    for i, frames in enumerate(frames_list):
        out[i, : min(len(frames), max_frames)] = frames[:max_frames]
    return out


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


MAX_SEGMENT_FRAMES = 100  # 1 s: longer words are cut (rare; keeps batches small)


def segment_features(utterances, segments, progress=True):
    """MFCC frames of every segment, read from each utterance's audio once.

    Returns
    -------
    list of np.ndarray, each (n_frames, 13)
    """
    from tqdm import tqdm

    from .features.audio import load_audio

    by_utterance: dict[int, list[int]] = {}
    for index, segment in enumerate(segments):
        by_utterance.setdefault(segment.utterance, []).append(index)
    frames = [None] * len(segments)
    for utterance_index in tqdm(sorted(by_utterance), desc="word segments", unit="utt", disable=not progress):
        mfcc = utterance_mfcc(load_audio(utterances[utterance_index].wav_path))
        for index in by_utterance[utterance_index]:
            frames[index] = segment_frames(mfcc, segments[index].start, segments[index].end)[:MAX_SEGMENT_FRAMES]
    return frames


def train_speech2vec(
    utterances, dim=50, epochs=10, window=CONTEXT_WINDOW, units=128, batch_size=64, seed=0, progress=True
):
    """Train Speech2Vec on the aligned words of a corpus.

    MFCCs are standardised with the corpus's mean and standard deviation per
    coefficient (returned, to be applied to new audio the same way).

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
        (n, 13)), ``history`` (loss per epoch), ``mean`` and ``std`` (13,).
    """
    import keras

    segments = word_segments(utterances)
    raw = segment_features(utterances, segments, progress)
    stacked = np.concatenate(raw)
    mean, std = stacked.mean(axis=0), np.maximum(stacked.std(axis=0), 1e-8)
    frames = [((f - mean) / std).astype(np.float32) for f in raw]
    pairs = skipgram_pairs(segments, window)
    padded = pad_segments(frames)  # to the longest segment: masking makes further padding a no-op
    keras.utils.set_random_seed(seed)
    model, encoder = build_speech2vec(dim=dim, units=units)
    centre, context = padded[pairs[:, 0]], padded[pairs[:, 1]]
    history = model.fit(
        [centre, teacher_forcing_inputs(context)],
        context,
        batch_size=batch_size,
        epochs=epochs,
        shuffle=True,
        verbose=1 if progress else 0,
    )
    return {
        "model": model,
        "encoder": encoder,
        "segments": segments,
        "frames": frames,
        "history": history.history["loss"],
        "mean": mean,
        "std": std,
    }


def word_vectors(encoder, segments, frames, batch_size=256):
    """Each word type's mean embedding over its spoken segments.

    Returns
    -------
    dict of str -> np.ndarray (dim,)
        Words by descending number of segments, ties alphabetical.
    """
    embeddings = encoder.predict(pad_segments(frames), batch_size=batch_size, verbose=0)
    sums: dict[str, np.ndarray] = {}
    counts: dict[str, int] = {}
    for segment, vector in zip(segments, embeddings):
        sums[segment.word] = sums.get(segment.word, 0) + vector
        counts[segment.word] = counts.get(segment.word, 0) + 1
    order = sorted(sums, key=lambda word: (-counts[word], word))
    return {word: (sums[word] / counts[word]).astype(np.float32) for word in order}


def write_vectors(path, vectors):
    """Write word vectors in word2vec text format (header ``count dim``), which gensim reads."""
    dim = len(next(iter(vectors.values())))
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(f"{len(vectors)} {dim}\n")
        for word, vector in vectors.items():
            handle.write(word + " " + " ".join(f"{value:.6f}" for value in vector) + "\n")


def main(argv=None):
    """``python -m ser_keras.speech2vec train ...``: train Speech2Vec and write vectors.vec."""
    import argparse
    import json
    import os
    from pathlib import Path

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.speech2vec", description="Speech2Vec (Chung and Glass 2018) in Keras."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train on a corpus with word alignments; write vectors.vec")
    train.add_argument("--corpus", choices=("demo", "iemocap", "manifest"), default="demo")
    train.add_argument("--root", type=Path, default=None, help="as in feature_extraction.py")
    train.add_argument("--dim", type=int, default=50, help="embedding size (default: 50)")
    train.add_argument("--epochs", type=int, default=10, help="epochs (default: 10)")
    train.add_argument("--window", type=int, default=CONTEXT_WINDOW, help="context words each side (default: 3)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", type=Path, required=True, help="output folder")
    args = parser.parse_args(argv)

    from .corpora import CorpusError
    from .corpora.loading import load_corpus

    try:
        utterances, _ = load_corpus(args.corpus, args.root)
        result = train_speech2vec(utterances, dim=args.dim, epochs=args.epochs, window=args.window, seed=args.seed)
    except (CorpusError, ValueError) as error:
        parser.exit(2, f"error: {error}\n")
    args.out.mkdir(parents=True, exist_ok=True)
    vectors = word_vectors(result["encoder"], result["segments"], result["frames"])
    write_vectors(args.out / "vectors.vec", vectors)
    result["encoder"].save(args.out / "encoder.keras")
    (args.out / "training.json").write_text(
        json.dumps(
            {
                "dim": args.dim,
                "epochs": args.epochs,
                "window": args.window,
                "seed": args.seed,
                "segments": len(result["segments"]),
                "loss_per_epoch": [float(v) for v in result["history"]],
                "mfcc_mean": result["mean"].tolist(),
                "mfcc_std": result["std"].tolist(),
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {args.out}/vectors.vec ({len(vectors)} words, dim {args.dim}) and encoder.keras")
    print("loss per epoch: " + ", ".join(f"{v:.3f}" for v in result["history"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
