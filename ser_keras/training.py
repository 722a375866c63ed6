"""Fitting one system on one fold: a Keras model compiled from its tasks, or a scikit-learn estimator.

The runner (:mod:`ser_keras.runner`) calls :func:`fit_and_predict` for every fold and
seed; the helpers here (standardisation statistics, trimming padded time axes) serve
the systems' own modules.
"""

from __future__ import annotations

import contextlib

import numpy as np

from .distribute import is_multi_worker
from .pipeline import make_dataset, real_steps
from .worker_loop import fit_across_workers

PIPELINES = ("arrays", "tf.data", "tf.data-by-length")


def standardisation_statistics(frames, lengths, rows):
    """Mean and standard deviation of the real frames of the given rows (padding excluded).

    Parameters
    ----------
    frames : np.ndarray, shape (N, T, F)
    lengths : np.ndarray of int, shape (N,)
    rows : np.ndarray of int
        The training rows: statistics never see test data.

    Returns
    -------
    mean, std : np.ndarray, float32, shape (F,)
        ``std`` is at least 1e-8 so constant features do not divide by zero.
    """
    stacked = np.concatenate([frames[row, : lengths[row]] for row in rows]).astype(np.float64)
    return stacked.mean(axis=0).astype(np.float32), np.maximum(stacked.std(axis=0), 1e-8).astype(np.float32)


def longest_real(sequences):
    """Steps up to the last non-zero step of any row (at least 1).

    Counted from the array itself because in Speech2Vec acoustic mode the aligned
    words, not the transcript's tokens, fill the rows.
    """
    return int(real_steps({"x": sequences})["x"].max())


def trimmed(sequences, trim):
    """``sequences`` cut to :func:`longest_real` steps when ``trim``, contiguous; else as they are."""
    return np.ascontiguousarray(sequences[:, : longest_real(sequences)]) if trim else sequences


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


def fit_and_predict(
    system,
    settings,
    training,
    tasks,
    outputs,
    arrays,
    targets,
    train,
    test,
    validation=None,
    seed=0,
    verbose=1,
    trim=True,
    pipeline="arrays",
    strategy=None,
    shuffle=True,
    groups=None,
):
    """Fit a fresh model of ``system`` on the training rows and predict the test rows.

    Parameters
    ----------
    system : ser_keras.systems.System
    settings : dataclass
        The system's model settings.
    training : ser_keras.systems.Training
    tasks : list of ser_keras.tasks.Task
    outputs : list of ser_keras.tasks.Output
        The tasks' heads, in order.
    arrays : dict of str -> np.ndarray
        The bundle arrays the system reads.
    targets : dict of str -> np.ndarray
        Per output name, the training targets of every row (from the tasks).
    train, test : np.ndarray of int
    validation : np.ndarray of int, optional
        Rows held out of ``train`` (training speakers only) to select the epoch on,
        for ``training.selection == "validation"``.
    seed : int
    verbose : int
        Keras progress (0 silent, 1 bar, 2 a line per epoch).
    trim : bool
        Cut padded time axes to the longest real sequence of the rows used.
    pipeline : {"arrays", "tf.data", "tf.data-by-length"}
        ``arrays``: Keras batches the NumPy arrays (the default). ``tf.data``: a
        shuffled, batched, prefetching ``tf.data`` pipeline. ``tf.data-by-length``: the
        same with utterances of similar length batched together and each batch padded
        only to its own longest row (:func:`ser_keras.pipeline.make_dataset`).
    strategy : tf.distribute.Strategy, optional
    shuffle : bool
        Shuffle the training rows every epoch.
    groups : np.ndarray, shape (N,), optional
        Speaker of every row, for scikit-learn systems that cross-validate by speaker.

    Returns
    -------
    dict
        ``model``, ``history`` (dict of per-epoch lists; empty for scikit-learn),
        ``outputs`` (raw model outputs of the test rows by output name) and, when a
        validation split selected the epoch, ``validation_outputs`` (of its rows).
    """
    if system.kind == "sklearn":
        return _fit_estimator(system, settings, tasks, outputs, arrays, targets, train, test, seed, groups)
    if pipeline not in PIPELINES:
        raise ValueError(f"pipeline must be one of {PIPELINES}, got {pipeline!r}")
    import keras

    keras.utils.set_random_seed(seed)
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        model = system.build(arrays, train, outputs, settings)
        losses, loss_weights = system.losses(tasks, settings, arrays, train)
        metrics = {}
        for task in tasks:
            metrics.update(task.metrics())
        single = len(outputs) == 1
        name = outputs[0].name
        model.compile(
            optimizer=make_optimizer(training),
            loss=losses[name] if single else losses,
            loss_weights=loss_weights,
            metrics=metrics.get(name, []) if single else metrics,
        )

    def target_rows(rows):
        # One target per model example: an utterance's target repeats for each of its segments.
        rows = rows[system.examples(arrays, rows, settings)]
        by_output = {output.name: targets[output.name][rows] for output in outputs}
        return by_output[name] if single else by_output

    def predict(inputs, rows):
        predicted = model.predict(inputs, batch_size=training.batch_size, verbose=0)
        predicted = {name: predicted} if single else predicted
        return system.pool(predicted, system.examples(arrays, rows, settings), len(rows), settings)

    fit_rows = train
    held_out = test  # fixed epochs: the test rows are evaluated for the curves only
    selects = training.selection in ("validation", "test")
    if selects:
        # "test": the held-out rows are the test rows (an optimistic protocol, reported as such).
        fit_rows, held_out = np.setdiff1d(train, validation), validation
    test_inputs = system.inputs(arrays, test, settings, trim)
    held_out_inputs = test_inputs if held_out is test else system.inputs(arrays, held_out, settings, trim)
    train_inputs = system.inputs(arrays, fit_rows, settings, trim)
    callbacks = list(system.callbacks(settings, training))
    if selects and training.monitor == "ua+wa":
        labels = np.asarray(arrays["labels"])[held_out]
        callbacks.append(
            best_accuracy_callback(lambda: predict(held_out_inputs, held_out)[outputs[0].name], labels, training)
        )
    elif selects:
        callbacks.append(
            keras.callbacks.EarlyStopping(
                monitor="val_loss",
                patience=training.patience,
                restore_best_weights=True,
                start_from_epoch=training.start_epoch,
            )
        )
    across_workers = is_multi_worker(strategy)
    if pipeline == "arrays" and not across_workers:
        history = model.fit(
            train_inputs,
            target_rows(fit_rows),
            validation_data=(held_out_inputs, target_rows(held_out)),
            batch_size=training.batch_size,
            epochs=training.epochs,
            shuffle=shuffle,
            verbose=verbose,
            callbacks=callbacks,
        )
        history = history.history
    else:
        # Across machines every pipeline is a tf.data one: Keras's fit cannot train there (worker_loop).
        by_length = pipeline == "tf.data-by-length"
        training_data = make_dataset(
            train_inputs, target_rows(fit_rows), training.batch_size, shuffle=shuffle, seed=seed, by_length=by_length
        )
        held_out_data = make_dataset(held_out_inputs, target_rows(held_out), training.batch_size, shuffle=False)
        if across_workers:
            history = fit_across_workers(
                model, training_data, held_out_data, training.epochs, strategy, callbacks, verbose
            )
        else:
            history = model.fit(
                training_data,
                validation_data=held_out_data,
                epochs=training.epochs,
                shuffle=False,
                verbose=verbose,
                callbacks=callbacks,
            ).history

    system.after_fit(model, settings, training, train_inputs)
    result = {"model": model, "history": history, "outputs": predict(test_inputs, test)}
    if training.selection == "validation":
        # Kept for late fusion, which is trained on these (never on the test rows).
        result["validation_outputs"] = predict(held_out_inputs, held_out)
    return result


def best_accuracy_callback(predict_held_out, labels, training):
    """Keep the weights of the epoch with the best UA + WA on held-out utterances; stop after ``patience`` more.

    CA-MSER's selection (``train_ser.py``): UA + WA of the utterances (segments pooled),
    the best tracked from the first epoch, no stopping until the epoch counted from 0
    exceeds ``training.start_epoch``. ``predict_held_out()`` returns
    the held-out utterances' class probabilities; ``labels`` their classes.
    """
    import keras

    from .evaluation.metrics import unweighted_average_recall

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


def _fit_estimator(system, settings, tasks, outputs, arrays, targets, train, test, seed, groups):
    if len(tasks) != 1 or tasks[0].name not in ("categorical", "dimensional"):
        raise ValueError(f"system {system.name}: a scikit-learn system predicts one categorical or dimensional task")
    estimator = system.build(settings, seed)
    train_inputs, test_inputs = system.inputs(arrays, train, settings), system.inputs(arrays, test, settings)
    if tasks[0].name == "categorical":
        one_hot = targets["emotion"]
        system.fit(estimator, train_inputs, one_hot[train].argmax(axis=1), None if groups is None else groups[train])
        probabilities = np.zeros((len(test), one_hot.shape[1]), dtype=np.float32)
        # A class absent from the training rows keeps probability 0.
        probabilities[:, estimator.classes_] = estimator.predict_proba(test_inputs)
        return {"model": estimator, "history": {}, "outputs": {"emotion": probabilities}}
    stacked = np.concatenate([targets[output.name] for output in outputs], axis=1)
    system.fit(estimator, train_inputs, stacked[train], None if groups is None else groups[train])
    predicted = np.asarray(estimator.predict(test_inputs)).reshape(len(test), -1)
    return {
        "model": estimator,
        "history": {},
        "outputs": {output.name: predicted[:, [index]] for index, output in enumerate(outputs)},
    }
