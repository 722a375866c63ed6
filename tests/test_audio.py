import numpy as np
import pytest
import soundfile

from ser_keras.features.acoustic import acoustic_features
from ser_keras.features.audio import AudioError, load_audio


def tone(seconds, rate, frequency=440.0):
    return 0.5 * np.sin(2 * np.pi * frequency * np.arange(int(seconds * rate)) / rate)


def test_stereo_is_averaged_to_mono(tmp_path):
    left, right = tone(1, 16000), np.zeros(16000)
    soundfile.write(tmp_path / "stereo.wav", np.stack([left, right], axis=1), 16000, subtype="FLOAT")
    np.testing.assert_allclose(load_audio(tmp_path / "stereo.wav"), left / 2, atol=1e-7)


def test_other_rates_are_resampled_to_16k(tmp_path):
    soundfile.write(tmp_path / "cd.flac", tone(2, 44100, 1000.0), 44100)
    signal = load_audio(tmp_path / "cd.flac")
    assert abs(len(signal) - 32000) <= 1
    spectrum = np.abs(np.fft.rfft(signal))
    assert abs(np.argmax(spectrum) * 16000 / len(signal) - 1000.0) < 2


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda p: p.write_text("this is not audio"), "unreadable audio"),
        (lambda p: soundfile.write(p, np.zeros(0), 16000), "empty audio"),
        (lambda p: soundfile.write(p, tone(0.05, 16000), 16000), "shorter than one 100 ms frame"),
        (lambda p: soundfile.write(p, np.array([0.1, np.nan] * 8000), 16000, subtype="FLOAT"), "NaN or inf in audio"),
    ],
)
def test_bad_audio_is_an_audio_error_with_its_reason(tmp_path, make, reason):
    path = tmp_path / "bad.wav"
    make(path)
    with pytest.raises(AudioError) as error:
        load_audio(path)
    assert error.value.reason == reason


def test_bad_files_are_recorded_skips_never_rows(tmp_path):
    soundfile.write(tmp_path / "good.wav", tone(1.5, 16000), 16000)
    (tmp_path / "text.wav").write_text("nope")
    soundfile.write(tmp_path / "short.wav", tone(0.05, 16000), 16000)
    soundfile.write(tmp_path / "good2.wav", tone(0.95, 22050), 22050)
    paths = [tmp_path / name for name in ("good.wav", "text.wav", "short.wav", "good2.wav", "missing.wav")]
    result = acoustic_features(paths, max_frames=10, workers=2, progress=False)
    assert result["kept"].tolist() == [0, 3]
    assert result["skipped"] == [(1, "unreadable audio"), (2, "shorter than one 100 ms frame"), (4, "no such file")]
    assert result["features"].shape == (2, 10, 34)
    assert result["lengths"].tolist() == [10, 9] and result["cut"].tolist() == [5, 0]
    assert np.all(result["features"][1, 9:] == 0)
