"""Atmaja and Akagi: dimensional emotion from acoustic and linguistic features, trained on a CCC loss.

APSIPA Trans. SIP 9:e17 (2020), code ``bagustris/dimensional-ser`` (``code/speech-text/lstm_lstm*.py``), every setting
checked against it:

* ``atmaja-acoustic`` (Fig. 2): batch normalisation, 3 x LSTM 256 over the statistics of
  frames (HSF, shaped as a sequence of one step) or, with ``--set features=egemaps_lld``,
  over the eGeMAPS descriptors per frame; flatten, dropout 0.3, three linear heads.
* ``atmaja-text``: trainable Embedding initialised from the bundle's word vectors, LSTM
  256 x 3, Dense 64 without an activation (linear, as the code's ``Dense(64)``), dropout
  0.3, three heads.
* ``atmaja-bimodal`` (Eq. 1, Fig. 3): both branches (dropouts 0.1 and 0.4, the best of
  Fig. 6) concatenated, Dense 64, Dense 32, dropout 0.4, three heads.

Loss: ``alpha * (1 - CCC_V) + beta * (1 - CCC_A) + (1 - alpha - beta) * (1 - CCC_D)``
(bimodal 0.7 / 0.2, acoustic 0.1 / 0.5, text 0.7 / 0.2), the paper's "two parameters";
``--set gamma=...`` gives dominance its own weight, for the paper's other variants of
Table 6: "no parameter" (``alpha=1 beta=1 gamma=1``, the code's ``model(1, 1, 1)``) and
"three parameters" (``alpha=0.9 beta=0.9 gamma=0.2``). Weights outside [0, 1], or alpha
and beta summing above 1 without a gamma, are refused. ``--set loss=mse`` weights mean
squared errors the same way, as the comparison. RMSprop (Keras default 0.001), batch 8
(Table 5), at most 50 epochs, early stopping on the validation loss with patience 10 and
the best weights restored. Targets are scaled to [-1, 1] on the training rows
(:class:`ser_keras.tasks.Dimensional`).

Where the project departs from the code, and why: the validation part is 20% of the
training *speakers* (the code takes the unshuffled last 20% of the training turns with
Keras ``validation_split``, which mixes speakers); the scaler is fitted on the training
rows only (the code fits it on every label); padding of the words is masked (the code
pre-pads to 554 tokens without a mask); the word vectors are the bundle's (the paper's
best are GloVe 840B, a download). The two-stage paper (Speech Communication 2021) trains
first-stage networks that differ from these ATSIP ones (``bagustris/two-stage-ser``: the
text Dense has 128 units, ``--set dense=128``; the acoustic heads are tanh without the
closing dropout); the project's two-stage fusion (:mod:`.two_stage`) reuses the ATSIP
networks. IEMOCAP ratings of 5.5 and 0.5 are clipped to 5 and 1 by the reader, as the ATSIP
code does (the two-stage code drops the 7 turns instead).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .. import KerasSystem, Training, register

PAPER = (
    "Atmaja and Akagi, Dimensional speech emotion recognition from speech features and word embeddings "
    "by using multitask learning, APSIPA Trans. SIP 9:e17, 2020"
)
TRAINING = Training(
    optimizer="rmsprop", learning_rate=0.001, batch_size=8, epochs=50, selection="validation", patience=10
)
# The acoustic input, by array, and the feature set holding it. egemaps_lld is frame-level:
# (N, T, 25) zero-padded to the corpus's longest utterance, read as the paper reads its LLD
# input (padded, no mask; the flatten needs the fixed length).
ACOUSTIC_INPUTS = {
    "hsf": "hsf",
    "hsf2": "hsf2",
    "egemaps": "egemaps",
    "acoustic_stats": "acoustic_stats",
    "egemaps_lld": "egemaps",
}
DEVIATIONS = (
    "validation on 20% of the training speakers (the code: the last 20% of the training turns)",
    "targets scaled on the training rows only (the code: on every label)",
)


@dataclass(frozen=True)
class AtmajaSettings:
    """Model and loss settings; each system changes the defaults it states.

    Attributes
    ----------
    features : str
        Acoustic input: statistics per utterance (hsf, hsf2, egemaps, acoustic_stats) or the
        eGeMAPS descriptors per 10 ms frame (egemaps_lld).
    units : int
        Cells of each LSTM (256).
    dense : int
        The text branch's Dense layer (64; 128 in the two-stage code).
    acoustic_dropout, text_dropout : float
        Dropout closing each branch.
    loss : {"ccc", "mse"}
    alpha, beta : float
        Weights of valence and arousal, each in [0, 1].
    gamma : float or None
        Weight of dominance: ``1 - alpha - beta`` when None (then alpha + beta is at most
        1), else itself, in [0, 1] (the paper's "no parameter" 1/1/1 and "three
        parameters" 0.9/0.9/0.2).
    """

    features: str = "hsf"
    units: int = 256
    dense: int = 64
    acoustic_dropout: float = 0.3
    text_dropout: float = 0.3
    loss: str = "ccc"
    alpha: float = 0.7
    beta: float = 0.2
    gamma: float | None = None

    def __post_init__(self):
        self.task_weights()  # bad weights are refused when the settings are made, before any work

    def to_dict(self):
        return asdict(self)

    def task_weights(self):
        """The loss weights of valence, arousal and dominance (tuple of 3 float).

        Raises
        ------
        ValueError
            For a weight outside [0, 1], or alpha + beta above 1 when gamma is not given
            (dominance would be trained with a negative weight).
        """
        for name in ("alpha", "beta", "gamma"):
            value = getattr(self, name)
            if value is not None and not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be within [0, 1], got {value}")
        if self.gamma is not None:
            return (self.alpha, self.beta, self.gamma)
        if self.alpha + self.beta > 1.0 + 1e-9:
            raise ValueError(
                f"alpha + beta must be at most 1 (dominance gets 1 - alpha - beta), got {self.alpha} + {self.beta}; "
                "give --set gamma=... for the paper's variants with three weights"
            )
        return (self.alpha, self.beta, 1.0 - self.alpha - self.beta)


@dataclass(frozen=True)
class AcousticSettings(AtmajaSettings):
    alpha: float = 0.1
    beta: float = 0.5


@dataclass(frozen=True)
class BimodalSettings(AtmajaSettings):
    acoustic_dropout: float = 0.1
    text_dropout: float = 0.4


def acoustic_branch(inputs, settings):
    """Batch normalisation, 3 x LSTM (all returning sequences), flatten, dropout."""
    from keras import layers

    x = layers.BatchNormalization(name="acoustic_batch_normalization")(inputs)
    for index in (1, 2, 3):
        x = layers.LSTM(settings.units, return_sequences=True, name=f"acoustic_lstm_{index}")(x)
    x = layers.Flatten(name="acoustic_flatten")(x)
    return layers.Dropout(settings.acoustic_dropout, name="acoustic_dropout")(x)


def text_branch(tokens, embedding_matrix, settings):
    """Trainable Embedding from the word vectors, LSTM x 3 (the last returns its final state), Dense, dropout."""
    from keras import layers

    from ...layers import vector_embedding

    x = vector_embedding(embedding_matrix, "word_embedding")(tokens)
    x = layers.LSTM(settings.units, return_sequences=True, name="text_lstm_1")(x)
    x = layers.LSTM(settings.units, return_sequences=True, name="text_lstm_2")(x)
    x = layers.LSTM(settings.units, name="text_lstm_3")(x)
    # No activation, as the authors' ``Dense(64)`` (lstm_lstm.py).
    x = layers.Dense(settings.dense, name="text_dense")(x)
    return layers.Dropout(settings.text_dropout, name="text_dropout")(x)


@dataclass(frozen=True)
class Atmaja(KerasSystem):
    """One of the three networks; ``reads`` says which branches it has."""

    tasks: tuple = ("dimensional",)
    training: Training = TRAINING
    deviations: tuple = DEVIATIONS

    @property
    def acoustic(self):
        return "hsf" in self.reads

    @property
    def words(self):
        return "words" in self.reads

    def feature_sets(self, settings):
        if self.acoustic and settings.features not in ACOUSTIC_INPUTS:
            raise ValueError(f"features must be one of {tuple(ACOUSTIC_INPUTS)}, got {settings.features!r}")
        return ((ACOUSTIC_INPUTS[settings.features],) if self.acoustic else ()) + (("words",) if self.words else ())

    def arrays(self, settings):
        return ([settings.features] if self.acoustic else []) + (["tokens", "embedding_matrix"] if self.words else [])

    def inputs(self, arrays, rows, settings, trim=False):
        """``acoustic_features`` (len(rows), 1, F) or, frame-level, (len(rows), T, F); ``tokens`` (len(rows), W)."""
        from ...training import trimmed

        inputs = {}
        if self.acoustic:
            features = np.asarray(arrays[settings.features][rows], dtype=np.float32)
            inputs["acoustic_features"] = features if features.ndim == 3 else features[:, None, :]
        if self.words:
            inputs["tokens"] = trimmed(np.asarray(arrays["tokens"][rows], dtype=np.int32), trim)
        return inputs

    def build(self, arrays, train, outputs, settings):
        import keras
        from keras import layers

        from ...heads import heads

        inputs, branches = {}, []
        if self.acoustic:
            shape = arrays[settings.features].shape[1:]
            steps = (1, *shape) if len(shape) == 1 else shape  # statistics: a sequence of one step
            inputs["acoustic_features"] = keras.Input(shape=steps, name="acoustic_features")
            branches.append(acoustic_branch(inputs["acoustic_features"], settings))
        if self.words:
            inputs["tokens"] = keras.Input(shape=(None,), dtype="int32", name="tokens")
            branches.append(text_branch(inputs["tokens"], arrays["embedding_matrix"], settings))
        x = branches[0]
        if len(branches) > 1:
            x = layers.Concatenate(name="fusion")(branches)
            x = layers.Dense(64, activation="relu", name="fusion_dense_1")(x)
            x = layers.Dense(32, activation="relu", name="fusion_dense_2")(x)
            x = layers.Dropout(0.4, name="fusion_dropout")(x)
        return keras.Model(inputs, heads(x, outputs), name=self.short_name.replace("-", "_"))

    def losses(self, tasks, settings, arrays=None, train=None):
        from ...losses import ccc_loss
        from ...tasks import DIMENSIONS

        if settings.loss not in ("ccc", "mse"):
            raise ValueError(f"loss must be ccc or mse, got {settings.loss!r}")
        loss = ccc_loss if settings.loss == "ccc" else "mean_squared_error"
        weights = dict(zip(DIMENSIONS, settings.task_weights()))
        return {name: loss for name in DIMENSIONS}, weights


register(
    Atmaja(
        name="atmaja2020/acoustic",
        aliases=("atmaja-acoustic",),
        paper=f"{PAPER}, section IV-A, Fig. 2",
        summary="BatchNorm, 3 x LSTM 256 over HSF, flatten, dropout, V/A/D heads; CCC loss 0.1/0.5/0.4",
        reads=("hsf",),
        settings=AcousticSettings,
    )
)
register(
    Atmaja(
        name="atmaja2020/text",
        aliases=("atmaja-text",),
        paper=f"{PAPER}, section IV-B",
        summary="trainable word embedding, 3 x LSTM 256, Dense 64, dropout, V/A/D heads; CCC loss 0.7/0.2/0.1",
        reads=("words",),
        settings=AtmajaSettings,
    )
)
register(
    Atmaja(
        name="atmaja2020/bimodal",
        aliases=("atmaja-bimodal",),
        paper=f"{PAPER}, Eq. 1, Fig. 3",
        summary="the acoustic and text branches concatenated, Dense 64, Dense 32, dropout 0.4, V/A/D heads; "
        "CCC loss 0.7/0.2/0.1",
        reads=("hsf", "words"),
        settings=BimodalSettings,
    )
)
