import json
import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPOSITORY, recomputed_ua

from ser_keras.features.bundle import read_bundle
from ser_keras.fusion import read_folds
from ser_keras.systems.krishna_reddy.tables import TABLES, rows_of, sources_needed


def classify(*arguments):
    return subprocess.run(
        [sys.executable, str(REPOSITORY / "classification.py"), *arguments], capture_output=True, text=True
    )


def test_rows_follow_the_paper():
    rows = rows_of("all")
    assert len(rows) == 3 + 5 + 8
    assert {row.key for row in rows if row.model} == {
        "acoustic",
        "embedding-speech-50",
        "embedding-word-50",
        *(f"multimodal-{kind}-{dim}" for kind in ("speech", "word") for dim in (50, 100, 200, 300)),
    }
    assert sources_needed(rows_of("table1")) == [("speech", 50), ("word", 50)]
    assert [row.paper_ua for row in TABLES["table3"][1]][:2] == [68.49, 67.12]
    with pytest.raises(ValueError):
        rows_of("table4")


@pytest.fixture(scope="module")
def experiment_all(demo_bundle, tmp_path_factory):
    """Every table on the small demo bundle: 1 epoch, 50-d vectors trained locally, the rest given as files."""
    folder = tmp_path_factory.mktemp("experiment")
    bundle = read_bundle(demo_bundle[0])
    rng = np.random.default_rng(0)
    options = []
    for dim in (100, 200, 300):
        path = folder / f"speech-{dim}.vec"
        words = [w for w in bundle.vocabulary if w not in ("<pad>", "<unk>")]
        path.write_text(
            f"{len(words)} {dim}\n"
            + "".join(w + " " + " ".join(f"{v:.3f}" for v in rng.normal(size=dim)) + "\n" for w in words)
        )
        options += ["--speech-vectors", f"{dim}={path}"]
    out = folder / "out"
    arguments = [
        "--features",
        str(demo_bundle[0]),
        "--experiment",
        "all",
        "--epochs",
        "1",
        "--seeds",
        "1",
        "--speech2vec-epochs",
        "1",
        "--out",
        str(out),
        *options,
    ]
    result = classify(*arguments)
    assert result.returncode == 0, result.stderr
    return out, arguments, result


def test_results_md_has_the_paper_number_beside_ours_for_every_row(experiment_all, demo_bundle):
    out, _, result = experiment_all
    bundle = read_bundle(demo_bundle[0])
    markdown = (out / "results.md").read_text()
    record = json.loads((out / "results.json").read_text())
    for row in rows_of("all"):
        line = next(line for line in markdown.splitlines() if line.startswith(f"| {row.system} |"))
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert cells[3] == f"{row.paper_ua:.2f}%"
        if row.model is None:
            assert cells[4] == "not reimplemented"
            continue
        ua = record["results"][row.key]["ua"]
        assert cells[4] == f"{ua['mean'] * 100:.2f}% +- {ua['std'] * 100:.2f}"
        assert len(record["results"][row.key]["runs"]) == 1
        # The table's UA is that of the run's own saved predictions.
        (fold,) = read_folds(out / "runs" / row.key).values()
        assert ua["mean"] == pytest.approx(recomputed_ua(bundle, fold))
    assert "sessions 1-4 train" in markdown and "classification.py" in markdown
    # The tables train ENC2's embeddings as the paper does; the one change from its settings is stated.
    assert "- Deviation from the paper: training epochs=1 (default 20)." in markdown
    assert "embeddings fixed" not in markdown and "trainable_embeddings" not in markdown
    sources = record["sources"]
    assert "Speech2Vec, dim 50" in sources["speech-50"]["description"]
    assert sources["speech-100"]["path"].endswith("speech-100.vec")
    assert "word2vec" in sources["word-300"]["description"]
    assert "Table 3" in result.stdout


def test_an_experiment_resumes_from_its_finished_runs(experiment_all):
    out, arguments, _ = experiment_all
    before = (out / "results.md").read_text()
    again = classify(*arguments)
    assert again.returncode == 0, again.stderr
    assert not re.search(r"\[\d+/\d+\]", again.stdout)  # nothing retrained
    assert (out / "results.md").read_text() == before
