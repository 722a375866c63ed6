"""The registry of feature sets: what each computes, from what, and how to add one to a bundle.

Every bundle holds the two base sets that ``feature_extraction.py`` always writes:

* ``acoustic``: the 34 pyAudioAnalysis features per 100 ms frame (Krishna and Reddy 2.1);
* ``words``: token ids, vocabulary and word vectors (2.2, 2.4).

Further sets are added by name (``feature_extraction.py --feature-sets a,b``) into
``sets/NAME/`` of an existing bundle, without recomputing the others. A set is one
function ``compute(context) -> (arrays, settings)``; ``context`` gives the bundle's
arrays (``context.array(name)``) and its utterances in bundle order
(``context.utterances()``, for sets computed from audio). The same function computes
the set of new audio at prediction time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..environment import versions


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
    options : tuple of (str, str)
        The command-line options ``compute`` reads, each with the key of the set's
        settings that records its value, so that prediction computes new audio as the
        run's bundle was computed (:func:`options_of`).
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


_REGISTRY: dict[str, FeatureSet] = {}


def register_feature_set(feature_set):
    """Add a feature set to the registry and return it."""
    existing = _REGISTRY.get(feature_set.name)
    if existing is not None and existing is not feature_set:
        raise ValueError(f"a feature set named {feature_set.name!r} is already registered")
    _REGISTRY[feature_set.name] = feature_set
    return feature_set


def available_feature_sets():
    """Every registered feature set, by name."""
    return dict(sorted(_REGISTRY.items()))


def options_of(feature_sets):
    """Options that compute new audio as these sets were computed, from their recorded settings.

    Parameters
    ----------
    feature_sets : dict
        A bundle manifest's (or a run's) ``feature_sets``: name -> {"settings": ...}.
    """
    options = {}
    for name, record in feature_sets.items():
        if name in _REGISTRY:
            settings = record.get("settings", {})
            for option, key in _REGISTRY[name].options:
                if key in settings:
                    options[option] = settings[key]
    return options


def get_feature_set(name):
    """A registered feature set by name; ValueError naming the available ones otherwise."""
    if name not in _REGISTRY:
        raise ValueError(f"no feature set named {name!r}; available: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]


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
        return self._utterances


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


def _acoustic_statistics(context):
    """Mean and standard deviation over each utterance's real frames of the 34 features: (N, 68)."""
    frames, lengths = context.array("acoustic"), context.array("acoustic_lengths")
    statistics = np.zeros((len(lengths), 2 * frames.shape[2]), dtype=np.float32)
    for row, length in enumerate(lengths):
        real = np.asarray(frames[row, : max(int(length), 1)], dtype=np.float64)
        statistics[row] = np.concatenate([real.mean(axis=0), real.std(axis=0)])
    return {"acoustic_stats": statistics}, {"of": "acoustic", "statistics": ["mean", "std"], "frames": "real only"}


def _acoustic_frames(context):
    """The 34 features per 100 ms frame of each utterance's audio, padded or cut to 200 frames."""
    from .acoustic import FRAME_SECONDS, MAX_FRAMES, extract, pad_or_cut
    from .audio import load_audio

    padded, lengths = [], []
    for utterance in context.utterances():
        if not utterance.wav_path.is_file():
            raise ValueError(f"reading acoustic features needs an audio file, got {str(utterance.wav_path)!r}")
        frames, length, _ = pad_or_cut(extract(load_audio(utterance.wav_path)), MAX_FRAMES)
        padded.append(frames)
        lengths.append(min(length, MAX_FRAMES))
    arrays = {"acoustic": np.stack(padded), "acoustic_lengths": np.array(lengths, dtype=np.int32)}
    return arrays, {"frame_seconds": FRAME_SECONDS, "max_frames": MAX_FRAMES}


def _word_arrays(context):
    """Token ids of each transcript in the vocabulary of the context, and their vectors."""
    from .embeddings import lookup
    from .text import MAX_WORDS, UNKNOWN_ID, encode, tokenize

    transcripts = [utterance.transcript for utterance in context.utterances()]
    if not all(transcripts):
        raise ValueError("reading words needs a transcript of every utterance (--transcript)")
    tokens, _, _ = encode([tokenize(text) for text in transcripts], context.vocabulary, MAX_WORDS)
    known = ((tokens > 0) & (tokens != UNKNOWN_ID)).sum(axis=1)
    if np.any(known == 0):
        raise ValueError(f"no word of {transcripts[int(np.argmin(known))]!r} is in this run's vocabulary")
    matrix = np.asarray(context.array("embedding_matrix"))
    arrays = {"tokens": tokens, "speech_embeddings": lookup(tokens, matrix), "embedding_matrix": matrix}
    return arrays, {"max_words": MAX_WORDS}


register_feature_set(
    FeatureSet(
        "acoustic",
        "34 pyAudioAnalysis features per 100 ms frame, zero-padded to 200 frames (Krishna and Reddy 2.1)",
        ("acoustic", "acoustic_lengths"),
        compute=_acoustic_frames,
        base=True,
        packages=("numpy", "librosa", "pyAudioAnalysis"),
        shapes={"acoustic": ("utterances", "frames", 34), "acoustic_lengths": ("utterances",)},
    )
)
register_feature_set(
    FeatureSet(
        "words",
        "token ids (128 words), vocabulary, word vectors and the looked-up sequences (Krishna and Reddy 2.2, 2.4)",
        ("speech_embeddings", "tokens", "embedding_matrix"),
        compute=_word_arrays,
        base=True,
        packages=("numpy", "gensim"),
        shapes={
            "speech_embeddings": ("utterances", "words", "dimensions"),
            "tokens": ("utterances", "words"),
            "embedding_matrix": ("vocabulary", "dimensions"),
        },
    )
)
register_feature_set(
    FeatureSet(
        "acoustic_stats",
        "mean and standard deviation of the 34 features over each utterance's real 100 ms frames (68 values)",
        ("acoustic_stats",),
        compute=_acoustic_statistics,
        needs=("acoustic",),
        shapes={"acoustic_stats": ("utterances", 68)},
    )
)


def _paths(context):
    return [str(utterance.wav_path) for utterance in context.utterances()]


def _map(function, context, description):
    from .extraction import map_files

    return map_files(function, _paths(context), context.workers, context.progress, description)


def _hsf(context):
    """Atmaja's HSF: statistics of the 34 features at 25 ms / 10 ms, (N, 68)."""
    from .atmaja import HSF_STEP_SECONDS, HSF_WINDOW_SECONDS, hsf

    arrays = {"hsf": np.stack(_map(hsf, context, "HSF"))}
    return arrays, {
        "window_seconds": HSF_WINDOW_SECONDS,
        "step_seconds": HSF_STEP_SECONDS,
        "statistics": ["mean", "std"],
    }


def _egemaps(context):
    """openSMILE eGeMAPSv02: 88 functionals (N, 88) and 25 descriptors per 10 ms frame, zero-padded."""
    from .acoustic import pad_or_cut
    from .atmaja import EGEMAPS_MAX_FRAMES, egemaps, egemaps_names

    results = _map(egemaps, context, "eGeMAPS")
    longest = min(max(len(descriptors) for _, descriptors in results), EGEMAPS_MAX_FRAMES)
    padded = [pad_or_cut(descriptors, longest) for _, descriptors in results]
    arrays = {
        "egemaps": np.stack([functionals for functionals, _ in results]),
        "egemaps_lld": np.stack([frames for frames, _, _ in padded]),
        "egemaps_lld_lengths": np.array([min(length, longest) for _, length, _ in padded], dtype=np.int32),
    }
    functional_names, descriptor_names = egemaps_names()
    settings = {"feature_set": "eGeMAPSv02", "functionals": functional_names, "descriptors": descriptor_names}
    return arrays, {**settings, "descriptor_hop_seconds": 0.01, "max_frames": longest}


def _silence_ratio(context):
    """Share of quiet RMS frames of each utterance, (N, 1)."""
    from .atmaja import SILENCE_THRESHOLD, silence_of_file

    ratios = np.array(_map(silence_of_file, context, "silence ratio"), dtype=np.float32)[:, None]
    return {"silence_ratio": ratios}, {"threshold": f"{SILENCE_THRESHOLD} x mean RMS", "frame": 2048, "hop": 512}


def _hsf2(context):
    """Atmaja's HSF2: mean and std of the eGeMAPS descriptors over real frames, and the silence ratio, (N, 51)."""
    from .atmaja import frame_statistics

    descriptors, lengths = context.array("egemaps_lld"), context.array("egemaps_lld_lengths")
    statistics = np.stack([frame_statistics(descriptors[row, :length]) for row, length in enumerate(lengths)])
    arrays = {"hsf2": np.concatenate([statistics, np.asarray(context.array("silence_ratio"))], axis=1)}
    return arrays, {"of": ["egemaps_lld", "silence_ratio"], "statistics": ["mean", "std"], "frames": "real only"}


register_feature_set(
    FeatureSet(
        "hsf",
        "Atmaja's HSF: mean and std of the 34 pyAudioAnalysis features at 25 ms / 10 ms frames (68 values)",
        ("hsf",),
        compute=_hsf,
        packages=("numpy", "scipy", "pyAudioAnalysis"),
        shapes={"hsf": ("utterances", 68)},
    )
)
register_feature_set(
    FeatureSet(
        "egemaps",
        "openSMILE eGeMAPSv02: 88 functionals, and 25 low-level descriptors per 10 ms frame",
        ("egemaps", "egemaps_lld", "egemaps_lld_lengths"),
        compute=_egemaps,
        packages=("numpy", "opensmile"),
        shapes={
            "egemaps": ("utterances", 88),
            "egemaps_lld": ("utterances", "frames", 25),
            "egemaps_lld_lengths": ("utterances",),
        },
    )
)
register_feature_set(
    FeatureSet(
        "silence_ratio",
        "share of RMS frames at or below 0.3 of the mean RMS (Atmaja's silence feature)",
        ("silence_ratio",),
        compute=_silence_ratio,
        packages=("numpy", "librosa"),
        shapes={"silence_ratio": ("utterances", 1)},
    )
)
register_feature_set(
    FeatureSet(
        "hsf2",
        "Atmaja's HSF2: mean and std of the eGeMAPS descriptors, and the silence ratio (51 values)",
        ("hsf2",),
        compute=_hsf2,
        needs=("egemaps", "silence_ratio"),
        shapes={"hsf2": ("utterances", 51)},
    )
)


def _logmel(context):
    """MATE's standardised log-mel spectrogram of each turn, (N, mels, frames) float16."""
    from functools import partial

    from .mate import N_MELS, SECONDS, log_mel_of_file

    n_mels = int(context.options.get("logmel_mels", N_MELS))
    seconds = float(context.options.get("logmel_seconds", SECONDS))
    function = partial(log_mel_of_file, n_mels=n_mels, seconds=seconds)
    # float16 halves the memory of the windows (8 turns each); the values are standardised, so no overflow.
    spectrograms = np.stack(_map(function, context, "log-mel")).astype(np.float16)
    return {"logmel": spectrograms}, {
        "n_mels": n_mels,
        "seconds": seconds,
        "n_fft": 2048,
        "hop": 512,
        "fmin": 30,
        "fmax": 8000,
        "scale": "dB, each spectrogram standardised on its own mean and variance",
    }


def _sentence(context):
    """One embedding per turn: the mean of the bundle's word vectors, or a local sentence-transformers model."""
    from .mate import encode_sentences, load_sentence_encoder, mean_word_vectors

    encoder = context.options.get("sentence_encoder")
    if encoder:
        transcripts = [utterance.transcript or "" for utterance in context.utterances()]
        embeddings = encode_sentences(load_sentence_encoder(encoder), transcripts)
        return {"sentence_embeddings": embeddings}, {"encoder": str(encoder), "kind": "sentence-transformers"}
    embeddings = mean_word_vectors(context.array("tokens"), context.array("embedding_matrix"))
    return {"sentence_embeddings": embeddings}, {"encoder": "mean of the bundle's word vectors", "kind": "mean"}


def _turn_order(context):
    """Each turn's dialogue (numbered) and its position in it by start time, from the corpus."""
    from ..dialogue import turn_order

    utterances = context.utterances()
    # A turn without a dialogue (a CSV manifest without the column) is a dialogue of its own.
    dialogues = [utterance.dialogue or f"turn:{utterance.id}" for utterance in utterances]
    starts = [utterance.start if utterance.start is not None else 0.0 for utterance in utterances]
    dialogue_ids, positions = turn_order(dialogues, starts)
    return {"dialogue_ids": dialogue_ids, "turn_positions": positions}, {"order": "start time within the dialogue"}


register_feature_set(
    FeatureSet(
        "logmel",
        "MATE's log-mel spectrogram per turn (229 mels and 10 s unless --logmel-mels, --logmel-seconds; "
        "n_fft 2048, hop 512, 30-8000 Hz), standardised",
        ("logmel",),
        compute=_logmel,
        packages=("numpy", "librosa"),
        shapes={"logmel": ("utterances", "mels", "frames")},
    )
)
register_feature_set(
    FeatureSet(
        "sentence",
        "one embedding per turn: the mean of the word vectors, or a sentence-transformers model (--sentence-encoder)",
        ("sentence_embeddings",),
        compute=_sentence,
        packages=("numpy", "sentence-transformers"),
        shapes={"sentence_embeddings": ("utterances", "dimensions")},
    )
)
register_feature_set(
    FeatureSet(
        "turn_order",
        "each turn's dialogue and its position in it by start time (for dialogue context)",
        ("dialogue_ids", "turn_positions"),
        compute=_turn_order,
        shapes={"dialogue_ids": ("utterances",), "turn_positions": ("utterances",)},
    )
)


def _segments(context):
    """CA-MSER's 3 s segments: counts per utterance, then per segment MFCC, log spectrogram and waveform span."""
    from functools import partial

    from .camser import HOP_LENGTH, LAST_SEGMENT, N_BINS, N_MFCC, SEGMENT_FRAMES, segments_of_file

    last = context.options.get("segment_last", LAST_SEGMENT[0])
    results = _map(partial(segments_of_file, last=last), context, "segments")
    # float16 halves the store; dB values and MFCC keep 3 significant digits.
    arrays = {
        "segment_counts": np.array([len(result["bounds"]) for result in results], dtype=np.int32),
        "segment_bounds": np.concatenate([result["bounds"] for result in results]),
        "segment_mfcc": np.concatenate([result["mfcc"] for result in results]).astype(np.float16),
        "segment_spectrogram": np.concatenate([result["spectrogram"] for result in results]).astype(np.float16),
    }
    return arrays, {
        "per_segment": ["segment_bounds", "segment_mfcc", "segment_spectrogram"],
        "segment_frames": SEGMENT_FRAMES,
        "hop": HOP_LENGTH,
        "last_segment": last,
        "mfcc": f"{N_MFCC} MFCC, HTK mel scale, n_fft 2048, after pre-emphasis",
        "spectrogram": f"dB magnitude (ref = maximum), Hamming 640, n_fft 800, lowest {N_BINS} bins",
    }


def _segment_items(context):
    """``(audio path, segment bounds)`` of every utterance, from the ``segments`` set."""
    from ..segments import segment_offsets

    bounds = np.asarray(context.array("segment_bounds"))
    offsets = segment_offsets(context.array("segment_counts"))
    return [(path, bounds[offsets[row] : offsets[row + 1]]) for row, path in enumerate(_paths(context))]


def _encoder_frames(context):
    """A frozen pretrained speech encoder's frames of every segment's waveform, (S, T', D) float16."""
    import time

    from tqdm import tqdm

    from .camser import wave_segments_of_file
    from .speech_encoders import encode_segments, load_speech_encoder

    source = context.options.get("speech_encoder")
    if not source:
        raise ValueError("feature set encoder_frames needs --speech-encoder NAME_OR_DIR")
    library = context.options.get("speech_encoder_library", "transformers")
    encoder = load_speech_encoder(source, library)
    items = _segment_items(context)
    frames = []
    started = time.perf_counter()
    for item in tqdm(items, desc="encoder frames", unit="utt", disable=not context.progress):
        frames.append(encode_segments(encoder, wave_segments_of_file(item)))
    seconds = time.perf_counter() - started
    audio_seconds = float(sum(item[1][-1, 1] for item in items)) / 16000  # the last segment ends at the end
    return {"encoder_frames": np.concatenate(frames)}, {
        "per_segment": ["encoder_frames"],
        "encoder": str(source),
        "library": library,
        "frozen": True,
        "input": "each segment's pre-emphasised waveform, zero-padded at the front to 3 s",
        # Reading, segmenting and encoding, the model loaded: seconds of the utterances' audio per second.
        "speed": {"seconds": round(seconds, 1), "audio_seconds_per_second": round(audio_seconds / seconds, 1)},
    }


def _encoder_inputs(context):
    """A keras-hub Whisper encoder's input (log-mel, 300 x 80) of every segment, for ``--finetune-encoder``."""
    from tqdm import tqdm

    from .camser import wave_segments_of_file
    from .speech_encoders import whisper_inputs

    source = context.options.get("speech_encoder")
    if not source:
        raise ValueError("feature set encoder_inputs needs --speech-encoder NAME_OR_DIR (a keras-hub Whisper preset)")
    front_end = whisper_inputs(source)
    items = _segment_items(context)
    inputs = [
        front_end(wave_segments_of_file(item)).astype(np.float16)
        for item in tqdm(items, desc="encoder inputs", unit="utt", disable=not context.progress)
    ]
    return {"encoder_inputs": np.concatenate(inputs)}, {
        "per_segment": ["encoder_inputs"],
        "encoder": str(source),
        "input": "Whisper's log-mel of each segment's pre-emphasised waveform, zero-padded at the front to 3 s",
    }


register_feature_set(
    FeatureSet(
        "segments",
        "CA-MSER's 3 s segments: per segment 40 MFCC (300 x 40) and the log spectrogram (200 x 300) "
        "(--segment-last padded|shifted)",
        ("segment_counts", "segment_bounds", "segment_mfcc", "segment_spectrogram"),
        compute=_segments,
        packages=("numpy", "librosa"),
        options=(("segment_last", "last_segment"),),
        shapes={
            "segment_counts": ("utterances",),
            "segment_bounds": ("segments", 2),
            "segment_mfcc": ("segments", 300, 40),
            "segment_spectrogram": ("segments", 200, 300),
        },
    )
)
register_feature_set(
    FeatureSet(
        "encoder_frames",
        "a frozen pretrained speech encoder's frames of every segment (--speech-encoder NAME_OR_DIR, "
        "--speech-encoder-library transformers|keras-hub|ctranslate2)",
        ("encoder_frames",),
        compute=_encoder_frames,
        needs=("segments",),
        packages=("numpy", "torch", "transformers", "keras-hub", "ctranslate2"),
        options=(("speech_encoder", "encoder"), ("speech_encoder_library", "library")),
        shapes={"encoder_frames": ("segments", "frames", "dimensions")},
    )
)
register_feature_set(
    FeatureSet(
        "encoder_inputs",
        "a keras-hub Whisper encoder's log-mel input of every segment, for CA-MSER's --finetune-encoder "
        "(--speech-encoder PRESET)",
        ("encoder_inputs",),
        compute=_encoder_inputs,
        needs=("segments",),
        packages=("numpy", "keras-hub"),
        options=(("speech_encoder", "encoder"),),
        shapes={"encoder_inputs": ("segments", 300, 80)},
    )
)


def _compare(context):
    """openSMILE ComParE 2016: 6,373 functionals per utterance, (N, 6373)."""
    from .compare import compare_functionals, compare_names

    arrays = {"compare": np.stack(_map(compare_functionals, context, "ComParE 2016"))}
    return arrays, {"feature_set": "ComParE_2016", "functionals": len(compare_names())}


register_feature_set(
    FeatureSet(
        "compare",
        "openSMILE ComParE 2016: 6,373 functionals (the INTERSPEECH Computational Paralinguistics baseline)",
        ("compare",),
        compute=_compare,
        packages=("numpy", "opensmile"),
        shapes={"compare": ("utterances", 6373)},
    )
)


def _encoder_statistics(context):
    """Mean and std of each utterance's real encoder frames over all its segments, (N, 2 D)."""
    from .camser import SEGMENT_SAMPLES
    from .speech_encoders import utterance_statistics

    frames, counts = context.array("encoder_frames"), np.asarray(context.array("segment_counts"))
    statistics = utterance_statistics(frames, counts, np.asarray(context.array("segment_bounds")), SEGMENT_SAMPLES)
    return {"encoder_stats": statistics}, {"of": "encoder_frames", "statistics": ["mean", "std"], "frames": "real only"}


register_feature_set(
    FeatureSet(
        "encoder_stats",
        "mean and standard deviation of each utterance's real pretrained-encoder frames (2 x the encoder's size)",
        ("encoder_stats",),
        compute=_encoder_statistics,
        needs=("encoder_frames",),
        shapes={"encoder_stats": ("utterances", "statistics")},
    )
)

# Per-speaker standardised copies of the utterance-level sets and of the 34 features' frames.
BY_SPEAKER = ("acoustic", "acoustic_stats", "hsf", "egemaps", "compare", "encoder_stats")


def _by_speaker(source):
    def compute(context):
        from .speaker_statistics import standardise_by_speaker

        speakers = context.speakers()
        lengths = np.asarray(context.array("acoustic_lengths")) if source == "acoustic" else None
        values = standardise_by_speaker(np.asarray(context.array(source)), speakers, lengths)
        return {f"{source}_by_speaker": values}, {
            "of": source,
            "statistics": "mean and std of each speaker's own utterances (all of them, no labels)",
        }

    return compute


for _source in BY_SPEAKER:
    register_feature_set(
        FeatureSet(
            f"{_source}_by_speaker",
            f"{_source} standardised by each speaker's own mean and standard deviation (no labels; a test "
            "speaker's statistics come from that speaker's unlabelled utterances)",
            (f"{_source}_by_speaker",),
            compute=_by_speaker(_source),
            needs=(_source,),
            shapes={f"{_source}_by_speaker": _REGISTRY[_source].shapes[_source]},
        )
    )
