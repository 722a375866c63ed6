"""``feature_extraction.py``: a corpus in, a feature bundle out.

With no arguments it builds the demo corpus if missing and writes the demo bundle
with locally trained 50-d word2vec vectors to ``data/features/demo``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..features.acoustic import MAX_FRAMES
from ..features.text import MAX_WORDS
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
        "  python feature_extraction.py --corpus manifest --root my_corpus/manifest.csv\n"
        "  python feature_extraction.py --corpus ravdess --root ~/corpora/ravdess     # Actor_01 ... Actor_24\n"
        "  python feature_extraction.py --speech2vec-model runs/speech2vec   # each word embedded from its audio",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--corpus",
        choices=("demo", "iemocap", "manifest", "ravdess", "crema-d", "tess", "savee"),
        default="demo",
        help="corpus kind (default: demo, built on first use); ravdess, crema-d, tess and savee are read "
        "from their release layout",
    )
    parser.add_argument(
        "--root",
        type=Path,
        default=None,
        help="demo: corpus folder (default data/demo_corpus); iemocap: IEMOCAP_full_release; manifest: the CSV "
        "file; ravdess, crema-d, tess, savee: the release folder",
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
        choices=("paper", "all", "four"),
        default=None,
        help="label set. IEMOCAP: paper = angry, excited (+happy), neutral, sad (default) or all; "
        "the acted corpora: all (default) or four = angry, happy, neutral, sad",
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
    parser.add_argument(
        "--max-frames", type=int, default=MAX_FRAMES, help=f"frames per utterance (default: {MAX_FRAMES} = 20 s)"
    )
    parser.add_argument("--max-words", type=int, default=MAX_WORDS, help=f"words per utterance (default: {MAX_WORDS})")
    parser.add_argument(
        "--feature-sets",
        default=None,
        metavar="A,B",
        help="further feature sets to add to the bundle (computed into an existing bundle at --out without "
        f"recomputing anything else; after the main extraction otherwise): {', '.join(_extra_sets())}",
    )
    parser.add_argument(
        "--sentence-encoder",
        default=None,
        metavar="DIR",
        help="feature set sentence: a sentence-transformers model (a local folder, or a name its library fetches; "
        'optional extra: pip install -e ".[sentence]") instead of the mean of the word vectors',
    )
    parser.add_argument(
        "--logmel-mels", type=int, default=None, help="feature set logmel: mel bands (default: MATE's 229)"
    )
    parser.add_argument(
        "--logmel-seconds", type=float, default=None, help="feature set logmel: seconds per turn (default: MATE's 10)"
    )
    parser.add_argument(
        "--segment-last",
        choices=("padded", "shifted"),
        default=None,
        help="feature set segments: the last 3 s segment starts where the one before ended, zero-padded "
        "(padded: CA-MSER's code, the default), or ends at the utterance's end (shifted)",
    )
    parser.add_argument(
        "--speech-encoder",
        default=None,
        metavar="NAME_OR_DIR",
        help="feature sets encoder_frames and encoder_inputs: a pretrained speech encoder, a name its library "
        "fetches (facebook/wav2vec2-base-960h, whisper_tiny_en) or a local folder",
    )
    parser.add_argument(
        "--speech-encoder-library",
        choices=("transformers", "keras-hub", "ctranslate2"),
        default=None,
        help="library of --speech-encoder: transformers (optional extra, brings PyTorch; the default), "
        "keras-hub (Whisper's audio encoder) or ctranslate2 (a converted Whisper folder; optional extra)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    return parser


def _set_options(args):
    """The feature sets' own settings given on the command line."""
    options = {
        "sentence_encoder": args.sentence_encoder,
        "logmel_mels": args.logmel_mels,
        "logmel_seconds": args.logmel_seconds,
        "segment_last": args.segment_last,
        "speech_encoder": args.speech_encoder,
        "speech_encoder_library": args.speech_encoder_library,
    }
    return {name: value for name, value in options.items() if value is not None}


def _extra_sets():
    from ..features.sets import available_feature_sets

    return [name for name, feature_set in available_feature_sets().items() if not feature_set.base]


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
    require_at_least_one(parser, args, ("dim", "workers", "max_frames", "max_words", "logmel_mels", "logmel_seconds"))
    if args.embeddings != "train-word2vec" and not Path(args.embeddings).is_file():
        parser.error(f"--embeddings: no such file: {args.embeddings}")
    if args.speech2vec_model is not None and args.embeddings != "train-word2vec":
        parser.error("--speech2vec-model brings its own vectors.vec: leave out --embeddings")

    extra = [name.strip() for name in (args.feature_sets or "").split(",") if name.strip()]
    unknown = [name for name in extra if name not in _extra_sets()]
    if unknown:
        parser.error(f"--feature-sets: unknown {', '.join(unknown)} (available: {', '.join(_extra_sets())})")
    for name in ("encoder_frames", "encoder_inputs"):
        if name in extra and not args.speech_encoder:
            parser.error(f"--feature-sets {name} needs --speech-encoder NAME_OR_DIR")

    from ..corpora import CorpusError
    from ..corpora.loading import load_corpus
    from ..features.bundle import BundleError, read_bundle
    from ..features.embeddings import EmbeddingError
    from ..features.extraction import extract_bundle, summary
    from ..features.sets import add_feature_sets

    out = args.out or DEFAULT_OUT / args.corpus
    if extra and (out / "manifest.json").is_file():
        # An existing bundle: add the named sets, recompute nothing else.
        try:
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
        embeddings, speech_embeddings = args.embeddings, None
        if args.speech2vec_model is not None:
            embeddings, speech_embeddings = acoustic_speech2vec(args.speech2vec_model, utterances, not args.quiet)
        manifest = extract_bundle(
            utterances,
            out,
            embeddings=embeddings,
            dim=args.dim,
            seed=args.seed,
            backend=args.acoustic_backend,
            workers=args.workers,
            max_frames=args.max_frames,
            max_words=args.max_words,
            corpus_info=info,
            progress=not args.quiet,
            speech_embeddings=speech_embeddings,
        )
    except (CorpusError, EmbeddingError, BundleError, ValueError, FileExistsError) as error:
        parser.exit(2, f"error: {error}\n")
    except KeyboardInterrupt:
        parser.exit(130, "interrupted: no bundle written\n")
    print(f"\nwrote {out}")
    print(summary(manifest))
    if extra:
        try:
            add_feature_sets(read_bundle(out), extra, args.workers, not args.quiet, options=_set_options(args))
        except KeyboardInterrupt:
            parser.exit(130, "interrupted: the bundle is complete without the set being computed\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
