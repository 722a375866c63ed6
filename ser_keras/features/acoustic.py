"""The paper's 34 acoustic features per 100 ms frame (section 2.1).

13 MFCC, 13 chroma (12 pitch classes and their standard deviation) and 8
time/spectral features (zero-crossing rate, energy, entropy of energy, spectral
centroid, spread, entropy, flux, roll-off): exactly pyAudioAnalysis
``ShortTermFeatures.feature_extraction(..., deltas=False)`` with 100 ms windows
and no overlap, in its order and with its names.
"""

from __future__ import annotations

import functools

import numpy as np

from .audio import SAMPLE_RATE, AudioError, load_audio
from .parallel import map_files
from .sets import FeatureSet, Option, register_feature_set

FRAME_SECONDS = 0.1  # section 2.1: 100 ms windows, no overlap (window = hop)
FEATURE_NAMES = (
    ["zcr", "energy", "energy_entropy", "spectral_centroid", "spectral_spread", "spectral_entropy"]
    + ["spectral_flux", "spectral_rolloff"]
    + [f"mfcc_{i}" for i in range(1, 14)]
    + [f"chroma_{i}" for i in range(1, 13)]
    + ["chroma_std"]
)
N_FEATURES = len(FEATURE_NAMES)  # 34
MAX_FRAMES = 200  # section 2.1: 200 frames cover 20 s
BACKENDS = ("vectorised", "pyaudioanalysis")


def extract(signal, sample_rate=SAMPLE_RATE, backend="vectorised", window_seconds=FRAME_SECONDS, step_seconds=None):
    """The 34 features of every full frame (default: the paper's 100 ms frames, no overlap).

    Parameters
    ----------
    signal : np.ndarray, shape (n_samples,)
    sample_rate : int
    backend : {"vectorised", "pyaudioanalysis"}
        ``"vectorised"`` (default) equals the pyAudioAnalysis reference and is
        about 20 times faster (``benchmarks/acoustic_features.py``).
    window_seconds, step_seconds : float
        Frame length and hop (``step_seconds`` defaults to the window: no overlap).
        Atmaja's HSF use 0.025 and 0.010.

    Returns
    -------
    np.ndarray, float64, shape (n_frames, 34)
    """
    if backend == "vectorised":
        return extract_vectorised(signal, sample_rate, window_seconds, step_seconds)
    if backend == "pyaudioanalysis":
        return extract_reference(signal, sample_rate, window_seconds, step_seconds)
    raise ValueError(f"backend must be one of {BACKENDS}, got {backend!r}")


def pad_or_cut(features, max_frames=MAX_FRAMES):
    """Zero-pad or cut a feature sequence to ``max_frames`` rows.

    Parameters
    ----------
    features : np.ndarray, shape (n_frames, n_features)
    max_frames : int

    Returns
    -------
    padded : np.ndarray, float32, shape (max_frames, n_features)
        Rows past ``length`` are exactly zero.
    length : int
        Real frames kept.
    cut : int
        Frames cut off the end.
    """
    length = min(len(features), max_frames)
    padded = np.zeros((max_frames, features.shape[1]), dtype=np.float32)
    padded[:length] = features[:length]
    return padded, length, len(features) - length


def extract_reference(signal, sample_rate=SAMPLE_RATE, window_seconds=FRAME_SECONDS, step_seconds=None):
    """The 34 features computed by pyAudioAnalysis itself (the reference backend).

    Parameters
    ----------
    signal : np.ndarray, shape (n_samples,)
        Mono audio, any scale (pyAudioAnalysis removes DC and normalises the peak).
    sample_rate : int
    window_seconds, step_seconds : float
        Frame length and hop (default: 100 ms, no overlap).

    Returns
    -------
    np.ndarray, float64, shape (n_frames, 34)
        One row per full window, ``n_frames = (n_samples - window) // step + 1``.
    """
    # Only ShortTermFeatures: pyAudioAnalysis' audioBasicIO needs packages this project does not use.
    from pyAudioAnalysis import ShortTermFeatures

    window, step = _window_and_step(sample_rate, window_seconds, step_seconds)
    signal = np.asarray(signal, dtype=np.float64)
    if signal.size < window:
        return np.zeros((0, N_FEATURES))
    features, names = ShortTermFeatures.feature_extraction(signal, sample_rate, window, step, deltas=False)
    if list(names) != FEATURE_NAMES:
        raise RuntimeError(f"pyAudioAnalysis returned unexpected feature names: {names}")
    return features.T


def _window_and_step(sample_rate, window_seconds, step_seconds):
    window = int(round(window_seconds * sample_rate))
    return window, int(round((step_seconds or window_seconds) * sample_rate))


def extract_vectorised(signal, sample_rate=SAMPLE_RATE, window_seconds=FRAME_SECONDS, step_seconds=None):
    """The 34 features for all frames at once; equal to :func:`extract_reference`.

    pyAudioAnalysis loops over frames in Python; this computes the same
    formulas on a (frames, window) matrix with NumPy and SciPy, and uses
    pyAudioAnalysis' own MFCC filter bank and chroma tables. The parity test
    (``tests/test_acoustic.py``) holds it to the reference within 1e-6
    relative on speech, noise, silence, tones and clipping.

    Parameters
    ----------
    signal : np.ndarray, shape (n_samples,)
        Mono audio, any scale.
    sample_rate : int
    window_seconds, step_seconds : float
        Frame length and hop (default: 100 ms, no overlap).

    Returns
    -------
    np.ndarray, float64, shape (n_frames, 34)
    """
    from scipy.fft import dct, rfft

    eps = np.finfo(np.float64).eps
    window, step = _window_and_step(sample_rate, window_seconds, step_seconds)
    signal = np.asarray(signal, dtype=np.float64)
    n_frames = (len(signal) - window) // step + 1 if len(signal) >= window else 0
    if n_frames == 0:
        return np.zeros((0, N_FEATURES))
    # As pyAudioAnalysis: scale by 2**15, remove DC, scale the peak to 1 over the whole
    # signal. Scaling by a power of two is exact, so it can come after the mean.
    signal = signal - signal.mean()
    peak = np.abs(signal).max() / 2.0**15
    signal = signal / (2.0**15 * (peak + 1e-10))
    frames = np.lib.stride_tricks.sliding_window_view(signal, window)[::step][:n_frames]
    num_fft = window // 2

    features = np.empty((n_frames, N_FEATURES))
    signs = (frames > 0).astype(np.int8) - (frames < 0).astype(np.int8)
    features[:, 0] = np.abs(np.diff(signs, axis=1)).sum(axis=1, dtype=np.int64) / 2 / (window - 1)
    frame_energy = np.einsum("ij,ij->i", frames, frames)
    features[:, 1] = frame_energy / window
    features[:, 2] = _block_entropy(frames, frame_energy, eps)

    magnitude = np.abs(rfft(frames, axis=1)[:, :num_fft]) / num_fft
    power = magnitude**2
    total_power = power.sum(axis=1)
    magnitude_sum = magnitude.sum(axis=1)

    features[:, 3], features[:, 4] = _centroid_and_spread(magnitude, magnitude_sum, sample_rate, num_fft, eps)
    features[:, 5] = _block_entropy(magnitude, total_power, eps)

    normalised = magnitude / (magnitude_sum + num_fft * eps)[:, None]
    flux = np.zeros(n_frames)  # the first frame is its own previous frame
    flux[1:] = ((normalised[1:] - normalised[:-1]) ** 2).sum(axis=1)
    features[:, 6] = flux

    above = np.cumsum(power, axis=1) + eps > (0.90 * total_power)[:, None]
    features[:, 7] = np.where(above.any(axis=1), above.argmax(axis=1) / float(num_fft), 0.0)

    filter_bank, chroma_tables = _tables(sample_rate, num_fft)
    features[:, 8:21] = dct(np.log10(magnitude @ filter_bank + eps), type=2, norm="ortho", axis=-1)[:, :13]

    chroma = power @ chroma_tables
    # As pyAudioAnalysis: a silent frame is divided by eps instead of its (zero) power.
    chroma /= np.where(total_power == 0, eps, total_power)[:, None]
    features[:, 21:33] = chroma
    features[:, 33] = np.sqrt(((chroma - chroma.mean(axis=1, keepdims=True)) ** 2).mean(axis=1))
    return features


def _centroid_and_spread(magnitude, magnitude_sum, sample_rate, num_fft, eps):
    """Spectral centroid and spread of every frame, as fractions of the Nyquist frequency."""
    # pyAudioAnalysis scales each frame to peak 1 (or divides by eps when the frame is
    # silent) before the centroid and spread; `scale` applies that to the weighted sums.
    bin_frequencies = np.arange(1, num_fft + 1) * (sample_rate / (2.0 * num_fft))
    peak = magnitude.max(axis=1)
    scale = np.where(peak == 0, 1 / eps, 1 / np.where(peak == 0, 1, peak))
    weight = magnitude_sum * scale
    first = (magnitude @ bin_frequencies) * scale
    denominator = weight + eps
    centroid = first / denominator
    # Summed about the centroid, not expanded: a pure tone's spread is ~1e-7 and would cancel away.
    deviation = np.einsum("ij,ij->i", (bin_frequencies[None, :] - centroid[:, None]) ** 2, magnitude) * scale
    return centroid / (sample_rate / 2.0), np.sqrt(deviation / denominator) / (sample_rate / 2.0)


@functools.lru_cache(maxsize=8)
def _tables(sample_rate, num_fft):
    """pyAudioAnalysis' MFCC filter bank (bins, 40) and chroma matrix (bins, 12), built once per window size."""
    from pyAudioAnalysis.ShortTermFeatures import chroma_features_init, mfcc_filter_banks

    filter_bank, _ = mfcc_filter_banks(sample_rate, num_fft)
    return np.ascontiguousarray(filter_bank.T), _chroma_matrix(*chroma_features_init(num_fft, sample_rate))


def _block_entropy(rows, row_energy, eps, n_blocks=10):
    """Entropy of the energy shares of 10 equal blocks of each row (pyAudioAnalysis' energy_entropy)."""
    block = rows.shape[1] // n_blocks
    blocks = rows[:, : block * n_blocks].reshape(len(rows), n_blocks, block)
    shares = np.einsum("ijk,ijk->ij", blocks, blocks) / (row_energy + eps)[:, None]
    return -(shares * np.log2(shares + eps)).sum(axis=1)


def _chroma_matrix(num_chroma, num_freqs_per_chroma):
    """A (bins, 12) matrix so that ``power @ matrix`` is pyAudioAnalysis' chroma before normalising.

    pyAudioAnalysis writes each bin's power to the slot of its chroma number with
    ``C[num_chroma] = spec``: repeated numbers keep the *last* bin (no sum), negative
    numbers wrap to the end, each slot is then divided by a count looked up by
    position, and slots are summed 12 apart. The matrix records which bin lands in
    which of the 12 classes, with which divisor.
    """
    length = num_chroma.shape[0]
    if num_chroma.max() >= length:
        raise ValueError("chroma tables need a longer window at this sample rate")
    source = np.full(length, -1)
    source[num_chroma % length] = np.arange(length)  # NumPy keeps the last write, as pyAudioAnalysis
    divisor = num_freqs_per_chroma[num_chroma]
    matrix = np.zeros((length, 12))
    for slot in np.nonzero(source >= 0)[0]:
        matrix[source[slot], slot % 12] += 1.0 / divisor[slot]
    return matrix


def acoustic_features(wav_paths, backend="vectorised", max_frames=MAX_FRAMES, workers=1, progress=True):
    """The 34 features of every file, padded or cut to ``max_frames``; unusable files skipped.

    Parameters
    ----------
    wav_paths : sequence of path, length N
    backend : {"vectorised", "pyaudioanalysis"}
    max_frames : int
    workers : int
        Processes across files.
    progress : bool

    Returns
    -------
    dict
        ``features`` float32 (K, max_frames, 34), ``lengths`` int32 (K,),
        ``cut`` int32 (K,), ``seconds`` float64 (K,) for the K usable files;
        ``kept`` (K,) their indices into ``wav_paths``; ``skipped`` a list of
        ``(index, reason)``.
    """
    jobs = [(index, str(path), backend, max_frames) for index, path in enumerate(wav_paths)]
    results = map_files(_one_file, jobs, workers, progress, "acoustic features")
    good = [r for r in results if len(r) == 5]
    return {
        "features": np.stack([r[1] for r in good]) if good else np.zeros((0, max_frames, N_FEATURES), np.float32),
        "lengths": np.array([r[2] for r in good], dtype=np.int32),
        "cut": np.array([r[3] for r in good], dtype=np.int32),
        "seconds": np.array([r[4] for r in good], dtype=np.float64),
        "kept": np.array([r[0] for r in good], dtype=np.int64),
        "skipped": [(r[0], r[1]) for r in results if len(r) == 2],
    }


def _one_file(job):
    index, path, backend, max_frames = job
    try:
        signal = load_audio(path)
    except AudioError as error:
        return index, error.reason
    padded, length, cut = pad_or_cut(extract(signal, SAMPLE_RATE, backend), max_frames)
    if not np.all(np.isfinite(padded)):
        return index, "non-finite features"
    return index, padded, length, cut, len(signal) / SAMPLE_RATE


# The feature sets of this family: the paper's frames (a base set) and their statistics.


def _acoustic_frames(context):
    """The 34 features per 100 ms frame of each utterance's audio, as ``feature_extraction.py`` computes them."""
    backend = ACOUSTIC.value(context, "acoustic_backend")
    max_frames = ACOUSTIC.value(context, "max_frames")
    paths = [utterance.wav_path for utterance in context.utterances()]
    for path in paths:
        if not path.is_file():
            raise ValueError(f"reading acoustic features needs an audio file, got {str(path)!r}")
    computed = acoustic_features(paths, backend, max_frames, context.workers, context.progress)
    if computed["skipped"]:
        # The bundle leaves out what it cannot use; a file given to predict is reported instead.
        index, reason = computed["skipped"][0]
        raise AudioError(paths[index], reason)
    arrays = {"acoustic": computed["features"], "acoustic_lengths": computed["lengths"]}
    return arrays, {"frame_seconds": FRAME_SECONDS, "max_frames": max_frames, "backend": backend}


def _acoustic_statistics(context):
    """Mean and standard deviation over each utterance's real frames of the 34 features: (N, 68)."""
    frames, lengths = context.array("acoustic"), context.array("acoustic_lengths")
    statistics = np.zeros((len(lengths), 2 * frames.shape[2]), dtype=np.float32)
    for row, length in enumerate(lengths):
        real = np.asarray(frames[row, : max(int(length), 1)], dtype=np.float64)
        statistics[row] = np.concatenate([real.mean(axis=0), real.std(axis=0)])
    return {"acoustic_stats": statistics}, {"of": "acoustic", "statistics": ["mean", "std"], "frames": "real only"}


ACOUSTIC = register_feature_set(
    FeatureSet(
        "acoustic",
        "34 pyAudioAnalysis features per 100 ms frame, zero-padded to 200 frames (Krishna and Reddy 2.1)",
        ("acoustic", "acoustic_lengths"),
        compute=_acoustic_frames,
        base=True,
        packages=("numpy", "librosa", "pyAudioAnalysis"),
        options=(
            Option(
                "acoustic_backend",
                str,
                "vectorised",
                "vectorised (equal to the reference, faster) or pyaudioanalysis (the reference)",
                BACKENDS,
                records="backend",
            ),
            Option(
                "max_frames",
                int,
                MAX_FRAMES,
                "frames per utterance (200 = 20 s, the paper's)",
                records="max_frames",
            ),
        ),  # fmt: skip
        shapes={"acoustic": ("utterances", "frames", 34), "acoustic_lengths": ("utterances",)},
    )
)
register_feature_set(
    FeatureSet(
        "acoustic_stats",
        "mean and standard deviation of the 34 features over each utterance's real 100 ms frames (68 values)",
        ("acoustic_stats",),
        compute=_acoustic_statistics,
        needs=("acoustic",),
        shapes={"acoustic_stats": ("utterances", 68)},
        by_utterance=True,
    )
)
