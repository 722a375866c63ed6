"""Remove TensorFlow's log lines from notebooks' committed outputs.

    python scripts/clean_notebook_logs.py notebooks/*.ipynb        # after a full run, before committing

TensorFlow's C++ logging writes to the process's stderr when it loads (oneDNN's "custom
operations are on", "Could not find cuda drivers", a failed cuInit on a machine without a GPU,
a CPU-feature note), and its Python logger adds warnings of its own (a tf.function
"retracing" warning when a notebook trains several models in a row, on a kernel's stdout):
blocks that say nothing about the lesson and that a student on another machine sees
differently. Each stream output loses those lines, and goes when nothing else is left; every
other output stays as it was.
``tests/test_notebook_texts.py`` fails on a notebook that still holds one.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TENSORFLOW_LOG = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[EWI]\d{4} [\d:. ]+\d+ [\w.]+:\d+\] .*"
    r"|To enable the following instructions: .*rebuild TensorFlow with the appropriate compiler flags\."
    r"|WARNING:tensorflow:.*)$"
)


def tensorflow_log_lines(text):
    """The lines of ``text`` that are TensorFlow's start-up log."""
    return [line for line in text.splitlines() if TENSORFLOW_LOG.match(line)]


def cleaned(notebook):
    """The notebook (a dict, as nbformat's JSON) without TensorFlow's log lines; and how many went."""
    removed = 0
    for cell in notebook.get("cells", []):
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                lines = "".join(output["text"]).splitlines(keepends=True)
                rest = [line for line in lines if not TENSORFLOW_LOG.match(line.rstrip("\n"))]
                removed += len(lines) - len(rest)
                if not "".join(rest).strip():
                    continue
                output["text"] = rest
            kept.append(output)
        if "outputs" in cell:
            cell["outputs"] = kept
    return notebook, removed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    import nbformat

    for path in args.notebooks:
        notebook, removed = cleaned(nbformat.read(str(path), as_version=4))
        if removed:
            nbformat.write(notebook, str(path))
        print(f"{path}: {removed} TensorFlow log lines removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
