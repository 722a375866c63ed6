"""An SVM on statistics of a frozen pretrained speech encoder's frames: the project's strong acoustic option.

Not a paper's system. The frames are CA-MSER's encoder frames (``encoder_frames``: 3 s
segments through a frozen encoder, e.g. Whisper tiny.en); each utterance becomes the mean
and standard deviation of its real frames over all its segments (``encoder_stats``), and
an SVM is chosen on folds of training speakers as the baselines' is
(:class:`ser_keras.systems.baselines.FunctionalsSVM`). ``--set by_speaker=true`` reads the
statistics standardised by each speaker's own (no labels; a test speaker's from that
speaker's unlabelled utterances).
"""

from __future__ import annotations

from . import register
from .baselines import FunctionalsSVM

register(
    FunctionalsSVM(
        name="baseline/encoder-svm",
        aliases=("encoder-svm",),
        paper="the project's: frozen pretrained speech-encoder frames (CA-MSER's encoder branch), pooled, with an SVM",
        summary="SVM (linear or RBF, chosen on training speakers) on the mean and std of frozen speech-encoder "
        "frames; --set by_speaker=true: standardised per speaker",
        reads=("encoder_stats",),
        features="encoder_stats",
        deviations=("not a paper's system: a pooled pretrained encoder with an SVM",),
    )
)
