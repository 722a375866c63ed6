"""Paper experiments: a paper's package registers the runs that rebuild its tables.

``classification.py --experiment NAME`` runs one; its flags come from the options the
experiment declares (:class:`ser_keras.features.sets.Option`, as feature sets declare
theirs), so the command line knows no paper. Krishna and Reddy's ``table1``, ``table2``,
``table3`` and ``all`` are registered by :mod:`ser_keras.systems.krishna_reddy.tables`.
Experiments are found in the systems' packages, the ``ser_keras.experiments`` entry-point
group and the modules named by ``SER_KERAS_EXPERIMENTS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .registry import Registry

EXPERIMENTS = Registry(
    "paper experiment",
    "ser_keras.systems",
    skip=("base",),
    entry_points="ser_keras.experiments",
    environment="SER_KERAS_EXPERIMENTS",
)


@dataclass(frozen=True)
class PaperExperiment:
    """Runs that rebuild one of a paper's tables (or several), written beside the paper's numbers.

    Attributes
    ----------
    name : str
        What ``--experiment`` takes.
    summary : str
    run : callable
        ``run(request)`` -> str, the results written (markdown), given an :class:`ExperimentRequest`.
    options : tuple of Option
        Its flags of ``classification.py``.
    """

    name: str
    summary: str
    run: Callable
    options: tuple = ()


@dataclass(frozen=True)
class ExperimentRequest:
    """What ``classification.py`` hands an experiment: the bundle and the run's choices.

    Attributes
    ----------
    name : str
        The experiment called.
    bundle : Bundle
    out : Path or None
        The folder asked for (None: the experiment's default).
    seeds : list of int
    training : Training
    settings : dataclass
        The default system's settings, with the command line's changes.
    options : dict
        The experiment's options given, by name.
    execution : ser_keras.trainers.Execution
    command : str
        The command line, for the results' header.
    deviations : list of str
        Changes the command line made (``--fast``, mixed precision).
    """

    name: str
    bundle: object
    out: object
    seeds: list
    training: object
    settings: object
    options: dict
    execution: object
    command: str
    deviations: list


def register(experiment):
    """Add a :class:`PaperExperiment` to the registry and return it."""
    return EXPERIMENTS.register(experiment)


def get_experiment(name):
    """The paper experiment called ``name``.

    Raises
    ------
    ValueError
        With the names available, when there is none.
    """
    return EXPERIMENTS.get(name)


def all_options():
    """Every option the registered experiments declare: name -> (option, the experiments taking it)."""
    declared = {}
    for name, experiment in EXPERIMENTS.available().items():
        for option in experiment.options:
            declared.setdefault(option.name, (option, []))[1].append(name)
    return declared
