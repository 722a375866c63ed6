"""Training across machines: Keras's own train and test steps driven by a loop of this project's.

Keras 3's ``Model.fit`` cannot train under ``MultiWorkerMirroredStrategy``: every worker
fails converting a ``PerReplica`` batch to a tensor (keras-team/keras#20585). The steps
themselves work; only ``fit``'s epoch iterator does not. So this loop distributes the
``tf.data`` pipeline with the strategy and runs ``model.train_step`` and
``model.test_step`` on each replica: the same loss (which Keras already scales by the
number of replicas), the same optimiser update with gradients summed across replicas,
the same metrics and the same callbacks (early stopping, the best-epoch selection) as
``fit``. Every worker runs it with the same global batches; each replica computes on
its share of each batch.
"""

from __future__ import annotations

import time


def shard_by_data(dataset):
    """``dataset`` with auto-sharding by element, so each replica reads its share of every global batch.

    Sharding by file (TensorFlow's default) needs a dataset read from files; these are
    built from arrays in memory.
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


def fit_across_workers(model, training_data, held_out_data, epochs, strategy, callbacks=(), verbose=1):
    """Train a compiled ``model`` for ``epochs`` on ``training_data``, scoring ``held_out_data`` after each epoch.

    Parameters
    ----------
    model : keras.Model
        Built and compiled inside ``strategy.scope()``.
    training_data, held_out_data : tf.data.Dataset
        Batches of (inputs, targets) with the global batch size, in the same order on
        every worker (shuffled from the same seed).
    epochs : int
    strategy : tf.distribute.Strategy
    callbacks : sequence of keras.callbacks.Callback
        Called as ``fit`` calls them; ``model.stop_training`` ends training early.
    verbose : int
        0 silent, 1 or 2 a line per epoch (there is no per-batch bar across workers).

    Returns
    -------
    dict of str -> list of float
        The per-epoch logs, as ``fit(...).history``: the metrics and ``val_`` metrics.
    """
    import keras
    import tensorflow as tf

    training_batches = strategy.experimental_distribute_dataset(shard_by_data(training_data))
    held_out_batches = strategy.experimental_distribute_dataset(shard_by_data(held_out_data))

    @tf.function
    def train_on(batch):
        strategy.run(model.train_step, args=(batch,))

    @tf.function
    def test_on(batch):
        strategy.run(model.test_step, args=(batch,))

    def epoch_logs(step, batches):
        # Reading the metrics outside the replicas sums their totals and counts across all workers.
        model.reset_metrics()
        for batch in batches:
            step(batch)
        return {name: float(value) for name, value in model.get_metrics_result().items()}

    callback_list = keras.callbacks.CallbackList(list(callbacks), add_history=True, model=model, epochs=epochs)
    model.stop_training = False
    callback_list.on_train_begin()
    for epoch in range(epochs):
        started = time.perf_counter()
        callback_list.on_epoch_begin(epoch)
        logs = epoch_logs(train_on, training_batches)
        logs.update({f"val_{name}": value for name, value in epoch_logs(test_on, held_out_batches).items()})
        callback_list.on_epoch_end(epoch, logs)
        if verbose:
            # Keras's one line per epoch (verbose=2): a per-batch bar would need every worker's metrics each step.
            figures = " - ".join(f"{name}: {value:.4f}" for name, value in logs.items())
            print(f"Epoch {epoch + 1}/{epochs} - {time.perf_counter() - started:.0f}s - {figures}", flush=True)
        if model.stop_training:
            break
    callback_list.on_train_end()
    return model.history.history
