"""The Keras trainer: compile from the tasks, select an epoch, fit by one of three paths, predict."""

from __future__ import annotations

import contextlib

import numpy as np

from ..distribute import is_multi_worker
from ..pipeline import make_dataset
from ..worker_loop import fit_across_workers
from . import register_trainer
from .base import Trainer


def make_optimizer(training):
    """The Keras optimiser a :class:`ser_keras.systems.Training` names."""
    import keras

    optimizers = {
        "adam": keras.optimizers.Adam,
        "adamw": keras.optimizers.AdamW,
        "rmsprop": keras.optimizers.RMSprop,
        "sgd": keras.optimizers.SGD,
    }
    if training.optimizer not in optimizers:
        raise ValueError(f"optimizer must be one of {sorted(optimizers)}, got {training.optimizer!r}")
    options = {"learning_rate": training.learning_rate}
    if training.weight_decay:
        options["weight_decay"] = training.weight_decay
    return optimizers[training.optimizer](**options)


def best_accuracy_callback(predict_held_out, labels, training):
    """Keep the weights of the epoch with the best UA + WA on held-out utterances; stop after ``patience`` more.

    CA-MSER's selection (``train_ser.py``): UA + WA of the utterances (segments pooled),
    the best tracked from the first epoch, no stopping until the epoch counted from 0
    exceeds ``training.start_epoch``. ``predict_held_out()`` returns
    the held-out utterances' class probabilities; ``labels`` their classes.
    """
    import keras

    from ..evaluation.metrics import unweighted_average_recall

    class BestAccuracyCallback(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.best, self.best_weights, self.waited = -np.inf, None, 0

        def on_epoch_end(self, epoch, logs=None):
            predicted = predict_held_out().argmax(axis=1)
            # UA over the classes the held-out utterances hold, as every report computes it.
            value = unweighted_average_recall(labels, predicted) + float(np.mean(predicted == labels))
            if logs is not None:
                logs["val_ua_plus_wa"] = value
            if value > self.best:
                self.best, self.best_weights, self.waited = value, self.model.get_weights(), 0
            else:
                self.waited += 1
            # As the code's `epoch > 5` (counted from 0): the best is tracked from the start.
            if self.waited >= training.patience and epoch > training.start_epoch:
                self.model.stop_training = True

        def on_train_end(self, logs=None):
            if self.best_weights is not None:
                self.model.set_weights(self.best_weights)

    return BestAccuracyCallback()


class KerasTrainer(Trainer):
    """Fits a system's functional model with the losses, metrics and heads of its tasks."""

    name = "keras"
    model_file = "model.keras"
    selects_epochs = True

    def fit(self, system, settings, training, data, execution):
        import keras

        keras.utils.set_random_seed(data.seed)
        with execution.strategy.scope() if execution.strategy is not None else contextlib.nullcontext():
            model = system.build(data.arrays, data.train, data.outputs, settings)
            self._compile(model, system, settings, training, data)
        fit_rows, held_out = data.train, data.test  # fixed epochs: the test rows only draw the curves
        if training.selection in ("validation", "test"):
            fit_rows, held_out = np.setdiff1d(data.train, data.validation), data.validation
        train_inputs = system.inputs(data.arrays, fit_rows, settings, execution.trim)
        held_out_inputs = system.inputs(data.arrays, held_out, settings, execution.trim)
        callbacks = list(system.callbacks(settings, training)) + self._selection(
            model, system, settings, training, data, held_out, held_out_inputs
        )
        training_data = (train_inputs, self._targets(system, settings, data, fit_rows))
        held_out_data = (held_out_inputs, self._targets(system, settings, data, held_out))
        history = self._fit(model, training, training_data, held_out_data, callbacks, data.seed, execution)
        system.after_fit(model, settings, training, train_inputs)
        return model, history, (held_out, held_out_inputs)

    def predict(self, system, model, settings, arrays, rows, outputs, execution, batch_size=32, inputs=None):
        if inputs is None:
            inputs = system.inputs(arrays, rows, settings, execution.trim)
        return self._predict(system, model, settings, inputs, arrays, rows, outputs, batch_size)

    def save(self, model, folder):
        model.save(folder / self.model_file)
        return self.model_file

    def load(self, path):
        import keras

        from .. import layers  # noqa: F401  registers the project's own layers for loading
        from ..systems import discover

        discover()  # and those a system's module defines

        try:
            import keras_hub  # noqa: F401  registers the layers of a fine-tuned keras-hub encoder
        except ImportError:
            pass
        return keras.models.load_model(path, compile=False)  # prediction needs no loss or optimiser

    def describe_selection(self, training):
        if training.selection == "fixed":
            return (
                f"{training.epochs} epochs, the last model kept; nothing selected "
                "(the test rows are evaluated after each epoch for the curves only)"
            )
        watched = "UA + WA of the held-out utterances" if training.monitor == "ua+wa" else "the held-out loss"
        if training.selection == "test":
            return (
                f"at most {training.epochs} epochs, the epoch selected on {watched} of the TEST rows themselves "
                f"(patience {training.patience}; the authors' protocol): OPTIMISTIC, these numbers are not a "
                "held-out estimate"
            )
        return (
            f"at most {training.epochs} epochs, early stopping on {watched} (patience {training.patience}, "
            f"best weights restored); validation: {training.validation_fraction:.0%} of the training speakers"
        )

    def describe_training(self, training):
        return f"{training.optimizer} {training.learning_rate}, batch size {training.batch_size}"

    def _compile(self, model, system, settings, training, data):
        losses, loss_weights = system.losses(data.tasks, settings, data.arrays, data.train)
        metrics = {}
        for task in data.tasks:
            metrics.update(task.metrics())
        single, name = len(data.outputs) == 1, data.outputs[0].name
        model.compile(
            optimizer=system.optimizer(settings, training) or make_optimizer(training),
            loss=losses[name] if single else losses,
            loss_weights=loss_weights,
            metrics=metrics.get(name, []) if single else metrics,
        )

    def _targets(self, system, settings, data, rows):
        # One target per model example: an utterance's target repeats for each of its segments.
        rows = rows[system.examples(data.arrays, rows, settings)]
        by_output = {output.name: data.targets[output.name][rows] for output in data.outputs}
        return by_output[data.outputs[0].name] if len(data.outputs) == 1 else by_output

    def _predict(self, system, model, settings, inputs, arrays, rows, outputs, batch_size):
        predicted = model.predict(inputs, batch_size=batch_size, verbose=0)
        predicted = {outputs[0].name: predicted} if not isinstance(predicted, dict) else predicted
        return system.pool(predicted, system.examples(arrays, rows, settings), len(rows), settings)

    def _selection(self, model, system, settings, training, data, held_out, held_out_inputs):
        """The callback that selects the kept epoch, if the training selects one."""
        import keras

        if training.selection not in ("validation", "test"):
            return []
        if training.monitor == "ua+wa":
            labels = np.asarray(data.arrays["labels"])[held_out]
            name = data.outputs[0].name

            def predict_held_out():
                return self._predict(system, model, settings, held_out_inputs, data.arrays, held_out, data.outputs,
                                     training.batch_size)[name]  # fmt: skip

            return [best_accuracy_callback(predict_held_out, labels, training)]
        stopping = keras.callbacks.EarlyStopping(
            monitor="val_loss", patience=training.patience, restore_best_weights=True,
            start_from_epoch=training.start_epoch,
        )  # fmt: skip
        return [stopping]

    def _fit(self, model, training, training_data, held_out_data, callbacks, seed, execution):
        """Fit by one of three paths: Keras over arrays, Keras over tf.data, or the loop across workers."""
        across_workers = is_multi_worker(execution.strategy)
        if execution.pipeline == "arrays" and not across_workers:
            return model.fit(
                *training_data, validation_data=held_out_data, batch_size=training.batch_size,
                epochs=training.epochs, shuffle=execution.shuffle, verbose=execution.verbose, callbacks=callbacks,
            ).history  # fmt: skip
        # Across machines every pipeline is a tf.data one: Keras's fit cannot train there (worker_loop).
        by_length = execution.pipeline == "tf.data-by-length"
        train_set = make_dataset(*training_data, training.batch_size, shuffle=execution.shuffle, seed=seed,
                                 by_length=by_length)  # fmt: skip
        held_out_set = make_dataset(*held_out_data, training.batch_size, shuffle=False)
        if across_workers:
            return fit_across_workers(model, train_set, held_out_set, training.epochs, execution.strategy, callbacks,
                                      execution.verbose)  # fmt: skip
        return model.fit(train_set, validation_data=held_out_set, epochs=training.epochs, shuffle=False,
                         verbose=execution.verbose, callbacks=callbacks).history  # fmt: skip


register_trainer(KerasTrainer())
