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

from .acoustic import N_FEATURES, extract, pad_or_cut
from .audio import SAMPLE_RATE, load_audio
from .sets import FeatureSet, map_utterances, register_feature_set

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


# The feature sets of this family.


def _hsf(context):
    """Atmaja's HSF: statistics of the 34 features at 25 ms / 10 ms, (N, 68)."""

    arrays = {"hsf": np.stack(map_utterances(hsf, context, "HSF"))}
    return arrays, {
        "window_seconds": HSF_WINDOW_SECONDS,
        "step_seconds": HSF_STEP_SECONDS,
        "statistics": ["mean", "std"],
    }


def _egemaps(context):
    """openSMILE eGeMAPSv02: 88 functionals (N, 88) and 25 descriptors per 10 ms frame, zero-padded."""

    results = map_utterances(egemaps, context, "eGeMAPS", isolate=True)
    longest = min(max(len(descriptors) for _, descriptors in results), EGEMAPS_MAX_FRAMES)
    padded = [pad_or_cut(descriptors, longest) for _, descriptors in results]
    arrays = {
        "egemaps": np.stack([functionals for functionals, _ in results]),
        "egemaps_lld": np.stack([frames for frames, _, _ in padded]),
        "egemaps_lld_lengths": np.array([min(length, longest) for _, length, _ in padded], dtype=np.int32),
    }
    functional_names, descriptor_names = egemaps_names()
    settings = {"feature_set": "eGeMAPSv02", "functionals": functional_names, "descriptors": descriptor_names}
    return arrays, {**settings, "descriptor_hop_seconds": 0.01, "max_frames": longest}


def _silence_ratio(context):
    """Share of quiet RMS frames of each utterance, (N, 1)."""

    ratios = np.array(map_utterances(silence_of_file, context, "silence ratio"), dtype=np.float32)[:, None]
    return {"silence_ratio": ratios}, {"threshold": f"{SILENCE_THRESHOLD} x mean RMS", "frame": 2048, "hop": 512}


def _hsf2(context):
    """Atmaja's HSF2: mean and std of the eGeMAPS descriptors over real frames, and the silence ratio, (N, 51)."""

    descriptors, lengths = context.array("egemaps_lld"), context.array("egemaps_lld_lengths")
    statistics = np.stack([frame_statistics(descriptors[row, :length]) for row, length in enumerate(lengths)])
    arrays = {"hsf2": np.concatenate([statistics, np.asarray(context.array("silence_ratio"))], axis=1)}
    return arrays, {"of": ["egemaps_lld", "silence_ratio"], "statistics": ["mean", "std"], "frames": "real only"}


register_feature_set(
    FeatureSet(
        "hsf",
        "Atmaja's HSF: mean and std of the 34 pyAudioAnalysis features at 25 ms / 10 ms frames (68 values)",
        ("hsf",),
        compute=_hsf,
        packages=("numpy", "scipy", "pyAudioAnalysis"),
        shapes={"hsf": ("utterances", 68)},
        by_utterance=True,
    )
)
register_feature_set(
    FeatureSet(
        "egemaps",
        "openSMILE eGeMAPSv02: 88 functionals, and 25 low-level descriptors per 10 ms frame",
        ("egemaps", "egemaps_lld", "egemaps_lld_lengths"),
        compute=_egemaps,
        packages=("numpy", "opensmile"),
        shapes={
            "egemaps": ("utterances", 88),
            "egemaps_lld": ("utterances", "frames", 25),
            "egemaps_lld_lengths": ("utterances",),
        },
    )
)
register_feature_set(
    FeatureSet(
        "silence_ratio",
        "share of RMS frames at or below 0.3 of the mean RMS (Atmaja's silence feature)",
        ("silence_ratio",),
        compute=_silence_ratio,
        packages=("numpy", "librosa"),
        shapes={"silence_ratio": ("utterances", 1)},
        by_utterance=True,
    )
)
register_feature_set(
    FeatureSet(
        "hsf2",
        "Atmaja's HSF2: mean and std of the eGeMAPS descriptors, and the silence ratio (51 values)",
        ("hsf2",),
        compute=_hsf2,
        needs=("egemaps", "silence_ratio"),
        shapes={"hsf2": ("utterances", 51)},
        by_utterance=True,
    )
)
