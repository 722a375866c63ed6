"""Every system of the real-speech benchmark across corpora: train on each, test on each other.

    python benchmarks/real_speech.py --features data/features/ravdess --speech-encoder WHISPER_DIR   # the sets
    python benchmarks/real_speech.py --features data/features/emovo --speech-encoder WHISPER_DIR
    python benchmarks/cross_corpus.py data/features/ravdess data/features/emovo --speech-encoder WHISPER_DIR

Pools the corpora's bundles into one with the four classes they share (angry, happy,
neutral, sad: ``feature_extraction.py --pool ... --labels four``), then runs the runs of
``experiments/real-speech.toml`` under ``--protocol cross-corpus``: one fold per corpus, which
tests while every other corpus trains. Each fold's UA is one cell of the table, in
``OUT/results.md``; chance is 25%. A run whose feature sets the bundles do not all hold is
left out and named. Finished folds are reused, so an interrupted benchmark continues.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from real_speech import EXPERIMENT, REPOSITORY  # noqa: E402


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bundles", nargs="+", type=Path, help="two or more corpora's bundles")
    parser.add_argument("--pooled", type=Path, default=None, help="the pooled bundle (default data/features/A-B)")
    parser.add_argument("--out", type=Path, default=None, help="run folders and results.md (default runs/cross-A-B)")
    parser.add_argument("--seeds", type=int, default=1, help="seeds of the Keras systems (default 1)")
    parser.add_argument("--speech-encoder", default=None, help="the encoder the bundles' encoder sets were made with")
    parser.add_argument("--only", default=None, help="comma-separated run names (default: every run)")
    args = parser.parse_args(argv)
    if len(args.bundles) < 2:
        parser.error("give two or more bundles")
    for bundle in args.bundles:
        if not (bundle / "manifest.json").is_file():
            parser.error(f"no feature bundle at {bundle}: run feature_extraction.py first")
    return args


def pooled_bundle(args):
    """The pooled four-class bundle, made once."""
    from ser_keras.features.pool import pool_bundles

    names = "-".join(bundle.name for bundle in args.bundles)
    pooled = args.pooled or REPOSITORY / "data" / "features" / names
    if not (pooled / "manifest.json").is_file():
        pool_bundles(args.bundles, pooled, labels="four")
    return pooled, names


def pointed(experiment, args, pooled, names):
    """The runs whose sets the pooled bundle holds, under the cross-corpus protocol."""
    from ser_keras.features.bundle import read_bundle
    from ser_keras.features.sets import needed_sets
    from ser_keras.systems import get_system

    held = set(read_bundle(pooled).feature_sets)
    runs, missing = [], []
    for spec in experiment.runs:
        if args.only is not None and spec.name not in args.only.split(","):
            continue
        system = get_system(spec.system)
        sets = needed_sets(system.feature_sets(system.configure(spec.preset, spec.settings, spec.training)[0]))
        if not set(sets) <= held:
            missing.append(f"{spec.name} ({', '.join(sorted(set(sets) - held))})")
            continue
        seeds = tuple(range(args.seeds)) if system.trainer == "keras" else spec.seeds
        runs.append(replace(spec, protocol="cross-corpus", seeds=seeds))
    out = args.out or REPOSITORY / "runs" / f"cross-{names}"
    pointed = replace(experiment, bundle=pooled, runs=tuple(runs), runs_folder=out, table=out / "comparison.md")
    return pointed, missing


def results_table(experiment, folders, missing):
    """One row per run, one column per test corpus: the UA of the fold that tests it."""
    corpora = json.loads((Path(experiment.bundle) / "manifest.json").read_text())["corpus"]["corpora"]
    names = [entry["name"] for entry in corpora]
    header = " | ".join(f"train {'+'.join(other for other in names if other != name)}, test {name}" for name in names)
    sizes = ", ".join(f"{entry['name']} ({entry['utterances']})" for entry in corpora)
    lines = [
        f"Corpora: {sizes}; four classes (angry, happy, neutral, sad), chance 25%; UA of each test corpus "
        "(mean over seeds).",
        "",
        f"| run | system | {header} |",
        "|---|---|" + "---:|" * len(names),
    ]
    for spec, folder in zip(experiment.runs, folders):
        rows = json.loads((folder / "report.json").read_text())["rows"]
        cells = []
        for name in names:
            values = [row["ua"] for row in rows if row["fold"] == f"corpus {name}"]
            cells.append(f"{100 * sum(values) / len(values):.1f}%" if values else "-")
        lines.append(f"| {spec.name} | {spec.description} | {' | '.join(cells)} |")
    if missing:
        lines += ["", f"Left out, their feature sets not in every bundle: {'; '.join(missing)}."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_arguments(argv)
    from ser_keras.experiment_files import read_experiment, run_experiment
    from ser_keras.trainers import Execution

    pooled, names = pooled_bundle(args)
    experiment, missing = pointed(read_experiment(EXPERIMENT), args, pooled, names)
    folders = run_experiment(experiment, Execution(verbose=0), log=lambda line: print(line, flush=True))
    table = results_table(experiment, folders, missing)
    (experiment.runs_folder / "results.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
