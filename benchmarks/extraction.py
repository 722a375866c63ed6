"""Benchmark: extraction in worker processes (``--jobs N``) against one process, side by side in one run.

The same utterances of the demo corpus go through the project's own extraction functions:
the 34 features of the base set (``acoustic_features``) and MATE's log-mel set (one per
file through the same worker pool), once with one process and once with ``--jobs``
processes, alternating, ``--repeats`` times; the medians are compared. NumPy is imported
as any user's script imports it (its thread pools at their defaults): the workers limit
themselves to one thread each, as ``feature_extraction.py``'s do. Prints seconds and the
speed-up; the arrays of the two must be equal.

    python benchmarks/extraction.py [--corpus data/demo_corpus] [--files 960] [--jobs 2] [--repeats 3]
"""

import argparse
import os
import statistics
import time
from functools import partial
from pathlib import Path

import numpy as np

from ser_keras.corpora import read_iemocap
from ser_keras.corpora.demo import build_demo_corpus
from ser_keras.features.acoustic import acoustic_features
from ser_keras.features.mate import log_mel_of_file
from ser_keras.features.parallel import map_files


def acoustic(paths, jobs):
    return acoustic_features(paths, workers=jobs, progress=False)["features"]


def log_mel(paths, jobs):
    function = partial(log_mel_of_file, n_mels=64, seconds=6.0)
    return np.stack(map_files(function, [str(path) for path in paths], jobs, False, "log-mel"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path("data/demo_corpus"), help="IEMOCAP-layout corpus")
    parser.add_argument("--files", type=int, default=960, help="utterances (default: 960, the demo corpus)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes against one (default: 2)")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each; the medians count (default: 3)")
    args = parser.parse_args()

    build_demo_corpus(args.corpus) if not args.corpus.exists() else None
    paths = [utterance.wav_path for utterance in read_iemocap(args.corpus).utterances][: args.files]
    print(f"{len(paths)} utterances, {os.cpu_count()} cores, medians of {args.repeats}")
    print(f"{'feature set':<12} {'1 process s':>12} {f'{args.jobs} processes s':>16} {'speed-up':>9}")
    for name, compute in (("acoustic", acoustic), ("logmel", log_mel)):
        compute(paths[:2], 1)  # imports and cached tables are not part of the measurement
        times = {1: [], args.jobs: []}
        results = {}
        for _ in range(args.repeats):
            for jobs in (1, args.jobs):
                started = time.perf_counter()
                results[jobs] = compute(paths, jobs)
                times[jobs].append(time.perf_counter() - started)
        if not np.array_equal(results[1], results[args.jobs]):
            raise SystemExit(f"{name}: the arrays of {args.jobs} processes differ from those of one")
        one, many = statistics.median(times[1]), statistics.median(times[args.jobs])
        print(f"{name:<12} {one:>12.2f} {many:>16.2f} {one / many:>8.2f}x")


if __name__ == "__main__":
    main()
