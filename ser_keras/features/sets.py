"""The registry of feature sets: what each computes, from what, with which options, and what a run keeps.

Every bundle holds the two base sets that ``feature_extraction.py`` always writes:

* ``acoustic``: the 34 pyAudioAnalysis features per 100 ms frame (Krishna and Reddy 2.1);
* ``words``: token ids, vocabulary and word vectors (2.2, 2.4).

Further sets are added by name (``feature_extraction.py --feature-sets a,b``) into
``sets/NAME/`` of an existing bundle, without recomputing the others. A set is one
function ``compute(context) -> (arrays, settings)``; ``context`` gives the bundle's
arrays (``context.array(name)``), its utterances in bundle order
(``context.utterances()``, for sets computed from audio) and the set's options
(:meth:`FeatureSet.value`). The same function computes the set of new audio at
prediction time, with the options the run's bundle recorded.

Each family of features registers its sets in its own module (:mod:`.acoustic`,
:mod:`.embeddings`, :mod:`.atmaja`, :mod:`.mate`, :mod:`.camser`,
:mod:`.speech_encoders`, :mod:`.compare`, :mod:`.speaker_statistics`); further modules
come from the ``ser_keras.feature_sets`` entry-point group and the
``SER_KERAS_FEATURE_SETS`` environment variable, as systems do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..environment import versions
from ..registry import Registry


@dataclass(frozen=True)
class Option:
    """A setting of a feature set that ``feature_extraction.py`` takes as ``--NAME`` (underscores as dashes).

    Attributes
    ----------
    name : str
    type : type
        ``str``, ``int`` or ``float``.
    default : object
        The value when the option is not given (None: the set does without).
    help : str
    choices : tuple
    records : str
        The key of the set's recorded settings that holds the value used (dots go into
        nested dicts), so that prediction computes new audio as the run's bundle was
        computed; empty when it is not recorded.
    required : bool
        The set cannot be computed without it.
    metavar : str or None
    command_line : bool
        ``feature_extraction.py`` takes it as a flag; False for a value that only a
        bundle's record gives (how its words were embedded).
    repeatable : bool
        The flag may be given several times; its value is the list of the values given.
    """

    name: str
    type: type = str
    default: object = None
    help: str = ""
    choices: tuple = ()
    records: str = ""
    required: bool = False
    metavar: str | None = None
    command_line: bool = True
    repeatable: bool = False

    @property
    def flag(self):
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class FeatureSet:
    """One registered feature set.

    Attributes
    ----------
    name : str
    description : str
    arrays : tuple of str
        The arrays it writes, each with one row per utterance.
    needs : tuple of str
        Feature sets it is computed from (computed first when missing).
    compute : callable
        ``compute(context) -> (dict of arrays, dict of settings)``.
    base : bool
        Written by every run of ``feature_extraction.py`` (corpus-wide, with the
        vocabulary built there); ``compute`` then serves new audio at prediction time.
    packages : tuple of str
        Packages whose versions are recorded with the set.
    options : tuple of Option
        The options ``compute`` reads; ``feature_extraction.py`` builds its flags from them.
    keeps : tuple of str
        Arrays a trained run keeps for prediction (``<name>.npy`` in the run folder).
    keeps_vocabulary : bool
        A trained run keeps the bundle's vocabulary (``vocab.txt``) for prediction.
    by_utterance : bool
        Each utterance's rows are computed from that utterance alone, in sizes fixed by the
        options: a slice of the bundle computes its rows (``feature_extraction.py --shard``,
        :mod:`.shards`).
    shapes : dict of str -> tuple
        The shape of each array: a number is a fixed size; ``"utterances"`` is one row per
        utterance, ``"segments"`` one per 3 s segment (the sum of ``segment_counts``);
        any other name is a size that depends on the data or the options, the same
        wherever it recurs within the set. The contract tests check every set against it.
    """

    name: str
    description: str
    arrays: tuple
    compute: object
    needs: tuple = ()
    base: bool = False
    packages: tuple = ("numpy",)
    options: tuple = ()
    shapes: dict = field(default_factory=dict)
    keeps: tuple = ()
    keeps_vocabulary: bool = False
    by_utterance: bool = False

    def value(self, context, name):
        """The value of option ``name`` in ``context``: as given, else its default.

        Raises
        ------
        ValueError
            For a required option that is not given.
        """
        (option,) = [option for option in self.options if option.name == name]
        value = context.options.get(name)
        if value is None and option.required:
            raise ValueError(f"feature set {self.name} needs {option.flag} {option.metavar or option.name.upper()}")
        return option.type(value) if value is not None else option.default


FEATURE_SETS = Registry(
    "feature set",
    "ser_keras.features",
    entry_points="ser_keras.feature_sets",
    environment="SER_KERAS_FEATURE_SETS",
)


def register_feature_set(feature_set):
    """Add a feature set to the registry and return it."""
    return FEATURE_SETS.register(feature_set)


def available_feature_sets():
    """Every registered feature set, by name."""
    return FEATURE_SETS.available()


def get_feature_set(name):
    """A registered feature set by name; ValueError naming the available ones otherwise."""
    return FEATURE_SETS.get(name)


def array_unit(name):
    """What the rows of bundle array ``name`` are: ``"utterances"``, ``"segments"``, or None (a table of its own).

    From the declared shape of the registered set that writes it.
    """
    for feature_set in available_feature_sets().values():
        if name in feature_set.shapes:
            unit = feature_set.shapes[name][0]
            return unit if unit in ("utterances", "segments") else None
    raise ValueError(f"no registered feature set writes an array named {name}")


def all_options():
    """Every option of every registered set, once per name, with the sets that read it.

    Returns
    -------
    dict of str -> (Option, list of str)
        The first declaration of each name, and every set that declares it.
    """
    options = {}
    for name, feature_set in available_feature_sets().items():
        for option in feature_set.options:
            options.setdefault(option.name, (option, []))[1].append(name)
    return options


def options_of(feature_sets):
    """Options that compute new audio as these sets were computed, from their recorded settings.

    Parameters
    ----------
    feature_sets : dict
        A bundle manifest's (or a run's) ``feature_sets``: name -> {"settings": ...}.
    """
    options = {}
    for name, record in feature_sets.items():
        if name not in FEATURE_SETS:
            continue
        for option in get_feature_set(name).options:
            if not option.records:
                continue
            value = record.get("settings", {})
            for key in option.records.split("."):
                value = value.get(key) if isinstance(value, dict) else None
            if value is not None:
                options[option.name] = value
    return options


def keep_for_prediction(out, bundle, names):
    """Write into a run folder what the sets ``names`` keep for prediction (their ``keeps``, the vocabulary)."""
    for name in names:
        feature_set = get_feature_set(name)
        for array in feature_set.keeps:
            np.save(out / f"{array}.npy", np.asarray(bundle.array(array)))
        if feature_set.keeps_vocabulary:
            (out / "vocab.txt").write_text("\n".join(bundle.vocabulary) + "\n", encoding="utf-8")


def kept_for_prediction(run_dir, names):
    """What :func:`keep_for_prediction` wrote: (arrays by name, vocabulary or None)."""
    arrays, vocabulary = {}, None
    for name in names:
        feature_set = get_feature_set(name)
        arrays.update({array: np.load(run_dir / f"{array}.npy") for array in feature_set.keeps})
        if feature_set.keeps_vocabulary:
            vocabulary = (run_dir / "vocab.txt").read_text(encoding="utf-8").splitlines()
    return arrays, vocabulary


def utterance_paths(context):
    """The audio path of every utterance of a context, as text."""
    return [str(utterance.wav_path) for utterance in context.utterances()]


def map_utterances(function, context, description, isolate=False):
    """``function(path)`` of every utterance's audio, across the context's worker processes.

    ``isolate``: never in this process once TensorFlow is loaded (openSMILE's sets,
    :func:`ser_keras.features.parallel.map_files`).
    """
    from .parallel import map_files

    return map_files(function, utterance_paths(context), context.workers, context.progress, description, isolate)


class BundleContext:
    """What a feature set's ``compute`` reads when adding it to a bundle.

    Parameters
    ----------
    bundle : Bundle
    workers : int
    progress : bool
    options : dict, optional
        Settings of the sets from the command line (``sentence_encoder``, ``logmel_mels``,
        ``logmel_seconds``); each set records the values it used.
    """

    def __init__(self, bundle, workers=1, progress=True, options=None):
        self.bundle = bundle
        self.workers = workers
        self.progress = progress
        self.options = dict(options or {})
        self.vocabulary = bundle.vocabulary
        self._utterances = None

    def array(self, name):
        """A bundle array (memory-mapped)."""
        return self.bundle.array(name)

    def speakers(self):
        """The speaker of every utterance, in bundle order."""
        return self.bundle.meta["speaker"].astype(str).to_numpy()

    def utterances(self):
        """The bundle's utterances, read again from its corpus, in bundle order.

        Raises
        ------
        ValueError
            When the corpus is no longer where the bundle was extracted from.
        """
        if self._utterances is None:
            from ..corpora.loading import load_corpus

            corpus = self.bundle.manifest.get("corpus", {})
            if not corpus.get("kind"):
                raise ValueError(f"{self.bundle.path} does not record its corpus; re-run feature_extraction.py")
            utterances, _ = load_corpus(corpus["kind"], corpus["root"], corpus.get("labels", "paper"), progress=False)
            by_id = {u.id: u for u in utterances}
            ids = self.bundle.meta["id"].astype(str).tolist()
            missing = [identifier for identifier in ids if identifier not in by_id]
            if missing:
                raise ValueError(
                    f"{len(missing)} utterances of the bundle are not in {corpus['root']} (first: {missing[0]})"
                )
            self._utterances = [by_id[identifier] for identifier in ids]
            if corpus.get("transcripts", {}).get("source") == "asr":
                self._utterances = _recognised_words(self._utterances, self.bundle.meta)
        return self._utterances


def _recognised_words(utterances, meta):
    """A bundle of recognised words reads them, not the corpus's gold ones (nor the gold word times)."""
    from dataclasses import replace

    texts = meta["transcript"].fillna("").astype(str).tolist()
    return [replace(utterance, transcript=text, words=()) for utterance, text in zip(utterances, texts)]


class ArraysContext:
    """The same interface over arrays in memory: new audio at prediction time.

    Parameters
    ----------
    arrays : dict of str -> np.ndarray
        Sets computed so far (filled as sets are computed).
    utterances : list of Utterance
    vocabulary : list of str, optional
        The trained run's vocabulary, so that new words map to the same token ids.
    arrays_of_run : dict, optional
        Arrays the run kept (``embedding_matrix``).
    options : dict, optional
        As :class:`BundleContext`'s: the run's feature sets' own settings.
    """

    def __init__(
        self, arrays, utterances, vocabulary=None, arrays_of_run=None, workers=1, progress=False, options=None
    ):
        self.arrays = arrays
        self.options = dict(options or {})
        self._utterances = utterances
        self.vocabulary = vocabulary
        self.arrays_of_run = arrays_of_run or {}
        self.workers = workers
        self.progress = progress

    def array(self, name):
        return self.arrays[name] if name in self.arrays else self.arrays_of_run[name]

    def utterances(self):
        return self._utterances

    def speakers(self):
        raise ValueError(
            "per-speaker standardisation needs statistics of the speaker's own utterances, which one file "
            "does not give; predict with a run trained on a set that is not standardised by speaker"
        )


def compute_feature_set(name, context):
    """Compute one registered set (not a base set) on a context.

    Returns
    -------
    arrays : dict of str -> np.ndarray
    settings : dict
        The set's own settings, with ``versions``.
    """
    feature_set = get_feature_set(name)
    if feature_set.base and isinstance(context, BundleContext):
        raise ValueError(f"{name} is a base feature set, written by every run of feature_extraction.py")
    arrays, settings = feature_set.compute(context)
    return arrays, {**settings, "description": feature_set.description, "versions": versions(feature_set.packages)}


def needed_sets(names, present=()):
    """``names`` with the sets they need first (those not in ``present``), each once, in order."""
    order = []

    def visit(name):
        for need in get_feature_set(name).needs:
            if need not in present:
                visit(need)
        if name not in order:
            order.append(name)

    for name in names:
        visit(name)
    return order


def add_feature_sets(bundle, names, workers=1, progress=True, log=print, options=None):
    """Compute the named sets (and the sets they need that the bundle lacks) and add each to the bundle.

    Each set is written atomically as it is done; the others are not touched. ``options``
    are the sets' own settings (:class:`BundleContext`).

    Returns
    -------
    Bundle
        The bundle read again.
    """
    from .bundle import add_feature_set

    order = needed_sets(names, present=bundle.feature_sets)
    for name in order:
        if log:
            log(f"feature set {name}: {get_feature_set(name).description}")
        arrays, settings = compute_feature_set(name, BundleContext(bundle, workers, progress, options))
        bundle = add_feature_set(bundle, name, arrays, settings)
    return bundle
