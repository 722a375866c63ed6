"""Every categorical acoustic system beside the baselines a user would pick, on a real acted corpus.

    python feature_extraction.py --corpus ravdess --root ~/corpora/ravdess --out data/features/ravdess
    python benchmarks/real_speech.py --features data/features/ravdess --speech-encoder WHISPER_DIR

The protocol is leave one fold group out (``--protocol loso``): the corpus reader groups
whole speakers into folds (RAVDESS: 6 groups of 4 actors), so no test speaker is ever
trained on; UA and WA are pooled over every test prediction. Each system is one
``classification.py`` run whose folder under ``--out`` keeps its report; finished folds are
reused, so an interrupted benchmark continues where it stopped. The table goes to
``OUT/results.md`` with the seconds each run's folds took, summed (on this machine, with whatever
else ran beside it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
# CA-MSER at the demo's scale (AlexNet at a quarter width on the 200 x 300 image, Bi-LSTM 32,
# learning rate 1e-3, at most 15 epochs, patience 5): the paper's size needs a GPU.
CAMSER_SCALE = ["--set", "image_height=0", "--set", "alexnet_width=0.25", "--set", "lstm_units=32"]
CAMSER_TRAINING = ["--learning-rate", "1e-3", "--epochs", "15", "--patience", "5"]

# (run name, what it is, feature sets it needs, classification.py arguments, Keras: seeds apply)
RUNS = [
    ("compare-svm", "baseline: SVM on ComParE 2016 (6,373)", ["compare"], ["--system", "compare-svm"], False),
    (
        "compare-svm-by-speaker",
        "baseline: SVM on ComParE 2016, standardised per speaker",
        ["compare_by_speaker"],
        ["--system", "compare-svm", "--set", "by_speaker=true"],
        False,
    ),
    ("egemaps-svm", "baseline: SVM on eGeMAPS (88)", ["egemaps"], ["--system", "egemaps-svm"], False),
    (
        "egemaps-svm-by-speaker",
        "baseline: SVM on eGeMAPS, standardised per speaker",
        ["egemaps_by_speaker"],
        ["--system", "egemaps-svm", "--set", "by_speaker=true"],
        False,
    ),
    (
        "stats-svm",
        "baseline: SVM on statistics of the 34 features (68)",
        ["acoustic_stats"],
        ["--system", "stats-svm"],
        False,
    ),
    (
        "stats-svm-by-speaker",
        "baseline: SVM on statistics of the 34 features, standardised per speaker",
        ["acoustic_stats_by_speaker"],
        ["--system", "stats-svm", "--set", "by_speaker=true"],
        False,
    ),
    *[
        (f"{name}-hsf", f"Atmaja's classic {name} on HSF (68)", ["hsf"], ["--system", name], False)
        for name in ("svm", "mlp", "random-forest", "logistic-regression", "knn")
    ],
    ("acoustic", "Krishna and Reddy's acoustic Bi-LSTM (the paper's model)", [], ["--system", "acoustic"], True),
    (
        "acoustic-by-speaker",
        "the acoustic Bi-LSTM on frames standardised per speaker",
        ["acoustic_by_speaker"],
        ["--system", "acoustic-by-speaker"],
        True,
    ),
    (
        "encoder-svm",
        "SVM on statistics of frozen Whisper tiny.en frames",
        ["encoder_stats"],
        ["--system", "encoder-svm"],
        False,
    ),
    (
        "encoder-svm-by-speaker",
        "SVM on statistics of frozen Whisper tiny.en frames, standardised per speaker",
        ["encoder_stats_by_speaker"],
        ["--system", "encoder-svm", "--set", "by_speaker=true"],
        False,
    ),
    (
        "camser",
        "CA-MSER (co-attention; frozen Whisper tiny.en frames), demo scale",
        ["segments", "encoder_frames"],
        ["--system", "camser", *CAMSER_SCALE, *CAMSER_TRAINING],
        True,
    ),
]


def _feature_sets(bundle):
    return json.loads((bundle / "manifest.json").read_text())["feature_sets"]


def add_missing_sets(bundle, names, speech_encoder, library):
    """Compute the sets the runs need and the bundle lacks (one feature_extraction.py call)."""
    missing = [name for name in dict.fromkeys(names) if name not in _feature_sets(bundle)]
    if not missing:
        return
    command = [sys.executable, str(REPOSITORY / "feature_extraction.py"), "--out", str(bundle), "--quiet"]
    command += ["--feature-sets", ",".join(missing)]
    if any(name.startswith("encoder") for name in missing):
        command += ["--speech-encoder", speech_encoder, "--speech-encoder-library", library]
    print("+ " + " ".join(command), flush=True)
    subprocess.run(command, check=True)


def pooled(report_file):
    """Pooled UA and WA of a run's report, and whether its selection was optimistic."""
    report = json.loads(Path(report_file).read_text())
    scores = report["pooled"]["categorical"]
    return scores["ua"], scores["wa"], report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--features", type=Path, required=True, help="the corpus's feature bundle")
    parser.add_argument("--out", type=Path, default=None, help="run folders and results.md (default runs/real-NAME)")
    parser.add_argument("--seeds", type=int, default=1, help="seeds of the Keras systems (default 1)")
    parser.add_argument("--protocol", default="loso", help="default loso: leave one fold group of speakers out")
    parser.add_argument(
        "--speech-encoder",
        default=None,
        metavar="NAME_OR_DIR",
        help="the encoder of CA-MSER's frames (without it the CA-MSER rows are left out)",
    )
    parser.add_argument("--speech-encoder-library", default="ctranslate2", help="default ctranslate2")
    parser.add_argument("--only", default=None, help="comma-separated run names (default: every run)")
    args = parser.parse_args(argv)
    if not (args.features / "manifest.json").is_file():
        parser.error(f"no feature bundle at {args.features}: run feature_extraction.py --corpus NAME --root DIR first")
    out = args.out or REPOSITORY / "runs" / f"real-{args.features.name}"
    runs = [run for run in RUNS if args.only is None or run[0] in args.only.split(",")]
    if args.speech_encoder is None:
        runs = [run for run in runs if not any(name.startswith("encoder") for name in run[2])]
    add_missing_sets(args.features, [name for run in runs for name in run[2]], args.speech_encoder,
                     args.speech_encoder_library)  # fmt: skip

    rows = []
    for name, what, _, arguments, keras in runs:
        command = [sys.executable, str(REPOSITORY / "classification.py"), "--features", str(args.features)]
        command += [*arguments, "--protocol", args.protocol, "--verbose", "0", "--out", str(out / name)]
        if keras:
            command += ["--seeds", str(args.seeds)]
        print("+ " + " ".join(command), flush=True)
        started = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - started
        ua, wa, report = pooled(out / name / "report.json")
        # Training and testing time summed over folds: the same whether folds were reused or not.
        rows.append((name, what, ua, wa, report["seeds"], sum(row["seconds"] for row in report["rows"])))
        print(f"  {name}: UA {100 * ua:.1f}%  WA {100 * wa:.1f}%  ({seconds:.0f} s)", flush=True)

    corpus = json.loads((args.features / "manifest.json").read_text()).get("corpus", {})
    lines = [
        f"Corpus: {corpus.get('kind', '?')} ({args.features}), protocol {args.protocol}, UA and WA pooled over "
        "every test prediction (of every seed).",
        "",
        "| run | system | UA | WA | seeds | seconds (folds summed) |",
        "|---|---|---:|---:|---|---:|",
    ]
    lines += [
        f"| {name} | {what} | {100 * ua:.1f}% | {100 * wa:.1f}% | {','.join(map(str, seeds))} | {seconds:.0f} |"
        for name, what, ua, wa, seeds, seconds in rows
    ]
    baselines = [row for row in rows if row[1].startswith("baseline")]
    others = [row for row in rows if not row[1].startswith("baseline")]
    if baselines and others:
        best_baseline, best = max(baselines, key=lambda row: row[2]), max(others, key=lambda row: row[2])
        lines += [
            "",
            f"Strongest baseline: {best_baseline[0]} (UA {100 * best_baseline[2]:.1f}%). Best other system: {best[0]} "
            f"(UA {100 * best[2]:.1f}%), {100 * (best[2] - best_baseline[2]):+.1f} points.",
        ]
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
