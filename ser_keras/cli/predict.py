"""``python -m ser_keras.predict RUN_DIR FILES_OR_FOLDERS``: what a trained run predicts for audio files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.predict",
        description="Predict the emotion of audio files with a run of classification.py. One file prints its "
        "probabilities (or JSON with --json); several files or folders give one CSV row per file, a file that "
        "cannot be read a row with its reason.",
        epilog="examples:\n"
        "  python -m ser_keras.predict runs/demo-multimodal clip.wav --transcript 'what a lovely day'\n"
        "  python -m ser_keras.predict runs/demo-acoustic recordings/ --out predictions.csv\n"
        "  python -m ser_keras.predict runs/demo-multimodal a.wav b.wav --transcripts transcripts.csv",
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
    try:
        transcripts = read_transcripts(args.transcripts) if args.transcripts else None
    except (OSError, ValueError) as error:
        parser.exit(2, f"error: {error}\n")
    from .quiet_tensorflow import import_tensorflow

    import_tensorflow()
    try:
        predictor = Predictor(args.run_dir)
        if not single:
            rows = predict_files(predictor, files, transcripts)
            return _write_batch(rows, columns_of(predictor), args.out, write_predictions)
        transcript = args.transcript if args.transcript is not None else transcript_of(files[0], transcripts)
        predicted = predictor.predict(files[0], transcript)
    except (PredictionError, AudioError) as error:
        parser.exit(2, f"error: {error}\n")
    if args.json:
        print(json.dumps({"file": str(files[0]), "system": predictor.system.name, "prediction": predicted}, indent=2))
        return 0
    print(f"system: {predictor.system.name}; predicts: {', '.join(task.name for task in predictor.tasks)}")
    probabilities = {name: value for name, value in predicted.items() if name in predictor.classes}
    if probabilities:
        print(f"emotion: {max(probabilities, key=probabilities.get)}")
        for name, probability in sorted(probabilities.items(), key=lambda item: -item[1]):
            print(f"  {name:<10} {probability:6.1%}")
    for name, value in predicted.items():
        if name not in predictor.classes:
            print(f"{name}: {value:.2f}")
    return 0


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
