"""Run the tutorial notebooks, time them, and write the times where the instructor reads them.

    python scripts/run_notebooks.py --mode full notebooks/*.ipynb    # outputs committed, times recorded
    python scripts/run_notebooks.py --mode quick notebooks/*.ipynb   # SER_KERAS_QUICK=1, outputs discarded

Each notebook runs top to bottom in a fresh kernel from ``notebooks/`` (as a student runs
it). In full mode its outputs are written back, without TensorFlow's start-up log
(``clean_notebook_logs.py``) and without the audio players of cells tagged ``corpus-audio``
(a real corpus's recordings stay out of the repository). Either way the seconds it took go to ``notebooks/timings.json``
(per mode, with the machine's processor and core count), and each notebook's "Time on 2 CPU
cores" line and the table of ``notebooks/README.md`` are written again from that file. Run it
on a quiet machine: the times are what a student on a laptop of two cores should expect.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
TIMINGS = REPOSITORY / "notebooks" / "timings.json"
TIME_LINE = re.compile(r"^\*\*Time on 2 CPU cores\.\*\*.*$", re.MULTILINE)
TABLE_START, TABLE_END = "<!-- timings -->", "<!-- /timings -->"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from clean_notebook_logs import cleaned  # noqa: E402


def execute(path, mode):
    """Run one notebook in a fresh kernel; return the executed notebook and its seconds."""
    import nbformat
    from nbclient import NotebookClient

    os.environ["MPLBACKEND"] = "Agg"
    os.environ.pop("SER_KERAS_QUICK", None)
    if mode == "quick":
        os.environ["SER_KERAS_QUICK"] = "1"
    book = nbformat.read(str(path), as_version=4)
    started = time.perf_counter()
    NotebookClient(
        book, timeout=3600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return book, time.perf_counter() - started


LICENSED_AUDIO = "corpus-audio"  # cell tag: its players play a real corpus's recordings
AUDIO_NOTE = (
    "[audio player not committed: the corpus's licence keeps its recordings out of the repository; run the cell]\n"
)


def without_corpus_audio(book):
    """The notebook with each player of a cell tagged ``corpus-audio`` replaced by a line saying why."""
    import nbformat

    for cell in book.cells:
        if LICENSED_AUDIO not in cell.get("metadata", {}).get("tags", []):
            continue
        cell.outputs = [
            nbformat.v4.new_output("stream", name="stdout", text=AUDIO_NOTE)
            if "data:audio" in str(output.get("data", {}).get("text/html", ""))
            else output
            for output in cell.outputs
        ]
    return book


def minutes(seconds):
    """Whole minutes, at least 1: what a timetable needs."""
    return max(1, round(seconds / 60))


def time_line(entry):
    """The header line of one notebook, from its recorded times."""
    parts = [f"about {minutes(entry[mode])} min in {mode} mode" for mode in ("full", "quick") if mode in entry]
    return "**Time on 2 CPU cores.** " + ", ".join(parts) + " (`python scripts/run_notebooks.py` measures it)."


def write_times(timings):
    """Every notebook's time line, and the table of notebooks/README.md, from ``timings``."""
    import nbformat

    for name, entry in timings["notebooks"].items():
        path = REPOSITORY / "notebooks" / name
        if not path.is_file():
            continue
        book = nbformat.read(str(path), as_version=4)
        header = book.cells[0]
        if TIME_LINE.search(header.source):
            header.source = TIME_LINE.sub(time_line(entry), header.source)
            nbformat.write(book, str(path))
    guide = REPOSITORY / "notebooks" / "README.md"
    text = guide.read_text(encoding="utf-8")
    if TABLE_START in text:
        rows = ["| notebook | full mode | quick mode |", "|---|---:|---:|"]
        for name, entry in sorted(timings["notebooks"].items()):
            cells = [f"{minutes(entry[mode])} min" if mode in entry else "-" for mode in ("full", "quick")]
            rows.append(f"| `{name}` | {cells[0]} | {cells[1]} |")
        rows.append(f"\nMeasured on {timings['machine']}.")
        before, rest = text.split(TABLE_START, 1)
        after = rest.split(TABLE_END, 1)[1]
        guide.write_text(before + TABLE_START + "\n" + "\n".join(rows) + "\n" + TABLE_END + after, encoding="utf-8")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--mode", choices=("full", "quick"), default="full")
    args = parser.parse_args(argv)
    import nbformat

    timings = json.loads(TIMINGS.read_text()) if TIMINGS.is_file() else {"notebooks": {}}
    timings["machine"] = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    for path in args.notebooks:
        path = path.resolve()
        print(f"{path.name} ({args.mode}) ...", flush=True)
        book, seconds = execute(path, args.mode)
        print(f"  {seconds:.0f} s", flush=True)
        if args.mode == "full":
            nbformat.write(without_corpus_audio(cleaned(book)[0]), str(path))
        timings["notebooks"].setdefault(path.name, {})[args.mode] = round(seconds)
        TIMINGS.write_text(json.dumps(timings, indent=2, sort_keys=True) + "\n")
        write_times(timings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
