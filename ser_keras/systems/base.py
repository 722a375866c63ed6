"""What every system declares, and the two kinds of system: Keras models and scikit-learn estimators.

A system names the trainer that fits it (``trainer``); nothing outside the trainers asks
which kind of model a system is.
"""

from __future__ import annotations

import dataclasses
import types
import typing
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
class Preset:
    """A named set of changes to a system's settings and training (``classification.py --preset NAME``).

    Attributes
    ----------
    name : str
    description : str
    settings : dict
        Model settings by name, as ``--set`` takes them.
    training : dict
        :class:`Training` fields by name.
    """

    name: str
    description: str
    settings: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Flag:
    """A shorthand for ``--set`` that a system declares: ``classification.py`` builds the flag from it.

    Attributes
    ----------
    option : str
        The flag, ``--trainable-embeddings``.
    setting : str
        The model setting it sets.
    help : str
    value : str or None
        What the bare flag sets; None when the flag takes the value (``--finetune-encoder PRESET``).
    metavar : str or None
    """

    option: str
    setting: str
    help: str
    value: str | None = None
    metavar: str | None = None


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
        Its canonical name, in its paper's namespace (``krishna2019/acoustic``): what reports
        and ``--list`` print; ``classification.py --system`` takes it or an alias.
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
        Dataclass of its model settings (defaults are the paper's, except where
        :meth:`settings_deviations` says otherwise).
    trainer : str
        The registered trainer that fits, saves and loads its models (:mod:`ser_keras.trainers`).
    presets : tuple of Preset
        Named changes of settings and training that runs share (a smaller scale for the demo).
    aliases : tuple of str
        Further names ``--system`` takes; the first is its short name (``acoustic``), the
        name it had before names had namespaces, which names default run folders.
    protocol : str
        Its paper's protocol, which runs use unless told another (MATE's and CA-MSER's:
        five folds by session).
    flags : tuple of Flag
        Flags of ``classification.py`` that set one of its settings (shorthands for ``--set``).
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
    trainer: str = "keras"
    presets: tuple = ()
    aliases: tuple = ()
    protocol: str = "paper"
    flags: tuple = ()

    @property
    def short_name(self):
        """The name without its namespace: the first alias without one, else the name's last part."""
        return next((alias for alias in self.aliases if "/" not in alias), self.name.rpartition("/")[2])

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
        kinds = typing.get_type_hints(self.settings)
        typed = {name: parse_setting(value, kinds[name], name) for name, value in overrides.items()}
        return dataclasses.replace(defaults, **typed)

    def preset(self, name):
        """The preset called ``name``.

        Raises
        ------
        ValueError
            With the system's presets, when it has none of that name.
        """
        for preset in self.presets:
            if preset.name == name:
                return preset
        known = ", ".join(preset.name for preset in self.presets) or "none"
        raise ValueError(f"system {self.name} has no preset {name!r} (its presets: {known})")

    def configure(self, preset=None, overrides=None, training_changes=None):
        """Settings and training of a run: the defaults, then a preset's changes, then explicit ones.

        Parameters
        ----------
        preset : str, optional
        overrides : dict, optional
            Model settings, as :meth:`make_settings` takes them.
        training_changes : dict, optional
            :class:`Training` fields.

        Returns
        -------
        settings : dataclass
        training : Training
        """
        chosen = self.preset(preset) if preset else Preset("", "")
        settings = self.make_settings({**chosen.settings, **(overrides or {})})
        unknown = sorted((set(chosen.training) | set(training_changes or {})) - set(Training.__dataclass_fields__))
        if unknown:
            raise ValueError(f"no training field {', '.join(unknown)}")
        return settings, dataclasses.replace(self.training, **{**chosen.training, **(training_changes or {})})

    def fast(self, settings):
        """The ``--fast`` variant of the settings; systems without one refuse."""
        raise ValueError(f"system {self.name} has no --fast variant")

    def settings_deviations(self, settings):
        """Deviations from the paper that these settings make (tuple of str; default none).

        For a default that is the project's design, not the paper's, so that every report
        of a run with it says so.
        """
        return ()

    def deviations_for(self, settings):
        """Every deviation from the paper of a run with ``settings``: the system's own and the settings'."""
        return tuple(self.deviations) + tuple(self.settings_deviations(settings))

    def describe(self):
        """What reports and ``--list`` say of the system (JSON-serialisable)."""
        return {
            "name": self.name,
            "trainer": self.trainer,
            "paper": self.paper,
            "summary": self.summary,
            "reads": list(self.reads),
            "tasks": list(self.tasks),
            "default_tasks": list(self.tasks_by_default()),
            "protocol": self.protocol,
            "training": self.training.to_dict(),
            "deviations": list(self.deviations),
            "presets": {preset.name: dataclasses.asdict(preset) for preset in self.presets},
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

    def callbacks(self, settings, training):
        """Keras callbacks of the system's own training recipe (a learning-rate schedule)."""
        return []

    def optimizer(self, settings, training):
        """A Keras optimiser of the system's own (two learning rates, for an encoder and a head), or None.

        None (the default) leaves it to ``training``: its optimiser, learning rate and weight decay.
        """
        return None

    def after_fit(self, model, settings, training, train_inputs):
        """Work on the trained model once fitting has ended and every callback has run (default: none).

        Runs after any restore of a selected epoch's weights, so what it computes belongs
        to the weights that are kept.
        """


@dataclass(frozen=True)
class SklearnSystem(System):
    """A scikit-learn estimator (scaling belongs inside its pipeline); ``inputs`` returns (N, F)."""

    trainer: str = "sklearn"

    def build(self, settings, seed):
        """A fresh, unfitted estimator (``seed`` for its ``random_state``)."""
        raise NotImplementedError

    def fit(self, estimator, inputs, targets, groups):
        """Fit on the training rows; ``groups`` (their speakers) serve cross-validation grouped by speaker."""
        estimator.fit(inputs, targets)


def changes_from_defaults(system, settings, training):
    """Every model setting and training field of a run that differs from the system's defaults.

    Computed by comparing values, so that no change can miss the reports: a ``--set``,
    ``--fast``, a training option, a preset.

    Parameters
    ----------
    system : System
    settings : dataclass
        The run's model settings.
    training : Training
        The run's training settings.

    Returns
    -------
    list of dict
        ``{"kind": "setting" or "training", "name", "value", "default"}``, settings first,
        each in its dataclass's field order.
    """
    # Fields that name what a run reads (the runs a fusion fuses) are not settings to change.
    inputs = {field.name for field in dataclasses.fields(settings) if field.metadata.get("input")}
    changes = []
    for kind, values, defaults in (
        ("setting", settings.to_dict(), system.make_settings().to_dict()),
        ("training", training.to_dict(), system.training.to_dict()),
    ):
        changes += [
            {"kind": kind, "name": name, "value": value, "default": defaults.get(name)}
            for name, value in values.items()
            if value != defaults.get(name) and name not in inputs
        ]
    return changes


def describe_changes(changes):
    """Changes from :func:`changes_from_defaults` in the words of ``--list``: ``name=value (default d)``.

    Returns
    -------
    list of str
        Training fields are prefixed ``training``.
    """
    return [
        ("training " if change["kind"] == "training" else "")
        + f"{change['name']}={change['value']} (default {change['default']})"
        for change in changes
    ]


def parse_setting(value, kind, name):
    """A setting's value from text, by the field's annotation (``X | None`` also takes "none")."""
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        if isinstance(value, str) and value.lower() == "none":
            return None
        (kind,) = [member for member in typing.get_args(kind) if member is not type(None)]
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
