"""The committed notebooks as a student opens them: no TensorFlow start-up log among their outputs."""

import importlib.util
import json
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
    )
    notebook = {
        "cells": [
            {"cell_type": "code", "outputs": [{"output_type": "stream", "name": "stderr", "text": [log]}]},
            {
                "cell_type": "code",
                "outputs": [
                    {"output_type": "stream", "name": "stderr", "text": [log, "100%|##########| 3/3 [00:01]\n"]},
                    {"output_type": "stream", "name": "stdout", "text": ["UA 81.8%\n"]},
                ],
            },
            {"cell_type": "markdown", "source": "E0000 in prose stays"},
        ]
    }
    cleaned, removed = clean_notebook_logs.cleaned(notebook)
    assert removed == 6
    assert cleaned["cells"][0]["outputs"] == []
    assert cleaned["cells"][1]["outputs"] == [
        {"output_type": "stream", "name": "stderr", "text": ["100%|##########| 3/3 [00:01]\n"]},
        {"output_type": "stream", "name": "stdout", "text": ["UA 81.8%\n"]},
    ]
    assert cleaned["cells"][2] == {"cell_type": "markdown", "source": "E0000 in prose stays"}
