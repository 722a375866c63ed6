"""``python -m ser_keras.corpora.demo``: build the demo corpus, and check it is fit for teaching."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..corpora.demo import DEFAULT_ROOT, DemoSettings, build_demo_corpus, is_built, read_marker


def main(argv=None):
    """Command line: build the demo corpus, and optionally check it is fit for teaching."""
    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.corpora.demo",
        description="Build the ser_keras demo corpus: synthetic emotional speech in IEMOCAP's layout "
        "(for teaching and testing, not a benchmark).",
    )
    parser.add_argument("--out", type=Path, default=None, help=f"corpus folder to build (default: {DEFAULT_ROOT})")
    parser.add_argument(
        "--check",
        type=Path,
        default=None,
        metavar="DIR",
        help="build DIR if needed, then print scikit-learn baselines (sessions 1-4 train, 5 test) and "
        "whether the corpus meets the teaching bar; exit status 1 when it does not",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument(
        "--per-class",
        type=int,
        default=DemoSettings.per_class,
        help=f"utterances per speaker and emotion (default: {DemoSettings.per_class})",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even if a matching corpus exists")
    parser.add_argument("--workers", type=int, default=None, help="processes for --check feature extraction")
    args = parser.parse_args(argv)
    if args.per_class < 1:
        parser.error("--per-class must be at least 1")
    if args.out and args.check and args.out != args.check:
        parser.error("give --out or --check DIR, or the same folder to both")
    root = args.check or args.out or DEFAULT_ROOT
    settings = DemoSettings(seed=args.seed, per_class=args.per_class)
    reused = is_built(root, settings) and not args.force
    started = time.perf_counter()
    try:
        build_demo_corpus(root, settings, force=args.force)
    except FileExistsError as error:
        parser.exit(2, f"error: {error}\n")
    marker = read_marker(root)
    if reused:
        print(f"demo corpus already built at {root} (use --force to rebuild)")
    else:
        print(f"built demo corpus at {root} in {time.perf_counter() - started:.1f} s")
    print("turns per label code: " + ", ".join(f"{code} {n}" for code, n in marker["counts"].items()))
    if args.check:
        # The check needs feature extraction, a later pipeline step: only the command line reaches forward.
        from ..corpora.demo_check import check_demo_corpus

        passed = check_demo_corpus(root, workers=args.workers)
        return 0 if passed else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
