"""Predict with a trained run: the same feature code and the same system inputs as training.

    python -m ser_keras.predict RUN_DIR file.wav --transcript "what a lovely day"

Any audio soundfile or librosa reads, at any rate, mono or stereo: it goes through
the same feature code as ``feature_extraction.py``, and into the model through the
system's own :meth:`inputs`, as in training.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..corpora.utterance import Utterance
from ..features.audio import AudioError
from ..features.sets import ArraysContext, compute_feature_set, kept_for_prediction, needed_sets, options_of


class PredictionError(ValueError):
    """Input that a run cannot predict from; the message says why."""


@dataclass
class LoadedRun:
    """A trained run, loaded: what :func:`load_run` returns.

    Attributes
    ----------
    model : keras.Model or scikit-learn estimator
    classes : list of str
        The class names, in the order of the model's categorical output.
    vocabulary : list of str or None
        Token ids of the run's words (for systems that read words), else None.
    embedding_matrix : np.ndarray or None
        The run's word vectors, one row per vocabulary entry (systems that read words).
    system : ser_keras.systems.System
    settings : dataclass
        The system's settings the run was trained with.
    tasks : list of ser_keras.tasks.Task
    record : dict
        ``run.json`` as written by ``classification.py``.
    kept : dict of str -> np.ndarray
        The arrays the run's feature sets keep for prediction (``embedding_matrix``).
    """

    model: object
    classes: list
    vocabulary: list | None
    embedding_matrix: np.ndarray | None
    system: object
    settings: object
    tasks: list
    record: dict
    kept: dict


def load_run(run_dir):
    """Load a run folder of ``classification.py``: its model, classes and vocabulary.

    ``keras.models.load_model`` alone fails on the project's own layers unless their module
    was imported; this registers them (and keras-hub's, when installed) first.

    Parameters
    ----------
    run_dir : str or pathlib.Path
        A folder written by ``classification.py`` (``run.json``, the model file and, for
        systems that read words, ``vocab.txt`` and ``embedding_matrix.npy``).

    Returns
    -------
    LoadedRun

    Raises
    ------
    PredictionError
        When the folder holds no run or no model.
    """
    from ..systems import get_system
    from ..tasks import get_task
    from ..trainers import get_trainer

    run_dir = Path(run_dir)
    if not (run_dir / "run.json").is_file():
        raise PredictionError(f"no run.json in {run_dir}: train a run with classification.py")
    record = json.loads((run_dir / "run.json").read_text())
    model_file = record.get("model_file")
    if not model_file or not (run_dir / model_file).is_file():
        raise PredictionError(f"no model.keras in {run_dir}: train one with classification.py")
    system = get_system(record["system"]["name"])
    settings = system.make_settings(record["settings"])
    kept, vocabulary = kept_for_prediction(run_dir, needed_sets(system.feature_sets(settings)))
    return LoadedRun(
        model=get_trainer(system.trainer).load(run_dir / model_file),
        classes=record["classes"],
        vocabulary=vocabulary,
        embedding_matrix=kept.get("embedding_matrix"),
        kept=kept,
        system=system,
        settings=settings,
        tasks=[get_task(name) for name in record["tasks"]],
        record=record,
    )


class Predictor:
    """A trained run loaded for prediction.

    Parameters
    ----------
    run_dir : str or pathlib.Path
        A folder written by ``classification.py`` (see :func:`load_run`).
    """

    def __init__(self, run_dir):
        loaded = load_run(run_dir)
        self.loaded = loaded
        self.run, self.model, self.classes = loaded.record, loaded.model, loaded.classes
        self.system, self.settings, self.tasks = loaded.system, loaded.settings, loaded.tasks
        self.vocabulary, self.matrix = loaded.vocabulary, loaded.embedding_matrix

    @property
    def reads_words(self):
        """Whether the run reads what is said (a transcript), not the audio alone."""
        return "words" in needed_sets(self.system.feature_sets(self.settings))

    @property
    def reads_word_times(self):
        """Whether the run embeds each word from its own audio (Speech2Vec acoustic mode), which needs word times."""
        options = options_of(self.run.get("feature_sets", {}))
        return self.reads_words and options.get("words_mode", "lookup") != "lookup"

    def arrays(self, audio_path=None, transcript=None, words=()):
        """The feature sets the system reads, computed for one utterance (arrays of 1 row).

        ``words`` are the transcript's words with their times (:class:`~ser_keras.corpora.utterance.WordSegment`),
        which a run whose words were embedded from their audio reads.
        """
        if audio_path is not None and not Path(audio_path).is_file():
            raise AudioError(audio_path, "no such file")
        utterance = Utterance("input", Path(audio_path or ""), transcript or "", "", None, "", words=tuple(words))
        arrays = {}
        # New audio is computed with the options the run's bundle was computed with (encoder, segments).
        options = options_of(self.run.get("feature_sets", {}))
        context = ArraysContext(arrays, [utterance], self.vocabulary, self.loaded.kept, options=options)
        for name in needed_sets(self.system.feature_sets(self.settings)):
            try:
                computed, _ = compute_feature_set(name, context)
            except AudioError:
                raise
            except (ValueError, OSError) as error:
                raise PredictionError(f"the {self.system.name} system: {error}") from None
            arrays.update(computed)
        return arrays

    def predict(self, audio_path=None, transcript=None, words=()):
        """What the run predicts for one utterance (``words``: as :meth:`arrays` takes them).

        Returns
        -------
        dict
            Categorical and votes tasks: ``{class name: probability}`` in the run's class
            order; dimensional: ``{"valence": v, "arousal": a, "dominance": d}`` on the
            corpus's scale. Several tasks: their entries together.
        """
        from ..trainers import Execution, get_trainer

        arrays = self.arrays(audio_path, transcript, words)
        outputs = [output for task in self.tasks for output in task.outputs(self.classes)]
        # A system that reads several examples of an utterance (CA-MSER's segments) decides from all of them.
        outputs = get_trainer(self.system.trainer).predict(
            self.system, self.model, self.settings, arrays, np.array([0]), outputs, Execution(trim=False, verbose=0)
        )
        states = self.run.get("task_states", {})
        result = {}
        for task in self.tasks:
            result.update(task.named(task.decode(outputs, states.get(task.name, {})), self.classes))
        return result
