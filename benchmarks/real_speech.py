"""Every categorical acoustic system beside the baselines a user would pick, on a real acted corpus.

    python feature_extraction.py --corpus ravdess --root ~/corpora/ravdess --out data/features/ravdess
    python benchmarks/real_speech.py --features data/features/ravdess --speech-encoder WHISPER_DIR

The runs are the experiment file ``experiments/real-speech.toml``; this script points it at a
bundle, a run folder, seeds and an encoder, then writes one table. The protocol is leave one
fold group out (``loso``): the corpus reader groups whole speakers into folds (RAVDESS: 6
groups of 4 actors), so no test speaker is ever trained on; UA and WA are pooled over every
test prediction. Finished folds are reused, so an interrupted benchmark continues where it
stopped. The table goes to ``OUT/results.md`` with the seconds each run's folds took, summed
(on this machine, with whatever else ran beside it).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
EXPERIMENT = REPOSITORY / "experiments" / "real-speech.toml"


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--features", type=Path, required=True, help="the corpus's feature bundle")
    parser.add_argument("--out", type=Path, default=None, help="run folders and results.md (default runs/real-NAME)")
    parser.add_argument("--seeds", type=int, default=1, help="seeds of the Keras systems (default 1)")
    parser.add_argument("--protocol", default="loso", help="default loso: leave one fold group of speakers out")
    parser.add_argument(
        "--speech-encoder",
        default=None,
        metavar="NAME_OR_DIR",
        help="the encoder of the encoder rows' frames (without it those rows are left out)",
    )
    parser.add_argument("--speech-encoder-library", default="ctranslate2", help="default ctranslate2")
    parser.add_argument("--only", default=None, help="comma-separated run names (default: every run)")
    args = parser.parse_args(argv)
    if not (args.features / "manifest.json").is_file():
        parser.error(f"no feature bundle at {args.features}: run feature_extraction.py --corpus NAME --root DIR first")
    return args


def pointed(experiment, args):
    """The experiment file's runs on this bundle, folder, protocol, seeds and encoder."""
    from ser_keras.features.sets import needed_sets
    from ser_keras.systems import get_system

    runs = []
    for spec in experiment.runs:
        system = get_system(spec.system)
        sets = needed_sets(system.feature_sets(system.configure(spec.preset, spec.settings, spec.training)[0]))
        if args.only is not None and spec.name not in args.only.split(","):
            continue
        if args.speech_encoder is None and any(name.startswith("encoder") for name in sets):
            continue
        seeds = tuple(range(args.seeds)) if system.trainer == "keras" else spec.seeds
        runs.append(replace(spec, protocol=args.protocol, seeds=seeds))
    options = {**experiment.feature_options, "speech_encoder_library": args.speech_encoder_library}
    if args.speech_encoder is not None:
        options["speech_encoder"] = args.speech_encoder
    out = args.out or REPOSITORY / "runs" / f"real-{args.features.name}"
    return replace(experiment, bundle=args.features, runs=tuple(runs), runs_folder=out, table=out / "comparison.md",
                   feature_options=options)  # fmt: skip


def results_table(experiment, folders, protocol):
    """The benchmark's table: pooled UA and WA of each run, and the strongest baseline against the best other."""
    rows = []
    for spec, folder in zip(experiment.runs, folders):
        report = json.loads((folder / "report.json").read_text())
        scores = report["pooled"]["categorical"]
        # Training and testing time summed over folds: the same whether folds were reused or not.
        seconds = sum(row["seconds"] for row in report["rows"])
        rows.append((spec.name, spec.description, scores["ua"], scores["wa"], report["seeds"], seconds))
    corpus = json.loads((Path(experiment.bundle) / "manifest.json").read_text()).get("corpus", {})
    lines = [
        f"Corpus: {corpus.get('kind', '?')} ({experiment.bundle}), protocol {protocol}, UA and WA pooled over "
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
    lines += _without_enrolment(baselines, others)
    return "\n".join(lines) + "\n"


def _without_enrolment(baselines, others):
    """The recommended system against the strongest baseline, neither standardised per speaker."""
    plain = [row for row in baselines if not row[0].endswith("-by-speaker")]
    recommended = [row for row in others if row[0] == "recommended"]
    if not (plain and recommended):
        return []
    best_baseline, chosen = max(plain, key=lambda row: row[2]), recommended[0]
    return [
        f"Without per-speaker standardisation (no enrolment): strongest baseline {best_baseline[0]} (UA "
        f"{100 * best_baseline[2]:.1f}%), recommended UA {100 * chosen[2]:.1f}%, "
        f"{100 * (chosen[2] - best_baseline[2]):+.1f} points."
    ]


def main(argv=None):
    args = parse_arguments(argv)
    from ser_keras.experiment_files import read_experiment, run_experiment
    from ser_keras.trainers import Execution

    experiment = pointed(read_experiment(EXPERIMENT), args)
    folders = run_experiment(experiment, Execution(verbose=0), log=lambda line: print(line, flush=True))
    table = results_table(experiment, folders, args.protocol)
    (experiment.runs_folder / "results.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
