import numpy as np
import pytest

from ser_keras.corpora import read_iemocap
from ser_keras.features.acoustic import (
    FEATURE_NAMES,
    extract,
    extract_reference,
    extract_vectorised,
    pad_or_cut,
)
from ser_keras.features.audio import load_audio

SR = 16000
TIME = np.arange(3 * SR) / SR
RNG = np.random.default_rng(0)

SIGNALS = {
    "white noise": 0.1 * RNG.normal(size=3 * SR),
    "silence": np.zeros(2 * SR),
    "near silence": 1e-4 * RNG.normal(size=2 * SR),
    "tone 440 Hz": 0.5 * np.sin(2 * np.pi * 440 * TIME),
    "tone 3 kHz": 0.5 * np.sin(2 * np.pi * 3000 * TIME),
    "clipped tone": np.clip(3 * np.sin(2 * np.pi * 220 * TIME) + 0.05 * RNG.normal(size=len(TIME)), -1, 1),
    "tone with DC": 0.3 + 0.1 * np.sin(2 * np.pi * 1000 * TIME),
    "silence then tone": np.concatenate([np.zeros(SR), 0.5 * np.sin(2 * np.pi * 300 * TIME[:SR])]),
    "odd length": 0.1 * RNG.normal(size=SR + 777),
    "one frame": 0.1 * RNG.normal(size=1600),
}

# Relative tolerance 1e-6; the absolute 1e-12 is for values that are zero up to rounding
# (a pure tone's spectral entropy is 1e-24 in one backend and 1e-16 in the other).
RTOL, ATOL = 1e-6, 1e-12


@pytest.mark.parametrize("name", sorted(SIGNALS))
def test_vectorised_backend_equals_pyaudioanalysis(name):
    signal = SIGNALS[name] * 32767
    reference = extract_reference(signal)
    vectorised = extract_vectorised(signal)
    assert vectorised.shape == reference.shape == (len(signal) // 1600, 34)
    np.testing.assert_allclose(vectorised, reference, rtol=RTOL, atol=ATOL)


def test_vectorised_backend_equals_pyaudioanalysis_on_demo_speech(small_demo):
    for utterance in read_iemocap(small_demo).utterances[::10]:
        signal = load_audio(utterance.wav_path)
        np.testing.assert_allclose(extract_vectorised(signal), extract_reference(signal), rtol=RTOL, atol=ATOL)


def test_features_keep_pyaudioanalysis_names_and_order():
    from pyAudioAnalysis import ShortTermFeatures

    _, names = ShortTermFeatures.feature_extraction(SIGNALS["white noise"], SR, 1600, 1600, deltas=False)
    assert FEATURE_NAMES == names and len(names) == 34


def test_backend_choice_and_short_input():
    signal = SIGNALS["white noise"]
    np.testing.assert_array_equal(extract(signal, backend="pyaudioanalysis"), extract_reference(signal))
    np.testing.assert_array_equal(extract(signal), extract_vectorised(signal))
    assert extract(signal[:1599]).shape == (0, 34)
    with pytest.raises(ValueError, match="backend must be one of"):
        extract(signal, backend="librosa")


def test_pad_or_cut():
    features = RNG.normal(size=(37, 34))
    padded, length, cut = pad_or_cut(features, max_frames=200)
    assert padded.shape == (200, 34) and padded.dtype == np.float32
    assert (length, cut) == (37, 0)
    assert np.all(padded[37:] == 0)
    np.testing.assert_array_equal(padded[:37], features.astype(np.float32))
    long = RNG.normal(size=(230, 34))
    padded, length, cut = pad_or_cut(long)
    assert (padded.shape, length, cut) == ((200, 34), 200, 30)


@pytest.mark.parametrize("name", ["white noise", "tone 440 Hz", "silence then tone", "odd length", "clipped tone"])
def test_vectorised_backend_equals_pyaudioanalysis_with_overlapping_25_ms_frames(name):
    signal = SIGNALS[name] * 32767
    reference = extract_reference(signal, SR, 0.025, 0.010)
    vectorised = extract(signal, SR, window_seconds=0.025, step_seconds=0.010)
    assert vectorised.shape == reference.shape == ((len(signal) - 400) // 160 + 1, 34)
    np.testing.assert_allclose(vectorised, reference, rtol=RTOL, atol=ATOL)
