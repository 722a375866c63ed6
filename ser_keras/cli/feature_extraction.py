"""``feature_extraction.py``: a corpus in, a feature bundle out.

With no arguments it builds the demo corpus if missing and writes the demo bundle
with locally trained 50-d word2vec vectors to ``data/features/demo``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import require_at_least_one

DEFAULT_OUT = Path("data") / "features"


def build_parser():
    parser = argparse.ArgumentParser(
        prog="feature_extraction.py",
        description="Extract the paper's features (34 acoustic features per 100 ms frame, word tokens and "
        "word vectors) from a corpus and write a feature bundle for classification.py.",
        epilog="examples:\n"
        "  python feature_extraction.py                      # demo corpus, word2vec trained locally\n"
        "  python feature_extraction.py --corpus iemocap --root IEMOCAP_full_release "
        "--embeddings speech2vec-50.vec\n"
        "  python feature_extraction.py --corpus manifest --root my_corpus/manifest.csv",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--corpus",
        choices=("demo", "iemocap", "manifest"),
        default="demo",
        help="corpus kind (default: demo, built on first use)",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="demo: corpus folder (default data/demo_corpus); iemocap: IEMOCAP_full_release; manifest: the CSV file",
    )
    parser.add_argument("--out", type=Path, default=None, help="bundle folder (default: data/features/<corpus>)")
    parser.add_argument(
        "--embeddings",
        default="train-word2vec",
        metavar="PATH|train-word2vec",
        help="word vectors: a word2vec text/binary file or saved gensim KeyedVectors, or "
        "train-word2vec to train skip-gram on the corpus transcripts (default)",
    )
    parser.add_argument("--dim", type=int, default=50, help="dimension of locally trained vectors (default: 50)")
    parser.add_argument("--seed", type=int, default=0, help="seed for locally trained vectors (default: 0)")
    parser.add_argument(
        "--labels",
        choices=("paper", "all"),
        default="paper",
        help="IEMOCAP label set: paper = angry, excited (+happy), neutral, sad (default)",
    )
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes across files (default: number of cores)"
    )
    parser.add_argument(
        "--acoustic-backend",
        choices=("vectorised", "pyaudioanalysis"),
        default="vectorised",
        help="vectorised (default, equal to the reference) or pyaudioanalysis (the reference)",
    )
    parser.add_argument("--max-frames", type=int, default=200, help="frames per utterance (default: 200 = 20 s)")
    parser.add_argument("--max-words", type=int, default=128, help="words per utterance (default: 128)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    require_at_least_one(parser, args, ("dim", "workers", "max_frames", "max_words"))
    if args.embeddings != "train-word2vec" and not Path(args.embeddings).is_file():
        parser.error(f"--embeddings: no such file: {args.embeddings}")

    from ..corpora import CorpusError
    from ..corpora.loading import load_corpus
    from ..features.bundle import BundleError
    from ..features.embeddings import EmbeddingError
    from ..features.extraction import extract_bundle, summary

    out = args.out or DEFAULT_OUT / args.corpus
    try:
        utterances, info = load_corpus(args.corpus, args.root, args.labels, progress=not args.quiet)
        print(f"{len(utterances)} utterances from {info['root']}", flush=True)
        manifest = extract_bundle(
            utterances,
            out,
            embeddings=args.embeddings,
            dim=args.dim,
            seed=args.seed,
            backend=args.acoustic_backend,
            workers=args.workers,
            max_frames=args.max_frames,
            max_words=args.max_words,
            corpus_info=info,
            progress=not args.quiet,
        )
    except (CorpusError, EmbeddingError, BundleError, ValueError, FileExistsError) as error:
        parser.exit(2, f"error: {error}\n")
    except KeyboardInterrupt:
        parser.exit(130, "interrupted: no bundle written\n")
    print(f"\nwrote {out}")
    print(summary(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
