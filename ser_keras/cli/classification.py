"""``classification.py``: train and evaluate the paper's models on a feature bundle."""

from __future__ import annotations

import argparse
import shlex
import shutil
import sys
import time
from pathlib import Path

import numpy as np

from ..distribute import replicas
from . import require_at_least_one

DEFAULT_FEATURES = Path("data") / "features" / "demo"
DEFAULT_RUNS = Path("runs")


def build_parser():
    parser = argparse.ArgumentParser(
        prog="classification.py",
        description="Train and evaluate the models of Krishna and Reddy (AVSP 2019) on a feature bundle "
        "written by feature_extraction.py; print the results table and save model.keras and reports.",
        epilog="examples:\n"
        "  python classification.py                                  # multimodal, paper split, demo bundle\n"
        "  python classification.py --model acoustic --seeds 3\n"
        "  python classification.py --protocol loso --features data/features/iemocap-s2v50\n"
        "  python classification.py --experiment all --seeds 3        # the paper's Tables 1-3 -> results.md",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--features", type=Path, default=DEFAULT_FEATURES, help=f"feature bundle folder (default: {DEFAULT_FEATURES})"
    )
    parser.add_argument(
        "--model",
        choices=("acoustic", "embedding", "multimodal"),
        default="multimodal",
        help="acoustic only (4.1), embedding only (4.2) or both fused (4.3, default)",
    )
    parser.add_argument(
        "--protocol",
        choices=("paper", "loso"),
        default="paper",
        help="paper: sessions 1-4 train, 5 test (default); loso: leave one session out, 5 folds",
    )
    parser.add_argument(
        "--trainable-embeddings",
        action="store_true",
        help="feed token ids through an Embedding layer initialised from the bundle's vectors "
        "and trained with the model (section 2.4)",
    )
    parser.add_argument("--epochs", type=int, default=20, help="epochs (default: 20, the paper's)")
    parser.add_argument("--batch-size", type=int, default=32, help="batch size (default: 32, the paper's)")
    parser.add_argument("--seed", type=int, default=0, help="first random seed (default: 0)")
    parser.add_argument("--seeds", type=int, default=1, help="runs with seeds seed, seed+1, ... (default: 1)")
    parser.add_argument("--out", type=Path, default=None, help="run folder (default: runs/<model>-<protocol>)")
    speed = parser.add_argument_group("speed and scale")
    speed.add_argument(
        "--fast",
        action="store_true",
        help="cuDNN-eligible LSTMs: recurrent dropout 0, the 0.2 moved to input dropout (a deviation from "
        "the paper, recorded in the report); on a GPU cuDNN is then required",
    )
    speed.add_argument(
        "--pipeline",
        choices=("arrays", "tf.data", "tf.data-by-length"),
        default="arrays",
        help="arrays: Keras batches NumPy arrays (default); tf.data: shuffle, batch, prefetch; "
        "tf.data-by-length: batches of similar length, each padded to its own longest utterance",
    )
    speed.add_argument("--mixed-precision", action="store_true", help="float16 compute on a GPU (mixed_float16)")
    speed.add_argument(
        "--strategy",
        choices=("auto", "mirrored", "multiworker", "none"),
        default="none",
        help="tf.distribute: mirrored = every GPU of this machine; multiworker = machines in TF_CONFIG; "
        "auto = multiworker with TF_CONFIG, mirrored with 2+ GPUs, else none (default: none)",
    )
    experiments = parser.add_argument_group("the paper's tables (--experiment)")
    experiments.add_argument(
        "--experiment",
        choices=("table1", "table2", "table3", "all"),
        default=None,
        help="run every row of the paper's Table 1, 2, 3 or all on the paper split and write results.md "
        "(ignores --model, --protocol and --trainable-embeddings)",
    )
    experiments.add_argument(
        "--speech-vectors",
        action="append",
        default=[],
        metavar="DIM=PATH",
        help="speech embedding file of one dimension (repeatable); missing dimensions are trained locally "
        "with Speech2Vec on the bundle's corpus",
    )
    experiments.add_argument(
        "--word-vectors",
        action="append",
        default=[],
        metavar="DIM=PATH",
        help="word embedding file of one dimension (repeatable); missing dimensions are trained locally "
        "with word2vec on the transcripts",
    )
    experiments.add_argument(
        "--speech2vec-epochs", type=int, default=5, help="epochs of locally trained Speech2Vec (default: 5)"
    )
    parser.add_argument("--verbose", type=int, choices=(0, 1, 2), default=1, help="Keras progress (default: 1)")
    return parser


def make_config(args):
    """The paper's settings with this run's epochs and batch size, and ``--fast``."""
    from ..config import PaperConfig, fast_config

    config = PaperConfig(epochs=args.epochs, batch_size=args.batch_size)
    return fast_config(config) if args.fast else config


def config_deviations(args):
    """What this run changes from the paper, in words, for the reports."""
    deviations = []
    if args.epochs != 20 or args.batch_size != 32:
        deviations.append(f"epochs {args.epochs}, batch size {args.batch_size} (paper: 20, 32)")
    if args.fast:
        deviations.append("--fast: LSTM recurrent dropout 0 and input dropout 0.2 (paper: recurrent dropout 0.2)")
    if args.mixed_precision:
        deviations.append("--mixed-precision: float16 compute")
    return deviations


def _vector_files(parser, option, values):
    files = {}
    for value in values:
        dim, _, path = value.partition("=")
        if not dim.isdigit() or not path:
            parser.error(f"{option}: expected DIM=PATH, got {value!r}")
        if not Path(path).is_file():
            parser.error(f"{option}: no such file: {path}")
        files[int(dim)] = Path(path)
    return files


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    require_at_least_one(parser, args, ("epochs", "batch_size", "seeds", "speech2vec_epochs"))
    speech_vectors = _vector_files(parser, "--speech-vectors", args.speech_vectors)
    word_vectors = _vector_files(parser, "--word-vectors", args.word_vectors)

    from ..distribute import choose_strategy, is_chief, use_mixed_precision

    try:
        # Before anything else runs in TensorFlow: MultiWorkerMirroredStrategy requires it.
        strategy = choose_strategy(args.strategy)
        if args.mixed_precision:
            use_mixed_precision()
    except ValueError as error:
        parser.exit(2, f"error: {error}\n")

    from ..features.bundle import BundleError, read_bundle

    try:
        bundle = read_bundle(args.features)
    except BundleError as error:
        parser.exit(2, f"error: {error}\n")
    sessions = bundle.meta["session"].to_numpy()
    if any(str(s) == "" for s in sessions):
        parser.exit(2, "error: this bundle's corpus has no sessions; the paper and loso protocols need them\n")
    sessions = sessions.astype(int)
    if args.protocol == "paper" and 5 not in set(sessions):
        parser.exit(2, "error: the paper protocol tests on session 5, which this bundle does not have\n")
    if args.experiment:
        return experiment(args, argv, bundle, speech_vectors, word_vectors, strategy)
    if args.model != "acoustic" and not (bundle.path / "embedding_matrix.npy").is_file():
        parser.exit(2, f"error: {bundle.path} has no word vectors for the {args.model} model\n")

    from ..evaluation import markdown_report, plot_confusion, plot_curves, scores, summarise, write_json
    from ..training import arrays_needed, leave_one_session_out, paper_split, train_and_predict

    config = make_config(args)
    out = args.out or DEFAULT_RUNS / f"{args.model}-{args.protocol}"
    if not is_chief():
        # Every worker of a cluster runs this command; only the chief writes the run folder.
        import tempfile

        out = Path(tempfile.mkdtemp(prefix="ser_keras_worker_"))
    out.mkdir(parents=True, exist_ok=True)
    # Only what the model reads: a 300-d IEMOCAP bundle's speech_embeddings alone is 850 MB.
    arrays = {name: np.asarray(bundle.array(name)) for name in arrays_needed(args.model, args.trainable_embeddings)}
    labels, classes = arrays["labels"], bundle.classes
    folds = [(5, *paper_split(sessions))] if args.protocol == "paper" else leave_one_session_out(sessions)
    seeds = list(range(args.seed, args.seed + args.seeds))
    started = time.perf_counter()
    rows, histories, pooled_true, pooled_pred, saved = [], [], [], [], False
    predictions = []
    try:
        for seed in seeds:
            for test_session, train, test in folds:
                print(
                    f"\n{args.model} model, seed {seed}, test session {test_session}: "
                    f"{len(train)} training and {len(test)} test utterances",
                    flush=True,
                )
                run_started = time.perf_counter()
                result = train_and_predict(
                    arrays,
                    labels,
                    train,
                    test,
                    args.model,
                    len(classes),
                    config,
                    seed,
                    args.trainable_embeddings,
                    args.verbose,
                    pipeline=args.pipeline,
                    strategy=strategy,
                )
                predicted = result["probabilities"].argmax(axis=1)
                fold_scores = scores(labels[test], predicted, classes)
                rows.append(
                    {
                        "name": f"seed {seed}, test session {test_session}",
                        "seed": seed,
                        "test_session": test_session,
                        "seconds": round(time.perf_counter() - run_started, 1),
                        **fold_scores,
                    }
                )
                for row, probabilities in zip(test, result["probabilities"]):
                    predictions.append(
                        {
                            "seed": seed,
                            "test_session": test_session,
                            "id": bundle.meta["id"][row],
                            "label": classes[labels[row]],
                            "predicted": classes[probabilities.argmax()],
                            **{f"p_{name}": float(p) for name, p in zip(classes, probabilities)},
                        }
                    )
                histories.append(result["history"])
                pooled_true.append(labels[test])
                pooled_pred.append(predicted)
                print(f"UA {fold_scores['ua']:.1%}  WA {fold_scores['wa']:.1%}", flush=True)
                if test_session == 5 and not saved:
                    # The model trained on sessions 1-4 (first seed) is the one kept for prediction.
                    result["model"].save(out / "model.keras")
                    saved = True
    except KeyboardInterrupt:
        parser.exit(130, "interrupted: no report written (finished runs are lost)\n")

    if args.model != "acoustic":
        np.save(out / "embedding_matrix.npy", arrays["embedding_matrix"])
        (out / "vocab.txt").write_text("\n".join(bundle.vocabulary) + "\n", encoding="utf-8")
    pooled = scores(np.concatenate(pooled_true), np.concatenate(pooled_pred), classes)
    deviations = config_deviations(args)
    report = {
        "model": args.model,
        "protocol": args.protocol,
        "features": str(bundle.path),
        "classes": classes,
        "seeds": seeds,
        "trainable_embeddings": args.trainable_embeddings,
        "embeddings": bundle.manifest.get("embeddings"),
        "corpus": bundle.manifest.get("corpus"),
        "config": config.to_dict(),
        "deviations": deviations,
        "pipeline": args.pipeline,
        "strategy": {"name": args.strategy, "replicas": replicas(strategy)},
        "mixed_precision": args.mixed_precision,
        "rows": rows,
        "histories": histories,
        "ua": summarise([row["ua"] for row in rows]),
        "wa": summarise([row["wa"] for row in rows]),
        "pooled": pooled,
        "seconds": round(time.perf_counter() - started, 1),
        "command": shlex.join(["python", "classification.py", *(argv if argv is not None else sys.argv[1:])]),
        "model_file": "model.keras" if saved else None,
    }
    write_json(out / "report.json", report)
    import pandas as pd

    pd.DataFrame(predictions).to_csv(out / "predictions.csv", index=False)
    write_json(
        out / "run.json",
        {key: report[key] for key in ("model", "classes", "trainable_embeddings", "embeddings", "features")},
    )
    (out / "report.md").write_text(markdown_report(report))
    title = f"{args.model} model, {args.protocol} protocol"
    plot_confusion(pooled["confusion"], classes, out / "confusion.png", title=title)
    plot_curves(histories, out / "curves.png", title=title)
    shutil.copy(bundle.path / "manifest.json", out / "features_manifest.json")

    print()
    print(f"{'run':<28} {'UA':>7} {'WA':>7}")
    for row in rows:
        print(f"{row['name']:<28} {row['ua']:>7.1%} {row['wa']:>7.1%}")
    print(
        f"{'mean +- std':<28} {report['ua']['mean']:>7.1%} {report['wa']['mean']:>7.1%}"
        f"   (+- {report['ua']['std']:.1%}, {report['wa']['std']:.1%})"
    )
    print(
        f"\nwrote {out}/: report.md, report.json, predictions.csv, confusion.png, curves.png"
        + (", model.keras" if saved else "")
        + f"  ({report['seconds']:.0f} s)"
    )
    return 0


def experiment(args, argv, bundle, speech_vectors, word_vectors, strategy=None):
    """``--experiment``: the paper's tables on the paper split, written to results.md."""
    from ..evaluation import write_json
    from ..experiments import results_markdown, run_experiment

    config = make_config(args)
    out = args.out or DEFAULT_RUNS / f"experiments-{bundle.manifest.get('corpus', {}).get('kind', 'bundle')}"
    seeds = list(range(args.seed, args.seed + args.seeds))
    command = shlex.join(["python", "classification.py", *(argv if argv is not None else sys.argv[1:])])
    started = time.perf_counter()
    try:
        outcome = run_experiment(
            bundle,
            args.experiment,
            out,
            seeds,
            config,
            speech_vectors,
            word_vectors,
            args.speech2vec_epochs,
            verbose=args.verbose if args.verbose != 1 else 0,
            pipeline=args.pipeline,
            strategy=strategy,
        )
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\ninterrupted: finished runs are kept in {out}/runs and reused on the next call", file=sys.stderr)
        return 130
    markdown = results_markdown(
        args.experiment, outcome, bundle, seeds, config, command, args.speech2vec_epochs, config_deviations(args)
    )
    (out / "results.md").write_text(markdown)
    write_json(
        out / "results.json",
        {
            "experiment": args.experiment,
            "command": command,
            "seeds": seeds,
            "config": config.to_dict(),
            "sources": outcome["sources"],
            "results": outcome["results"],
            "rows": [
                {"table": r.table, "system": r.system, "paper_ua": r.paper_ua, "key": r.key} for r in outcome["rows"]
            ],
        },
    )
    print()
    print(markdown)
    print(f"wrote {out}/results.md and results.json ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
