"""Krishna and Reddy (AVSP 2019): the acoustic, embedding and fused models as three systems.

* ``acoustic`` (section 4.1): Bi-LSTM over 34 features per 100 ms frame, Dense 256, softmax.
* ``embedding`` (4.2): Bi-LSTM over word-level speech (or word) embeddings, two Dense 256.
* ``multimodal`` (4.3, Figure 1): the two encoders fused, Dense 256, softmax.

Adam 0.001, batch 32, 20 epochs, categorical cross-entropy; nothing is selected on a
validation split (the paper trains a fixed number of epochs). The Keras graphs are in
:mod:`ser_keras.systems.krishna_reddy.graphs`; this module says what each system reads and how its inputs
are cut from the bundle.

Where the paper is silent, the project decides: the "last time step" of each Bi-LSTM
is the last real frame or word (Keras masking), and the acoustic features are
standardised inside the model with statistics of the training rows' real frames.

Where the project's design departs from the paper: ENC2 reads the (128, D) vectors that
``feature_extraction.py`` wrote, fixed, where the paper trains an embedding layer
initialised from them (sections 2.4 and 4.2). ``--set trainable_embeddings=true`` trains
them as the paper does (``--experiment`` always does); without it every report lists
"embeddings fixed" as a deviation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import KerasSystem, Training, register
from ..base import Flag
from .settings import KrishnaReddySettings, fast_settings

PAPER = (
    "Krishna and Reddy, Multi-Modal Speech Emotion Recognition Using Speech Embeddings and Audio Features, AVSP 2019"
)
TRAINING = Training(optimizer="adam", learning_rate=0.001, batch_size=32, epochs=20, selection="fixed")
# The two-script design hands ENC2 the extracted (128, D) vectors, so by default they stay as extracted.
FIXED_EMBEDDINGS = "embeddings fixed (the paper trains them: --set trainable_embeddings=true)"
TRAINABLE_EMBEDDINGS = Flag(
    "--trainable-embeddings",
    "trainable_embeddings",
    "same as --set trainable_embeddings=true: feed token ids through an Embedding layer initialised from the "
    "bundle's vectors and trained with the model (section 2.4)",
    value="true",
)


@dataclass(frozen=True)
class KrishnaReddy(KerasSystem):
    """One of the paper's three models; ``reads`` says which encoders it has."""

    settings: type = KrishnaReddySettings
    training: Training = TRAINING
    # The paper's task is categorical (the default); the same encoders can end in the heads
    # of the other tasks, an extension the paper does not report.
    tasks: tuple = ("categorical", "dimensional", "votes")
    frames: str = "acoustic"  # the bundle array of frames ENC1 reads
    flags: tuple = (TRAINABLE_EMBEDDINGS,)

    @property
    def acoustic(self):
        return self.frames in self.reads

    @property
    def words(self):
        return "words" in self.reads

    def arrays(self, settings):
        names = []
        if self.acoustic:
            names += [self.frames, "acoustic_lengths"]
        if self.words:
            names += ["tokens", "embedding_matrix"]
            if not settings.trainable_embeddings:
                names.append("speech_embeddings")
        return names

    def inputs(self, arrays, rows, settings, trim=False):
        """``acoustic`` (len(rows), T, 34) and/or ``speech_embeddings`` (len(rows), W, D) or ``tokens``.

        With ``trim``, time axes are cut to the longest real sequence among ``rows``:
        masking makes the extra padded steps no-ops, so predictions do not change, and a
        Bi-LSTM then runs 59 steps instead of 200 on the demo corpus.
        """
        from ...training import trimmed

        inputs = {}
        if self.acoustic:
            frames = int(arrays["acoustic_lengths"][rows].max()) if trim else None
            inputs["acoustic"] = np.asarray(arrays[self.frames][rows, :frames], dtype=np.float32)
        if self.words:
            name = "tokens" if settings.trainable_embeddings else "speech_embeddings"
            dtype = np.int32 if settings.trainable_embeddings else np.float32
            inputs[name] = trimmed(np.asarray(arrays[name][rows], dtype=dtype), trim)
        return inputs

    def build(self, arrays, train, outputs, settings):
        from ...training import standardisation_statistics
        from .graphs import build_acoustic_model, build_embedding_model, build_multimodal_model

        mean = std = None
        if self.acoustic:
            mean, std = standardisation_statistics(arrays[self.frames], arrays["acoustic_lengths"], train)
        if not self.words:
            return build_acoustic_model(outputs, settings, mean, std, variable_length=True)
        matrix = arrays["embedding_matrix"]
        table = matrix if settings.trainable_embeddings else None
        if not self.acoustic:
            return build_embedding_model(outputs, settings, matrix.shape[1], table, variable_length=True)
        return build_multimodal_model(outputs, settings, matrix.shape[1], table, mean, std, variable_length=True)

    def fast(self, settings):
        return fast_settings(settings)

    def settings_deviations(self, settings):
        if self.words and not settings.trainable_embeddings:
            return (FIXED_EMBEDDINGS,)
        return ()


register(
    KrishnaReddy(
        name="krishna2019/acoustic",
        aliases=("acoustic",),
        paper=f"{PAPER}, section 4.1",
        summary="Bi-LSTM 128 over 34 acoustic features per 100 ms frame, Dense 256, softmax",
        reads=("acoustic",),
    )
)
register(
    KrishnaReddy(
        name="krishna2019/embedding",
        aliases=("embedding",),
        paper=f"{PAPER}, section 4.2",
        summary="Bi-LSTM 128 over word-level speech (or word) embeddings, 2 x Dense 256, softmax",
        reads=("words",),
    )
)
register(
    KrishnaReddy(
        name="krishna2019/multimodal",
        aliases=("multimodal",),
        paper=f"{PAPER}, section 4.3",
        summary="ENC1 (acoustic Bi-LSTM) and ENC2 (embedding Bi-LSTM) fused, Dense 256, softmax",
        reads=("acoustic", "words"),
    )
)
register(
    KrishnaReddy(
        name="krishna2019/acoustic-by-speaker",
        aliases=("acoustic-by-speaker",),
        paper=f"{PAPER}, section 4.1, on frames standardised per speaker (the project's option)",
        summary="the acoustic model (Bi-LSTM 128, Dense 256) over the 34 features standardised by each speaker's "
        "own statistics",
        reads=("acoustic_by_speaker",),
        frames="acoustic_by_speaker",
        deviations=(
            "frames standardised by each speaker's own mean and std (no labels; a test speaker's from that speaker's "
            "unlabelled utterances): not in the paper",
        ),
    )
)

# The paper's tables register as paper experiments (classification.py --experiment) when the package is found.
from . import tables  # noqa: E402, F401
