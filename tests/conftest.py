import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

FIXTURES = Path(__file__).parent / "fixtures"
REPOSITORY = Path(__file__).resolve().parents[1]
FEATURE_SCRIPT = REPOSITORY / "feature_extraction.py"


def run_notebook(path, monkeypatch):
    """Execute a notebook in quick mode (``SER_KERAS_QUICK=1``) and fail on any error output."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("SER_KERAS_QUICK", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")
    book = nbformat.read(path, as_version=4)
    NotebookClient(
        book, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    errors = [
        output
        for cell in book.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    assert not errors


def page_example(page):
    """The first Python block of a documentation page (``docs/<page>``): the example a newcomer copies."""
    text = (REPOSITORY / "docs" / page).read_text()
    start = text.index("```python\n") + len("```python\n")
    return text[start : text.index("\n```", start)]


def run_feature_extraction(*arguments):
    """Run feature_extraction.py as a user would; returns the CompletedProcess."""
    return subprocess.run([sys.executable, str(FEATURE_SCRIPT), "--quiet", *arguments], capture_output=True, text=True)


# Turns of the mini IEMOCAP fixture that get audio; Ses01F_script01_1_M001 is left without a wav on purpose.
MINI_WAVS = {
    "Session1/sentences/wav/Ses01F_script01_1/Ses01F_script01_1_F000.wav": 1.95,
    "Session1/sentences/wav/Ses01F_script01_1/Ses01F_script01_1_M000.wav": 1.38,
    "Session1/sentences/wav/Ses01F_script01_1/Ses01F_script01_1_F001.wav": 1.0,
    "Session1/sentences/wav/Ses01F_script01_1/Ses01F_script01_1_F002.wav": 1.25,
    "Session1/sentences/wav/Ses01F_script01_1/Ses01F_script01_1_M002.wav": 1.0,
    "Session2/sentences/wav/Ses02M_impro03/Ses02M_impro03_F000.wav": 1.5,
}


def write_tone(path, seconds, sample_rate=16000, frequency=220.0):
    """A short sine tone as 16-bit PCM."""
    path.parent.mkdir(parents=True, exist_ok=True)
    time = np.arange(int(seconds * sample_rate)) / sample_rate
    soundfile.write(path, 0.3 * np.sin(2 * np.pi * frequency * time), sample_rate, subtype="PCM_16")


@pytest.fixture
def mini_iemocap(tmp_path):
    """The text fixture ``iemocap_mini`` copied to a temporary folder, with tone wavs added."""
    root = tmp_path / "IEMOCAP_full_release"
    shutil.copytree(FIXTURES / "iemocap_mini", root)
    for relative, seconds in MINI_WAVS.items():
        write_tone(root / relative, seconds)
    return root


@pytest.fixture(scope="session")
def small_demo(tmp_path_factory):
    """A small demo corpus: 10 speakers x 4 emotions x 2 utterances, plus 1 left-out turn per speaker."""
    from ser_keras.corpora.demo import DemoSettings, build_demo_corpus

    root = tmp_path_factory.mktemp("demo") / "corpus"
    return build_demo_corpus(root, DemoSettings(seed=7, per_class=2, extra_per_speaker=1), progress=False)


@pytest.fixture(scope="session")
def demo_bundle(small_demo, tmp_path_factory):
    """The small demo corpus's feature bundle with 16-d word2vec, and the script's stdout."""
    out = tmp_path_factory.mktemp("bundles") / "demo"
    result = run_feature_extraction("--root", str(small_demo), "--out", str(out), "--dim", "16")
    assert result.returncode == 0, result.stderr
    return out, result.stdout


def interruptible():
    """``preexec_fn`` for a child that a test interrupts with SIGINT.

    A shell that starts a job in the background makes it ignore SIGINT, and the
    children inherit that, so Python would never raise KeyboardInterrupt. The
    default disposition lets the child install its handler as usual.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture(scope="session")
def trained_run(demo_bundle, tmp_path_factory):
    """A 2-epoch multimodal run on the small demo bundle, trained as a user would (output to a pipe), and its stdout."""
    out = tmp_path_factory.mktemp("runs") / "multimodal"
    command = [sys.executable, str(REPOSITORY / "classification.py"), "--features", str(demo_bundle[0])]
    result = subprocess.run(
        [*command, "--epochs", "2", "--batch-size", "16", "--out", str(out)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return out, result.stdout


def recomputed_ua(bundle, fold, task="categorical", output="emotion"):
    """UA of a fold's saved test predictions against the bundle's labels, by scikit-learn (balanced accuracy).

    A score a run reports must equal this: it is what its own predictions give.
    """
    from sklearn.metrics import balanced_accuracy_score

    from ser_keras.evaluation.reports import bundle_rows

    labels = np.asarray(bundle.array("labels"))[bundle_rows(bundle, fold.test_ids)]
    return balanced_accuracy_score(labels, np.asarray(fold.predictions[task][output]).argmax(axis=1))
