"""``python -m ser_keras.predict RUN_DIR FILE``: what a trained run predicts for one audio file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.predict",
        description="Predict the emotion of an audio file with a run of classification.py.",
    )
    parser.add_argument("run_dir", type=Path, help="a run folder (with run.json and its model)")
    parser.add_argument("audio", type=Path, nargs="?", help="audio file (any rate, mono or stereo)")
    parser.add_argument("--transcript", default=None, help="what is said (for systems that read words)")
    args = parser.parse_args(argv)

    from ..features.audio import AudioError
    from ..predict import PredictionError, Predictor

    try:
        predictor = Predictor(args.run_dir)
        predicted = predictor.predict(args.audio, args.transcript)
    except (PredictionError, AudioError) as error:
        parser.exit(2, f"error: {error}\n")
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


if __name__ == "__main__":
    sys.exit(main())
