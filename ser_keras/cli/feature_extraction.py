"""``feature_extraction.py``: a corpus in, a feature bundle out.

With no arguments it builds the demo corpus if missing and writes the demo bundle
with locally trained 50-d word2vec vectors to ``data/features/demo``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..features.acoustic import BACKENDS, MAX_FRAMES
from ..features.text import MAX_WORDS
from . import require_at_least_one
from .transcribe import add_recogniser_options, recogniser

DEFAULT_OUT = Path("data") / "features"


def build_parser():
    from ..corpora.loading import available_corpora

    corpora = available_corpora()
    parser = argparse.ArgumentParser(
        prog="feature_extraction.py",
        description="Extract the paper's features (34 acoustic features per 100 ms frame, word tokens and "
        "word vectors) from a corpus and write a feature bundle for classification.py.",
        epilog="examples:\n"
        "  python feature_extraction.py                      # demo corpus, word2vec trained locally\n"
        "  python feature_extraction.py --corpus iemocap --root IEMOCAP_full_release "
        "--embeddings speech2vec-50.vec\n"
        "  python feature_extraction.py --corpus manifest --root my_corpus/manifest.csv\n"
        "  python feature_extraction.py --corpus ravdess --root ~/corpora/ravdess     # Actor_01 ... Actor_24\n"
        "  python feature_extraction.py --speech2vec-model runs/speech2vec   # each word embedded from its audio\n"
        "  python feature_extraction.py --pool data/features/ravdess data/features/emovo --labels four "
        "--out data/features/ravdess-emovo   # for --protocol cross-corpus",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--corpus",
        choices=tuple(corpora),
        default="demo",
        help="corpus kind (default: demo, built on first use); the acted corpora are read from their release layout",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="; ".join(f"{name}: {reader.root_help}" for name, reader in corpora.items()),
    )
    parser.add_argument("--out", type=Path, default=None, help="bundle folder (default: data/features/<corpus>)")
    parser.add_argument(
        "--embeddings",
        default="train-word2vec",
        metavar="PATH|train-word2vec",
        help="word vectors: a word2vec text/binary file or saved gensim KeyedVectors, or "
        "train-word2vec to train skip-gram on the corpus transcripts (default)",
    )
    parser.add_argument(
        "--speech2vec-model",
        type=Path,
        default=None,
        metavar="DIR",
        help="Speech2Vec acoustic mode: embed each word of each utterance from its own audio with the encoder "
        "in DIR (from `python -m ser_keras.speech2vec train`; needs word alignments). Tokens and the "
        "embedding matrix then use DIR/vectors.vec",
    )
    parser.add_argument("--dim", type=int, default=50, help="dimension of locally trained vectors (default: 50)")
    parser.add_argument("--seed", type=int, default=0, help="seed for locally trained vectors (default: 0)")
    parser.add_argument(
        "--labels",
        choices=tuple(dict.fromkeys(label for reader in corpora.values() for label in reader.label_sets)),
        default=None,
        help="label set (default: the corpus's first). "
        + "; ".join(f"{name}: {', '.join(reader.label_sets)}" for name, reader in corpora.items())
        + ". IEMOCAP's paper = angry, excited (+happy), neutral, sad; four = angry, happy, neutral, sad",
    )
    parser.add_argument(
        "--transcripts",
        choices=("gold", "asr"),
        default="gold",
        help="the words the bundle reads: the corpus's own transcripts (gold, default) or a recogniser's, with its "
        "word times (asr: faster-whisper, the asr extra; the word error rate against the gold transcripts is "
        "recorded in the manifest and printed)",
    )
    add_recogniser_options(parser)
    _add_scale_options(parser.add_argument_group("scale: processes and machines"))
    parser.add_argument(
        "--feature-sets",
        default=None,
        metavar="A,B",
        help="further feature sets to add to the bundle (computed into an existing bundle at --out without "
        f"recomputing anything else; after the main extraction otherwise): {', '.join(_extra_sets())}",
    )
    _add_set_options(parser)
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def _add_scale_options(group):
    """Worker processes, and slices of the corpus for several machines."""
    group.add_argument(
        "--jobs",
        "--workers",
        dest="workers",
        type=int,
        metavar="N",
        default=os.cpu_count() or 1,
        help="worker processes across files, each computing whole utterances: the arrays are those of one process "
        "(default: the number of cores)",
    )
    group.add_argument(
        "--shard",
        default=None,
        metavar="K/N",
        help="compute the acoustic features of the K-th of N contiguous slices of the corpus into OUT.shards/ "
        "(one call per slice, on as many machines as you like); then --merge N writes the bundle. With "
        "--feature-sets and an existing bundle: that slice of the named sets, into OUT.shards/sets/",
    )
    group.add_argument(
        "--merge",
        type=int,
        default=None,
        metavar="N",
        help="join the N slices of --shard in OUT.shards/ into the bundle OUT (the words are computed here, "
        "over the whole corpus): the arrays of one call without slices. With --feature-sets and an existing "
        "bundle: join the named sets' slices and add them",
    )
    group.add_argument(
        "--pool",
        nargs="+",
        type=Path,
        default=None,
        metavar="BUNDLE",
        help="join the bundles of several corpora into the bundle OUT, with a corpus column, for classification.py "
        "--protocol cross-corpus; with --labels four only their angry, happy, neutral and sad utterances (a shared "
        "label map; otherwise their classes must be the same); every feature set they all hold alike is pooled, the "
        "words set is not",
    )


def _add_set_options(parser):
    """One flag per option that the registered feature sets declare (the base sets' first)."""
    from ..features.sets import all_options

    group = parser.add_argument_group("options of the feature sets")
    declared = sorted(all_options().values(), key=lambda pair: (not _is_base(pair[1]), pair[0].name))
    for option, sets in declared:
        if not option.command_line:
            continue
        default = "" if option.default is None else f"; default: {option.default}"
        group.add_argument(
            option.flag,
            type=option.type,
            default=None,
            choices=option.choices or None,
            metavar=option.metavar,
            help=f"{', '.join(sets)}: {option.help}{default}",
        )


def _is_base(names):
    from ..features.sets import get_feature_set

    return any(get_feature_set(name).base for name in names)


def _set_options(args):
    """The feature sets' options given on the command line, by name."""
    from ..features.sets import all_options

    given = {name: getattr(args, name, None) for name in all_options()}
    return {name: value for name, value in given.items() if value is not None}


def _extra_sets():
    from ..features.sets import available_feature_sets

    return [name for name, feature_set in available_feature_sets().items() if not feature_set.base]


def _check_sets(parser, args, extra):
    """One-line usage errors for unknown sets and for options a requested set cannot do without."""
    from ..features.sets import get_feature_set, needed_sets

    unknown = [name for name in extra if name not in _extra_sets()]
    if unknown:
        parser.error(f"--feature-sets: unknown {', '.join(unknown)} (available: {', '.join(_extra_sets())})")
    options = _set_options(args)
    for name in needed_sets(extra):
        for option in get_feature_set(name).options:
            if option.required and option.name not in options:
                parser.error(f"--feature-sets {name} needs {option.flag} {option.metavar or option.name.upper()}")


def acoustic_speech2vec(directory, utterances, progress=True):
    """The vectors file and the ENC2-input function of Speech2Vec acoustic mode.

    Fails before any extraction when the model folder is incomplete or an
    utterance has no word alignment.

    Returns
    -------
    vectors_path : Path
    speech_embeddings : callable
        For :func:`ser_keras.features.extraction.extract_bundle`.
    """
    from ..speech2vec import load_speech2vec, require_alignments, utterance_embeddings

    encoder, settings = load_speech2vec(directory)
    require_alignments(utterances)

    def speech_embeddings(kept, max_words):
        array, counts = utterance_embeddings(
            encoder, settings["mfcc_mean"], settings["mfcc_std"], kept, max_words, progress=progress
        )
        record = {
            "kind": f"Speech2Vec acoustic mode, each word embedded from its own audio ({directory})",
            "model": str(Path(directory).resolve()),
            "aligned_words": int(counts.sum()),
            "utterances_cut": int(sum(len(u.words) > max_words for u in kept)),
        }
        return array, record

    return Path(directory) / "vectors.vec", speech_embeddings


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    require_at_least_one(
        parser, args, ("dim", "workers", "max_frames", "max_words", "logmel_mels", "logmel_seconds", "merge")
    )
    if args.shard and args.merge is not None:
        parser.error("--shard computes one slice and --merge joins them: give one of the two")
    extra = [name.strip() for name in (args.feature_sets or "").split(",") if name.strip()]
    _check_sets(parser, args, extra)
    if args.embeddings != "train-word2vec" and not Path(args.embeddings).is_file():
        parser.error(f"--embeddings: no such file: {args.embeddings}")
    if args.speech2vec_model is not None and args.embeddings != "train-word2vec":
        parser.error("--speech2vec-model brings its own vectors.vec: leave out --embeddings")

    from ..corpora import CorpusError
    from ..corpora.loading import load_corpus
    from ..features.bundle import BundleError, read_bundle
    from ..features.embeddings import EmbeddingError
    from ..features.extraction import summary
    from ..features.sets import add_feature_sets
    from ..transcribe import TranscriptionError

    if args.pool:
        return _pool(parser, args)
    out = args.out or DEFAULT_OUT / args.corpus
    if extra and (out / "manifest.json").is_file():
        # An existing bundle: add the named sets, recompute nothing else.
        try:
            if args.shard or args.merge is not None:
                return _sets_in_slices(args, read_bundle(out), extra)
            bundle = add_feature_sets(read_bundle(out), extra, args.workers, not args.quiet, options=_set_options(args))
        except (CorpusError, BundleError, ValueError) as error:
            parser.exit(2, f"error: {error}\n")
        except KeyboardInterrupt:
            parser.exit(130, "interrupted: the bundle is as it was before the set being computed\n")
        print(f"added to {out}: {', '.join(extra)}; its feature sets: {', '.join(bundle.feature_sets)}")
        return 0
    try:
        utterances, info = load_corpus(args.corpus, args.root, args.labels, progress=not args.quiet)
        print(f"{len(utterances)} utterances from {info['root']}", flush=True)
        if args.shard:  # a slice computes acoustic features only: the words are the merge's
            return _one_slice(args, utterances, out)
        if args.transcripts == "asr":
            utterances, info = _recognised(args, utterances, info, out)
        manifest = _extract(args, utterances, info, out)
    except (CorpusError, EmbeddingError, BundleError, ValueError, FileExistsError, TranscriptionError) as error:
        parser.exit(2, f"error: {error}\n")
    except KeyboardInterrupt:
        parser.exit(130, "interrupted: no bundle written (recognised words are kept for the next call)\n")
    print(f"\nwrote {out}")
    print(summary(manifest))
    if extra:
        try:
            add_feature_sets(read_bundle(out), extra, args.workers, not args.quiet, options=_set_options(args))
        except KeyboardInterrupt:
            parser.exit(130, "interrupted: the bundle is complete without the set being computed\n")
    return 0


def _pool(parser, args):
    """``--pool``: several corpora's bundles joined into one."""
    from ..features.bundle import BundleError
    from ..features.pool import pool_bundles

    if args.out is None:
        parser.error("--pool needs --out, the pooled bundle's folder")
    try:
        manifest = pool_bundles(args.pool, args.out, args.labels)
    except BundleError as error:
        parser.exit(2, f"error: {error}\n")
    corpora = ", ".join(f"{entry['name']} {entry['utterances']}" for entry in manifest["corpus"]["corpora"])
    classes = ", ".join(manifest["classes"])
    print(f"wrote {args.out}: {manifest['utterances']} utterances ({corpora}), classes {classes}")
    print(f"feature sets: {', '.join(manifest['feature_sets'])}")
    for name, reason in manifest["left_out_sets"].items():
        print(f"left out: {name} ({reason})")
    return 0


def _recognised(args, utterances, info, out):
    """``--transcripts asr``: the utterances with a recogniser's words, and the corpus record with what it measured."""
    from ..transcribe.corpus import recognised_corpus

    utterances, record = recognised_corpus(utterances, recogniser(args), out, progress=not args.quiet)
    wer = record["wer"]
    measured = f"word error rate {wer['wer']:.1%} over {wer['utterances']} utterances" if wer else "no gold words"
    print(f"recognised words of {len(utterances)} utterances in {record['seconds']:.0f} s: {measured}", flush=True)
    return utterances, {**info, "transcripts": record}


def _sets_in_slices(args, bundle, names):
    """``--feature-sets`` with ``--shard K/N`` (one slice of each set) or ``--merge N`` (the slices joined)."""
    from ..features.shards import compute_set_shard, merge_set_shards, parse_shard

    if args.merge is not None:
        for name in names:
            bundle = merge_set_shards(bundle, name, args.merge)
        print(f"added to {bundle.path}: {', '.join(names)}, each joined from {args.merge} slices")
        return 0
    shard, shards = parse_shard(args.shard)
    for name in names:
        folder = compute_set_shard(bundle, name, shard, shards, args.workers, not args.quiet, _set_options(args))
        print(f"wrote slice {shard} of {shards} of {name} to {folder}")
    print(f"when every slice is written: --feature-sets {','.join(names)} --merge {shards}")
    return 0


def _one_slice(args, utterances, out):
    from ..features.shards import extract_shard, parse_shard

    shard, shards = parse_shard(args.shard)
    folder = extract_shard(utterances, out, shard, shards, _backend(args), args.max_frames or MAX_FRAMES,
                           args.workers, not args.quiet)  # fmt: skip
    print(f"wrote slice {shard} of {shards} to {folder}; when every slice is written: --merge {shards}")
    return 0


def _extract(args, utterances, info, out):
    """The bundle of a corpus: its acoustic features computed here, or joined from the slices of --shard."""
    from ..features.extraction import extract_bundle
    from ..features.shards import merged_acoustic

    embeddings, speech_embeddings = args.embeddings, None
    if args.speech2vec_model is not None:
        embeddings, speech_embeddings = acoustic_speech2vec(args.speech2vec_model, utterances, not args.quiet)
    max_frames = args.max_frames or MAX_FRAMES
    acoustic = None
    if args.merge is not None:
        acoustic = merged_acoustic(utterances, out, args.merge, _backend(args), max_frames)
    return extract_bundle(
        utterances, out, embeddings=embeddings, dim=args.dim, seed=args.seed, backend=_backend(args),
        workers=args.workers, max_frames=max_frames, max_words=args.max_words or MAX_WORDS, corpus_info=info,
        progress=not args.quiet, speech_embeddings=speech_embeddings, acoustic=acoustic,
    )  # fmt: skip


def _backend(args):
    return args.acoustic_backend or BACKENDS[0]


if __name__ == "__main__":
    sys.exit(main())
