"""Read any audio file as 16 kHz mono, or say plainly why it cannot be used."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import soundfile

SAMPLE_RATE = 16000  # the paper's rate (section 4.1)
MIN_SECONDS = 0.1  # one acoustic frame (features.acoustic.FRAME_SECONDS): shorter audio has none


class AudioError(ValueError):
    """Audio that cannot be used; ``reason`` is a short phrase for skip reports."""

    def __init__(self, path, reason):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def load_audio(path, sample_rate=SAMPLE_RATE):
    """Read an audio file as mono float32 at ``sample_rate``.

    Stereo (or more channels) is averaged to mono; any other rate is resampled
    with librosa.

    Parameters
    ----------
    path : str or pathlib.Path
        Any file soundfile reads (WAV, FLAC, OGG, ...); librosa is tried next.
    sample_rate : int

    Returns
    -------
    np.ndarray, float32, shape (n_samples,)
        Samples in [-1, 1].

    Raises
    ------
    AudioError
        With ``reason`` one of ``"no such file"``, ``"unreadable audio"``, ``"empty audio"``,
        ``"shorter than one 100 ms frame"``, ``"NaN or inf in audio"``.
    """
    if not Path(path).is_file():
        raise AudioError(path, "no such file")
    try:
        signal, rate = soundfile.read(str(path), dtype="float32", always_2d=True)
        signal = signal.mean(axis=1)
    except (RuntimeError, soundfile.LibsndfileError, OSError):
        signal, rate = _read_with_librosa(path)
    if signal.size == 0:
        raise AudioError(path, "empty audio")
    if not np.all(np.isfinite(signal)):
        raise AudioError(path, "NaN or inf in audio")
    if rate != sample_rate:
        import librosa

        signal = librosa.resample(signal, orig_sr=rate, target_sr=sample_rate)
    if signal.size < int(MIN_SECONDS * sample_rate):
        raise AudioError(path, "shorter than one 100 ms frame")
    return signal.astype(np.float32)


def _read_with_librosa(path):
    import librosa

    try:
        with warnings.catch_warnings():  # librosa warns before each fallback decoder it tries
            warnings.simplefilter("ignore")
            signal, rate = librosa.load(str(path), sr=None, mono=True)
    except Exception:  # librosa raises many types (audioread, soundfile, EOFError) for a bad file
        raise AudioError(path, "unreadable audio") from None
    return signal.astype(np.float32), rate
