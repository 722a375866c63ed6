"""Benchmark: the demo page under load, on 127.0.0.1, with and without recognition.

Starts ``python -m ser_keras.app RUN_DIR`` in a child process, waits until it answers (the
run and, on the first request, the recogniser stay loaded from then on), sends a warm-up
request, then ``--requests`` requests of one recording from ``--clients`` concurrent
gradio_client clients, twice: through the page's Predict (the words recognised) and through
"Predict with this transcript" (the words given, no recognition). Prints the median and 95th
percentile latency of each and the requests lost or failed. Goal on 2 cores: a 3 s
recording answered with its transcript in a median under 2 s, none lost or failed.

    python benchmarks/page_load.py RUN_DIR [--audio FILE] [--requests 20] [--clients 4]

Needs the app and asr extras.
"""

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from ser_keras.app.browser import serve
from ser_keras.features.audio import SAMPLE_RATE, load_audio


def three_seconds(corpus):
    """The demo utterance nearest 3 s long, with its gold transcript."""
    from ser_keras.corpora import read_iemocap

    utterances = read_iemocap(corpus).utterances
    best = min(
        utterances, key=lambda u: abs(len(load_audio(u.wav_path)) / SAMPLE_RATE - 3.0) if u.id.endswith("1") else 9
    )
    return best.wav_path, best.transcript


def timed_requests(url, run_name, audio, transcript, requests, clients):
    """Latency of each of ``requests`` calls from ``clients`` threads, each with its own client; failures counted."""
    from gradio_client import Client, handle_file

    def one_client(count):
        client, times, failures = Client(url, verbose=False), [], 0
        for _ in range(count):
            started = time.perf_counter()
            try:
                if transcript is None:
                    result = client.predict(run_name, handle_file(str(audio)), api_name="/predict")
                else:
                    result = client.predict(run_name, handle_file(str(audio)), transcript,
                                            api_name="/predict_with_transcript")  # fmt: skip
                failures += not str(result[0]).startswith("Answer") or "not predicted" in str(result[0])
            except Exception:  # a lost request counts, whatever the client raised
                failures += 1
                continue
            times.append(time.perf_counter() - started)
        return times, failures

    shares = [requests // clients + (index < requests % clients) for index in range(clients)]
    with ThreadPoolExecutor(clients) as pool:
        outcomes = list(pool.map(one_client, shares))
    return [t for times, _ in outcomes for t in times], sum(failures for _, failures in outcomes)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", type=Path, help="a run of classification.py that reads words")
    parser.add_argument("--audio", type=Path, default=None, help="the recording (default: a 3 s demo utterance)")
    parser.add_argument("--transcript", default=None, help="its words, for the run without recognition")
    parser.add_argument("--corpus", type=Path, default=Path("data/demo_corpus"))
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()

    audio, transcript = (args.audio, args.transcript) if args.audio else three_seconds(args.corpus)
    seconds = len(load_audio(audio)) / SAMPLE_RATE
    print(f"{audio} ({seconds:.1f} s), {args.requests} requests from {args.clients} concurrent clients, 127.0.0.1")
    with serve([args.run_dir]) as url:
        from gradio_client import Client, handle_file

        Client(url, verbose=False).predict(args.run_dir.name, handle_file(str(audio)), api_name="/predict")  # warm-up
        print(f"{'':<22} {'median':>8} {'95th pct':>9} {'failed':>7}")
        for label, words in (("with recognition", None), ("words given", transcript or "what a lovely day")):
            times, failed = timed_requests(url, args.run_dir.name, audio, words, args.requests, args.clients)
            p95 = float(np.percentile(times, 95)) if times else float("nan")
            median = statistics.median(times) if times else float("nan")
            print(f"{label:<22} {median:7.2f}s {p95:8.2f}s {failed:>4}/{args.requests}")


if __name__ == "__main__":
    main()
