"""What every system declares, and the two kinds of system: Keras models and scikit-learn estimators."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

SELECTIONS = ("fixed", "validation", "test")
MONITORS = ("loss", "ua+wa")


@dataclass(frozen=True)
class Training:
    """How a system is trained by default; the command line may override each field.

    Attributes
    ----------
    optimizer : {"adam", "adamw", "rmsprop", "sgd"}
    learning_rate : float
    batch_size : int
    epochs : int
        The number of epochs, or the most of them with ``selection="validation"``.
    selection : {"fixed", "validation", "test"}
        ``fixed``: train ``epochs`` epochs and keep the last model; the test rows are
        evaluated after each epoch for the curves only. ``validation``: hold out
        ``validation_fraction`` of the training speakers (never a test speaker), stop
        after ``patience`` epochs without improvement, keep the best weights. ``test``:
        the same selection made on the test rows themselves, as some authors' code does
        (CA-MSER's ``val_id == test_id``): optimistic, and every report says so.
    patience : int
    validation_fraction : float
    weight_decay : float
    monitor : {"loss", "ua+wa"}
        What selection watches: the held-out loss, or UA + WA of the held-out utterances
        (after pooling their examples, for systems that train on segments).
    start_epoch : int
        Epochs before which selection neither stops nor keeps a model (CA-MSER: 5).
    """

    optimizer: str = "adam"
    learning_rate: float = 1e-3
    batch_size: int = 32
    epochs: int = 20
    selection: str = "fixed"
    patience: int = 10
    validation_fraction: float = 0.2
    weight_decay: float = 0.0
    monitor: str = "loss"
    start_epoch: int = 0

    def to_dict(self):
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class NoSettings:
    """A system without model settings of its own."""

    def to_dict(self):
        return {}


@dataclass(frozen=True)
class System:
    """One registered system.

    Attributes
    ----------
    name : str
        What ``classification.py --system`` takes.
    paper : str
        The publication and section it reproduces.
    summary : str
        One line: what it is.
    reads : tuple of str
        Feature sets of the bundle it needs (:mod:`ser_keras.features.sets`).
    tasks : tuple of str
        Tasks it can predict (:mod:`ser_keras.tasks`).
    default_tasks : tuple of str
        What it predicts unless told (default: the first of ``tasks``).
    training : Training
    deviations : tuple of str
        Where this implementation departs from the paper, and why.
    settings : type
        Dataclass of its model settings (defaults are the paper's).
    kind : {"keras", "sklearn"}
    """

    name: str
    paper: str
    summary: str
    reads: tuple
    tasks: tuple = ("categorical",)
    default_tasks: tuple = ()
    training: Training = field(default_factory=Training)
    deviations: tuple = ()
    settings: type = NoSettings
    kind: str = "keras"

    def tasks_by_default(self):
        """The tasks predicted unless the command line names others."""
        return tuple(self.default_tasks) or tuple(self.tasks[:1])

    def arrays(self, settings):
        """The bundle arrays :meth:`inputs` reads (so that nothing else is loaded)."""
        raise NotImplementedError

    def feature_sets(self, settings):
        """The feature sets these settings read (default: ``reads``; a setting may choose another)."""
        return tuple(self.reads)

    def examples(self, arrays, rows, settings):
        """For each model example of ``inputs(arrays, rows)``, its utterance's position in ``rows``.

        Default: one example per utterance. A system that trains on segments returns one
        entry per segment; targets are repeated to match and outputs pooled by :meth:`pool`.
        """
        return np.arange(len(rows))

    def pool(self, outputs, owners, count, settings):
        """Outputs per utterance from outputs per example (dict by output name); default: as they are."""
        return outputs

    def inputs(self, arrays, rows, settings, trim=False):
        """Model inputs for some rows: a dict of arrays (Keras) or one 2-D array (scikit-learn)."""
        raise NotImplementedError

    def make_settings(self, overrides=None):
        """The system's settings with ``{field: value}`` overrides, values given as text or typed.

        Raises
        ------
        ValueError
            For a field the system does not have, or a value of the wrong type.
        """
        overrides = dict(overrides or {})
        fields = {f.name: f for f in dataclasses.fields(self.settings)}
        unknown = sorted(set(overrides) - set(fields))
        if unknown:
            known = ", ".join(sorted(fields)) or "none"
            raise ValueError(f"system {self.name} has no setting {', '.join(unknown)} (its settings: {known})")
        defaults = self.settings()
        typed = {name: _parse(value, type(getattr(defaults, name)), name) for name, value in overrides.items()}
        return dataclasses.replace(defaults, **typed)

    def fast(self, settings):
        """The ``--fast`` variant of the settings; systems without one refuse."""
        raise ValueError(f"system {self.name} has no --fast variant")

    def describe(self):
        """What reports and ``--list`` say of the system (JSON-serialisable)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "paper": self.paper,
            "summary": self.summary,
            "reads": list(self.reads),
            "tasks": list(self.tasks),
            "default_tasks": list(self.tasks_by_default()),
            "training": self.training.to_dict(),
            "deviations": list(self.deviations),
        }


@dataclass(frozen=True)
class KerasSystem(System):
    """A Keras functional model; the runner compiles and fits it."""

    def build(self, arrays, train, outputs, settings):
        """The uncompiled model.

        Parameters
        ----------
        arrays : dict of str -> np.ndarray
            The arrays of :meth:`arrays`.
        train : np.ndarray of int
            Training rows, for statistics kept inside the model (never test rows).
        outputs : list of ser_keras.tasks.Output
            The heads to end in, each a layer named ``output.name``.
        settings : dataclass

        Returns
        -------
        keras.Model
            Inputs named as :meth:`inputs` names them; one output tensor, or a dict by
            output name when there are several.
        """
        raise NotImplementedError

    def losses(self, tasks, settings, arrays=None, train=None):
        """Keras losses by output name (default: each task's own) and loss weights (or None).

        ``arrays`` and the ``train`` rows serve losses fitted to the training targets.
        """
        losses = {}
        for task in tasks:
            losses.update(task.losses())
        return losses, None

    def callbacks(self, settings, training, train_inputs=None):
        """Keras callbacks of the system's own training recipe (a learning-rate schedule).

        ``train_inputs`` are the inputs of the rows the model is fitted on.
        """
        return []


@dataclass(frozen=True)
class SklearnSystem(System):
    """A scikit-learn estimator (scaling belongs inside its pipeline); ``inputs`` returns (N, F)."""

    kind: str = "sklearn"

    def build(self, settings, seed):
        """A fresh, unfitted estimator (``seed`` for its ``random_state``)."""
        raise NotImplementedError

    def fit(self, estimator, inputs, targets, groups):
        """Fit on the training rows; ``groups`` (their speakers) serve cross-validation grouped by speaker."""
        estimator.fit(inputs, targets)


def _parse(value, kind, name):
    if not isinstance(value, str) or kind is str:
        return value
    try:
        if kind is bool:
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return value.lower() in ("true", "1", "yes")
        return kind(value)
    except ValueError:
        raise ValueError(f"setting {name}: expected {kind.__name__}, got {value!r}") from None
