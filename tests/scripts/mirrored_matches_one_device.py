"""Train the same model on one CPU device and mirrored across two logical CPU devices.

Run as a script: logical devices must be configured before TensorFlow starts.
Prints the largest differences as JSON.
"""

import json
import sys

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)

import numpy as np  # noqa: E402

from ser_keras.distribute import choose_strategy  # noqa: E402
from ser_keras.features.bundle import read_bundle  # noqa: E402
from ser_keras.protocols.paper import paper_split  # noqa: E402
from ser_keras.runner import train_fold  # noqa: E402
from ser_keras.systems import Training, get_system  # noqa: E402
from ser_keras.systems.krishna_reddy.settings import KrishnaReddySettings  # noqa: E402
from ser_keras.trainers import Execution  # noqa: E402

bundle = read_bundle(sys.argv[1])
names = ("acoustic", "acoustic_lengths", "speech_embeddings", "labels", "embedding_matrix", "tokens")
arrays = {name: np.asarray(bundle.array(name)) for name in names}
train, test = paper_split(bundle.meta["session"].to_numpy())
# No dropout and no shuffling: the two runs draw no random numbers, see the same batches
# and must agree up to float rounding.
settings = KrishnaReddySettings(recurrent_dropout=0.0, dense_dropout=0.0)
training = Training(epochs=2, batch_size=16)
results = {}
for name, strategy in (("one", None), ("mirrored", choose_strategy("mirrored", devices=["/cpu:0", "/cpu:1"]))):
    fold = train_fold(
        get_system("multimodal"),
        arrays,
        bundle.classes,
        train,
        test,
        settings,
        training,
        seed=0,
        execution=Execution("tf.data", strategy, verbose=0, shuffle=False),
    )
    results[name] = {
        "model": fold.model,
        "history": fold.history,
        "probabilities": fold.predictions["categorical"]["emotion"],
    }
    if strategy is not None:
        replicas = strategy.num_replicas_in_sync
weights = [
    np.abs(a - b).max()
    for a, b in zip(results["one"]["model"].get_weights(), results["mirrored"]["model"].get_weights())
]
print(
    json.dumps(
        {
            "replicas": replicas,
            "probabilities": float(
                np.abs(results["one"]["probabilities"] - results["mirrored"]["probabilities"]).max()
            ),
            "weights": float(max(weights)),
            "loss_one": results["one"]["history"]["loss"],
            "loss_mirrored": results["mirrored"]["history"]["loss"],
        }
    )
)
