"""Benchmark: the vectorised 34-feature backend against pyAudioAnalysis, side by side in one run.

Both backends run on the same utterances of the demo corpus (at least 60 s of
audio), on one core (BLAS threads limited to 1), best of ``--repeats`` runs each.
Prints times real time of each backend and their ratio; the target is a ratio of
at least 20.

    python benchmarks/acoustic_features.py [--corpus data/demo_corpus] [--seconds 60]
"""

import argparse
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

from ser_keras.corpora import read_iemocap
from ser_keras.corpora.demo import build_demo_corpus
from ser_keras.features.acoustic import extract_reference, extract_vectorised
from ser_keras.features.audio import SAMPLE_RATE, load_audio

TARGET_RATIO = 20.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=Path("data/demo_corpus"), help="IEMOCAP-layout corpus")
    parser.add_argument("--seconds", type=float, default=60.0, help="audio to process (default: 60)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per backend; the best counts (default: 3)")
    args = parser.parse_args()

    build_demo_corpus(args.corpus) if not args.corpus.exists() else None
    signals, total = [], 0.0
    for utterance in read_iemocap(args.corpus).utterances:
        signals.append(load_audio(utterance.wav_path))
        total += len(signals[-1]) / SAMPLE_RATE
        if total >= args.seconds:
            break
    print(f"{len(signals)} utterances, {total:.1f} s of audio, 1 core, best of {args.repeats}")

    timings = {}
    with threadpool_limits(limits=1):
        for name, extract in (("pyaudioanalysis", extract_reference), ("vectorised", extract_vectorised)):
            extract(signals[0])  # imports and cached tables are not part of the measurement
            best = float("inf")
            for _ in range(args.repeats):
                started = time.perf_counter()
                outputs = [extract(signal) for signal in signals]
                best = min(best, time.perf_counter() - started)
            timings[name] = (best, outputs)

    reference, vectorised = timings["pyaudioanalysis"][1], timings["vectorised"][1]
    worst = max(float(np.max(np.abs(a - b) / np.maximum(np.abs(a), 1e-12))) for a, b in zip(reference, vectorised))
    print(f"{'backend':<16} {'seconds':>8} {'x real time':>12}")
    for name, (seconds, _) in timings.items():
        print(f"{name:<16} {seconds:>8.3f} {total / seconds:>12.0f}")
    ratio = timings["pyaudioanalysis"][0] / timings["vectorised"][0]
    verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
    print(f"ratio vectorised / pyaudioanalysis: {ratio:.1f}x ({verdict} the {TARGET_RATIO:.0f}x target)")
    print(f"largest relative difference between the backends: {worst:.1e}")


if __name__ == "__main__":
    main()
