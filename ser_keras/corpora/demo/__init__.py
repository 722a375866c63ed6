"""Build the demo corpus: synthetic emotional speech in IEMOCAP's layout.

**Synthetic speech for teaching and testing, not a benchmark.** Numbers measured
on it say that the code works and show the shape of a result; they say nothing
about emotion recognition on real speech.

The corpus is built on the user's machine in seconds with eSpeak NG (see
:mod:`ser_keras.corpora.espeak`), with no download, and written in IEMOCAP's
folder layout and file formats (EmoEvaluation, transcriptions, 16 kHz wav,
ForcedAlignment ``.wdseg``), so :func:`ser_keras.corpora.read_iemocap` reads it
and every later step is the one a researcher runs on IEMOCAP.

How emotion is encoded, as in the literature (acoustics carry arousal, words
carry valence):

* **prosody** (speaking rate, pitch, pitch range) separates high arousal
  (angry, excited) from low arousal (neutral, sad), with per-speaker and
  per-utterance jitter;
* **words** separate negative (angry, sad) from non-negative (excited, neutral)
  valence; a share of sentences adds a phrase typical of the class;
* a share of prosody and of sentences is deliberately misleading or neutral;
* **emotion persists in a dialogue**, as in real conversation: the turns of a
  session are put in order so that the next turn has the previous turn's emotion
  with probability ``persistence`` (see :func:`arrange_dialogues`), so the turns
  before a turn say something about its emotion (dialogue-context models such as
  MATE can use it; one-turn models cannot).

Each modality alone is therefore ambiguous and the two together are not.
Loudness is not a cue (the 34 acoustic features normalise each signal's
amplitude), so the volume of each utterance is random.

Command line::

    python -m ser_keras.corpora.demo --out data/demo_corpus     # build
    python -m ser_keras.corpora.demo --check data/demo_corpus   # build if needed, then baselines
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import soundfile
from scipy.signal import resample_poly

from ...io import atomic_folder
from ...version import __version__
from .. import espeak
from ..iemocap import read_iemocap
from ..loading import CorpusReader, register_corpus
from .tables import (
    ANNOTATOR_NAMES,
    AROUSAL,
    CLASSES,
    CODES,
    CUES,
    DIALOGS,
    OPENERS,
    PREDICATES,
    PROSODY,
    TOPICS,
    VAD,
    VALENCE,
    VOICES,
)

SAMPLE_RATE = 16000
DEFAULT_ROOT = Path("data") / "demo_corpus"
MARKER = "DEMO_CORPUS.json"


@dataclass
class DemoSettings:
    """Everything that decides the corpus; the same settings give the same bytes.

    Attributes
    ----------
    seed : int
    per_class : int
        Utterances per speaker and emotion (10 speakers x 4 emotions x per_class).
    extra_per_speaker : int
        Turns per speaker labelled ``fru`` or ``xxx``, which the paper's label
        set leaves out (as in IEMOCAP, where most turns are not in the 4 classes).
    happy_share : float
        Share of *excited* turns labelled ``hap``, merged back by the reader.
    cue_share : float
        Share of sentences that add a phrase typical of their class.
    misleading_text_share, neutral_text_share : float
        Share of sentences whose valence phrase is from the other valence, or
        carries no valence.
    misleading_prosody_share : float
        Share of utterances spoken with the prosody of the other arousal level.
    min_seconds, max_seconds : float
        Utterance length bounds, silences included.
    persistence : float
        Probability that the next turn of a dialogue is spoken with the emotion
        of the turn before it (see :func:`arrange_dialogues`); 0 puts turns in
        random order.
    """

    seed: int = 0
    per_class: int = 24
    extra_per_speaker: int = 4
    happy_share: float = 0.3
    cue_share: float = 0.3
    misleading_text_share: float = 0.05
    neutral_text_share: float = 0.05
    misleading_prosody_share: float = 0.05
    min_seconds: float = 1.5
    max_seconds: float = 6.0
    persistence: float = 0.9
    prosody: dict = field(default_factory=lambda: {k: dict(v) for k, v in PROSODY.items()})


def build_demo_corpus(out=DEFAULT_ROOT, settings: DemoSettings | None = None, force=False, progress=True) -> Path:
    """Build the demo corpus (or reuse a complete one built with the same settings).

    The corpus is written to a temporary folder beside ``out`` and renamed when
    complete, so an interrupted build never leaves a corpus that looks finished.

    Parameters
    ----------
    out : str or pathlib.Path
        Folder to create; it becomes an IEMOCAP-style root (``Session1`` ... ``Session5``).
    settings : DemoSettings, optional
    force : bool
        Rebuild even when a complete demo corpus with the same settings exists.
    progress : bool
        Show a progress bar.

    Returns
    -------
    pathlib.Path
        ``out``.

    Raises
    ------
    FileExistsError
        When ``out`` exists and is not a demo corpus (it is never deleted).
    """
    settings = settings or DemoSettings()
    out = Path(out)
    wanted = _marker_content(settings)
    if out.exists():
        if read_marker(out) is None:
            raise FileExistsError(f"{out} exists and is not a demo corpus; choose another --out")
        if is_built(out, settings) and not force:
            return out
    started = time.perf_counter()
    with atomic_folder(out) as partial:
        _synthesise(partial, settings, progress)
        counts = json.loads((partial / ".counts.json").read_text())
        (partial / ".counts.json").unlink()
        marker = dict(wanted, counts=counts, build_seconds=round(time.perf_counter() - started, 1))
        (partial / MARKER).write_text(json.dumps(marker, indent=2) + "\n")
    return out


def _synthesise(partial, settings, progress):
    """Run the synthesis worker into ``partial``."""
    # eSpeak NG keeps state across utterances that not even espeak_Terminate resets: the same
    # text comes out a few samples different depending on what the process spoke before.
    # Synthesising in a fresh interpreter makes the bytes depend on the settings alone.
    worker = "import sys; from ser_keras.corpora.demo import _worker; _worker(*sys.argv[1:])"
    arguments = [str(partial), json.dumps(asdict(settings)), "1" if progress else "0"]
    finished = subprocess.run([sys.executable, "-c", worker, *arguments])
    if finished.returncode != 0:
        raise RuntimeError(f"building the demo corpus failed (exit status {finished.returncode})")


def is_built(root, settings):
    """Whether ``root`` holds a complete demo corpus built with ``settings``."""
    marker = read_marker(root)
    return marker is not None and marker["settings"] == _marker_content(settings)["settings"]


def read_marker(root):
    """The build record of a demo corpus, or ``None`` when ``root`` is not a complete one.

    Returns
    -------
    dict or None
        ``{"settings": ..., "counts": ..., "version": ...}``.
    """
    path = Path(root) / MARKER
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError:
        return None


def make_sentence(label, rng, settings):
    """Compose one sentence for ``label``.

    Returns
    -------
    str
        E.g. ``"Well, the meeting went completely wrong, and it is your fault."``
    """
    valence = VALENCE[label]
    draw = rng.random()
    if draw < settings.neutral_text_share:
        valence = "none"
    elif draw < settings.neutral_text_share + settings.misleading_text_share:
        valence = "negative" if valence == "positive" else "positive"
    opener = OPENERS[rng.integers(len(OPENERS))]
    topic = TOPICS[rng.integers(len(TOPICS))]
    predicate = PREDICATES[valence][rng.integers(len(PREDICATES[valence]))]
    text = f"{opener}, {topic} {predicate}" if opener else f"{topic} {predicate}"
    if rng.random() < settings.cue_share:
        text += ", " + CUES[label][rng.integers(len(CUES[label]))]
    return text[0].upper() + text[1:] + "."


def _marker_content(settings):
    return {"version": __version__, "settings": json.loads(json.dumps(asdict(settings)))}


def _plan(settings, rng):
    """Every turn to synthesise: (session, gender, label code, prosody class, text class)."""
    plan = []
    for session in range(1, 6):
        for gender in ("F", "M"):
            for label in CLASSES:
                for _ in range(settings.per_class):
                    code = CODES[label]
                    if label == "excited" and rng.random() < settings.happy_share:
                        code = "hap"
                    plan.append((session, gender, code, label))
            for index in range(settings.extra_per_speaker):
                code = ("fru", "xxx")[index % 2]
                plan.append((session, gender, code, CLASSES[rng.integers(len(CLASSES))]))
    return plan


def arrange_dialogues(emotions, dialogues, persistence, rng):
    """Order one session's turns so that emotion persists, and cut them into dialogues.

    The first turn is drawn at random. Then, with probability ``persistence``, the
    next turn is drawn from the remaining turns with the previous turn's emotion
    (while any remain); otherwise it is drawn from all remaining turns, so the
    emotion may also stay by chance. The sequence is cut into ``dialogues``
    consecutive parts of (nearly) equal length.

    Parameters
    ----------
    emotions : sequence of str, length n
        The emotion each turn is spoken with.
    dialogues : int
    persistence : float in [0, 1]
    rng : numpy.random.Generator

    Returns
    -------
    list of np.ndarray of int
        ``dialogues`` arrays of indices into ``emotions``, in speaking order.
    """
    emotions = np.asarray(emotions)
    remaining = list(range(len(emotions)))
    sequence = []
    while remaining:
        if sequence and rng.random() < persistence:
            same = [index for index in remaining if emotions[index] == emotions[sequence[-1]]]
            candidates = same or remaining
        else:
            candidates = remaining
        chosen = candidates[rng.integers(len(candidates))]
        remaining.remove(chosen)
        sequence.append(chosen)
    return np.array_split(np.array(sequence, dtype=int), dialogues)


def _speaker_traits(rng):
    return {
        (session, gender): {"pitch": rng.normal(0, 5), "rate": 1 + rng.normal(0, 0.05)}
        for session in range(1, 6)
        for gender in ("F", "M")
    }


def _prosody_for(label, speaker, rng, settings):
    arousal = AROUSAL[label]
    if rng.random() < settings.misleading_prosody_share:
        others = [name for name in CLASSES if AROUSAL[name] != arousal]
        label = others[rng.integers(len(others))]
    base = settings.prosody[label]
    return {
        "rate": float(np.clip(base["rate"] * speaker["rate"] + rng.normal(0, 15), 90, 400)),
        "pitch": float(np.clip(base["pitch"] + speaker["pitch"] + rng.normal(0, 6), 0, 100)),
        "range": float(np.clip(base["range"] + rng.normal(0, 8), 0, 100)),
    }


def _speak(text, voice, prosody, rng, settings):
    """Synthesise ``text`` and return 16 kHz int16 samples and its aligned words."""
    synthesis = espeak.synthesize(
        text, voice, prosody["rate"], prosody["pitch"], prosody["range"], seed=int(rng.integers(2**31))
    )
    lead, tail = rng.uniform(0.15, 0.4), rng.uniform(0.15, 0.4)
    speech = resample_poly(synthesis.samples.astype(np.float64), 320, 441)  # 22050 -> 16000 Hz
    peak = np.abs(speech).max() or 1.0
    speech = speech / peak * rng.uniform(0.25, 0.9) * 32767
    signal = np.concatenate([np.zeros(int(lead * SAMPLE_RATE)), speech, np.zeros(int(tail * SAMPLE_RATE))])
    # A faint noise floor, as a microphone has: silence of exactly zero is not speech-like.
    signal += rng.normal(0, 6, size=len(signal))
    samples = np.clip(np.round(signal), -32768, 32767).astype(np.int16)
    words = _align(text, synthesis.words, samples, lead)
    return samples, words


def _align(text, events, samples, offset):
    """Word alignment from eSpeak's word events, word ends trimmed to the last voiced 10 ms.

    Words that eSpeak NG spoke as one group share the group's span in
    proportion to their letters.
    """
    tokens = [(match.start(), match.group().lower()) for match in re.finditer(r"[A-Za-z']+", text)]
    hop = SAMPLE_RATE // 100
    frames = len(samples) // hop
    energy = np.sqrt(np.mean(samples[: frames * hop].astype(np.float64).reshape(frames, hop) ** 2, axis=1))
    voiced = energy > 0.05 * energy.max()
    groups: list[list] = []
    for position, start, end in events:
        groups.append([start, end, []])
    starts = [position for position, _, _ in events]
    for position, word in tokens:
        index = int(np.searchsorted(starts, position, side="right")) - 1
        if index < 0:
            raise RuntimeError(f"eSpeak NG gave no word event before {word!r} in {text!r}")
        groups[index][2].append(word)
    words = []
    for start, end, members in groups:
        if not members:
            continue
        first = int(round((start + offset) * 100))
        last = min(max(int(round((end + offset) * 100)), first + len(members)), frames)
        active = np.nonzero(voiced[first:last])[0]
        if len(active):
            last = max(first + int(active[-1]) + 1, first + len(members))
        letters = np.cumsum([0] + [len(word) for word in members])
        bounds = first + np.round((last - first) * letters / letters[-1]).astype(int)
        words += [(word, int(a), int(b)) for word, a, b in zip(members, bounds[:-1], bounds[1:])]
    return words  # (word, first frame, end frame exclusive)


def _write_wdseg(path, words, total_frames):
    rows = []
    cursor = 0
    for word, first, last in words:
        first = max(first, cursor)
        last = max(last, first + 1)
        if first > cursor:
            rows.append((cursor, first - 1, "<s>" if cursor == 0 else "<sil>"))
        rows.append((first, last - 1, word.upper()))
        cursor = last
    if cursor < total_frames:
        rows.append((cursor, total_frames - 1, "</s>"))
    # The demo has no acoustic model, so every score is 0.
    lines = [" SFrm  EFrm    SegAScr Word"]
    lines += [f"{first:5d} {last:5d} {0:10d} {word}" for first, last, word in rows]
    lines.append(" Total Score: 0")
    path.write_text("\n".join(lines) + "\n")


def _annotations(code, rng):
    """Three categorical and two dimensional annotator lines, and the mean V/A/D."""
    if code == "xxx":
        names = ["Anger", "Neutral", "Frustration"]
        rng.shuffle(names)
    else:
        names = [ANNOTATOR_NAMES[code]] * 3
        if rng.random() < 0.3:
            names[2] = ANNOTATOR_NAMES[("neu", "fru", "exc", "sad")[rng.integers(4)]]
    categorical = [f"C-E{i + 1}:\t{name};\t()" for i, name in enumerate(names)]
    ratings = [np.clip(np.array(VAD[code]) + rng.integers(-1, 2, size=3), 1, 5) for _ in range(2)]
    dimensional = [f"A-E{i + 1}:\tval {v}; act {a}; dom  {d};\t()" for i, (v, a, d) in enumerate(ratings)]
    return categorical + dimensional, np.mean(ratings, axis=0)


def _write_corpus(root, settings, progress):
    from tqdm import tqdm

    rng = np.random.default_rng(settings.seed)
    traits = _speaker_traits(rng)
    plan = _plan(settings, rng)
    order = rng.permutation(len(plan))
    session_turns = {}  # session -> list of turn dicts, in synthesis order
    counts: dict[str, int] = {}
    bar = tqdm(total=len(plan), desc="synthesising demo corpus", unit="utt", disable=not progress)
    for index in order:
        session, gender, code, label = plan[index]
        voice = VOICES[session][gender]
        for _ in range(50):
            text = make_sentence(label, rng, settings)
            prosody = _prosody_for(label, traits[(session, gender)], rng, settings)
            samples, words = _speak(text, voice, prosody, rng, settings)
            seconds = len(samples) / SAMPLE_RATE
            if settings.min_seconds <= seconds <= settings.max_seconds:
                break
        else:
            raise RuntimeError(f"no sentence for {label} fits {settings.min_seconds}-{settings.max_seconds} s")
        # Dialogues are assigned below; this draw keeps the synthesis stream, so every turn's
        # audio and text are the bytes of the corpus before dialogues had persistent emotion.
        rng.integers(len(DIALOGS))
        session_turns.setdefault(session, []).append(
            {"gender": gender, "code": code, "label": label, "text": text, "samples": samples, "words": words}
        )
        counts[code] = counts.get(code, 0) + 1
        bar.update()
    bar.close()

    # A stream of its own, so the persistence setting changes the order of turns and nothing else.
    arrange_rng = np.random.default_rng([settings.seed, 1])
    turns = {}  # (session, dialog) -> list of turn dicts, in speaking order
    for session, spoken in sorted(session_turns.items()):
        parts = arrange_dialogues([turn["label"] for turn in spoken], len(DIALOGS), settings.persistence, arrange_rng)
        for dialog, part in zip(DIALOGS, parts):
            turns[(session, f"Ses0{session}{dialog}")] = [spoken[index] for index in part]

    for (session, dialog), dialog_turns in sorted(turns.items()):
        session_dir = root / f"Session{session}"
        wav_dir = session_dir / "sentences" / "wav" / dialog
        alignment_dir = session_dir / "sentences" / "ForcedAlignment" / dialog
        for folder in (
            wav_dir,
            alignment_dir,
            session_dir / "dialog" / "EmoEvaluation",
            session_dir / "dialog" / "transcriptions",
        ):
            folder.mkdir(parents=True, exist_ok=True)
        evaluation = ["% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]", ""]
        transcript_lines = []
        clock = 0.0
        numbers = {"F": 0, "M": 0}
        for turn in dialog_turns:
            name = f"{dialog}_{turn['gender']}{numbers[turn['gender']]:03d}"
            numbers[turn["gender"]] += 1
            start = clock + rng.uniform(0.3, 1.5)
            end = start + len(turn["samples"]) / SAMPLE_RATE
            clock = end
            soundfile.write(wav_dir / f"{name}.wav", turn["samples"], SAMPLE_RATE, subtype="PCM_16")
            _write_wdseg(alignment_dir / f"{name}.wdseg", turn["words"], len(turn["samples"]) // (SAMPLE_RATE // 100))
            annotator_lines, (v, a, d) = _annotations(turn["code"], rng)
            evaluation.append(f"[{start:.4f} - {end:.4f}]\t{name}\t{turn['code']}\t[{v:.4f}, {a:.4f}, {d:.4f}]")
            evaluation += annotator_lines + [""]
            transcript_lines.append(f"{name} [{start:08.4f}-{end:08.4f}]: {turn['text']}")
        (session_dir / "dialog" / "EmoEvaluation" / f"{dialog}.txt").write_text("\n".join(evaluation) + "\n")
        (session_dir / "dialog" / "transcriptions" / f"{dialog}.txt").write_text("\n".join(transcript_lines) + "\n")
    (root / "README.txt").write_text(
        "The ser_keras demo corpus: synthetic speech (eSpeak NG) for teaching and testing,\n"
        "not a benchmark. Written in IEMOCAP's layout; built by `python -m ser_keras.corpora.demo`.\n"
    )
    return dict(sorted(counts.items()))


def _worker(root, settings_json, progress):
    """Entry point of the synthesis subprocess of :func:`build_demo_corpus`."""
    settings = DemoSettings(**json.loads(settings_json))
    counts = _write_corpus(Path(root), settings, progress == "1")
    (Path(root) / ".counts.json").write_text(json.dumps(counts))


def _prepare(root, progress):
    if read_marker(root) is None:  # a complete demo corpus is used as built, whatever its settings
        print(f"building the demo corpus at {root}", flush=True)
        build_demo_corpus(root, progress=progress)


def _read(root, labels):
    return read_iemocap(root, labels=labels)


register_corpus(
    CorpusReader(
        "demo",
        _read,
        ("paper", "all"),
        "the corpus folder (default data/demo_corpus, built on first use)",
        default_root=DEFAULT_ROOT,
        prepare=_prepare,
    )
)
