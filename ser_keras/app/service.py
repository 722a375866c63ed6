"""What the demo page does, without the page: bounded input in, a run's prediction and figures out.

The page (:mod:`.page`) only lays out components and calls :meth:`DemoService.analyse`;
everything a request can get wrong is checked here, each with a one-line message, and no
request leaves the service unable to answer the next. Runs and the recogniser are loaded
once and stay loaded between requests.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..features.audio import SAMPLE_RATE, AudioError, load_audio

# Quieter than this (RMS, full scale 1) is silence: -70 dBFS, below any microphone's own noise.
SILENCE_RMS = 10 ** (-70 / 20)


class RequestError(ValueError):
    """A request the page answers with a message instead of a prediction."""


@dataclass(frozen=True)
class Limits:
    """Bounds on one request's recording."""

    max_seconds: float = 30.0
    max_megabytes: float = 10.0


@dataclass
class Answer:
    """What the page shows for one request.

    Attributes
    ----------
    transcript : str or None
        The words the run read (recognised, or as the user edited them); None for a run that reads none.
    probabilities : dict of str -> float
        Class probabilities (categorical runs), else empty.
    ratings : dict of str -> float
        Valence, arousal and dominance (dimensional runs), else empty.
    samples : np.ndarray, (n,)
        The recording at 16 kHz, for the waveform.
    features : np.ndarray, (frames, 34)
        The paper's 34 features per 100 ms frame.
    seconds : dict of str -> float
        Time spent recognising and predicting.
    """

    transcript: str | None
    probabilities: dict
    ratings: dict
    samples: np.ndarray
    features: np.ndarray
    seconds: dict


class DemoService:
    """Trained runs loaded for the page, and the recogniser for runs that read words.

    Parameters
    ----------
    run_dirs : sequence of path
        Run folders of ``classification.py``; one that does not load is listed with its reason.
    limits : Limits
    transcriber_factory : callable or None
        Makes the recogniser on first use (None: no recognition; a run that reads words then needs
        the transcript typed in).
    """

    def __init__(self, run_dirs, limits=Limits(), transcriber_factory=None):
        from ..predict import PredictionError, Predictor

        self.limits, self.runs, self.broken = limits, {}, {}
        for run_dir in map(Path, run_dirs):
            try:
                self.runs[run_dir.name] = Predictor(run_dir)
            except (PredictionError, OSError, ValueError) as error:
                self.broken[run_dir.name] = str(error)
        self._transcriber_factory, self._transcriber = transcriber_factory, None
        self._lock = threading.Lock()
        # A Keras model answers one request at a time; two runs, or a run and the recogniser, work side by side.
        self._run_locks = {name: threading.Lock() for name in self.runs}

    @property
    def names(self):
        """Every run given, loaded or not, in the order given."""
        return list(self.runs) + list(self.broken)

    def describe(self, name):
        """One line on a run: its system and what it predicts, or why it did not load."""
        if name in self.broken:
            return f"{name} does not load: {self.broken[name]}"
        predictor = self.runs[name]
        reads = "audio and words" if predictor.reads_words else "audio only"
        tasks = ", ".join(task.name for task in predictor.tasks)
        return f"{name}: {predictor.system.name}, reads {reads}, predicts {tasks}"

    def analyse(self, name, audio_path, transcript=None):
        """Predict one recording with one run.

        Parameters
        ----------
        name : str
            A run of :attr:`names`.
        audio_path : path or None
        transcript : str, optional
            Words to read instead of recognising them (the page's edited transcript).

        Returns
        -------
        Answer

        Raises
        ------
        RequestError
            For no recording, a file too large or too long, one that is not audio, silence,
            a run that did not load, or words the run cannot read.
        """
        import time

        from ..features.acoustic import extract
        from ..predict import PredictionError

        predictor = self._run(name)
        samples = self._recording(audio_path)
        seconds, words = {}, ()
        if predictor.reads_words and not (transcript or "").strip():
            started = time.perf_counter()
            heard = self._recognise(samples, predictor.reads_word_times)
            transcript, words, seconds["recognising"] = heard.text, heard.words, time.perf_counter() - started
        started = time.perf_counter()
        try:
            with self._run_locks[name]:
                predicted = predictor.predict(audio_path, transcript if predictor.reads_words else None, words)
        except (PredictionError, AudioError) as error:
            raise RequestError(str(error)) from None
        seconds["predicting"] = time.perf_counter() - started
        classes = set(predictor.classes)
        return Answer(
            transcript=transcript if predictor.reads_words else None,
            probabilities={key: value for key, value in predicted.items() if key in classes},
            ratings={key: value for key, value in predicted.items() if key not in classes},
            samples=samples,
            features=extract(samples),
            seconds=seconds,
        )

    def _run(self, name):
        if name in self.broken:
            raise RequestError(f"the run {name} does not load: {self.broken[name]}")
        if name not in self.runs:
            raise RequestError(f"no run named {name!r}: pick one of {', '.join(self.names)}")
        return self.runs[name]

    def _recording(self, audio_path):
        """The recording's samples at 16 kHz, within the limits and not silent."""
        if not audio_path:
            raise RequestError("no recording: record from the microphone or upload a file")
        megabytes = Path(audio_path).stat().st_size / 1e6
        if megabytes > self.limits.max_megabytes:
            raise RequestError(f"the file is {megabytes:.1f} MB; the limit is {self.limits.max_megabytes:g} MB")
        try:
            samples = load_audio(audio_path)
        except AudioError as error:
            raise RequestError(f"not a recording this page can read ({error.reason})") from None
        seconds = len(samples) / SAMPLE_RATE
        if seconds > self.limits.max_seconds:
            raise RequestError(f"the recording lasts {seconds:.1f} s; the limit is {self.limits.max_seconds:g} s")
        if float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) < SILENCE_RMS:
            raise RequestError("the recording is silent: nothing to recognise an emotion in")
        return samples

    def _recognise(self, samples, word_times):
        """The recogniser's transcript of the samples, loading it on first use."""
        if self._transcriber_factory is None:
            raise RequestError("this run reads words: type the transcript (the page was started without recognition)")
        with self._lock:  # loaded once, by the first request that needs it
            if self._transcriber is None:
                self._transcriber = self._transcriber_factory()
        heard = self._transcriber.transcribe(samples, word_times=word_times)
        if not heard.text.strip():
            raise RequestError("no words were recognised: type the transcript, or record again")
        return heard
