"""``python -m ser_keras.corpora NAME ROOT``: a corpus's counts beside its published ones."""

from __future__ import annotations

import sys
from collections import Counter

from ..corpora.loading import available_corpora, get_corpus
from ..corpora.utterance import CorpusError, count_report


def _names():
    """The corpora with published counts to compare against."""
    return [name for name, reader in available_corpora().items() if reader.expected_counts is not None]


def main(argv=None):
    """Command line: read a corpus and print its counts per class beside the published ones."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.corpora",
        description="Read a corpus from its release layout and print the utterances per class beside the "
        "published counts, per fold group and speaker, and what was left out and why.",
        epilog="examples:\n"
        "  python -m ser_keras.corpora ravdess ~/corpora/ravdess          # the folder of Actor_01 ... Actor_24\n"
        "  python -m ser_keras.corpora iemocap ~/IEMOCAP_full_release\n"
        "  python -m ser_keras.corpora ~/IEMOCAP_full_release              # IEMOCAP when no name is given",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name_or_root", metavar="NAME", help=f"the corpus: {', '.join(_names())}")
    parser.add_argument("root", metavar="ROOT", nargs="?", help="its release folder")
    parser.add_argument(
        "--labels",
        choices=("paper", "all", "four"),
        default=None,
        help="IEMOCAP: paper (default: angry, excited + happy, neutral, sad) or all; "
        "the acted corpora: all (default) or four (angry, happy, neutral, sad)",
    )
    args = parser.parse_args(argv)
    name, root = args.name_or_root, args.root
    if root is None:  # the older form, an IEMOCAP root alone
        name, root = "iemocap", name
    if name not in _names():
        parser.exit(2, f"error: unknown corpus {name!r} (choose from {', '.join(_names())})\n")
    reader = get_corpus(name)
    labels = args.labels or reader.label_sets[0]
    if labels not in reader.label_sets:
        parser.exit(2, f"error: --labels {labels}: {name} has the label sets {', '.join(reader.label_sets)}\n")
    try:
        corpus = reader.read(root, labels)
        expected = reader.expected_counts(labels)
    except CorpusError as error:
        parser.exit(2, f"error: {error}\n")
    print(count_report(corpus, expected=expected))
    groups = Counter(u.session for u in corpus.utterances)
    what = "session" if name == "iemocap" else "fold group"
    print(f"per {what}: " + ", ".join(f"{k}: {n}" for k, n in sorted(groups.items())))
    speakers = Counter(u.speaker for u in corpus.utterances)
    print(f"speakers: {len(speakers)} ({min(speakers.values())}-{max(speakers.values())} utterances each)")
    hours = sum(u.duration or 0.0 for u in corpus.utterances) / 3600
    print(f"audio: {hours:.2f} h")
    for note, n in sorted(corpus.notes.items()):
        print(f"note: {note} ({n})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
