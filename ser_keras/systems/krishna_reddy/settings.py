"""The model settings of Krishna and Reddy (AVSP 2019), with the section each comes from.

Training settings (Adam 0.001, batch 32, 20 epochs) are the system's
:class:`ser_keras.systems.Training` in :mod:`ser_keras.systems.krishna_reddy`;
the data settings (200 frames of 34 features, 128 words) are the feature
extraction's (:data:`ser_keras.features.acoustic.MAX_FRAMES`,
:data:`ser_keras.features.text.MAX_WORDS`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace


@dataclass(frozen=True)
class KrishnaReddySettings:
    """The paper's model settings, the defaults of the three models, but for ``trainable_embeddings``.

    Attributes
    ----------
    lstm_units : int
        Cells per direction of each Bi-LSTM (sections 4.1, 4.2, 4.3: 128).
    recurrent_dropout : float
        Dropout of the Bi-LSTM layers (4.1, 4.2: "dropout of 0.2"; 4.3: "recurrent dropout of 0.2").
    dense_units : int
        Fully connected layers (4.1, 4.2, 4.3: 256).
    dense_dropout : float
        Dropout after fully connected layers (4.2: "after every fully connected layer";
        4.3: "dense layers are regularized using dropout of 0.3").
    input_dropout : float
        Dropout of each Bi-LSTM's inputs. Not in the paper (0 there); :func:`fast_settings`
        moves the recurrent dropout here so that the LSTMs can run on cuDNN.
    trainable_embeddings : bool
        True: ENC2 reads token ids through an Embedding layer initialised from the bundle's
        vectors and trained with the model, as the paper does (2.4, 4.2). False, the
        default: it reads the looked-up (or acoustically computed) vectors as they are,
        fixed. The default is the project's two-script design, not the paper's setting;
        every report lists it as a deviation.
    """

    lstm_units: int = 128
    recurrent_dropout: float = 0.2
    dense_units: int = 256
    dense_dropout: float = 0.3
    input_dropout: float = 0.0
    trainable_embeddings: bool = False

    def to_dict(self):
        """The settings as a plain dict (for reports)."""
        return asdict(self)


def fast_settings(settings=KrishnaReddySettings()):
    """The ``--fast`` variant: recurrent dropout 0, the regularisation moved to input dropout.

    A deviation from the paper. Keras runs an LSTM on cuDNN only when its recurrent
    dropout is 0 (with tanh/sigmoid, no unrolling, a bias); the fallback kernel is many
    times slower on a GPU, and on a CPU a per-step dropout mask costs time too.

    Returns
    -------
    KrishnaReddySettings
    """
    return replace(settings, input_dropout=settings.recurrent_dropout, recurrent_dropout=0.0)
