"""The demo page: its service's bounds on every request (no browser needed), then the page itself driven in
headless Chromium. The browser part needs the app and browser extras, the asr extra and Debian's chromium;
it is skipped, with the reason, where one is missing (.ci/run installs them)."""

import importlib.util

import numpy as np
import pytest
from conftest import write_tone

from ser_keras.app.service import DemoService, Limits, RequestError


@pytest.fixture(scope="module")
def service(trained_run, tmp_path_factory):
    broken = tmp_path_factory.mktemp("broken-run")
    (broken / "run.json").write_text("{}")
    return DemoService([trained_run[0], broken], Limits(max_seconds=4, max_megabytes=0.5))


def test_every_bad_request_is_refused_with_its_reason_and_the_next_is_answered(service, small_demo, tmp_path):
    import soundfile

    good = next(small_demo.rglob("*.wav"))
    name, broken = service.names
    assert "does not load" in service.describe(broken) and "reads audio and words" in service.describe(name)
    soundfile.write(tmp_path / "silence.wav", np.zeros(16000, dtype=np.float32), 16000)
    write_tone(tmp_path / "long.wav", seconds=5)
    soundfile.write(tmp_path / "large.wav", np.random.default_rng(0).normal(size=(48000 * 3, 2)) * 0.1, 48000)
    (tmp_path / "text.wav").write_text("not audio")
    refused = {
        "no recording": (name, None),
        "does not load": (broken, good),
        "silent": (name, tmp_path / "silence.wav"),
        "lasts 5.0 s; the limit is 4 s": (name, tmp_path / "long.wav"),
        "MB; the limit is 0.5 MB": (name, tmp_path / "large.wav"),
        "not a recording this page can read (unreadable audio)": (name, tmp_path / "text.wav"),
        "type the transcript": (name, good),  # a run that reads words, and no recogniser
    }
    for reason, (run, path) in refused.items():
        with pytest.raises(RequestError, match=reason.replace("(", r"\(").replace(")", r"\)")):
            service.analyse(run, path)
        answer = service.analyse(name, good, "what a lovely day")  # the service still answers
        assert abs(sum(answer.probabilities.values()) - 1) < 1e-4
    assert answer.features.shape[1] == 34 and answer.transcript == "what a lovely day"


def test_the_figure_shows_the_recording_and_its_34_features(service, small_demo):
    from ser_keras.app.figures import recording_figure

    answer = service.analyse(service.names[0], next(small_demo.rglob("*.wav")), "what a lovely day")
    figure = recording_figure(answer.samples, answer.features)
    wave, grid = figure.axes[:2]
    assert wave.collections and abs(wave.dataLim.x1 - len(answer.samples) / 16000) < 0.02  # the whole recording
    assert grid.images[0].get_array().shape == (34, len(answer.features))


def _browser_missing():
    from ser_keras.app.browser import chromium_path

    for module, extra in (("gradio", "app"), ("playwright", "browser"), ("faster_whisper", "asr")):
        if importlib.util.find_spec(module) is None:
            return f'{module} is not installed: pip install -e ".[{extra}]"'
    if chromium_path() is None:
        return "no Chromium: apt-get install chromium (.ci/run does)"
    return None


@pytest.mark.skipif(_browser_missing() is not None, reason=str(_browser_missing()))
def test_the_page_in_a_browser_predicts_an_upload_refuses_a_broken_file_and_predicts_again(
    trained_run, small_demo, tmp_path
):
    from ser_keras.app.browser import browser_page, predict_again, serve, upload_and_predict

    good = next(small_demo.rglob("*.wav"))
    broken = tmp_path / "broken.wav"
    broken.write_text("not audio")
    with serve([trained_run[0], tmp_path / "no-run"]) as url, browser_page(url) as page:
        first = upload_and_predict(page, good)
        assert first["status"].startswith("Answer 1: predicted (recognising")
        assert first["emotion"] in ("angry", "excited", "neutral", "sad") and first["transcript"].strip()
        typed = predict_again(page, "what a lovely day")
        assert typed["status"].startswith("Answer 2: predicted (predicting") and typed["emotion"]
        refused = upload_and_predict(page, broken)
        assert refused["status"] == "Answer 3: not predicted: not a recording this page can read (unreadable audio)"
        assert refused["emotion"] == ""
        again = upload_and_predict(page, good)
        assert again["status"].startswith("Answer 4: predicted") and again["emotion"] == first["emotion"]
        assert again["transcript"] == first["transcript"]
