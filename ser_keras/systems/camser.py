"""CA-MSER (Zou, Si, Chen, Rajan, Cambria; ICASSP 2022): co-attention over multi-level acoustic information.

Code ``Vincent-ZHQ/CA-MSER`` (``models/ser_model.py``, ``models/ser_spec.py``,
``data_utils.py``, ``train_ser.py``, ``crossval_SER.py``), every setting checked against
it. Each utterance is cut into 3 s segments
(:mod:`ser_keras.features.camser`); the model reads one segment:

* spectrogram: the 200 x 300 log spectrogram scaled per frequency bin by the training
  segments' minimum and maximum, made an image as the code makes it (clip, 8 bits,
  flipped, 3 channels, ImageNet normalisation), resized to 256 x 384 (torchvision's
  ``Resize(256)``), AlexNet's convolutions, adaptive average pooling to 6 x 6 (9216),
  dropout 0.1, Dense 128 ReLU;
* MFCC: each of the 300 frames L2-normalised, a Bi-LSTM of 2 layers of 256 cells
  (dropout 0.5 between them), all 300 x 512 outputs flattened, dropout 0.1, Dense 128 ReLU;
* encoder frames (T' x D, a frozen pretrained encoder's): co-attention: the two 128-d
  vectors concatenated, dropout 0.1, Dense T' ReLU (one weight per frame, no softmax),
  the weighted sum of the frames, dropout 0.1, Dense 128 ReLU;
* head: the three concatenated (384), dropout 0.1, Dense 128 ReLU, dropout 0.1,
  Dense 128 ReLU, the classes.

Cross-entropy on segments; an utterance's class is the argmax of the mean of its
segments' log-probabilities. AdamW 1e-5 (weight decay 0.01), batch 64, at most 100
epochs; the epoch kept is the best by UA + WA of the held-out utterances, stopping after
8 epochs without improvement once past epoch 5.

Where the project departs from the code, and why:

* the checkpoint is selected on a validation split of the training speakers; the
  code selects on the test speaker (``val_id == test_id``), which is
  ``--select-on-test`` here, and its reports say the numbers are optimistic;
* AlexNet is trained from scratch (ImageNet weights are a download);
* the speech encoder is frozen and its frames computed once (``encoder_frames``); the
  code fine-tunes wav2vec 2.0 end to end. ``--finetune-encoder PRESET`` (the setting
  ``finetune_encoder``) trains a keras-hub Whisper encoder inside the model instead, from
  its log-mel input (``encoder_inputs``); it is tested on the CPU with a tiny model only;
* the image is resized by Keras's bilinear resizing, not PIL's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from . import KerasSystem, Preset, Training, register
from .base import Flag

PAPER = (
    "Zou, Si, Chen, Rajan and Cambria, Speech emotion recognition with co-attention based multi-level acoustic "
    "information, ICASSP 2022"
)
TRAINING = Training(
    optimizer="adamw",
    learning_rate=1e-5,
    batch_size=64,
    epochs=100,
    selection="validation",
    patience=8,
    weight_decay=0.01,
    monitor="ua+wa",
    start_epoch=5,
)
BRANCHES = ("co-attention", "concatenation", "spectrogram", "mfcc", "encoder")
DEVIATIONS = (
    "checkpoint selected on a validation split of training speakers (the code: on the test speaker, --select-on-test)",
    "AlexNet trained from scratch (ImageNet weights are a download)",
    "the speech encoder is frozen, its frames computed once (the code fine-tunes wav2vec 2.0; "
    "--finetune-encoder trains a keras-hub Whisper encoder instead)",
    "the image resized by Keras's bilinear resizing, not PIL's",
)


@dataclass(frozen=True)
class CamserSettings:
    """Model settings (defaults: the authors' code).

    Attributes
    ----------
    branches : {"co-attention", "concatenation", "spectrogram", "mfcc", "encoder"}
        The model, or the ablations: the three branches concatenated with the encoder
        frames averaged over time (no co-attention), or one branch alone.
    image_height : int
        The spectrogram image is resized to this height, its width in proportion (256:
        256 x 384, torchvision's ``Resize(256)``); 0 keeps 200 x 300.
    alexnet_width : float
        Multiplies AlexNet's channels (64, 192, 384, 256, 256); 1 is AlexNet.
    lstm_units : int
        Cells per direction of the MFCC Bi-LSTM (256).
    lstm_dropout : float
        Between its two layers (0.5).
    units : int
        Width of each branch's output and of the head (128).
    dropout : float
        Before each Dense layer (0.1).
    finetune_encoder : str
        A keras-hub Whisper preset (name or folder) whose audio encoder is trained inside
        the model from the segments' log-mel (feature set ``encoder_inputs``); empty: the
        frozen frames of ``encoder_frames``.
    """

    branches: str = "co-attention"
    image_height: int = 256
    alexnet_width: float = 1.0
    lstm_units: int = 256
    lstm_dropout: float = 0.5
    units: int = 128
    dropout: float = 0.1
    finetune_encoder: str = ""

    def to_dict(self):
        return asdict(self)


def uses(settings):
    """The inputs a setting of ``branches`` reads."""
    return {
        "co-attention": ("spectrogram", "mfcc", "encoder"),
        "concatenation": ("spectrogram", "mfcc", "encoder"),
        "spectrogram": ("spectrogram",),
        "mfcc": ("mfcc",),
        "encoder": ("encoder",),
    }[settings.branches]


def array_names(settings):
    """The bundle array each input reads."""
    encoder = "encoder_inputs" if settings.finetune_encoder else "encoder_frames"
    return {"spectrogram": "segment_spectrogram", "mfcc": "segment_mfcc", "encoder": encoder}


def bin_range(spectrograms):
    """Per-frequency-bin minimum and maximum over segments (S, F, T): two (F,) arrays (MinMaxScaler's fit)."""
    import numpy as np

    values = np.asarray(spectrograms, dtype=np.float32)
    return values.min(axis=(0, 2)), values.max(axis=(0, 2))


def spectrogram_branch(spectrogram, minimum, maximum, settings):
    """The min-max scaled image through AlexNet's convolutions to ``units`` values."""
    import numpy as np
    from keras import layers

    from ..layers import ImagePreprocessing

    span = np.maximum(maximum - minimum, 1e-8)
    # (x - min) / (max - min) per bin, which MinMaxScaler fitted on the training segments computes.
    x = layers.Normalization(axis=1, mean=minimum, variance=span**2, name="spectrogram_min_max")(spectrogram)
    x = ImagePreprocessing(name="spectrogram_image")(x)
    if settings.image_height:
        bins, frames = spectrogram.shape[1], spectrogram.shape[2]
        width = int(round(settings.image_height * frames / bins))
        x = layers.Resizing(settings.image_height, width, interpolation="bilinear", name="spectrogram_resize")(x)

    def channels(count):
        return max(1, int(round(count * settings.alexnet_width)))

    x = layers.ZeroPadding2D(2, name="alexnet_pad_1")(x)
    x = layers.Conv2D(channels(64), 11, strides=4, activation="relu", name="alexnet_conv_1")(x)
    x = layers.MaxPooling2D(3, strides=2, name="alexnet_pool_1")(x)
    x = layers.Conv2D(channels(192), 5, padding="same", activation="relu", name="alexnet_conv_2")(x)
    x = layers.MaxPooling2D(3, strides=2, name="alexnet_pool_2")(x)
    x = layers.Conv2D(channels(384), 3, padding="same", activation="relu", name="alexnet_conv_3")(x)
    x = layers.Conv2D(channels(256), 3, padding="same", activation="relu", name="alexnet_conv_4")(x)
    x = layers.Conv2D(channels(256), 3, padding="same", activation="relu", name="alexnet_conv_5")(x)
    x = layers.MaxPooling2D(3, strides=2, name="alexnet_pool_3")(x)
    x = layers.AdaptiveAveragePooling2D((6, 6), name="alexnet_average_pool")(x)
    x = layers.Flatten(name="alexnet_flatten")(x)
    x = layers.Dropout(settings.dropout, name="spectrogram_dropout")(x)
    return layers.Dense(settings.units, activation="relu", name="spectrogram_dense")(x)


def mfcc_branch(mfcc, settings):
    """L2-normalised frames, a 2-layer Bi-LSTM, every output flattened, to ``units`` values."""
    from keras import layers

    from ..layers import FrameNormalization

    x = FrameNormalization(name="mfcc_l2_normalise")(mfcc)
    x = layers.Bidirectional(layers.LSTM(settings.lstm_units, return_sequences=True), name="mfcc_bilstm_1")(x)
    x = layers.Dropout(settings.lstm_dropout, name="mfcc_bilstm_dropout")(x)
    x = layers.Bidirectional(layers.LSTM(settings.lstm_units, return_sequences=True), name="mfcc_bilstm_2")(x)
    x = layers.Flatten(name="mfcc_flatten")(x)
    x = layers.Dropout(settings.dropout, name="mfcc_dropout")(x)
    return layers.Dense(settings.units, activation="relu", name="mfcc_dense")(x)


def encoder_branch(frames, guide, settings):
    """Co-attention when ``guide`` is given (one ReLU weight per frame), else the mean frame; to ``units`` values."""
    from keras import layers

    from ..layers import CoAttention

    if guide is not None:
        weights = layers.Dropout(settings.dropout, name="co_attention_dropout")(guide)
        weights = layers.Dense(frames.shape[1], activation="relu", name="co_attention_weights")(weights)
        x = CoAttention(name="co_attention")([weights, frames])
    else:
        x = layers.GlobalAveragePooling1D(name="encoder_mean")(frames)
    x = layers.Dropout(settings.dropout, name="encoder_dropout")(x)
    return layers.Dense(settings.units, activation="relu", name="encoder_dense")(x)


@dataclass(frozen=True)
class Camser(KerasSystem):
    """The co-attention model over 3 s segments; utterances decided from their segments."""

    training: Training = TRAINING
    deviations: tuple = DEVIATIONS
    settings: type = CamserSettings

    def feature_sets(self, settings):
        if settings.branches not in BRANCHES:
            raise ValueError(f"branches must be one of {BRANCHES}, got {settings.branches!r}")
        if "encoder" not in uses(settings):
            return ("segments",)
        return ("segments", "encoder_inputs" if settings.finetune_encoder else "encoder_frames")

    def arrays(self, settings):
        return ["segment_counts"] + [array_names(settings)[branch] for branch in uses(settings)]

    def inputs(self, arrays, rows, settings, trim=False):
        """Per segment of ``rows``: ``spectrogram`` (S, 200, 300), ``mfcc`` (S, 300, 40), ``encoder`` (S, T', D)
        (or its log-mel input (S, 300, 80) with ``finetune_encoder``)."""
        from ..segments import segment_rows

        segments, _ = segment_rows(arrays["segment_counts"], rows)
        names = array_names(settings)
        return {branch: arrays[names[branch]][segments] for branch in uses(settings)}

    def examples(self, arrays, rows, settings):
        from ..segments import segment_rows

        return segment_rows(arrays["segment_counts"], rows)[1]

    def pool(self, outputs, owners, count, settings):
        from ..segments import mean_log_probability

        return {name: mean_log_probability(values, owners, count) for name, values in outputs.items()}

    def build(self, arrays, train, outputs, settings):
        import keras
        from keras import layers

        from ..segments import segment_rows

        if len(outputs) != 1:
            raise ValueError("CA-MSER predicts one categorical task")
        branches = uses(settings)
        inputs, encoded = {}, {}
        if "spectrogram" in branches:
            spectrograms = arrays["segment_spectrogram"]
            inputs["spectrogram"] = keras.Input(shape=spectrograms.shape[1:], name="spectrogram")
            minimum, maximum = bin_range(spectrograms[segment_rows(arrays["segment_counts"], train)[0]])
            encoded["spectrogram"] = spectrogram_branch(inputs["spectrogram"], minimum, maximum, settings)
        if "mfcc" in branches:
            inputs["mfcc"] = keras.Input(shape=arrays["segment_mfcc"].shape[1:], name="mfcc")
            encoded["mfcc"] = mfcc_branch(inputs["mfcc"], settings)
        if "encoder" in branches:
            array = arrays[array_names(settings)["encoder"]]
            inputs["encoder"] = keras.Input(shape=array.shape[1:], name="encoder")
            frames = inputs["encoder"]
            if settings.finetune_encoder:
                from ..features.speech_encoders import whisper_encoder_model

                # Trained with the rest of the model, as the paper trains wav2vec 2.0.
                frames = whisper_encoder_model(settings.finetune_encoder)(frames)
            guide = None
            if settings.branches == "co-attention":
                guide = layers.Concatenate(name="spectrogram_and_mfcc")([encoded["spectrogram"], encoded["mfcc"]])
            encoded["encoder"] = encoder_branch(frames, guide, settings)
        parts = [encoded[branch] for branch in branches]
        x = parts[0] if len(parts) == 1 else layers.Concatenate(name="branches")(parts)
        for index in (1, 2):
            x = layers.Dropout(settings.dropout, name=f"head_dropout_{index}")(x)
            x = layers.Dense(settings.units, activation="relu", name=f"head_dense_{index}")(x)
        output = outputs[0]
        predictions = layers.Dense(output.units, activation=output.activation, name=output.name, dtype="float32")(x)
        return keras.Model(inputs, predictions, name="camser")


register(
    Camser(
        name="zou2022/camser",
        aliases=("camser",),
        protocol="leave-one-session-out",
        paper=PAPER,
        summary="3 s segments: AlexNet over the spectrogram, Bi-LSTM over MFCC, co-attention over pretrained "
        "speech-encoder frames",
        reads=("segments", "encoder_frames"),
        flags=(
            Flag(
                "--finetune-encoder",
                "finetune_encoder",
                "same as --set finetune_encoder=PRESET: train a keras-hub Whisper encoder (a preset name or folder) "
                "end to end inside the model, as the paper fine-tunes wav2vec 2.0, instead of reading frozen "
                "frames; needs the feature set encoder_inputs. Tested on the CPU with a tiny model only",
                metavar="PRESET",
            ),
        ),
        presets=(
            Preset(
                "demo",
                "the demo corpus's scale: AlexNet at a quarter of its channels on the 200 x 300 image (not "
                "resized), Bi-LSTM 32, learning rate 1e-3 (1e-5 trains nothing from scratch in 15 epochs), at most "
                "15 epochs, patience 5",
                settings={"image_height": 0, "alexnet_width": 0.25, "lstm_units": 32},
                training={"learning_rate": 1e-3, "epochs": 15, "patience": 5},
            ),
        ),
    )
)
