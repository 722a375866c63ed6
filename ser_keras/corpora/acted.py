"""What the readers of the free acted corpora share: walk the release, parse each file name, count.

Each acted corpus (RAVDESS, CREMA-D, TESS, SAVEE) encodes the speaker and the emotion in its
file names. A reader here gives :func:`read_acted` the audio files of the release, a function
that reads one file name, and the corpus's label names; it returns a :class:`Corpus` whose
``excluded`` counts the files left out by the label set and whose ``notes`` count file names
outside the scheme.

These corpora have no recording sessions. ``Utterance.session`` holds a *fold group* instead:
a fixed grouping of whole speakers, documented per corpus, so that the leave-one-session-out
protocol (``--protocol loso``) is speaker-independent on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import soundfile

from .utterance import Corpus, CorpusError, Utterance

LFS_POINTER = b"version https://git-lfs"
FOUR_CLASSES = ("angry", "happy", "neutral", "sad")  # the subset most acted-corpus comparisons use
# A corpus without a class of the four may lend its nearest one: TurEV-DB has no neutral, and its
# calm stands in. A corpus that has both (RAVDESS) keeps its own neutral and leaves calm out.
STAND_INS = {"neutral": "calm"}
LABEL_SETS = ("all", "four")


@dataclass(frozen=True)
class FileName:
    """What one file name of an acted corpus says.

    Attributes
    ----------
    id : str
        Unique within the corpus (the file name without extension, or with the speaker
        prefixed when the release's names repeat across speakers).
    speaker : str
    code : str
        The corpus's emotion code, e.g. ``"05"`` (RAVDESS), ``"ANG"`` (CREMA-D).
    transcript : str
        The sentence read, or ``""`` when the release does not say.
    session : int
        The speaker's fold group.
    """

    id: str
    speaker: str
    code: str
    transcript: str
    session: int


def read_acted(root, name, files, parse, label_names, labels="all", expected_layout=""):
    """Read an acted corpus from its audio files.

    Parameters
    ----------
    root : pathlib.Path
        The release folder (for the error messages and ``Corpus.root``).
    name : str
        The corpus, e.g. ``"RAVDESS"``.
    files : iterable of pathlib.Path
        Every candidate audio file of the release.
    parse : callable
        ``parse(path) -> FileName``, or ``None`` for a name outside the scheme, or a
        ``str`` saying why the file is left out (e.g. ``"song, not speech"``).
    label_names : dict
        Emotion code -> class name.
    labels : {"all", "four"}
        ``"all"``: every class of the corpus; ``"four"``: angry, happy, neutral and sad
        only (the others counted in ``Corpus.excluded``; a class the corpus lacks is read from
        its stand-in in ``STAND_INS``, as TurEV-DB's calm for neutral).
    expected_layout : str
        What the release looks like, for the error when nothing matches.

    Returns
    -------
    Corpus
        Utterances sorted by fold group, speaker and id.

    Raises
    ------
    CorpusError
        When ``root`` is not a folder, no file matches the scheme, or the audio files are
        Git LFS pointers rather than audio.
    """
    if labels not in LABEL_SETS:
        raise CorpusError(f"{name}: labels must be one of {LABEL_SETS}, got {labels!r}")
    if labels == "four":
        label_names = four_class_names(label_names)
    kept = set(label_names.values()) if labels == "all" else set(FOUR_CLASSES)
    corpus = Corpus(root=Path(root), utterances=[])
    seen = set()
    for path in sorted(files):
        parsed = parse(path)
        if parsed is None:
            corpus.notes["file names outside the scheme"] += 1
            continue
        if isinstance(parsed, str):
            corpus.excluded[parsed] += 1
            continue
        if parsed.id in seen:
            corpus.notes["duplicate file names (first kept)"] += 1
            continue
        seen.add(parsed.id)
        label = label_names[parsed.code]
        if label not in kept:
            corpus.excluded[label] += 1
            continue
        _check_not_lfs_pointer(path, name)
        try:
            duration = soundfile.info(str(path)).duration
        except (RuntimeError, soundfile.LibsndfileError):
            corpus.skipped.append((parsed.id, "unreadable audio"))
            continue
        corpus.utterances.append(
            Utterance(
                id=parsed.id,
                wav_path=path,
                transcript=parsed.transcript,
                label=label,
                session=parsed.session,
                speaker=parsed.speaker,
                duration=duration,
                source_label=parsed.code,
            )
        )
    if not corpus.utterances and not corpus.excluded:
        raise CorpusError(f"{root} does not look like {name}: expected {expected_layout}")
    corpus.utterances.sort(key=lambda u: (u.session, u.speaker, u.id))
    return corpus


def _borrowed(present):
    """``{stand-in: class}`` for each of the four classes a corpus lacks and can read from a stand-in."""
    return {stand_in: name for name, stand_in in STAND_INS.items() if name not in present and stand_in in present}


def four_class_names(label_names):
    """A corpus's code -> class map for the four shared classes, stand-ins renamed.

    Parameters
    ----------
    label_names : dict
        Emotion code -> class name, every class of the corpus.

    Returns
    -------
    dict
        The same map, where a class the corpus lacks takes its stand-in's codes (TurEV-DB's
        calm read as neutral); every other class keeps its name.
    """
    renamed = _borrowed(set(label_names.values()))
    return {code: renamed.get(name, name) for code, name in label_names.items()}


def published_counts(counts, labels):
    """A corpus's published counts per class, for the label set read (stand-ins renamed, as read)."""
    if labels == "four":
        renamed = _borrowed(set(counts))
        counts = {renamed.get(name, name): n for name, n in counts.items()}
        return {name: n for name, n in counts.items() if name in FOUR_CLASSES}
    return dict(counts)


def wav_files(folder):
    """Every ``.wav`` below ``folder`` (any case), skipping macOS ``._`` forks."""
    return [
        path for path in Path(folder).rglob("*") if path.suffix.lower() == ".wav" and not path.name.startswith("._")
    ]


def require_folder(root, name):
    """``root`` as a path, or a one-line error when it is not a folder."""
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"{name} root not found or not a folder: {root}")
    return root


def speaker_folds(speakers):
    """Fold groups 1..K for a fixed list of speakers, one group each (leave one speaker out)."""
    return {speaker: index + 1 for index, speaker in enumerate(speakers)}


def _check_not_lfs_pointer(path, name):
    with open(path, "rb") as handle:
        head = handle.read(len(LFS_POINTER))
    if head == LFS_POINTER:
        raise CorpusError(
            f"{path} is a Git LFS pointer, not audio: this copy of {name} lacks its audio "
            "(run `git lfs pull` in it, or use a copy that holds the files)"
        )
