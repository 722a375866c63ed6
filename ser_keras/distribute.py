"""Devices and machines: a ``tf.distribute`` strategy chosen by name, and mixed precision.

* ``none``: one device (the first GPU if TensorFlow sees one, else the CPU).
* ``mirrored``: ``MirroredStrategy``, one replica per GPU of this machine; each batch
  of ``batch_size`` utterances is split across them and the gradients are summed, so
  the model learns as on one device with the same batch.
* ``multiworker``: ``MultiWorkerMirroredStrategy`` across machines described by the
  ``TF_CONFIG`` environment variable; every machine runs the same command. Keras 3's
  ``Model.fit`` cannot train under it (keras-team/keras#20585), so training there runs
  Keras's own steps in this project's loop (:mod:`ser_keras.worker_loop`).
* ``auto``: ``multiworker`` when ``TF_CONFIG`` is set, ``mirrored`` with two or more
  GPUs, else ``none``.
"""

from __future__ import annotations

import json
import os

STRATEGIES = ("auto", "mirrored", "multiworker", "none")


def choose_strategy(name="auto", devices=None):
    """A ``tf.distribute`` strategy by name, or None for one device.

    Create it before anything else touches TensorFlow: ``MultiWorkerMirroredStrategy``
    must exist before the first operation runs.

    Parameters
    ----------
    name : {"auto", "mirrored", "multiworker", "none"}
    devices : list of str, optional
        For ``mirrored``: the devices to mirror across (default: every GPU, or the CPU).

    Returns
    -------
    tf.distribute.Strategy or None

    Raises
    ------
    ValueError
        For an unknown name, or ``multiworker`` without ``TF_CONFIG``.
    """
    import tensorflow as tf

    if name not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {name!r}")
    if name == "auto":
        if os.environ.get("TF_CONFIG"):
            name = "multiworker"
        elif len(tf.config.list_physical_devices("GPU")) > 1:
            name = "mirrored"
        else:
            name = "none"
    if name == "none":
        return None
    if name == "mirrored":
        return tf.distribute.MirroredStrategy(devices=devices)
    if not os.environ.get("TF_CONFIG"):
        raise ValueError("--strategy multiworker needs TF_CONFIG describing the cluster and this worker's task")
    return tf.distribute.MultiWorkerMirroredStrategy()


def is_multi_worker(strategy):
    """Whether ``strategy`` spans worker processes (Keras's ``fit`` cannot train there: see ``worker_loop``)."""
    if strategy is None:
        return False
    import tensorflow as tf

    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def is_chief():
    """Whether this process writes the outputs: always, except on the non-chief workers of a cluster."""
    config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    task = config.get("task", {})
    if not task:
        return True
    has_chief = "chief" in config.get("cluster", {})
    return task.get("type") == "chief" or (not has_chief and task.get("type") == "worker" and task.get("index") == 0)


def replicas(strategy):
    """Devices a batch is split across (1 without a strategy)."""
    return 1 if strategy is None else strategy.num_replicas_in_sync


def use_mixed_precision():
    """Compute in float16 with float32 weights (``mixed_float16``); needs a GPU.

    Raises
    ------
    ValueError
        When TensorFlow sees no GPU: on a CPU, float16 is slower, not faster.
    """
    import keras
    import tensorflow as tf

    if not tf.config.list_physical_devices("GPU"):
        raise ValueError("--mixed-precision needs a GPU; TensorFlow sees none (on a CPU float16 is slower)")
    keras.mixed_precision.set_dtype_policy("mixed_float16")


def gpu_available():
    """Whether TensorFlow sees a GPU."""
    import tensorflow as tf

    return bool(tf.config.list_logical_devices("GPU"))
