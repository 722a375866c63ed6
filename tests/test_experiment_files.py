"""The repository's experiment files, and the real-speech benchmark that points one at a bundle."""

import shutil
import subprocess
import sys
from pathlib import Path

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
    assert len(names) == len(set(names)) == 20
    for spec in experiment.runs:
        system = get_system(spec.system)
        system.configure(spec.preset, spec.settings, spec.training)  # every setting and preset exists
        assert spec.protocol == "loso" and spec.description


def test_the_benchmark_writes_its_table_from_the_runs_reports(demo_bundle, tmp_path):
    bundle = tmp_path / "bundle"
    shutil.copytree(demo_bundle[0], bundle)  # the benchmark adds the sets its runs need
    out = tmp_path / "out"
    command = [sys.executable, str(REPOSITORY / "benchmarks" / "real_speech.py"), "--features", str(bundle),
               "--only", "stats-svm,knn-hsf,encoder-svm,recommended", "--out", str(out)]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    table = (out / "results.md").read_text()
    assert "protocol loso" in table
    rows = [line for line in table.splitlines() if line.startswith("| stats-svm |") or line.startswith("| knn-hsf |")]
    assert len(rows) == 2 and "baseline: SVM on statistics of the 34 features" in rows[0]
    assert "encoder-svm" not in table and "| recommended" not in table  # left out: no speech encoder was given
    assert "Strongest baseline: stats-svm" in table
    assert (out / "stats-svm" / "report.json").is_file() and (out / "comparison.md").is_file()


def test_the_paper_tables_file_lists_every_configuration_of_the_tables_with_the_papers_figures():
    from ser_keras.systems import get_system
    from ser_keras.systems.krishna_reddy.tables import rows_of

    experiment = read_experiment(REPOSITORY / "experiments" / "krishna-reddy-tables.toml")
    expected = {}
    for row in rows_of("all"):
        if row.model is not None:
            expected.setdefault(row.key, (row.model, row.source, []))[2].append((row.table, row.system, row.paper_ua))
    found = {}
    for spec in experiment.runs:
        source = experiment.vectors[spec.vectors] if spec.vectors else None
        kind = None if source is None else ("speech" if source.train == "speech2vec" or source.file else "word")
        figures = [(f"table{p['source'].split()[-1]}", p["name"], round(p["ua"] * 100, 2)) for p in spec.paper]
        system = get_system(spec.system)
        key = system.short_name if source is None else f"{system.short_name}-{kind}-{source.dim}"
        found[key] = (system.short_name, None if source is None else (kind, source.dim), figures)
        assert spec.protocol == "paper" and spec.seeds == (0, 1, 2)
        assert (source is None) or spec.settings == {"trainable_embeddings": True}  # as the tables train ENC2
    assert found == expected
    speech = [source for source in experiment.vectors.values() if source.train == "speech2vec"]
    assert speech and all(source.holdout_sessions == (5,) for source in speech)  # the test session stays unseen


def _write_vectors(path, words, dim, seed):
    import numpy as np
    from gensim.models import KeyedVectors

    vectors = KeyedVectors(dim)
    vectors.add_vectors(words, np.random.default_rng(seed).normal(size=(len(words), dim)).astype("float32"))
    vectors.save_word2vec_format(str(path))


def test_a_run_reads_the_files_vectors_instead_of_the_bundles_and_the_table_shows_the_papers_figure(
    demo_bundle, tmp_path
):
    from ser_keras.evaluation.compare import read_report
    from ser_keras.experiment_files import run_experiment_file
    from ser_keras.features.bundle import read_bundle

    bundle = read_bundle(demo_bundle[0])
    vectors = tmp_path / "tiny.vec"
    _write_vectors(vectors, list(bundle.vocabulary[2:]), 8, seed=0)
    path = tmp_path / "experiment.toml"
    path.write_text(f"""
bundle = "{demo_bundle[0]}"
runs_folder = "{tmp_path / "runs"}"
table = "{tmp_path / "table.md"}"
[vectors.tiny]
file = "{vectors}"
dim = 8
[[run]]
name = "frozen"
system = "krishna2019/embedding"
protocol = "paper"
training = {{ epochs = 1 }}
vectors = "tiny"
paper = {{ source = "Table 1", name = "Speech embedding only model", ua = 0.6003 }}
[vectors.trained]
train = "word2vec"
dim = 8
[[run]]
name = "trained"
system = "krishna2019/embedding"
protocol = "paper"
training = {{ epochs = 1 }}
vectors = "trained"
settings = {{ trainable_embeddings = true }}
""")
    lines = []
    run_experiment_file(path, log=lines.append)
    trained = read_report(tmp_path / "runs" / "trained")["vectors"]
    assert trained["description"].startswith("word2vec skip-gram, dim 8") and Path(trained["file"]).is_file()
    report = read_report(tmp_path / "runs" / "frozen")
    assert report["vectors"]["name"] == "tiny" and report["vectors"]["file"] == str(vectors)
    assert report["model_file"] is None  # new audio's words would be read through the bundle's vectors
    table = (tmp_path / "table.md").read_text()
    assert "| paper |" in table and "UA 60.0% (Table 1)" in table and "vectors=tiny" in table
    # The fold is found again for the same vectors, and trained again for others of the same name.
    lines.clear()
    run_experiment_file(path, log=lines.append)
    assert sum(line.startswith("\n") for line in lines) == 2  # the runs' headers only: no fold trains
    _write_vectors(vectors, list(bundle.vocabulary[2:]), 8, seed=1)
    lines.clear()
    run_experiment_file(path, log=lines.append)
    assert sum(line.startswith("\n") for line in lines) == 3  # the headers, and the one fold that trains
