"""CA-MSER's 3-second segments: 40 MFCC and a log spectrogram per segment, and the segment's waveform.

Settings of the authors' ``features_extraction/features_util.py`` (``Vincent-ZHQ/CA-MSER``):
16 kHz audio with pre-emphasis; over the whole utterance, 40 MFCC (librosa,
HTK mel scale, n_fft 2048, hop 160) and the magnitude STFT (Hamming window of 40 ms,
hop 10 ms, n_fft 800) in dB relative to the utterance's maximum, lowest 200 bins. Both
have ``1 + n_samples // 160`` frames; the utterance is cut into ``ceil(frames / 300)``
segments of 300 frames (3 s).

The last segment: in the authors' code it starts where the one before it ended and is
zero-padded at the end (``last="padded"``, the default here). The paper's description
puts it shifted back to end at the utterance's end; ``last="shifted"``
does that. The waveform of segment i is samples ``[48000 i, 48000 (i + 1))`` (or the
last 48,000 when shifted), zero-padded at the *front*, as the code pads it.
"""

from __future__ import annotations

import math

import numpy as np

from .sets import FeatureSet, Option, map_utterances, register_feature_set

SAMPLE_RATE = 16000
HOP_LENGTH = 160  # 10 ms
SEGMENT_FRAMES = 300  # 3 s
SEGMENT_SAMPLES = SEGMENT_FRAMES * HOP_LENGTH
N_MFCC = 40
MFCC_N_FFT = 2048  # librosa's default, which the code keeps
WINDOW_LENGTH = 640  # 40 ms
N_FFT = 800
N_BINS = 200
LAST_SEGMENT = ("padded", "shifted")


def preemphasis(signal):
    """``librosa.effects.preemphasis(signal, zi=[0])``, as the code filters every utterance."""
    import librosa

    return librosa.effects.preemphasis(np.asarray(signal, dtype=np.float32), zi=[0.0]).astype(np.float32)


def segment_bounds(length, size, last="padded", count=None):
    """Start and end of each segment of a sequence of ``length`` steps.

    Parameters
    ----------
    length : int
    size : int
        Steps per segment.
    last : {"padded", "shifted"}
        ``padded``: segment i is ``[i size, min((i + 1) size, length))``, the last one
        shorter (zero-padded by its user); ``shifted``: the last one is the final
        ``size`` steps (all of them when ``length < size``).
    count : int, optional
        Number of segments (default ``ceil(length / size)``, at least 1); the waveform's
        segments follow the spectrogram's count.

    Returns
    -------
    np.ndarray, int64, shape (count, 2)
        ``[start, end)`` of each segment; ``end - start <= size``.
    """
    if last not in LAST_SEGMENT:
        raise ValueError(f"last must be one of {LAST_SEGMENT}, got {last!r}")
    count = max(1, math.ceil(length / size)) if count is None else int(count)
    starts = np.arange(count, dtype=np.int64) * size
    bounds = np.stack([np.minimum(starts, length), np.minimum(starts + size, length)], axis=1)
    if last == "shifted":
        bounds[-1] = (max(0, length - size), length)
    return bounds


def cut(frames, bounds, size):
    """The segments of ``frames`` (T, F), each zero-padded at the end to ``size``: (S, size, F)."""
    segments = np.zeros((len(bounds), size, frames.shape[1]), dtype=np.float32)
    for index, (start, end) in enumerate(bounds):
        segments[index, : end - start] = frames[start:end]
    return segments


def cut_wave(signal, bounds, size=SEGMENT_SAMPLES):
    """The waveform segments, each zero-padded at the front to ``size``: (S, size)."""
    segments = np.zeros((len(bounds), size), dtype=np.float32)
    for index, (start, end) in enumerate(bounds):
        if end > start:
            segments[index, size - (end - start) :] = signal[start:end]
    return segments


def log_spectrogram(signal):
    """dB magnitude STFT (Hamming 40 ms, hop 10 ms, n_fft 800, ref = maximum), lowest 200 bins: (frames, 200)."""
    import librosa

    magnitude = np.abs(
        librosa.stft(signal, n_fft=N_FFT, hop_length=HOP_LENGTH, win_length=WINDOW_LENGTH, window="hamming")
    )
    return librosa.amplitude_to_db(magnitude, ref=np.max)[:N_BINS].T.astype(np.float32)


def mfcc(signal, sample_rate=SAMPLE_RATE):
    """40 MFCC (HTK mel scale, n_fft 2048, hop 160): (frames, 40)."""
    import librosa

    return librosa.feature.mfcc(y=signal, sr=sample_rate, n_mfcc=N_MFCC, hop_length=HOP_LENGTH, htk=True).T.astype(
        np.float32
    )


def segment_features(signal, last="padded"):
    """One utterance's segments: MFCC, log spectrogram and the waveform bounds.

    Parameters
    ----------
    signal : np.ndarray, float, shape (n_samples,)
        16 kHz mono audio (pre-emphasis is applied here).
    last : {"padded", "shifted"}

    Returns
    -------
    dict
        ``mfcc`` (S, 300, 40), ``spectrogram`` (S, 200, 300) (frequency by time, as the
        code's image), ``bounds`` (S, 2) in samples: each segment's span of the waveform.
    """
    emphasised = preemphasis(signal)
    spectrogram = log_spectrogram(emphasised)
    coefficients = mfcc(emphasised)
    frames = len(spectrogram)
    bounds = segment_bounds(frames, SEGMENT_FRAMES, last)
    return {
        "mfcc": cut(coefficients, bounds, SEGMENT_FRAMES),
        "spectrogram": cut(spectrogram, bounds, SEGMENT_FRAMES).transpose(0, 2, 1),
        "bounds": segment_bounds(len(emphasised), SEGMENT_SAMPLES, last, count=len(bounds)),
    }


def segments_of_file(path, last="padded"):
    """:func:`segment_features` of one audio file (module level, for worker processes)."""
    from .audio import load_audio

    return segment_features(load_audio(path), last)


def wave_segments_of_file(item):
    """The pre-emphasised waveform segments of one file, ``item = (path, bounds)``: (S, 48000)."""
    from .audio import load_audio

    path, bounds = item
    return cut_wave(preemphasis(load_audio(path)), bounds)


# The feature sets of this family.


def _segments(context):
    """CA-MSER's 3 s segments: counts per utterance, then per segment MFCC, log spectrogram and waveform span."""
    from functools import partial

    last = SEGMENTS.value(context, "segment_last")
    results = map_utterances(partial(segments_of_file, last=last), context, "segments")
    # float16 halves the store; dB values and MFCC keep 3 significant digits.
    arrays = {
        "segment_counts": np.array([len(result["bounds"]) for result in results], dtype=np.int32),
        "segment_bounds": np.concatenate([result["bounds"] for result in results]),
        "segment_mfcc": np.concatenate([result["mfcc"] for result in results]).astype(np.float16),
        "segment_spectrogram": np.concatenate([result["spectrogram"] for result in results]).astype(np.float16),
    }
    return arrays, {
        "per_segment": ["segment_bounds", "segment_mfcc", "segment_spectrogram"],
        "segment_frames": SEGMENT_FRAMES,
        "hop": HOP_LENGTH,
        "last_segment": last,
        "mfcc": f"{N_MFCC} MFCC, HTK mel scale, n_fft 2048, after pre-emphasis",
        "spectrogram": f"dB magnitude (ref = maximum), Hamming 640, n_fft 800, lowest {N_BINS} bins",
    }


SEGMENTS = register_feature_set(
    FeatureSet(
        "segments",
        "CA-MSER's 3 s segments: per segment 40 MFCC (300 x 40) and the log spectrogram (200 x 300) "
        "(--segment-last padded|shifted)",
        ("segment_counts", "segment_bounds", "segment_mfcc", "segment_spectrogram"),
        compute=_segments,
        packages=("numpy", "librosa"),
        options=(
            Option(
                "segment_last",
                str,
                LAST_SEGMENT[0],
                "the last 3 s segment starts where the one before ended, "
                "zero-padded (padded: CA-MSER's code), or ends at the utterance's end (shifted)",
                LAST_SEGMENT,
                records="last_segment",
            ),
        ),  # fmt: skip
        shapes={
            "segment_counts": ("utterances",),
            "segment_bounds": ("segments", 2),
            "segment_mfcc": ("segments", 300, 40),
            "segment_spectrogram": ("segments", 200, 300),
        },
        by_utterance=True,
    )
)
