"""Predict the emotion of one audio file with a trained run.

    python -m ser_keras.predict RUN_DIR file.wav --transcript "what a lovely day"

Any audio soundfile or librosa reads, at any rate, mono or stereo: it goes
through the same feature code as ``feature_extraction.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

from .features.acoustic import MAX_FRAMES, extract, pad_or_cut
from .features.audio import AudioError, load_audio
from .features.text import MAX_WORDS, UNKNOWN_ID, encode, tokenize


class PredictionError(ValueError):
    """Input that a run cannot predict from; the message says why."""


class Predictor:
    """A trained run loaded for prediction.

    Parameters
    ----------
    run_dir : str or pathlib.Path
        A folder written by ``classification.py`` (``model.keras``, ``run.json`` and,
        for models that read words, ``vocab.txt`` and ``embedding_matrix.npy``).
    """

    def __init__(self, run_dir):
        import keras

        from . import models  # noqa: F401  registers MaskedStandardization for loading

        run_dir = Path(run_dir)
        if not (run_dir / "model.keras").is_file():
            raise PredictionError(f"no model.keras in {run_dir}: train one with classification.py")
        self.run = json.loads((run_dir / "run.json").read_text())
        self.model = keras.models.load_model(run_dir / "model.keras")
        self.classes = self.run["classes"]
        self.kind = self.run["model"]
        self.vocabulary = self.matrix = None
        if self.kind != "acoustic":
            self.vocabulary = (run_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
            self.matrix = np.load(run_dir / "embedding_matrix.npy")

    def inputs(self, audio_path=None, transcript=None):
        """Model inputs for one utterance, padded as in the bundle (batch of 1)."""
        inputs = {}
        if self.kind in ("acoustic", "multimodal"):
            if audio_path is None:
                raise PredictionError(f"the {self.kind} model needs audio")
            padded, _, _ = pad_or_cut(extract(load_audio(audio_path)), MAX_FRAMES)
            inputs["acoustic"] = padded[None]
        if self.kind in ("embedding", "multimodal"):
            if not transcript:
                raise PredictionError(f"the {self.kind} model needs a transcript (--transcript)")
            ids, lengths, _ = encode([tokenize(transcript)], self.vocabulary, MAX_WORDS)
            known = int(((ids > 0) & (ids != UNKNOWN_ID)).sum())
            if known == 0:
                raise PredictionError(f"no word of {transcript!r} is in this run's vocabulary")
            if self.run.get("trainable_embeddings"):
                inputs["tokens"] = ids
            else:
                inputs["speech_embeddings"] = self.matrix[ids].astype(np.float32)
        return inputs

    def predict(self, audio_path=None, transcript=None):
        """Class probabilities for one utterance.

        Returns
        -------
        dict
            ``{class name: probability}``, in the run's class order.
        """
        probabilities = self.model.predict(self.inputs(audio_path, transcript), verbose=0)[0]
        return {name: float(p) for name, p in zip(self.classes, probabilities)}


def main(argv=None):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up notices
    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.predict",
        description="Predict the emotion of an audio file with a run of classification.py.",
    )
    parser.add_argument("run_dir", type=Path, help="a run folder (with model.keras)")
    parser.add_argument("audio", type=Path, nargs="?", help="audio file (any rate, mono or stereo)")
    parser.add_argument("--transcript", default=None, help="what is said (for the embedding and multimodal models)")
    args = parser.parse_args(argv)
    try:
        predictor = Predictor(args.run_dir)
        probabilities = predictor.predict(args.audio, args.transcript)
    except (PredictionError, AudioError) as error:
        parser.exit(2, f"error: {error}\n")
    best = max(probabilities, key=probabilities.get)
    print(f"emotion: {best}")
    for name, probability in sorted(probabilities.items(), key=lambda item: -item[1]):
        print(f"  {name:<10} {probability:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
