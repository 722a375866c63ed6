"""The paper's 34 acoustic features per 100 ms frame (section 2.1).

13 MFCC, 13 chroma (12 pitch classes and their standard deviation) and 8
time/spectral features (zero-crossing rate, energy, entropy of energy, spectral
centroid, spread, entropy, flux, roll-off): exactly pyAudioAnalysis
``ShortTermFeatures.feature_extraction(..., deltas=False)`` with 100 ms windows
and no overlap, in its order and with its names.
"""

from __future__ import annotations

import numpy as np

from .audio import SAMPLE_RATE

WINDOW_SECONDS = 0.1
FEATURE_NAMES = (
    ["zcr", "energy", "energy_entropy", "spectral_centroid", "spectral_spread", "spectral_entropy"]
    + ["spectral_flux", "spectral_rolloff"]
    + [f"mfcc_{i}" for i in range(1, 14)]
    + [f"chroma_{i}" for i in range(1, 13)]
    + ["chroma_std"]
)
N_FEATURES = len(FEATURE_NAMES)  # 34


def extract_reference(signal, sample_rate=SAMPLE_RATE):
    """The 34 features computed by pyAudioAnalysis itself (the reference backend).

    Parameters
    ----------
    signal : np.ndarray, shape (n_samples,)
        Mono audio, any scale (pyAudioAnalysis removes DC and normalises the peak).
    sample_rate : int

    Returns
    -------
    np.ndarray, float64, shape (n_frames, 34)
        One row per full 100 ms window, ``n_frames = n_samples // window``.
    """
    # Only ShortTermFeatures: pyAudioAnalysis' audioBasicIO needs packages this project does not use.
    from pyAudioAnalysis import ShortTermFeatures

    window = int(WINDOW_SECONDS * sample_rate)
    signal = np.asarray(signal, dtype=np.float64)
    if signal.size < window:
        return np.zeros((0, N_FEATURES))
    features, names = ShortTermFeatures.feature_extraction(signal, sample_rate, window, window, deltas=False)
    if list(names) != FEATURE_NAMES:
        raise RuntimeError(f"pyAudioAnalysis returned unexpected feature names: {names}")
    return features.T
