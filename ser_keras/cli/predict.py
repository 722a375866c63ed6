"""``python -m ser_keras.predict RUN_DIR FILES_OR_FOLDERS``: what a trained run predicts for audio files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .transcribe import add_recogniser_options, recogniser


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.predict",
        description="Predict the emotion of audio files with a run of classification.py. One file prints its "
        "probabilities (or JSON with --json); several files or folders give one CSV row per file, a file that "
        "cannot be read a row with its reason.",
        epilog="examples:\n"
        "  python -m ser_keras.predict runs/demo-multimodal clip.wav --transcript 'what a lovely day'\n"
        "  python -m ser_keras.predict runs/demo-acoustic recordings/ --out predictions.csv\n"
        "  python -m ser_keras.predict runs/demo-multimodal a.wav b.wav --transcripts transcripts.csv\n"
        "  python -m ser_keras.predict runs/demo-multimodal my_voice.wav --transcribe   # words by a recogniser",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dir", type=Path, help="a run folder (with run.json and its model)")
    parser.add_argument("audio", type=Path, nargs="*", help="audio files or folders (any rate, mono or stereo)")
    parser.add_argument("--transcript", default=None, help="what is said in the one file (systems that read words)")
    parser.add_argument(
        "--transcripts", type=Path, default=None, help="CSV with columns file (or path) and transcript, for many files"
    )
    parser.add_argument("--out", type=Path, default=None, help="write the CSV here (default: standard output)")
    parser.add_argument("--json", action="store_true", help="one file: print its prediction as JSON")
    parser.add_argument(
        "--transcribe",
        action="store_true",
        help="recognise what is said in each file (faster-whisper; the asr extra) instead of a given transcript; "
        "the transcript used is printed, or written in a transcript column. Runs that read no words ignore it",
    )
    add_recogniser_options(parser)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)

    from ..batch_predict import (
        audio_files,
        columns_of,
        predict_files,
        read_transcripts,
        transcript_of,
        write_predictions,
    )
    from ..features.audio import AudioError
    from ..predict import PredictionError, Predictor

    if not args.audio:
        parser.error("give one or more audio files or folders")
    files = audio_files(args.audio)
    if not files:
        parser.exit(2, f"error: no audio files in {', '.join(map(str, args.audio))}\n")
    single = len(args.audio) == 1 and not args.audio[0].is_dir() and args.out is None
    if args.json and not single:
        parser.error("--json takes one file (use --out for a CSV of many)")
    if args.transcript is not None and not single:
        parser.error("--transcript is for one file; give many files a --transcripts CSV")
    if args.transcribe and (args.transcript is not None or args.transcripts is not None):
        parser.error("--transcribe recognises the words: leave out --transcript and --transcripts")
    try:
        transcripts = read_transcripts(args.transcripts) if args.transcripts else None
    except (OSError, ValueError) as error:
        parser.exit(2, f"error: {error}\n")
    from .quiet_tensorflow import import_tensorflow

    import_tensorflow()
    from ..transcribe import TranscriptionError

    try:
        predictor = Predictor(args.run_dir)
        transcriber = _transcriber(args, predictor)
        if not single:
            rows = predict_files(predictor, files, transcripts, transcriber=transcriber)
            return _write_batch(rows, columns_of(predictor, transcriber is not None), args.out, write_predictions)
        transcript = args.transcript if args.transcript is not None else transcript_of(files[0], transcripts)
        words = ()
        if transcriber is not None:
            heard = transcriber.transcribe(files[0])
            transcript, words = heard.text, heard.words
        predicted = predictor.predict(files[0], transcript, words)
    except (PredictionError, AudioError, TranscriptionError, ValueError) as error:
        parser.exit(2, f"error: {error}\n")
    _print_prediction(files[0], predictor, predicted, transcript if transcriber is not None else None, args.json)
    return 0


def _transcriber(args, predictor):
    """The recogniser of ``--transcribe``, or None (not asked for, or a run that reads no words)."""
    if not args.transcribe:
        return None
    if not predictor.reads_words:
        print(f"{predictor.system.name} reads no words: --transcribe ignored", file=sys.stderr)
        return None
    return recogniser(args)


def _print_prediction(path, predictor, predicted, transcript, as_json):
    """One file's prediction, as text or JSON; ``transcript``: the recognised one, shown with it."""
    if as_json:
        record = {"file": str(path), "system": predictor.system.name, "prediction": predicted}
        print(json.dumps({**record, **({"transcript": transcript} if transcript is not None else {})}, indent=2))
        return
    if transcript is not None:
        print(f"transcript (recognised): {transcript}")
    print(f"system: {predictor.system.name}; predicts: {', '.join(task.name for task in predictor.tasks)}")
    probabilities = {name: value for name, value in predicted.items() if name in predictor.classes}
    if probabilities:
        print(f"emotion: {max(probabilities, key=probabilities.get)}")
        for name, probability in sorted(probabilities.items(), key=lambda item: -item[1]):
            print(f"  {name:<10} {probability:6.1%}")
    for name, value in predicted.items():
        if name not in predictor.classes:
            print(f"{name}: {value:.2f}")


def _write_batch(rows, columns, out, write_predictions):
    handle = open(out, "w", newline="", encoding="utf-8") if out else sys.stdout
    try:
        count = write_predictions(rows, columns, handle)
    except KeyboardInterrupt:
        print(f"\ninterrupted: the rows written so far are kept{f' in {out}' if out else ''}", file=sys.stderr)
        return 130
    finally:
        if out:
            handle.close()
    if out:
        print(f"wrote {count} rows to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
