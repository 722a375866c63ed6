"""Predicting with a run that reads openSMILE's features, in a process where TensorFlow is loaded.

openSMILE corrupts memory (``malloc(): invalid size``, the process aborts) when it runs in a
process that has loaded TensorFlow, which the prediction command does before it computes a
run's features; its sets are therefore computed in a spawned worker there
(:func:`ser_keras.features.parallel.map_files`, ``isolate``).
"""

import shutil
import subprocess
import sys

from conftest import REPOSITORY, run_feature_extraction


def test_an_egemaps_run_predicts_a_new_file_from_the_command_line(demo_bundle, small_demo, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(demo_bundle[0], bundle)
    result = run_feature_extraction("--out", str(bundle), "--feature-sets", "egemaps", "--workers", "1")
    assert result.returncode == 0, result.stderr
    run = tmp_path / "run"
    train = [sys.executable, str(REPOSITORY / "classification.py"), "--features", str(bundle), "--system",
             "egemaps-svm", "--set", "search=false", "--out", str(run)]  # fmt: skip
    result = subprocess.run(train, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    audio = next(small_demo.rglob("*.wav"))
    predict = [sys.executable, "-m", "ser_keras.predict", str(run), str(audio), "--json"]
    result = subprocess.run(predict, capture_output=True, text=True, cwd=REPOSITORY)
    assert result.returncode == 0, result.stderr[-2000:]
    assert '"system": "baseline/egemaps-svm"' in result.stdout
