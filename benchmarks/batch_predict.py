"""Batch prediction against one process per file: files per second, side by side in one run.

    python benchmarks/batch_predict.py RUN_DIR [--files 8] [--repeats 3]

Takes the first ``--files`` audio files of the run's corpus (its bundle's ``meta.csv`` and
corpus root), then times ``python -m ser_keras.predict RUN_DIR FILES... --out CSV`` (one
process: TensorFlow and the model loaded once) and the same files one process each. Each
way is timed ``--repeats`` times, the two taking turns; the medians are printed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def corpus_files(run_dir, count):
    """The first ``count`` audio files (and transcripts) of the corpus the run was trained on."""
    from ser_keras.corpora.loading import load_corpus

    record = json.loads((Path(run_dir) / "run.json").read_text())
    corpus = json.loads((Path(record["features"]) / "manifest.json").read_text())["corpus"]
    utterances, _ = load_corpus(corpus["kind"], corpus["root"], corpus.get("labels"), progress=False)
    return utterances[:count]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--files", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    utterances = corpus_files(args.run_dir, args.files)
    folder = Path(tempfile.mkdtemp(prefix="ser_keras_batch_"))
    transcripts = folder / "transcripts.csv"
    transcripts.write_text(
        "file,transcript\n" + "".join(f'"{u.wav_path}","{u.transcript}"\n' for u in utterances), encoding="utf-8"
    )
    predict = [sys.executable, "-m", "ser_keras.predict", str(args.run_dir)]

    def batch():
        command = [*predict, *(str(u.wav_path) for u in utterances), "--transcripts", str(transcripts)]
        subprocess.run([*command, "--out", str(folder / "batch.csv")], check=True, capture_output=True)

    def one_each():
        for utterance in utterances:
            command = [*predict, str(utterance.wav_path), "--transcript", utterance.transcript]
            subprocess.run(command, check=True, capture_output=True)

    seconds = {"one process for all files": [], "one process per file": []}
    for _ in range(args.repeats):
        for name, work in (("one process for all files", batch), ("one process per file", one_each)):
            started = time.perf_counter()
            work()
            seconds[name].append(time.perf_counter() - started)
    rates = {name: len(utterances) / float(np.median(values)) for name, values in seconds.items()}
    print(f"{len(utterances)} files, {args.repeats} repeats, medians:")
    for name, rate in rates.items():
        print(f"  {name:28} {rate:6.2f} files/s  ({float(np.median(seconds[name])):.1f} s)")
    print(f"  ratio: {rates['one process for all files'] / rates['one process per file']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
