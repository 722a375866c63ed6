"""Loading a run in one call, and predicting many files in one process."""

import io
import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from ser_keras.corpora import read_iemocap
from ser_keras.predict import Predictor


def test_output_to_a_file_gets_one_line_per_epoch_not_a_redrawn_bar(trained_run):
    _, stdout = trained_run
    # Keras's verbose 2: "4/4 - 3s - 700ms/step - accuracy: ... - loss: ...", once per epoch.
    epoch_lines = [line for line in stdout.splitlines() if re.match(r"^\d+/\d+ - .* - loss: ", line)]
    assert "\r" not in stdout and "\x08" not in stdout
    assert len(epoch_lines) == 2


def test_load_run_needs_no_other_import(trained_run, demo_bundle):
    out, _ = trained_run
    code = (
        "import json, sys, ser_keras; run = ser_keras.load_run(sys.argv[1]); "
        "print(json.dumps([type(run.model).__name__, run.classes, len(run.vocabulary), run.system.name]))"
    )
    result = subprocess.run([sys.executable, "-c", code, str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    model, classes, vocabulary, system = json.loads(result.stdout.splitlines()[-1])
    assert model == "Functional" and system == "krishna2019/multimodal"
    assert classes == ["angry", "excited", "neutral", "sad"]
    assert vocabulary == len((demo_bundle[0] / "vocab.txt").read_text(encoding="utf-8").splitlines())


def test_a_batch_reports_a_broken_file_in_its_row_and_goes_on(trained_run, small_demo, tmp_path):
    out, _ = trained_run
    utterances = read_iemocap(small_demo).utterances[:3]
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF not really a wave file")
    files = [str(utterances[0].wav_path), str(broken), str(utterances[1].wav_path), str(tmp_path / "missing.wav")]
    transcripts = tmp_path / "transcripts.csv"
    pd.DataFrame(
        {"file": [utterances[0].wav_path.name, str(utterances[1].wav_path), "broken.wav", "missing.wav"],
         "transcript": [utterances[0].transcript, utterances[1].transcript, "hello", "hello"]}
    ).to_csv(transcripts, index=False)  # fmt: skip
    csv = tmp_path / "predictions.csv"
    command = [sys.executable, "-m", "ser_keras.predict", str(out), *files, "--transcripts", str(transcripts)]
    result = subprocess.run([*command, "--out", str(csv)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    for notice in ("oneDNN custom operations", "Could not find cuda drivers", "absl::InitializeLog"):
        assert notice not in result.stderr
    rows = pd.read_csv(csv, keep_default_na=False)
    assert rows["file"].tolist() == files
    assert rows["status"].tolist() == ["ok", "error", "ok", "error"]
    assert rows["error"].tolist()[1] == "unreadable audio" and rows["error"].tolist()[3] == "no such file"
    predictor = Predictor(out)
    for index in (0, 2):
        utterance = utterances[index // 2]
        expected = predictor.predict(utterance.wav_path, utterance.transcript)
        got = rows.loc[index, predictor.classes].astype(float).to_numpy()
        np.testing.assert_allclose(got, list(expected.values()), atol=2e-6)
        assert rows.loc[index, "emotion"] == max(expected, key=expected.get)


def test_a_folder_is_predicted_file_by_file_and_one_file_as_json(trained_run, small_demo, tmp_path, capsys):
    import shutil

    from ser_keras.cli.predict import main

    out, _ = trained_run
    utterances = read_iemocap(small_demo).utterances[:2]
    folder = tmp_path / "clips"
    for index, utterance in enumerate(utterances):
        (folder / f"part{index}").mkdir(parents=True)
        shutil.copy(utterance.wav_path, folder / f"part{index}" / utterance.wav_path.name)
    (folder / "notes.txt").write_text("not audio")
    transcripts = tmp_path / "transcripts.csv"
    pd.DataFrame(
        {"path": [u.wav_path.name for u in utterances], "transcript": [u.transcript for u in utterances]}
    ).to_csv(transcripts, index=False)
    # In this process (TensorFlow is loaded once for the tests): the command's own main.
    assert main([str(out), str(folder), "--transcripts", str(transcripts)]) == 0
    rows = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(rows) == 2 and set(rows["status"]) == {"ok"}
    # One file takes its transcript from the CSV too.
    assert main([str(out), str(utterances[0].wav_path), "--transcripts", str(transcripts), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["system"] == "krishna2019/multimodal" and sum(record["prediction"].values()) == pytest.approx(
        1, abs=1e-5
    )
    assert rows.loc[0, "emotion"] == max(record["prediction"], key=record["prediction"].get)


def test_only_the_known_start_up_notices_are_dropped():
    from ser_keras.cli.quiet_tensorflow import without_notices

    notices = (
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        "I0000 00:00:1796173443.452835    5808 port.cc:153] oneDNN custom operations are on. You may see ...\n"
        "I0000 00:00:1796173443.453678    5808 cudart_stub.cc:31] Could not find cuda drivers on your machine, "
        "GPU will not be used.\n"
    )
    cuinit = "E0000 00:00:1796173470.156006    5830 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error\n"
    real = "Traceback (most recent call last):\nImportError: libcudnn.so.9: cannot open shared object file\n"
    assert without_notices(notices + cuinit + real) == real
    # With a driver present, a failing cuInit is a real error and stays.
    assert without_notices(cuinit + real) == cuinit + real
