import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import REPOSITORY

from ser_keras.corpora import read_iemocap
from ser_keras.predict import PredictionError, Predictor

SCRIPT = REPOSITORY / "classification.py"


def run(*arguments):
    return subprocess.run([sys.executable, str(SCRIPT), "--verbose", "0", *arguments], capture_output=True, text=True)


def test_a_run_writes_reports_plots_predictions_and_the_model(trained_run):
    out, stdout = trained_run
    for name in (
        "report.md",
        "report.json",
        "predictions.csv",
        "confusion.png",
        "curves.png",
        "model.keras",
        "run.json",
        "vocab.txt",
        "embedding_matrix.npy",
    ):
        assert (out / name).is_file(), name
    report = json.loads((out / "report.json").read_text())
    assert report["system"]["name"] == "krishna2019/multimodal" and report["protocol"] == "paper"
    environment = report["environment"]
    assert (
        environment["versions"]["tensorflow"] and environment["versions"]["keras"] and environment["processor"]["cores"]
    )
    assert environment["tensorflow_build"]["compiler"] and "cuda_build" in environment["tensorflow_build"]
    assert "Seeded runs repeat exactly on one machine" in (out / "report.md").read_text()
    # The paper trains ENC2's embeddings; the default keeps them fixed, and every report says so.
    assert "embeddings fixed (the paper trains them: --set trainable_embeddings=true)" in report["deviations"]
    assert [(change["name"], change["value"], change["default"]) for change in report["changes"]] == [
        ("batch_size", 16, 32),
        ("epochs", 2, 20),
    ]
    markdown = (out / "report.md").read_text()
    assert (
        "Changed from the system's defaults: training batch_size=16 (default 32); training epochs=2 (default 20)."
        in (markdown)
    )
    assert "embeddings fixed (the paper trains them" in markdown.split("Deviations from the paper:")[1]
    row = report["rows"][0]
    confusion = row["scores"]["categorical"]["confusion"]
    assert row["fold"] == "session 5" and sum(map(sum, confusion)) == 16  # 2 speakers x 4 x 2
    assert f"{row['ua']:.1%}" in stdout and "mean +- std" in stdout
    assert "| **mean +- std** |" in (out / "report.md").read_text()


def test_predicting_a_wav_reproduces_the_runs_own_prediction(trained_run, small_demo):
    out, _ = trained_run
    predictions = pd.read_csv(out / "predictions.csv")
    utterances = {u.id: u for u in read_iemocap(small_demo).utterances}
    predictor = Predictor(out)
    for _, row in predictions.head(3).iterrows():
        utterance = utterances[row["id"]]
        probabilities = predictor.predict(utterance.wav_path, utterance.transcript)
        expected = [row[f"p_{name}"] for name in predictor.classes]
        np.testing.assert_allclose(list(probabilities.values()), expected, rtol=1e-4, atol=1e-5)


def test_prediction_reads_any_rate_and_stereo(trained_run, small_demo, tmp_path):
    import librosa
    import soundfile

    out, _ = trained_run
    utterance = read_iemocap(small_demo).utterances[0]
    signal, _ = soundfile.read(utterance.wav_path)
    stereo = np.stack([signal, signal], axis=1)
    soundfile.write(tmp_path / "stereo44k.wav", librosa.resample(stereo.T, orig_sr=16000, target_sr=44100).T, 44100)
    probabilities = Predictor(out).predict(tmp_path / "stereo44k.wav", utterance.transcript)
    assert set(probabilities) == {"angry", "excited", "neutral", "sad"}
    assert sum(probabilities.values()) == pytest.approx(1, abs=1e-5)


def test_prediction_errors_are_clear(trained_run, small_demo, tmp_path):
    out, _ = trained_run
    wav = read_iemocap(small_demo).utterances[0].wav_path
    with pytest.raises(PredictionError, match="no run.json"):
        Predictor(tmp_path)
    with pytest.raises(PredictionError, match="is in this run's vocabulary"):
        Predictor(out).predict(wav, "xylophone quagmire")
    result = subprocess.run(
        [sys.executable, "-m", "ser_keras.predict", str(out), str(tmp_path / "no.wav"), "--transcript", "the meeting"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and result.stderr.strip().endswith("no such file")


def test_loso_and_bad_bundles(demo_bundle, tmp_path):
    out = tmp_path / "loso"
    result = run(
        "--features",
        str(demo_bundle[0]),
        "--model",
        "acoustic",
        "--protocol",
        "loso",
        "--epochs",
        "1",
        "--out",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert [row["fold"] for row in report["rows"]] == [f"session {s}" for s in (1, 2, 3, 4, 5)]
    assert sum(sum(map(sum, row["scores"]["categorical"]["confusion"])) for row in report["rows"]) == 80
    assert sum(map(sum, report["pooled"]["categorical"]["confusion"])) == 80
    result = run("--features", str(tmp_path / "nothing"))
    assert result.returncode == 2 and "not a complete feature bundle" in result.stderr


def test_runs_compare_in_one_table(trained_run):
    from ser_keras.evaluation import comparison_table

    out, _ = trained_run
    report = json.loads((out / "report.json").read_text())
    table = comparison_table([out])
    ua, wa = report["summary"]["ua"]["mean"], report["summary"]["wa"]["mean"]
    assert (
        f"| krishna2019/multimodal | categorical | demo (4 classes) | paper | 0 | batch_size=16, epochs=2 | "
        f"{ua:.1%} +- 0.0% | {wa:.1%} +- 0.0% |" in table
    )
