"""Word segments of a corpus for Speech2Vec: alignments, skip-gram pairs and MFCC frames.

Defaults and where they come from: 13 MFCC, 10 ms hop, 25 ms window and a context
window of 3 words each side follow Chung and Glass (Interspeech 2018).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_MFCC = 13
MFCC_HOP_SECONDS = 0.010
MFCC_WINDOW_SECONDS = 0.025
CONTEXT_WINDOW = 3
MAX_SEGMENT_FRAMES = 100  # 1 s: longer words are cut (rare; keeps batches small)


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
    require_alignments(utterances)
    segments = []
    for index, utterance in enumerate(utterances):
        for position, word in enumerate(utterance.words):
            segments.append(Segment(index, position, word.word, word.start, word.end))
    return segments


def require_alignments(utterances):
    """Raise one ValueError naming how many utterances lack a word alignment, and the first."""
    missing = [utterance.id for utterance in utterances if not utterance.words]
    if missing:
        raise ValueError(
            f"{len(missing)} of {len(utterances)} utterances have no word alignment (first: {missing[0]}); "
            "Speech2Vec needs word boundaries (IEMOCAP .wdseg files or the demo corpus; a manifest CSV "
            "carries none)"
        )


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

    hop = int(round(MFCC_HOP_SECONDS * sample_rate))
    window = int(round(MFCC_WINDOW_SECONDS * sample_rate))
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
    first = int(np.floor(start / MFCC_HOP_SECONDS))
    last = max(int(np.ceil(end / MFCC_HOP_SECONDS)), first + 1)
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


def segment_features(utterances, segments, progress=True):
    """MFCC frames of every segment, read from each utterance's audio once.

    Returns
    -------
    list of np.ndarray, each (n_frames, 13)
    """
    from tqdm import tqdm

    from ..features.audio import load_audio

    by_utterance: dict[int, list[int]] = {}
    for index, segment in enumerate(segments):
        by_utterance.setdefault(segment.utterance, []).append(index)
    frames = [None] * len(segments)
    for utterance_index in tqdm(sorted(by_utterance), desc="word segments", unit="utt", disable=not progress):
        mfcc = utterance_mfcc(load_audio(utterances[utterance_index].wav_path))
        for index in by_utterance[utterance_index]:
            frames[index] = segment_frames(mfcc, segments[index].start, segments[index].end)[:MAX_SEGMENT_FRAMES]
    return frames


def standardise(frames, mean, std):
    """Each segment's frames standardised per coefficient with a corpus's statistics.

    Parameters
    ----------
    frames : list of np.ndarray, each (n, 13)
    mean, std : np.ndarray, shape (13,)

    Returns
    -------
    list of np.ndarray, float32, each (n, 13)
    """
    return [((f - mean) / std).astype(np.float32) for f in frames]
