"""``python -m ser_keras.app RUN_DIR [RUN_DIR ...]``: the live demo page, on this machine by default."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .transcribe import add_recogniser_options, recogniser


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.app",
        description="A page to record or upload speech and see what trained runs predict: the transcript "
        "(editable), the class probabilities or valence/arousal/dominance, the waveform and the 34 features. "
        "Needs the app extra (Gradio); runs that read words need the asr extra for recognition.",
        epilog="example:\n  python -m ser_keras.app runs/multimodal-paper runs/acoustic-paper  # then open it",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dirs", type=Path, nargs="+", help="run folders of classification.py")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine)")
    parser.add_argument("--port", type=int, default=7860, help="port (default: 7860)")
    parser.add_argument("--max-seconds", type=float, default=30.0, help="longest recording taken (default: 30)")
    parser.add_argument("--max-megabytes", type=float, default=10.0, help="largest upload taken (default: 10)")
    parser.add_argument("--no-recognition", action="store_true", help="never transcribe: type the words")
    add_recogniser_options(parser)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        import gradio  # noqa: F401
    except ImportError:
        parser.exit(2, 'error: the demo page needs the app extra: pip install -e ".[app]"\n')
    from ..app.page import build_page
    from ..app.service import DemoService, Limits
    from .quiet_tensorflow import import_tensorflow

    import_tensorflow()
    concurrency = 2  # requests answered at once: one per core of a small machine
    factory = None if args.no_recognition else (lambda: recogniser(args, workers=concurrency))
    service = DemoService(args.run_dirs, Limits(args.max_seconds, args.max_megabytes), factory)
    if not service.runs:
        reasons = "; ".join(f"{name}: {why}" for name, why in service.broken.items())
        parser.exit(2, f"error: no run loads: {reasons}\n")
    for name, why in service.broken.items():
        print(f"{name} does not load ({why}); listed on the page with its reason", file=sys.stderr)
    page = build_page(service)
    page.queue(default_concurrency_limit=concurrency)
    page.launch(server_name=args.host, server_port=args.port, max_file_size=f"{args.max_megabytes:g}mb",
                show_error=False, quiet=False)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
