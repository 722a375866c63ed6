"""The repository's experiment files, and the real-speech benchmark that points one at a bundle."""

import shutil
import subprocess
import sys

from conftest import REPOSITORY

from ser_keras.experiment_files import read_experiment


def test_every_experiment_file_names_registered_systems_presets_settings_and_protocols():
    from ser_keras.experiment_files import FusionSpec
    from ser_keras.fusion import FUSIONS
    from ser_keras.protocols import PROTOCOLS
    from ser_keras.systems import get_system

    files = sorted((REPOSITORY / "experiments").glob("*.toml"))
    assert len(files) >= 8
    for path in files:
        experiment = read_experiment(path)
        for spec in experiment.runs:
            if isinstance(spec, FusionSpec):
                assert spec.method in FUSIONS, path
                continue
            get_system(spec.system).configure(spec.preset, spec.settings, spec.training)
            assert spec.protocol is None or spec.protocol in PROTOCOLS, (path, spec.protocol)
        # Every file says in its first lines how to run it.
        assert "python classification.py --config" in path.read_text() or "bash scripts/" in path.read_text()


def test_the_benchmark_runs_are_an_experiment_file_of_registered_systems():
    from ser_keras.systems import get_system

    experiment = read_experiment(REPOSITORY / "experiments" / "real-speech.toml")
    names = [spec.name for spec in experiment.runs]
    assert len(names) == len(set(names)) == 16
    for spec in experiment.runs:
        system = get_system(spec.system)
        system.configure(spec.preset, spec.settings, spec.training)  # every setting and preset exists
        assert spec.protocol == "loso" and spec.description


def test_the_benchmark_writes_its_table_from_the_runs_reports(demo_bundle, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(demo_bundle[0], bundle)  # the benchmark adds the sets its runs need
    out = tmp_path / "out"
    command = [sys.executable, str(REPOSITORY / "benchmarks" / "real_speech.py"), "--features", str(bundle),
               "--only", "stats-svm,knn-hsf,encoder-svm", "--out", str(out)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    table = (out / "results.md").read_text()
    assert "protocol loso" in table
    rows = [line for line in table.splitlines() if line.startswith("| stats-svm |") or line.startswith("| knn-hsf |")]
    assert len(rows) == 2 and "baseline: SVM on statistics of the 34 features" in rows[0]
    assert "encoder-svm" not in table  # left out: no speech encoder was given
    assert "Strongest baseline: stats-svm" in table
    assert (out / "stats-svm" / "report.json").is_file() and (out / "comparison.md").is_file()
