"""The scikit-learn trainer: one estimator per fold, fitted on a classifier's or a regressor's targets."""

from __future__ import annotations

import numpy as np

from . import register_trainer
from .base import Trainer


class SklearnTrainer(Trainer):
    """Fits a system's estimator (scaling belongs inside its pipeline) on one task's targets.

    The task says what the estimator learns (``Task.estimator``): a classifier learns the
    class index and predicts probabilities of every class, a regressor learns the stacked
    targets of the task's heads.
    """

    name = "sklearn"
    model_file = "model.joblib"

    def fit(self, system, settings, training, data, execution):
        task = self._task(system, data.tasks)
        estimator = system.build(settings, data.seed)
        inputs = system.inputs(data.arrays, data.train, settings)
        stacked = np.concatenate([data.targets[output.name] for output in data.outputs], axis=1)
        targets = stacked[data.train].argmax(axis=1) if task.estimator == "classifier" else stacked[data.train]
        system.fit(estimator, inputs, targets, None if data.groups is None else data.groups[data.train])
        # What an estimator chose inside the fold (the recommended system's scores per candidate), for the report.
        return estimator, dict(getattr(estimator, "history_", {})), None

    def predict(self, system, model, settings, arrays, rows, outputs, execution, batch_size=32, inputs=None):
        if inputs is None:
            inputs = system.inputs(arrays, rows, settings)
        if hasattr(model, "predict_proba") and len(outputs) == 1 and outputs[0].activation == "softmax":
            probabilities = np.zeros((len(rows), outputs[0].units), dtype=np.float32)
            # A class absent from the training rows keeps probability 0.
            probabilities[:, model.classes_] = model.predict_proba(inputs)
            return {outputs[0].name: probabilities}
        predicted = np.asarray(model.predict(inputs)).reshape(len(rows), -1)
        return {output.name: predicted[:, [index]] for index, output in enumerate(outputs)}

    def save(self, model, folder):
        import joblib

        joblib.dump(model, folder / self.model_file)
        return self.model_file

    def load(self, path):
        import joblib

        return joblib.load(path)

    def describe_selection(self, training):
        return "fitted by scikit-learn"

    @staticmethod
    def _task(system, tasks):
        if len(tasks) != 1 or tasks[0].estimator is None:
            raise ValueError(
                f"system {system.name}: a scikit-learn system predicts one task that an estimator learns "
                "(categorical or dimensional)"
            )
        return tasks[0]


register_trainer(SklearnTrainer())
