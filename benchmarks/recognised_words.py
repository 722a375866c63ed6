"""Recognised words against gold words: the word error rate, and what the paper's models keep.

    python feature_extraction.py --out data/features/demo                                  # gold words
    python feature_extraction.py --transcripts asr --language en --out data/features/demo-asr
    python benchmarks/recognised_words.py --gold data/features/demo --asr data/features/demo-asr --seeds 3

Trains Krishna and Reddy's acoustic, embedding-only and fused models on each bundle (the same
utterances, the same acoustic features; only the words differ: the corpus's transcripts, or
the recogniser's, in training and in test), under the systems' protocol or ``--protocol``,
and writes ``OUT/results.md``: the word error rate of the recognised words (from the asr
bundle's manifest) and the UA of every model on both, with the fusion's gain over the better
single modality. The runs are an experiment (:mod:`ser_keras.experiment_files`), so finished
folds are reused and an interrupted benchmark continues where it stopped.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

MODELS = ("acoustic", "embedding", "multimodal")


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, required=True, help="the bundle of the corpus's own transcripts")
    parser.add_argument("--asr", type=Path, required=True, help="the same corpus's bundle of recognised words")
    parser.add_argument("--seeds", type=int, default=3, help="seeds of every model (default 3)")
    parser.add_argument("--protocol", default=None, help="default: the systems' own (the paper split)")
    parser.add_argument("--epochs", type=int, default=None, help="default: the paper's 20")
    parser.add_argument("--out", type=Path, default=None, help="run folders and results.md (default runs/words-NAME)")
    args = parser.parse_args(argv)
    for bundle in (args.gold, args.asr):
        if not (bundle / "manifest.json").is_file():
            parser.error(f"no feature bundle at {bundle}: run feature_extraction.py first (see --help)")
    record = json.loads((args.asr / "manifest.json").read_text())["corpus"].get("transcripts", {})
    if record.get("source") != "asr":
        parser.error(f"{args.asr} holds no recognised words: extract it with --transcripts asr")
    return args


def experiment(args):
    """Five runs: the three models on the gold bundle, the two that read words on the asr bundle.

    The acoustic model reads no words: its inputs are the same arrays in both bundles, so it runs once.
    """
    from ser_keras.experiment_files import Experiment, RunSpec

    out = args.out or Path("runs") / f"words-{args.gold.name}"
    training = {"epochs": args.epochs} if args.epochs else {}
    runs = tuple(
        RunSpec(
            f"{model}-{words}",
            f"krishna2019/{model}",
            tuple(range(args.seeds)),
            args.protocol,
            training=training,
            bundle=bundle,
        )  # fmt: skip
        for words, bundle in (("gold", args.gold), ("asr", args.asr))
        for model in MODELS
        if words == "gold" or model != "acoustic"
    )
    return Experiment(path=Path(__file__), bundle=args.gold, runs=runs, runs_folder=out, table=out / "comparison.md")


def results_table(args, folder):
    """``results.md``: WER, then UA per model and words, and the fusion's gain."""
    from ser_keras.evaluation.compare import read_report
    from ser_keras.transcribe import checkpoint_name

    manifest = json.loads((args.asr / "manifest.json").read_text())
    record = manifest["corpus"]["transcripts"]
    wer = record["wer"]
    ua = {}
    for words in ("gold", "asr"):
        for model in MODELS:
            run = f"{model}-{'gold' if model == 'acoustic' else words}"  # the acoustic model reads no words
            summary = read_report(folder / run)["summary"]["ua"]
            ua[model, words] = (summary["mean"], summary["std"])
    report = read_report(folder / "multimodal-gold")
    corpus = f"{manifest['corpus'].get('kind')} ({manifest['utterances']} utterances)"
    lines = [
        f"Corpus: {corpus}; protocol {report['protocol']}; seeds {', '.join(map(str, report['seeds']))}; "
        "UA mean +- std over the runs (each seed of each fold); the acoustic model reads no words, so it is one "
        "run for both rows.",
        f"Recogniser: {checkpoint_name(record['recogniser']['model'])} (faster-whisper, beam "
        f"{record['recogniser']['beam_size']}); "
        f"word error rate {wer['wer']:.1%} over {wer['reference_words']} gold words of {wer['utterances']} utterances "
        f"({wer['substitutions']} substituted, {wer['deletions']} deleted, {wer['insertions']} inserted).",
        "",
        "| words | WER | acoustic UA | embedding-only UA | fused UA | fusion gain |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for words, shown in (("gold", "0.0%"), ("asr", f"{wer['wer']:.1%}")):
        cells = [f"{ua[model, words][0]:.1%} +- {ua[model, words][1]:.1%}" for model in MODELS]
        gain = ua["multimodal", words][0] - max(ua["acoustic", words][0], ua["embedding", words][0])
        lines.append(f"| {words} | {shown} | " + " | ".join(cells) + f" | {gain * 100:+.1f} points |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    from ser_keras.cli.quiet_tensorflow import import_tensorflow

    args = parse_arguments(argv)
    import_tensorflow()
    from ser_keras.experiment_files import run_experiment
    from ser_keras.trainers import Execution

    planned = experiment(args)
    run_experiment(planned, Execution(verbose=0))
    table = results_table(args, planned.runs_folder)
    (planned.runs_folder / "results.md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
