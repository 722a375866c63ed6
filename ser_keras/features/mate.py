"""MATE's per-turn features: a standardised log-mel spectrogram and one sentence embedding.

Settings of the authors' ``constants.py`` and ``dataset.py`` (``HongSungRae/ETRI_2022_AI_Competition``):
16 kHz audio padded with zeros or cropped to 10 s, mel power spectrogram (n_fft 2048,
hop 512, 30-8000 Hz, 229 HTK mels without filter normalisation, reflect padding:
torchaudio's defaults), decibels (10 log10, floor 1e-10), then each spectrogram
standardised on its own mean and variance (their untrained ``BatchNorm2d`` in training
mode does exactly that): (229, 313) per turn.

The sentence embedding stands in for KoBERT (Korean, a download): by default the mean
of the bundle's word vectors over the transcript's known words; with a local
sentence-transformers model (``feature_extraction.py --sentence-encoder DIR``, an
optional extra that brings PyTorch) that model's embedding.
"""

from __future__ import annotations

import numpy as np

from .sets import FeatureSet, Option, map_utterances, register_feature_set

SAMPLE_RATE = 16000
N_MELS = 229
N_FFT = 2048
HOP_LENGTH = 512
FMIN, FMAX = 30.0, 8000.0
SECONDS = 10.0
CROP_SEED = 42  # the authors' RandomState(42)


def log_mel(signal, n_mels=N_MELS, seconds=SECONDS, sample_rate=SAMPLE_RATE):
    """The standardised log-mel spectrogram of one turn.

    Parameters
    ----------
    signal : np.ndarray, float, shape (n_samples,)
        Mono audio at ``sample_rate``.
    n_mels : int
    seconds : float
        Length the audio is padded (zeros at the end) or cropped to; a longer turn is
        cropped at an offset drawn by ``RandomState(42)``, the same for every run.
    sample_rate : int

    Returns
    -------
    np.ndarray, float32, shape (n_mels, 1 + seconds * sample_rate // 512)
        Zero mean and unit variance over the whole spectrogram.
    """
    import librosa

    target = int(round(seconds * sample_rate))
    signal = np.asarray(signal, dtype=np.float32)
    if len(signal) > target:
        start = np.random.RandomState(CROP_SEED).randint(len(signal) - target)
        signal = signal[start : start + target]
    signal = librosa.util.fix_length(signal, size=target)
    power = librosa.feature.melspectrogram(
        y=signal,
        sr=sample_rate,
        n_fft=N_FFT,
        hop_length=HOP_LENGTH,
        n_mels=n_mels,
        fmin=FMIN,
        fmax=FMAX,
        htk=True,
        norm=None,
        center=True,
        pad_mode="reflect",
        power=2.0,
    )
    decibels = librosa.power_to_db(power, ref=1.0, amin=1e-10, top_db=None).astype(np.float64)
    # BatchNorm2d in training mode on a batch of one: the biased variance, eps 1e-5.
    return ((decibels - decibels.mean()) / np.sqrt(decibels.var() + 1e-5)).astype(np.float32)


def log_mel_of_file(path, n_mels=N_MELS, seconds=SECONDS):
    """:func:`log_mel` of an audio file read at 16 kHz."""
    from .audio import load_audio

    return log_mel(load_audio(path, SAMPLE_RATE), n_mels=n_mels, seconds=seconds)


def mean_word_vectors(tokens, matrix):
    """Mean of the word vectors of each transcript's real tokens (padding 0 excluded).

    Parameters
    ----------
    tokens : np.ndarray of int, shape (N, W)
    matrix : np.ndarray, shape (V, D)
        Row ``t`` is token ``t``'s vector (row 0, padding, is unused).

    Returns
    -------
    np.ndarray, float32, shape (N, D)
        Zero for a transcript without tokens.
    """
    tokens = np.asarray(tokens)
    real = (tokens > 0)[:, :, None]
    summed = (np.asarray(matrix, dtype=np.float64)[tokens] * real).sum(axis=1)
    return (summed / np.maximum(real.sum(axis=1), 1)).astype(np.float32)


def load_sentence_encoder(name_or_folder):
    """A sentence-transformers model from a name (fetched by that library) or a local folder.

    Raises
    ------
    ImportError
        With the install command when the optional extra is missing.
    """
    try:
        from sentence_transformers import SentenceTransformer
    except ImportError as error:
        raise ImportError(
            'the sentence encoder needs the optional extra: pip install -e ".[sentence]" (brings PyTorch)'
        ) from error
    return SentenceTransformer(str(name_or_folder), device="cpu")


def encode_sentences(encoder, transcripts, batch_size=32):
    """Embeddings of transcripts by a sentence-transformers model, (N, D) float32."""
    embeddings = encoder.encode(
        list(transcripts), batch_size=batch_size, convert_to_numpy=True, show_progress_bar=False
    )
    return np.asarray(embeddings, dtype=np.float32)


# The feature sets of this family.


def _logmel(context):
    """MATE's standardised log-mel spectrogram of each turn, (N, mels, frames) float16."""
    from functools import partial

    n_mels = LOGMEL.value(context, "logmel_mels")
    seconds = LOGMEL.value(context, "logmel_seconds")
    function = partial(log_mel_of_file, n_mels=n_mels, seconds=seconds)
    # float16 halves the memory of the windows (8 turns each); the values are standardised, so no overflow.
    spectrograms = np.stack(map_utterances(function, context, "log-mel")).astype(np.float16)
    return {"logmel": spectrograms}, {
        "n_mels": n_mels,
        "seconds": seconds,
        "n_fft": 2048,
        "hop": 512,
        "fmin": 30,
        "fmax": 8000,
        "scale": "dB, each spectrogram standardised on its own mean and variance",
    }


def _sentence(context):
    """One embedding per turn: the mean of the bundle's word vectors, or a local sentence-transformers model."""

    encoder = SENTENCE.value(context, "sentence_encoder")
    if encoder:
        transcripts = [utterance.transcript or "" for utterance in context.utterances()]
        embeddings = encode_sentences(load_sentence_encoder(encoder), transcripts)
        settings = {"encoder": str(encoder), "kind": "sentence-transformers", "encoder_path": str(encoder)}
        return {"sentence_embeddings": embeddings}, settings
    embeddings = mean_word_vectors(context.array("tokens"), context.array("embedding_matrix"))
    return {"sentence_embeddings": embeddings}, {"encoder": "mean of the bundle's word vectors", "kind": "mean"}


def _turn_order(context):
    """Each turn's dialogue (numbered) and its position in it by start time, from the corpus."""
    from ..dialogue import turn_order

    utterances = context.utterances()
    # A turn without a dialogue (a CSV manifest without the column) is a dialogue of its own.
    dialogues = [utterance.dialogue or f"turn:{utterance.id}" for utterance in utterances]
    starts = [utterance.start if utterance.start is not None else 0.0 for utterance in utterances]
    dialogue_ids, positions = turn_order(dialogues, starts)
    return {"dialogue_ids": dialogue_ids, "turn_positions": positions}, {"order": "start time within the dialogue"}


LOGMEL = register_feature_set(
    FeatureSet(
        "logmel",
        "MATE's log-mel spectrogram per turn (229 mels and 10 s unless --logmel-mels, --logmel-seconds; "
        "n_fft 2048, hop 512, 30-8000 Hz), standardised",
        ("logmel",),
        compute=_logmel,
        packages=("numpy", "librosa"),
        options=(
            Option("logmel_mels", int, N_MELS, "mel bands (MATE's 229)", records="n_mels"),
            Option("logmel_seconds", float, SECONDS, "seconds per turn (MATE's 10)", records="seconds"),
        ),  # fmt: skip
        shapes={"logmel": ("utterances", "mels", "frames")},
        by_utterance=True,
    )
)
SENTENCE = register_feature_set(
    FeatureSet(
        "sentence",
        "one embedding per turn: the mean of the word vectors, or a sentence-transformers model (--sentence-encoder)",
        ("sentence_embeddings",),
        compute=_sentence,
        needs=("words",),  # the mean of the word vectors reads the words' token ids and vectors
        packages=("numpy", "sentence-transformers"),
        options=(
            Option(
                "sentence_encoder",
                str,
                None,
                "a sentence-transformers model (a local folder, or a name its "
                'library fetches; optional extra: pip install -e ".[sentence]") instead of the mean of the word '
                "vectors",
                records="encoder_path",
                metavar="DIR",
            ),
        ),  # fmt: skip
        shapes={"sentence_embeddings": ("utterances", "dimensions")},
        by_utterance=True,
    )
)
register_feature_set(
    FeatureSet(
        "turn_order",
        "each turn's dialogue and its position in it by start time (for dialogue context)",
        ("dialogue_ids", "turn_positions"),
        compute=_turn_order,
        shapes={"dialogue_ids": ("utterances",), "turn_positions": ("utterances",)},
    )
)
