"""Atmaja and Akagi's acoustic features: statistics of frames, eGeMAPS through openSMILE, silence.

* HSF: mean and standard deviation over frames of the 34 pyAudioAnalysis features at a
  25 ms window and 10 ms hop (``extract_34.py`` in ``bagustris/deep-mlp-ser``): 68 values.
* eGeMAPS (openSMILE's ``eGeMAPSv02``): 88 functionals per utterance, and its 25
  low-level descriptors per 10 ms frame.
* Silence ratio: the share of librosa RMS frames (2048 samples, hop 512) at or below
  0.3 of the utterance's mean RMS (``generate_hfs_ws.py``).
* HSF2: mean and standard deviation of the eGeMAPS descriptors, and the silence ratio
  (Atmaja's two-stage paper; its eGeMAPSv01a configuration has 23 descriptors, openSMILE's
  current eGeMAPSv02 has 25, so 51 values here instead of 47).
"""

from __future__ import annotations

import numpy as np

from .acoustic import N_FEATURES, extract
from .audio import SAMPLE_RATE, load_audio

HSF_WINDOW_SECONDS = 0.025
HSF_STEP_SECONDS = 0.010
SILENCE_THRESHOLD = 0.3  # of the mean RMS
EGEMAPS_MAX_FRAMES = 2000  # 20 s of 10 ms descriptors, as the 34 features' 200 frames of 100 ms


def frame_statistics(frames):
    """Mean and standard deviation of each column over the rows (68 values for 34 features).

    Parameters
    ----------
    frames : np.ndarray, shape (n_frames, F)
        Real frames only: padding must be cut away before (it would pull the mean to 0).

    Returns
    -------
    np.ndarray, float32, shape (2 * F,)
        Zeros when there is no frame.
    """
    frames = np.asarray(frames, dtype=np.float64)
    if len(frames) == 0:
        return np.zeros(2 * frames.shape[1], dtype=np.float32)
    return np.concatenate([frames.mean(axis=0), frames.std(axis=0)]).astype(np.float32)


def hsf(path):
    """HSF of one audio file: statistics of the 34 features at 25 ms / 10 ms, shape (68,)."""
    frames = extract(load_audio(path), SAMPLE_RATE, window_seconds=HSF_WINDOW_SECONDS, step_seconds=HSF_STEP_SECONDS)
    return frame_statistics(frames.reshape(-1, N_FEATURES))


def silence_ratio(signal):
    """Share of RMS frames (2048 samples, hop 512) at or below 0.3 of the mean RMS.

    Parameters
    ----------
    signal : np.ndarray, shape (n_samples,)

    Returns
    -------
    float
    """
    import librosa

    rms = librosa.feature.rms(y=np.asarray(signal, dtype=np.float32))[0]
    return float(np.mean(rms <= SILENCE_THRESHOLD * rms.mean())) if rms.size else 0.0


_SMILE = {}


def _smile(level):
    # One openSMILE instance per process and level: building it parses the configuration.
    if level not in _SMILE:
        import opensmile

        levels = {"functionals": opensmile.FeatureLevel.Functionals, "lld": opensmile.FeatureLevel.LowLevelDescriptors}
        _SMILE[level] = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02, feature_level=levels[level])
    return _SMILE[level]


def egemaps(path):
    """eGeMAPS of one audio file: the 88 functionals (88,) and the 25 descriptors per 10 ms frame (T, 25)."""
    signal = load_audio(path)
    functionals = _smile("functionals").process_signal(signal, SAMPLE_RATE).to_numpy()[0]
    descriptors = _smile("lld").process_signal(signal, SAMPLE_RATE).to_numpy()
    return functionals.astype(np.float32), descriptors.astype(np.float32)


def egemaps_names():
    """The names of the 88 functionals and of the 25 descriptors."""
    return list(_smile("functionals").feature_names), list(_smile("lld").feature_names)


def silence_of_file(path):
    """:func:`silence_ratio` of one audio file."""
    return silence_ratio(load_audio(path))
