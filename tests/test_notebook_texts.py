"""The committed notebooks as a student opens them: their sections, no TensorFlow log, no number they do not compute."""

import importlib.util
import json
import re
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPOSITORY / "notebooks").glob("*.ipynb"))
_spec = importlib.util.spec_from_file_location("clean_notebook_logs", REPOSITORY / "scripts" / "clean_notebook_logs.py")
clean_notebook_logs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(clean_notebook_logs)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_no_committed_output_holds_tensorflows_log(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    found = [
        line
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream"
        for line in clean_notebook_logs.tensorflow_log_lines("".join(output["text"]))
    ]
    assert not found, f"{path.name}: run python scripts/clean_notebook_logs.py {path.name}; first: {found[0]}"


def test_the_cleaner_removes_the_log_and_keeps_everything_else():
    log = (
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        "I0000 00:00:1796165252.530212    1463 port.cc:153] oneDNN custom operations are on.\n"
        "E0000 00:00:1796165255.703540    1463 cuda_platform.cc:52] failed call to cuInit: INTERNAL\n"
        "WARNING:tensorflow:5 out of the last 13 calls to <function one_step_on_data_distributed> triggered "
        "tf.function retracing. Tracing is expensive.\n"
    )
    # TensorFlow's Python logger reaches a notebook's stdout.
    retracing = "WARNING:tensorflow:6 out of the last 14 calls to <function f> triggered tf.function retracing.\n"
    notebook = {
        "cells": [
            {"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stderr", "text": [log]}]},
            {
                "cell_type": "code",
                "outputs": [
                    {"output_type": "stream", "name": "stderr", "text": [log, "100%|##########| 3/3 [00:01]\n"]},
                    {"output_type": "stream", "name": "stdout", "text": [retracing, "UA 81.8%\n"]},
                ],
            },
            {"cell_type": "markdown", "source": "E0000 in prose stays"},
        ]
    }
    cleaned, removed = clean_notebook_logs.cleaned(notebook)
    assert removed == 9
    assert cleaned["cells"][0]["outputs"] == []
    assert cleaned["cells"][1]["outputs"] == [
        {"output_type": "stream", "name": "stderr", "text": ["100%|##########| 3/3 [00:01]\n"]},
        {"output_type": "stream", "name": "stdout", "text": ["UA 81.8%\n"]},
    ]
    assert cleaned["cells"][2] == {"cell_type": "markdown", "source": "E0000 in prose stays"}


# A result quoted in prose: a percentage with decimals (72.9%) or a number with three or more
# decimals (0.392). Integer percentages (chance 25%, a 95% interval, 20% of the speakers) and
# settings with one or two decimals (lambda 0.66, dropout 0.3) are definitions, not results.
RESULT_NUMBER = re.compile(r"(?<![\w.])(-?\d+\.\d+%|-?\d+\.\d{3,})(?![\w.])")
QUOTED = re.compile(r"```.*?```|`[^`]*`|\$[^$]*\$", re.DOTALL)  # code, commands and equations
OUTPUT_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _outputs_text(notebook):
    texts = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            texts.append("".join(output.get("text", "")))
            for kind in ("text/plain", "text/markdown", "text/html"):
                texts.append("".join(output.get("data", {}).get(kind, "")))
    return "\n".join(texts)


def uncomputed_numbers(notebook):
    """The result numbers of the notebook's prose that none of its outputs shows at that precision.

    A number counts as computed when an output holds a number that rounds to it at the
    precision quoted, as itself or as a fraction quoted in percent (0.781 for 78.1%).
    """
    values = [float(text) for text in OUTPUT_NUMBER.findall(_outputs_text(notebook))]
    missing = []
    for cell in notebook["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for token in RESULT_NUMBER.findall(QUOTED.sub(" ", "".join(cell["source"]))):
            number = token.rstrip("%")
            places = len(number.split(".")[1])
            target = round(float(number), places)
            scales = (1, 100) if token.endswith("%") else (1,)
            if not any(round(value * scale, places) == target for value in values for scale in scales):
                missing.append(token)
    return missing


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_result_quoted_in_prose_is_computed_by_the_notebook(path):
    missing = uncomputed_numbers(json.loads(path.read_text(encoding="utf-8")))
    assert not missing, f"{path.name}: numbers in markdown that no output computes: {missing}"


def test_the_number_check_tells_a_typed_number_from_a_computed_one():
    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": "UA 78.1% with window 8, CCC -0.392; lambda 0.66, chance 25%"},
            {"cell_type": "code", "outputs": [{"output_type": "stream", "text": "ua 0.781\n"}]},
            {"cell_type": "markdown", "source": "`python x.py --rate 0.125` and $\\frac{0.5}{2.125}$ are code"},
        ]
    }
    assert uncomputed_numbers(notebook) == ["-0.392"]


SECTIONS = ("## Learning objectives", "**Prerequisites.**", "**Time on 2 CPU cores.**", "**Terms.**")
EXERCISE = re.compile(r"^\d+\. \*\*", re.MULTILINE)


def _markdown(notebook):
    return ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "markdown"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_notebook_has_objectives_audio_exercises_with_solutions_and_a_next_step(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    markdown = _markdown(notebook)
    header = markdown[0]
    missing = [section for section in SECTIONS if section not in header]
    assert not missing, f"{path.name}: the first cell has no {missing}"
    exercises = [text for text in markdown if "## Exercises" in text]
    assert exercises, f"{path.name}: no '## Exercises' section"
    listed = EXERCISE.findall(exercises[0].split("## Exercises", 1)[1].split("\n## ", 1)[0])
    assert 3 <= len(listed) <= 5, f"{path.name}: {len(listed)} exercises (3 to 5 expected)"
    assert any("## Try next" in text for text in markdown), f"{path.name}: no '## Try next' section"
    solutions = REPOSITORY / "notebooks" / "solutions" / f"{path.stem}.md"
    assert solutions.is_file(), f"{path.name}: no {solutions.relative_to(REPOSITORY)}"
    answered = re.findall(r"^## Exercise (\d+)", solutions.read_text(encoding="utf-8"), re.MULTILINE)
    assert answered == [str(n) for n in range(1, len(listed) + 1)], f"{solutions.name}: answers {answered}"
    code = "".join("".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code")
    assert "Audio(" in code or "play_examples(" in code, f"{path.name}: no audio player"


_colab_spec = importlib.util.spec_from_file_location("notebook_colab", REPOSITORY / "scripts" / "notebook_colab.py")
notebook_colab = importlib.util.module_from_spec(_colab_spec)
_colab_spec.loader.exec_module(notebook_colab)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_every_notebook_opens_with_the_setup_cell_that_installs_what_it_needs(path):
    import nbformat

    book = nbformat.read(str(path), as_version=4)
    code = [cell for cell in book.cells if cell.cell_type == "code"]
    assert "colab-setup" in code[0].metadata.get("tags", []), f"run python scripts/notebook_colab.py {path.name}"
    # Whatever SOURCE says (the archive, or the repository once it has an address), the extras are the header's.
    source = re.search(r'^SOURCE = "([^"]+)"$', code[0].source, re.MULTILINE).group(1)
    expected = notebook_colab.with_colab(nbformat.read(str(path), as_version=4), path.name, source)
    assert code[0].source == next(cell.source for cell in expected.cells if cell.cell_type == "code")


def test_the_colab_path_installs_the_extras_a_notebook_needs_and_comes_off_again(tmp_path):
    import shutil
    import subprocess
    import sys

    import nbformat

    copy = tmp_path / "10_words_from_a_recogniser.ipynb"
    shutil.copy(REPOSITORY / "notebooks" / copy.name, copy)
    script = [sys.executable, str(REPOSITORY / "scripts" / "notebook_colab.py")]
    assert subprocess.run([*script, "--remove", str(copy)]).returncode == 0
    before = nbformat.read(str(copy), as_version=4)
    for _ in range(2):  # a second run replaces, never doubles
        done = subprocess.run([*script, "--repository", "https://github.com/owner/ser_keras", str(copy)])
        assert done.returncode == 0
    book = nbformat.read(str(copy), as_version=4)
    setup = [cell for cell in book.cells if "colab-setup" in cell.metadata.get("tags", [])]
    assert len(setup) == 1 and book.cells.index(setup[0]) == 1
    assert '"ser-keras[asr,test]"' in setup[0].source
    assert 'SOURCE = "https://github.com/owner/ser_keras"' in setup[0].source
    assert book.cells[0].source.count("colab.research.google.com/github/owner/ser_keras/blob/main/notebooks/") == 1
    # Inside a clone the cell is a no-op: the project is importable, so nothing is fetched.
    namespace = {}
    exec(setup[0].source.replace("subprocess.run", "raise RuntimeError; subprocess.run"), namespace)
    assert subprocess.run([*script, str(copy)]).returncode == 0  # no address: the archive, no badge
    book = nbformat.read(str(copy), as_version=4)
    assert "colab-badge" not in book.cells[0].source and 'SOURCE = "ser_keras.zip"' in book.cells[1].source
    bad = subprocess.run([*script, "--repository", "ftp://x", str(copy)], capture_output=True, text=True)
    assert bad.returncode != 0 and bad.stderr.startswith("error: --repository")
    assert subprocess.run([*script, "--remove", str(copy)]).returncode == 0
    after = nbformat.read(str(copy), as_version=4)
    assert [cell.source for cell in after.cells] == [cell.source for cell in before.cells]


def test_the_setup_cell_installs_the_project_from_its_archive_where_it_is_missing(tmp_path):
    """Colab's case on this machine: an environment without the project, and the archive a lecturer hands out."""
    import importlib.metadata
    import os
    import subprocess
    import venv

    import nbformat

    if not (REPOSITORY / ".git").exists():
        pytest.skip("not a git clone: no archive of HEAD to make")
    venv.create(tmp_path / "fresh", with_pip=False)
    site = next((tmp_path / "fresh" / "lib").glob("python*/site-packages"))
    # The fresh environment borrows only the installers (no network here): pip, setuptools, wheel, packaging.
    for name in ("pip", "setuptools", "wheel", "packaging"):
        try:
            files = importlib.metadata.distribution(name).files
        except importlib.metadata.PackageNotFoundError:
            pytest.skip(f"{name} is not installed here")
        for top in {file.parts[0] for file in files if file.parts[0] != ".."}:
            source = Path(importlib.metadata.distribution(name).locate_file(top))
            if source.exists() and not (site / top).exists():
                (site / top).symlink_to(source)
    python = tmp_path / "fresh" / "bin" / "python"
    archive = ["git", "-C", str(REPOSITORY), "archive", "-o", str(tmp_path / "ser_keras.zip"), "HEAD"]
    name = "03_multimodal_model.ipynb"
    book = notebook_colab.with_colab(nbformat.read(str(REPOSITORY / "notebooks" / name), as_version=4), name)
    cell = next(cell.source for cell in book.cells if "colab-setup" in cell.metadata.get("tags", []))
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "PIP_", "VIRTUAL"))},
        "PIP_CONFIG_FILE": os.devnull,  # no index, no find-links of this machine: nothing to download from
        "PIP_NO_INDEX": "1",
        "PIP_NO_DEPS": "1",  # the project's dependencies are a download; the test checks the project's own install
        "PIP_NO_BUILD_ISOLATION": "0",  # pip reads this as --no-build-isolation
    }
    check = cell + "\nprint(importlib.util.find_spec('ser_keras').origin)\nprint(os.getcwd())"
    missing = subprocess.run([str(python), "-c", check], cwd=tmp_path, env=environment, capture_output=True, text=True)
    assert missing.stderr.strip().splitlines()[-1].startswith("FileNotFoundError: ser_keras.zip not found: upload it")
    subprocess.run(archive, check=True)
    done = subprocess.run([str(python), "-c", check], cwd=tmp_path, env=environment, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    origin, working = done.stdout.split()[-2:]
    assert origin == str(tmp_path / "ser-keras" / "ser_keras" / "__init__.py")
    assert working == str(tmp_path / "ser-keras") and (tmp_path / "ser-keras" / "classification.py").is_file()
    # Installed, not only on the path: a new process elsewhere finds the project where the cell put it.
    find = "import importlib.util; print(importlib.util.find_spec('ser_keras').origin)"
    again = subprocess.run([str(python), "-c", find], cwd="/", capture_output=True, text=True, check=True)
    assert again.stdout.strip() == origin
