"""Every hyperparameter the paper states, with the section it comes from."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class PaperConfig:
    """Krishna and Reddy (AVSP 2019) settings; the defaults of every model and of training.

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
    learning_rate : float
        Adam (4.1, 4.2, 4.3: 0.001).
    batch_size : int
        4.1: 32.
    epochs : int
        4.1: "up to 20 epochs".
    max_frames : int
        Acoustic frames of 100 ms (2.1, 4.1: 200 = 20 s).
    n_acoustic_features : int
        2.1: 34.
    max_words : int
        Words per utterance (4.2: 128).
    embedding_dim : int
        Speech-embedding size (4.2, 4.3: 50; Table 3: 50, 100, 200, 300).
    input_dropout : float
        Dropout of each Bi-LSTM's inputs. Not in the paper (0 there); :func:`fast_config`
        moves the recurrent dropout here so that the LSTMs can run on cuDNN.
    """

    lstm_units: int = 128
    recurrent_dropout: float = 0.2
    dense_units: int = 256
    dense_dropout: float = 0.3
    learning_rate: float = 0.001
    batch_size: int = 32
    epochs: int = 20
    max_frames: int = 200
    n_acoustic_features: int = 34
    max_words: int = 128
    embedding_dim: int = 50
    input_dropout: float = 0.0

    def to_dict(self):
        """The settings as a plain dict (for reports)."""
        return asdict(self)


def fast_config(config=PaperConfig()):
    """The ``--fast`` variant: recurrent dropout 0, the regularisation moved to input dropout.

    A deviation from the paper. Keras runs an LSTM on cuDNN only when its recurrent
    dropout is 0 (with tanh/sigmoid, no unrolling, a bias); the fallback kernel is many
    times slower on a GPU, and on a CPU a per-step dropout mask costs time too.

    Returns
    -------
    PaperConfig
    """
    from dataclasses import replace

    return replace(config, input_dropout=config.recurrent_dropout, recurrent_dropout=0.0)
