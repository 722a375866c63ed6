"""``python -m ser_keras.corpora ROOT``: counts of an IEMOCAP tree beside the paper's."""

from __future__ import annotations

import sys
from collections import Counter

from ..corpora.iemocap import LABEL_SETS, PAPER_CLASS_COUNTS, count_report, read_iemocap
from ..corpora.utterance import CorpusError


def main(argv=None):
    """Command line: read an IEMOCAP tree and print its counts beside the paper's."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.corpora",
        description="Read an IEMOCAP tree and print the utterances per class, what was left out and why.",
    )
    parser.add_argument("root", help="the IEMOCAP_full_release folder (or any tree in its layout)")
    parser.add_argument(
        "--labels",
        choices=sorted(LABEL_SETS),
        default="paper",
        help="paper: angry, excited (+happy), neutral, sad (default); all: every label",
    )
    args = parser.parse_args(argv)
    try:
        corpus = read_iemocap(args.root, labels=args.labels)
    except CorpusError as error:
        parser.exit(2, f"error: {error}\n")
    expected = PAPER_CLASS_COUNTS if args.labels == "paper" else None
    print(count_report(corpus, expected=expected))
    sessions = Counter(u.session for u in corpus.utterances)
    print("per session: " + ", ".join(f"{k}: {n}" for k, n in sorted(sessions.items())))
    for note, n in sorted(corpus.notes.items()):
        print(f"note: {note} ({n})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
