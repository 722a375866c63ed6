"""MATE (Hong, Kim, Lee, Kim, Lee; KCC 2022): the emotion of a turn from its dialogue context.

Code ``HongSungRae/ETRI_2022_AI_Competition`` (``model.py``, ``dataset.py``, ``loss.py``,
``main.py``), every setting checked against it. A window of the turn and the
``window - 1`` turns before it in its dialogue (left-padded with empty, all-zero turns):

* audio: each turn's standardised log-mel spectrogram (229 x 313), the turns stacked as
  the *channels* of four convolutions (window -> 32 k3; 32 -> 48 k3, max-pool 2;
  48 -> 32 k5, max-pool 2; 32 -> window k7, max-pool 2; no bias, batch norm, ReLU), so the
  stack mixes turns; it leaves 816 values per turn;
* text: one sentence embedding per turn, concatenated to the turn's 816 values;
* an LSTM of 4 layers of 512 cells over the window, all its outputs flattened;
* the emotion head: 2048, 512, 256, 64 (each Dense, ReLU, batch norm), softmax;
* arousal and valence heads: a trunk 2048, 1024, 512, concatenated with the emotion
  probabilities (``--set emotion_to_affect=false`` leaves them out: the paper's Table 3
  ablation), then per head 128, 32, one unit, ``4 * sigmoid + 1`` (the 1-5 scale).

Loss: ``lambda * KL(votes || predicted) + (1 - lambda) * (MSE_A + MSE_V)``, lambda 0.66,
trained on the distribution of the annotators' votes; ``--set loss=class-balanced``: a
weighted binary cross-entropy of each class's predicted probability against its share of
the votes (the code's soft target, ``dataset.py``) instead of the KL term, weights
``(1 - beta) / (1 - beta ** n_j)`` with ``n_j`` the integer ratio of class j's count to
the rarest class's (as the code computes it). Adam 1e-3, weight decay 1e-5, batch 64, 50
epochs, the learning rate times 0.7 at epochs E/3 and E/2; no validation: the last epoch
is tested. The paper's protocol is five folds by session (``--protocol loso`` here).

Where the project departs from the code, and why:

* sentence embeddings are the mean of the bundle's word vectors or a local
  sentence-transformers model (KoBERT is Korean and a download);
* a window holds only turns of the bundle among the rows of its split: turns outside the
  label set are not in the bundle, so they are not context (the code's KEMDy19 labels
  every turn), and a test turn is never context of a training window;
* a turn longer than 10 s is cropped once, at extraction, where the code draws a new
  crop each time it reads the turn;
* Keras applies Adam's weight decay to the weights directly (decoupled), PyTorch adds it
  to the gradient; the last incomplete batch is kept (the code drops it);
* batch normalisation has PyTorch's momentum and epsilon, and after the last epoch its
  statistics are recomputed over the training windows (``precise_batch_norm``, on by
  default): on the demo's 768 windows the running averages trailed the weights so far that
  a window-8 model scored 28% at inference against 65% with batch statistics (text only,
  seed 0); they are recomputed after training ends, so after any restore of a selected
  epoch's weights; ``--set precise_batch_norm=false`` keeps the running averages, as the
  code does.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from . import KerasSystem, Training, register

PAPER = (
    "Hong, Kim, Lee, Kim and Lee, MATE: multi-modal audio-text emotion recognition in dialogue context, "
    "KCC 2022, pp. 2297-2299"
)
TRAINING = Training(optimizer="adam", learning_rate=1e-3, batch_size=64, epochs=50, weight_decay=1e-5)
MODALITIES = ("audio+text", "audio", "text")
LOSSES = ("kl", "class-balanced")
DEVIATIONS = (
    "sentence embeddings: the mean of the bundle's word vectors or a local sentence-transformers model (KoBERT)",
    "context: the bundle's turns of the same split only (turns outside the label set are not in the bundle)",
    "a turn longer than 10 s is cropped once at extraction (the code: a new random crop at every read)",
    "Adam's weight decay is decoupled (Keras); the last incomplete batch is kept (the code drops it)",
    "batch-norm statistics recomputed over the training windows after the last epoch (precise_batch_norm)",
)


@dataclass(frozen=True)
class MateSettings:
    """Model and loss settings (defaults: the authors' code).

    Attributes
    ----------
    window : int
        Turns per window, the target turn last (8; 1 turns context off).
    units : int
        Cells of each LSTM layer (512).
    lstm_layers : int
        (4; the slides' 8 does not match the code.)
    bidirectional : bool
    modalities : {"audio+text", "audio", "text"}
        The paper's ablation: both, or one branch alone.
    loss : {"kl", "class-balanced"}
    lam : float
        Weight of the emotion term (lambda); arousal and valence get ``1 - lam`` each.
    beta : float
        Of the class-balanced loss.
    precise_batch_norm : bool
        Recompute every batch normalisation's statistics over the training windows after
        the last epoch, and after any restore of a selected epoch's weights (the project's;
        the code keeps the running averages).
    emotion_to_affect : bool
        Feed the emotion probabilities to the arousal and valence heads (the code); False
        is the paper's Table 3 ablation, heads on the trunk alone.
    """

    window: int = 8
    units: int = 512
    lstm_layers: int = 4
    bidirectional: bool = False
    modalities: str = "audio+text"
    loss: str = "kl"
    lam: float = 0.66
    beta: float = 0.99
    precise_batch_norm: bool = True
    emotion_to_affect: bool = True

    def to_dict(self):
        return asdict(self)


def batch_norm(name):
    """Batch normalisation with PyTorch's defaults, as the authors' code has them.

    Keras's momentum 0.99 keeps about 9% of the initial moving statistics after the
    240 steps of a 20-epoch demo run, enough to wreck inference; PyTorch's 0.1 (Keras
    0.9) has forgotten them after 50 steps.
    """
    from keras import layers

    return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=name)


def convolution_stack(audio, window):
    """The four convolutions over the turns as channels; (W, mels, frames) -> (W, 816 at the paper's size)."""
    from keras import layers

    x = layers.Permute((2, 3, 1), name="turns_as_channels")(audio)
    for index, (filters, kernel, pool) in enumerate(((32, 3, 1), (48, 3, 2), (32, 5, 2), (window, 7, 2)), start=1):
        x = layers.Conv2D(filters, kernel, use_bias=False, name=f"conv_{index}")(x)
        x = batch_norm(f"conv_{index}_batch_norm")(x)
        x = layers.ReLU(name=f"conv_{index}_relu")(x)
        if pool > 1:
            x = layers.MaxPooling2D(pool, name=f"conv_{index}_pool")(x)
    x = layers.Permute((3, 1, 2), name="channels_as_turns")(x)
    return layers.Reshape((window, -1), name="audio_per_turn")(x)


def precise_batch_norm(model, inputs, batch_size, seed=0):
    """Set every batch normalisation's moving statistics to their mean over batches of ``inputs``.

    "PreciseBN" (Wu and Johnson, Rethinking "Batch" in BatchNorm, 2021): layer by layer the
    running averages trail weights that change fast, and on a small corpus (12 batches an
    epoch on the demo) the trail wrecks inference. One pass in training mode with the k-th
    batch weighted 1 / (k + 1) leaves the plain mean of the batches' statistics. Weights do
    not change.

    Parameters
    ----------
    model : keras.Model
    inputs : dict of str -> np.ndarray
        The training rows' inputs.
    batch_size : int
    seed : int
        Of the batches' shuffle.
    """
    from keras import layers

    norms = [layer for layer in model.layers if isinstance(layer, layers.BatchNormalization)]
    if not norms:
        return
    momenta = [layer.momentum for layer in norms]
    rows = len(next(iter(inputs.values())))
    order = np.random.default_rng(seed).permutation(rows)
    try:
        for index, start in enumerate(range(0, rows, batch_size)):
            for layer in norms:
                layer.momentum = index / (index + 1)
            batch = order[start : start + batch_size]
            model({name: values[batch] for name, values in inputs.items()}, training=True)
    finally:
        for layer, momentum in zip(norms, momenta):
            layer.momentum = momentum


def dense_blocks(x, sizes, name):
    """Dense, ReLU, batch norm, for each size (the code's ``BasicLinear``)."""
    from keras import layers

    for index, size in enumerate(sizes, start=1):
        x = layers.Dense(size, activation="relu", name=f"{name}_dense_{index}")(x)
        x = batch_norm(f"{name}_batch_norm_{index}")(x)
    return x


def class_balanced_weights(votes, beta):
    """Per-class weights ``(1 - beta) / (1 - beta ** n_j)``, n_j = int(count_j / min count).

    Parameters
    ----------
    votes : np.ndarray, shape (N, C)
        Annotators' votes of the training rows; a row's gold classes are those with the most votes.
    beta : float

    Returns
    -------
    np.ndarray, float32, shape (C,)
    """
    from ..tasks import gold_classes

    counts = gold_classes(votes).sum(axis=0).astype(np.float64)
    ratios = np.floor(counts / max(counts[counts > 0].min(), 1.0)).astype(int)
    with np.errstate(divide="ignore"):
        weights = (1 - beta) / (1 - beta ** np.maximum(ratios, 1))
    return weights.astype(np.float32)


@dataclass(frozen=True)
class Mate(KerasSystem):
    """The dialogue-context model; the heads follow the tasks (votes, then arousal and valence)."""

    tasks: tuple = ("votes", "arousal-valence")
    default_tasks: tuple = ("votes", "arousal-valence")
    training: Training = TRAINING
    deviations: tuple = DEVIATIONS
    settings: type = MateSettings

    def feature_sets(self, settings):
        if settings.modalities not in MODALITIES:
            raise ValueError(f"modalities must be one of {MODALITIES}, got {settings.modalities!r}")
        if settings.loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {settings.loss!r}")
        if settings.window < 1:
            raise ValueError(f"window must be at least 1, got {settings.window}")
        return tuple(self.reads)

    def arrays(self, settings):
        return ["logmel", "sentence_embeddings", "dialogue_ids", "turn_positions"]

    def inputs(self, arrays, rows, settings, trim=False):
        """``audio`` (len(rows), window, mels, frames) float16 and ``text`` (len(rows), window, D), zero when padded."""
        from ..dialogue import dialogue_windows, gather

        windows = dialogue_windows(arrays["dialogue_ids"], arrays["turn_positions"], rows, settings.window)
        inputs = {}
        if settings.modalities != "text":
            inputs["audio"] = gather(np.asarray(arrays["logmel"], dtype=np.float16), windows)
        if settings.modalities != "audio":
            inputs["text"] = gather(np.asarray(arrays["sentence_embeddings"], dtype=np.float32), windows)
        return inputs

    def build(self, arrays, train, outputs, settings):
        import keras
        from keras import layers

        window = settings.window
        inputs, per_turn = {}, []
        if settings.modalities != "text":
            inputs["audio"] = keras.Input(shape=(window, *arrays["logmel"].shape[1:]), dtype="float16", name="audio")
            per_turn.append(convolution_stack(inputs["audio"], window))
        if settings.modalities != "audio":
            inputs["text"] = keras.Input(shape=(window, arrays["sentence_embeddings"].shape[1]), name="text")
            per_turn.append(inputs["text"])
        x = per_turn[0] if len(per_turn) == 1 else layers.Concatenate(name="audio_and_text")(per_turn)
        for index in range(1, settings.lstm_layers + 1):
            lstm = layers.LSTM(settings.units, return_sequences=True, name=f"lstm_{index}")
            x = layers.Bidirectional(lstm, name=f"bilstm_{index}")(x) if settings.bidirectional else lstm(x)
        x = layers.Flatten(name="flatten")(x)

        by_name = {output.name: output for output in outputs}
        if "votes" not in by_name:
            raise ValueError("MATE's arousal and valence heads read the emotion head: predict votes too")
        emotion = dense_blocks(x, (2048, 512, 256, 64), "emotion")
        emotion = layers.Dense(by_name["votes"].units, activation="softmax", name="votes", dtype="float32")(emotion)
        heads = {"votes": emotion}
        affect = [name for name in ("arousal", "valence") if name in by_name]
        if affect:
            trunk = dense_blocks(x, (2048, 1024, 512), "affect")
            if settings.emotion_to_affect:
                trunk = layers.Concatenate(name="affect_and_emotion")([trunk, emotion])
            for name in affect:
                head = dense_blocks(trunk, (128, 32), name)
                head = layers.Dense(1, activation="sigmoid", name=f"{name}_sigmoid", dtype="float32")(head)
                # 4 * sigmoid + 1: the 1-5 rating scale.
                heads[name] = layers.Rescaling(4.0, offset=1.0, name=name, dtype="float32")(head)
        return keras.Model(inputs, heads, name="mate")

    def losses(self, tasks, settings, arrays=None, train=None):
        from ..losses import ClassBalancedCrossEntropy

        losses, _ = super().losses(tasks, settings)
        if settings.loss == "class-balanced":
            if arrays is None or train is None:
                raise ValueError("the class-balanced loss needs the training rows' votes")
            weights = class_balanced_weights(np.asarray(arrays["votes"])[train], settings.beta)
            losses["votes"] = ClassBalancedCrossEntropy(weights.tolist())
        weights = {name: (settings.lam if name == "votes" else 1.0 - settings.lam) for name in losses}
        return losses, weights

    def callbacks(self, settings, training):
        """The step schedule: the learning rate times 0.7 at epochs E/3 and E/2 (PyTorch's MultiStepLR)."""
        import keras

        milestones = (int(training.epochs / 3), int(training.epochs / 2))

        def schedule(epoch, learning_rate):
            # As PyTorch's MultiStepLR, a milestone at 0 (fewer than 3 epochs) applies from the start.
            return training.learning_rate * 0.7 ** sum(epoch >= milestone for milestone in milestones)

        return [keras.callbacks.LearningRateScheduler(schedule)]

    def after_fit(self, model, settings, training, train_inputs):
        """With ``precise_batch_norm``, batch normalisation's statistics recomputed for the weights kept.

        After fit, so after any callback that restored a selected epoch's weights (which
        would restore that epoch's running averages too).
        """
        if settings.precise_batch_norm:
            precise_batch_norm(model, train_inputs, training.batch_size)


register(
    Mate(
        name="hong2022/mate",
        aliases=("mate",),
        protocol="leave-one-session-out",
        paper=PAPER,
        summary="audio (log-mel, turns as channels) + sentence embeddings over 8 dialogue turns, LSTM 512 x 4; "
        "votes, arousal and valence",
        reads=("logmel", "sentence", "turn_order"),
    )
)
