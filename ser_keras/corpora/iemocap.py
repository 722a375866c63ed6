"""Read IEMOCAP (``IEMOCAP_full_release/``) into :class:`Utterance` records.

The layout and file formats this reader relies on (one ``SessionK`` folder per
session, K = 1..5)::

    SessionK/dialog/EmoEvaluation/<dialog>.txt        labels, times, V/A/D, annotators
    SessionK/dialog/transcriptions/<dialog>.txt       "TURN [006.2901-008.2357]: text"
    SessionK/sentences/wav/<dialog>/<TURN>.wav        16 kHz mono
    SessionK/sentences/ForcedAlignment/<dialog>/<TURN>.wdseg   word alignment, 10 ms frames

The paper's class set (Krishna and Reddy 2019, section 3) is four classes with
*happy* merged into *excited*. On the full release the expected counts are::

    angry 1103, excited 1636, neutral 1708, sad 1084   (5531 in all;
    sessions 1-4: 4290 for training, session 5: 1241 for testing)

:data:`PAPER_CLASS_COUNTS` holds these numbers and :func:`count_report` prints
the counts found next to them::

    print(count_report(read_iemocap(root), expected=PAPER_CLASS_COUNTS))
"""

from __future__ import annotations

import re
from pathlib import Path

from .loading import CorpusReader, register_corpus
from .utterance import Corpus, CorpusError, Utterance, WordSegment, count_report  # noqa: F401 (re-exported)

PAPER_CLASSES = ("angry", "excited", "neutral", "sad")
PAPER_CLASS_COUNTS = {"angry": 1103, "excited": 1636, "neutral": 1708, "sad": 1084}
PAPER_SPLIT_COUNTS = {"train": 4290, "test": 1241}
TEST_SESSION = 5  # section 3: sessions 1-4 train, session 5 tests (4290 and 1241 utterances)

# Section 3 of the paper: "data belonging to happy category is merged into excited".
PAPER_LABELS = {"ang": "angry", "hap": "excited", "exc": "excited", "neu": "neutral", "sad": "sad"}
ALL_LABELS = {
    "neu": "neutral",
    "hap": "happy",
    "exc": "excited",
    "ang": "angry",
    "sad": "sad",
    "fru": "frustrated",
    "fea": "fearful",
    "sur": "surprised",
    "dis": "disgusted",
    "oth": "other",
    "xxx": "undecided",
}
LABEL_SETS = {"paper": PAPER_LABELS, "all": ALL_LABELS}
# The names annotators write on the C-E lines of EmoEvaluation, as label codes.
ANNOTATOR_CODES = {
    "neutral state": "neu",
    "neutral": "neu",
    "happiness": "hap",
    "excited": "exc",
    "anger": "ang",
    "sadness": "sad",
    "frustration": "fru",
    "fear": "fea",
    "surprise": "sur",
    "disgust": "dis",
    "other": "oth",
}

TURN_PATTERN = re.compile(r"^Ses0([1-5])[FM]_(?:impro|script)\d\d[ab]?(?:_\d[ab]?)?_([FM])\d{3}$")
_EVALUATION_LINE = re.compile(r"^\[\s*(\d+(?:\.\d*)?)\s*-\s*(\d+(?:\.\d*)?)\s*\]\s+(\S+)\s+(\S+)\s+\[([^\]]*)\]")
_ANNOTATOR_LINE = re.compile(r"^C-[^:]+:\s*(.*?)\s*(?:\(.*\))?\s*$")
_TRANSCRIPT_LINE = re.compile(r"^(\S+)\s+\[(\d+(?:\.\d*)?)-(\d+(?:\.\d*)?)\]:\s?(.*)$")
_PRONUNCIATION_VARIANT = re.compile(r"\(\d+\)$")
ALIGNMENT_FRAME_SECONDS = 0.01  # .wdseg frames are 10 ms


def read_iemocap(root, labels="paper", sessions=None) -> Corpus:
    """Read an IEMOCAP tree.

    Parameters
    ----------
    root : str or pathlib.Path
        The ``IEMOCAP_full_release`` folder (or any tree in its layout, such
        as the demo corpus).
    labels : {"paper", "all"}
        ``"paper"``: angry, excited (happy merged in), neutral, sad; every
        other label is left out and counted in ``Corpus.excluded``.
        ``"all"``: every label kept, under its full name (``xxx`` is
        ``"undecided"``).
    sessions : iterable of int, optional
        Sessions to read (default: every ``SessionK`` folder present).

    Returns
    -------
    Corpus

    Raises
    ------
    CorpusError
        When ``root`` is not an IEMOCAP tree, or a requested session is missing.
    """
    if labels not in LABEL_SETS:
        raise CorpusError(f"labels must be one of {sorted(LABEL_SETS)}, got {labels!r}")
    label_map = LABEL_SETS[labels]
    root = Path(root)
    session_dirs = find_sessions(root)
    if sessions is not None:
        wanted = sorted(set(int(s) for s in sessions))
        missing = [s for s in wanted if s not in session_dirs]
        if missing:
            raise CorpusError(f"{root}: session(s) {missing} not found (found {sorted(session_dirs)})")
        session_dirs = {s: session_dirs[s] for s in wanted}

    corpus = Corpus(root=root, utterances=[])
    for session, session_dir in sorted(session_dirs.items()):
        evaluation_dir = session_dir / "dialog" / "EmoEvaluation"
        for evaluation_file in sorted(evaluation_dir.glob("*.txt")):
            if evaluation_file.name.startswith("."):
                continue  # macOS "._" resource forks ship inside some IEMOCAP copies
            timed = _read_dialog(session, session_dir, evaluation_file, label_map, corpus)
            corpus.utterances.extend(utterance for _, utterance in sorted(timed, key=lambda t: t[0]))
    return corpus


def find_sessions(root) -> dict[int, Path]:
    """Find the ``SessionK`` folders of an IEMOCAP tree.

    Returns
    -------
    dict
        ``{K: path}`` for every session folder that holds ``dialog/EmoEvaluation``.

    Raises
    ------
    CorpusError
        When there is none.
    """
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"IEMOCAP root not found or not a folder: {root}")
    found = {}
    for k in range(1, 6):
        session_dir = root / f"Session{k}"
        if (session_dir / "dialog" / "EmoEvaluation").is_dir():
            found[k] = session_dir
    if not found:
        hint = ""
        if (root / "IEMOCAP_full_release").is_dir():
            hint = f" (did you mean {root / 'IEMOCAP_full_release'}?)"
        raise CorpusError(f"{root} is not an IEMOCAP tree: no Session1..Session5/dialog/EmoEvaluation folder{hint}")
    return found


def read_evaluation(path) -> list[dict]:
    """Parse one ``EmoEvaluation/<dialog>.txt`` file.

    Returns
    -------
    list of dict
        One dict per turn: ``turn``, ``start``, ``end`` (seconds), ``code``
        (``neu``, ``hap``, ...), ``vad`` (tuple of 3 floats or None) and
        ``annotators`` (tuple of per-annotator categorical labels).
    """
    turns: list[dict] = []
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        match = _EVALUATION_LINE.match(line)
        if match:
            start, end, turn, code, vad_text = match.groups()
            turns.append(
                {
                    "turn": turn,
                    "start": float(start),
                    "end": float(end),
                    "code": code.strip().lower(),
                    "vad": _parse_vad(vad_text),
                    "annotators": [],
                }
            )
            continue
        annotator = _ANNOTATOR_LINE.match(line)
        if annotator and turns:
            names = [part.strip() for part in annotator.group(1).split(";") if part.strip()]
            turns[-1]["annotators"].append(";".join(names))
    for turn in turns:
        turn["annotators"] = tuple(turn["annotators"])
    return turns


def read_transcriptions(path) -> dict[str, str]:
    """Parse one ``transcriptions/<dialog>.txt`` file.

    Lines whose name is not an utterance turn (``XX`` in the speaker part, as in
    ``Ses01F_script01_1_MXX0``) or that carry no timing are left out.

    Returns
    -------
    dict
        ``{turn: text}``.
    """
    texts = {}
    for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
        match = _TRANSCRIPT_LINE.match(line.strip())
        if match and TURN_PATTERN.match(match.group(1)):
            texts[match.group(1)] = match.group(4).strip()
    return texts


def read_wdseg(path) -> tuple[WordSegment, ...]:
    """Parse a forced-alignment ``.wdseg`` file.

    The header ``SFrm  EFrm    SegAScr Word`` is followed by rows of start frame,
    end frame (inclusive, 10 ms frames), score and word, and a last line
    ``Total Score: ...``. Silence and noise tokens (``<s>``, ``</s>``,
    ``<sil>``, ``++LAUGHTER++``) are dropped and pronunciation variants
    (``WHAT(2)``) reduced to the word.

    Returns
    -------
    tuple of WordSegment
        Words in order, lower-case, times in seconds.

    Raises
    ------
    CorpusError
        On a row that is not ``int int number word``.
    """
    words = []
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("SFrm"):
            continue
        if text.lower().startswith("total score"):
            break
        fields = text.split()
        try:
            start_frame, end_frame = int(fields[0]), int(fields[1])
            float(fields[2])
            token = fields[3]
        except (ValueError, IndexError):
            raise CorpusError(f"{path}:{number}: not a .wdseg row: {text!r}") from None
        token = _PRONUNCIATION_VARIANT.sub("", token)
        if _is_silence(token):
            continue
        words.append(
            WordSegment(
                word=token.lower(),
                start=round(start_frame * ALIGNMENT_FRAME_SECONDS, 6),
                end=round((end_frame + 1) * ALIGNMENT_FRAME_SECONDS, 6),
            )
        )
    return tuple(words)


def annotator_votes(annotators, label_map) -> tuple[str, ...]:
    """The annotators' choices as class names of a label set.

    Parameters
    ----------
    annotators : sequence of str
        One entry per annotator, choices separated by ``;`` (``"Neutral state;Frustration"``).
    label_map : dict
        Label code -> class name (:data:`PAPER_LABELS` or :data:`ALL_LABELS`).

    Returns
    -------
    tuple of str
        One class name per annotator and choice kept, e.g. ``("neutral", "neutral")``.
    """
    votes = []
    for annotator in annotators:
        for name in annotator.split(";"):
            code = ANNOTATOR_CODES.get(name.strip().lower())
            if code in label_map:
                votes.append(label_map[code])
    return tuple(votes)


def speaker_of(turn: str) -> str:
    """Speaker id of a turn name: session plus the gender letter of the last part.

    ``Ses01F_impro01_M013`` -> ``Ses01M``.
    """
    match = TURN_PATTERN.match(turn)
    if not match:
        raise CorpusError(f"not an IEMOCAP turn name: {turn!r}")
    return f"Ses0{match.group(1)}{match.group(2)}"


def _read_dialog(session, session_dir, evaluation_file, label_map, corpus):
    """Kept turns of one dialog as ``(start seconds, Utterance)``; exclusions and skips go to ``corpus``."""
    timed = []
    dialog = evaluation_file.stem
    transcript_file = session_dir / "dialog" / "transcriptions" / f"{dialog}.txt"
    texts = read_transcriptions(transcript_file) if transcript_file.is_file() else {}
    for turn in read_evaluation(evaluation_file):
        name = turn["turn"]
        if not TURN_PATTERN.match(name):
            corpus.notes["evaluation line with an unknown turn name"] += 1
            continue
        if turn["code"] not in label_map:
            corpus.excluded[turn["code"]] += 1
            continue
        wav_path = session_dir / "sentences" / "wav" / dialog / f"{name}.wav"
        if not wav_path.is_file():
            corpus.skipped.append((name, "no wav"))
            continue
        if name not in texts:
            corpus.skipped.append((name, "no transcript"))
            continue
        alignment_path = session_dir / "sentences" / "ForcedAlignment" / dialog / f"{name}.wdseg"
        words: tuple[WordSegment, ...] = ()
        if alignment_path.is_file():
            try:
                words = read_wdseg(alignment_path)
            except CorpusError:
                corpus.notes["unreadable word alignment"] += 1
        else:
            corpus.notes["no word alignment"] += 1
        valence, arousal, dominance = turn["vad"] or (None, None, None)
        timed.append(
            (
                turn["start"],
                Utterance(
                    id=name,
                    wav_path=wav_path,
                    transcript=texts[name],
                    label=label_map[turn["code"]],
                    session=session,
                    speaker=speaker_of(name),
                    duration=round(turn["end"] - turn["start"], 4),
                    words=words,
                    valence=valence,
                    arousal=arousal,
                    dominance=dominance,
                    annotator_labels=turn["annotators"],
                    source_label=turn["code"],
                    votes=annotator_votes(turn["annotators"], label_map),
                    dialogue=dialog,
                    start=turn["start"],
                ),
            )
        )
    return timed


# IEMOCAP's rating scale. A handful of turns average to 5.5 or 0.5 (annotators' typos); the ATSIP
# code clips them to the scale, the two-stage code drops the 7 turns: the reader clips.
RATING_SCALE = (1.0, 5.0)


def _parse_vad(text: str):
    """The ``[V, A, D]`` of an evaluation line, clipped to :data:`RATING_SCALE` (None when unreadable)."""
    try:
        values = tuple(float(part) for part in text.split(","))
    except ValueError:
        return None
    if len(values) != 3:
        return None
    low, high = RATING_SCALE
    return tuple(min(max(value, low), high) for value in values)


def _is_silence(token: str) -> bool:
    return (token.startswith("<") and token.endswith(">")) or (token.startswith("++") and token.endswith("++"))


def paper_counts(labels="paper"):
    """The paper's counts per class (Table 1 of the dataset section), for its label set only."""
    return PAPER_CLASS_COUNTS if labels == "paper" else None


def _read(root, labels):
    return read_iemocap(root, labels=labels)


register_corpus(CorpusReader("iemocap", _read, ("paper", "all"), "the IEMOCAP_full_release folder", paper_counts))
