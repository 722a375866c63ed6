"""Every layer of a Whisper encoder, pooled per utterance: the input of a learned weighted sum of layers.

The last layer of a speech encoder is trained for its own task (Whisper's: transcription);
emotion is often read better from middle layers, so the self-supervised benchmarks learn
one weight per layer. ``encoder_layer_stats`` keeps, for each utterance, the mean and
standard deviation of its real frames at every layer of a Whisper encoder run through
keras-hub (a keras-hub preset, or a CTranslate2 folder read into it:
:mod:`ser_keras.features.whisper_conversion`): (N, L + 1, 2 D), layer 0 being the
convolutional front end. The system ``project/layer-weighted`` learns the weights.
"""

from __future__ import annotations

import numpy as np

from .camser import SEGMENT_SAMPLES, wave_segments_of_file
from .sets import FeatureSet, register_feature_set
from .speech_encoders import SPEECH_ENCODER, _segment_items, utterance_statistics, whisper_inputs


def layer_statistics(model, front_end, segments, bounds):
    """Mean and std of one utterance's real frames at every encoder layer.

    Parameters
    ----------
    model : keras.Model
        Log-mel (S, frames, mels) -> (S, L + 1, T', D)
        (:func:`ser_keras.features.whisper_conversion.encoder_layers_model`).
    front_end : callable
        Waveforms (S, samples) -> log-mel (S, frames, mels).
    segments : np.ndarray, shape (S, samples)
    bounds : np.ndarray of int, shape (S, 2)

    Returns
    -------
    np.ndarray, float32, shape (L + 1, 2 D)
    """
    import keras

    frames = keras.ops.convert_to_numpy(model(front_end(segments), training=False))
    counts = np.array([len(segments)])
    return np.stack(
        [utterance_statistics(frames[:, layer], counts, bounds, SEGMENT_SAMPLES)[0] for layer in range(frames.shape[1])]
    )


def _encoder_layer_statistics(context):
    from tqdm import tqdm

    from .speech_encoders import whisper_encoder_model
    from .whisper_conversion import encoder_layers_model

    source = ENCODER_LAYER_STATS.value(context, "speech_encoder")
    backbone_encoder = whisper_encoder_model(source)
    model = encoder_layers_model(backbone_encoder)
    front_end = whisper_inputs(source)
    statistics = [
        layer_statistics(model, front_end, wave_segments_of_file(item), item[1])
        for item in tqdm(_segment_items(context), desc="encoder layers", unit="utt", disable=not context.progress)
    ]
    return {"encoder_layer_stats": np.stack(statistics).astype(np.float32)}, {
        "encoder": str(source),
        "library": "keras-hub",
        "layers": "the convolutional front end, then each transformer layer (the last after the final layer norm)",
        "statistics": ["mean", "std"],
        "frames": "real only",
    }


ENCODER_LAYER_STATS = register_feature_set(
    FeatureSet(
        "encoder_layer_stats",
        "mean and std of each utterance's real frames at every layer of a Whisper encoder run by keras-hub "
        "(--speech-encoder PRESET or a CTranslate2 folder)",
        ("encoder_layer_stats",),
        compute=_encoder_layer_statistics,
        needs=("segments",),
        packages=("numpy", "keras-hub"),
        options=(SPEECH_ENCODER,),
        shapes={"encoder_layer_stats": ("utterances", "layers", "statistics")},
        by_utterance=True,
    )
)
