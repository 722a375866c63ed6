"""``python -m ser_keras.speech2vec train|evaluate``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

DEFAULT_HOLDOUT = "5"  # the paper's test session: its speakers stay unseen, as for the classifier


def _sessions(text):
    if text.strip().lower() in ("", "none"):
        return []
    try:
        return sorted({int(part) for part in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected session numbers like 5 or 4,5 or none, got {text!r}") from None


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.speech2vec",
        description="Speech2Vec (Chung and Glass 2018) in Keras: train on a corpus with word alignments, "
        "then check on held-out speakers that it learnt something.",
        epilog="examples:\n"
        "  python -m ser_keras.speech2vec train --corpus demo --dim 50 --epochs 10 --out runs/speech2vec\n"
        "  python -m ser_keras.speech2vec evaluate runs/speech2vec\n"
        "  python feature_extraction.py --embeddings runs/speech2vec/vectors.vec      # lookup, as the paper\n"
        "  python feature_extraction.py --speech2vec-model runs/speech2vec            # each word from its audio",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser(
        "train", help="train on a corpus with word alignments; write vectors.vec, encoder.keras, training.json"
    )
    train.add_argument("--corpus", choices=("demo", "iemocap"), default="demo")
    train.add_argument("--root", type=Path, default=None, help="as in feature_extraction.py")
    train.add_argument("--dim", type=int, default=50, help="embedding size (default: 50)")
    train.add_argument("--units", type=int, default=128, help="LSTM cells per direction (default: 128)")
    train.add_argument("--epochs", type=int, default=10, help="epochs (default: 10)")
    train.add_argument("--window", type=int, default=3, help="context words each side (default: 3)")
    train.add_argument("--batch-size", type=int, default=64, help="skip-gram pairs per batch (default: 64)")
    train.add_argument(
        "--holdout-sessions",
        type=_sessions,
        default=_sessions(DEFAULT_HOLDOUT),
        metavar="N[,N]|none",
        help="sessions left out of training, for `evaluate` and so the paper split's test speakers stay "
        "unseen (default: 5)",
    )
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.add_argument("--out", type=Path, required=True, help="output folder")

    evaluate = commands.add_parser(
        "evaluate", help="same-word against different-word similarity on held-out speakers, trained vs untrained"
    )
    evaluate.add_argument("model", type=Path, help="a folder written by `train`")
    evaluate.add_argument("--corpus", choices=("demo", "iemocap"), default=None, help="default: as in training")
    evaluate.add_argument("--root", type=Path, default=None, help="default: as in training")
    evaluate.add_argument(
        "--sessions", type=_sessions, default=None, metavar="N[,N]", help="default: the held-out sessions"
    )
    evaluate.add_argument("--words", default=None, help="comma-separated words for nearest neighbours")
    evaluate.add_argument("--pairs", type=int, default=5000, help="random pairs per mean (default: 5000)")
    evaluate.add_argument("--seed", type=int, default=0, help="pairs drawn and the untrained encoder's weights")
    return parser


def train(args):
    from ..corpora.loading import load_corpus
    from ..speech2vec.model import check_output, save_speech2vec, train_speech2vec

    check_output(args.out)
    utterances, info = load_corpus(args.corpus, args.root, progress=not args.quiet)
    training = [u for u in utterances if u.session not in args.holdout_sessions]
    if not training:
        raise ValueError(f"no utterances left after holding out sessions {args.holdout_sessions}")
    print(f"training on {len(training)} utterances (held out: sessions {args.holdout_sessions or 'none'})")
    result = train_speech2vec(
        training,
        dim=args.dim,
        epochs=args.epochs,
        window=args.window,
        units=args.units,
        batch_size=args.batch_size,
        seed=args.seed,
        progress=not args.quiet,
    )
    settings = {
        "corpus": info["kind"],
        "root": info["root"],
        "holdout_sessions": args.holdout_sessions,
        "utterances": len(training),
        "dim": args.dim,
        "units": args.units,
        "epochs": args.epochs,
        "window": args.window,
        "batch_size": args.batch_size,
        "seed": args.seed,
    }
    vectors = save_speech2vec(args.out, result, settings)
    print(f"wrote {args.out}: vectors.vec ({len(vectors)} words, dim {args.dim}), encoder.keras, training.json")
    print("loss per epoch: " + ", ".join(f"{v:.3f}" for v in result["history"]))


def evaluate(args):
    import keras

    from ..corpora.loading import load_corpus
    from ..speech2vec.evaluate import format_report, nearest_words, query_words, similarity_figures
    from ..speech2vec.model import build_speech2vec, embed_segments, load_speech2vec, mean_by_word
    from ..speech2vec.segments import segment_features, standardise, word_segments

    encoder, settings = load_speech2vec(args.model)
    sessions = args.sessions if args.sessions is not None else settings["holdout_sessions"]
    if not sessions:
        raise ValueError("this model was trained on every session; pass --sessions to choose speakers to evaluate on")
    seen = sorted(set(sessions) - set(settings["holdout_sessions"]))
    utterances, _ = load_corpus(args.corpus or settings["corpus"], args.root or settings["root"])
    chosen = [u for u in utterances if u.session in sessions]
    if not chosen:
        raise ValueError(f"no utterances in sessions {sessions}")
    segments = word_segments(chosen)
    frames = standardise(segment_features(chosen, segments), settings["mfcc_mean"], settings["mfcc_std"])
    words = [s.word for s in segments]
    speakers = [chosen[s.utterance].speaker for s in segments]

    keras.utils.set_random_seed(args.seed)
    _, untrained = build_speech2vec(dim=settings["dim"], units=settings["units"])
    queries = args.words.split(",") if args.words else query_words(words)
    unknown = [w for w in queries if w not in set(words)]
    if unknown:
        raise ValueError(f"--words: not spoken in these sessions: {', '.join(unknown)}")
    figures, neighbours = {}, {}
    for name, model in (("trained", encoder), ("untrained", untrained)):
        embeddings = embed_segments(model, frames)
        figures[name] = similarity_figures(embeddings, words, speakers, n_pairs=args.pairs, seed=args.seed)
        neighbours[name] = nearest_words(mean_by_word(words, embeddings), queries)
    names = sorted(set(speakers))
    description = (
        f"speakers {', '.join(names)} (sessions {','.join(map(str, sessions))}, "
        f"{'partly seen in training: ' + ','.join(map(str, seen)) if seen else 'held out of training'}): "
        f"{len(segments)} word segments, {figures['trained']['word_types']} word types"
    )
    print(format_report(figures, neighbours, description))
    record = {"sessions": sessions, "speakers": names, "figures": figures, "neighbours": neighbours}
    (args.model / "evaluation.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"\nwrote {args.model / 'evaluation.json'}")


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = build_parser()
    args = parser.parse_args(argv)
    from .quiet_tensorflow import import_tensorflow

    import_tensorflow()
    if args.command == "train":
        for name in ("dim", "units", "epochs", "window", "batch_size"):
            if getattr(args, name) < 1:
                parser.error(f"--{name.replace('_', '-')} must be at least 1")

    from ..corpora import CorpusError

    try:
        train(args) if args.command == "train" else evaluate(args)
    except (CorpusError, ValueError) as error:
        parser.exit(2, f"error: {error}\n")
    except KeyboardInterrupt:
        parser.exit(130, "interrupted: nothing written\n" if args.command == "train" else "interrupted\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
