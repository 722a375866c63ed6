"""Read any corpus described by a CSV manifest into :class:`Utterance` records.

The CSV has a header and the columns ``path, transcript, label, speaker``, and
optionally ``session`` (an integer), ``id`` (default: the file name without
extension) and ``valence``, ``arousal``, ``dominance`` (numbers; empty when unrated).
Relative paths resolve against the CSV's folder, so a corpus and its manifest can
move together::

    path,transcript,label,speaker,session
    wav/happy_01.wav,what a lovely day,excited,spk1,1
"""

from __future__ import annotations

import csv
from pathlib import Path

import soundfile

from .loading import CorpusReader, register_corpus
from .utterance import Corpus, CorpusError, Utterance

DIMENSION_COLUMNS = ("valence", "arousal", "dominance")

REQUIRED_COLUMNS = ("path", "transcript", "label", "speaker")
OPTIONAL_COLUMNS = ("session", "id")


def read_manifest(csv_path) -> list[Utterance]:
    """Read a manifest CSV.

    Parameters
    ----------
    csv_path : str or pathlib.Path

    Returns
    -------
    list of Utterance
        In file order. ``duration`` comes from the audio header, or is ``None``
        when soundfile cannot read it (feature extraction then records the skip).

    Raises
    ------
    CorpusError
        When the file is missing, a required column is missing, or a row has an
        empty field, a non-integer session, a duplicate id or a missing audio
        file. The message names the CSV line.
    """
    csv_path = Path(csv_path)
    if not csv_path.is_file():
        raise CorpusError(f"manifest not found: {csv_path}")
    with csv_path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = [name.strip() for name in (reader.fieldnames or [])]
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            raise CorpusError(
                f"{csv_path}: missing column(s) {', '.join(missing)} (found: {', '.join(columns) or 'no header'})"
            )
        rows = [{key.strip(): (value or "").strip() for key, value in row.items() if key} for row in reader]

    utterances = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        line = index + 2  # the header is line 1
        where = f"{csv_path} line {line}"
        for name in REQUIRED_COLUMNS:
            if name != "transcript" and not row.get(name):
                raise CorpusError(f"{where}: empty {name!r}")
        wav_path = Path(row["path"])
        if not wav_path.is_absolute():
            wav_path = csv_path.parent / wav_path
        if not wav_path.is_file():
            raise CorpusError(f"{where}: audio file not found: {wav_path}")
        session = None
        if row.get("session"):
            try:
                session = int(row["session"])
            except ValueError:
                raise CorpusError(f"{where}: session must be an integer, got {row['session']!r}") from None
        dimensions = {}
        for name in DIMENSION_COLUMNS:
            try:
                dimensions[name] = float(row[name]) if row.get(name) else None
            except ValueError:
                raise CorpusError(f"{where}: {name} must be a number, got {row[name]!r}") from None
        utterance_id = row.get("id") or wav_path.stem
        if utterance_id in seen:
            raise CorpusError(f"{where}: id {utterance_id!r} already used on line {seen[utterance_id]}")
        seen[utterance_id] = line
        utterances.append(
            Utterance(
                id=utterance_id,
                wav_path=wav_path,
                transcript=row["transcript"],
                label=row["label"],
                session=session,
                speaker=row["speaker"],
                duration=_duration(wav_path),
                **dimensions,
            )
        )
    if not utterances:
        raise CorpusError(f"{csv_path}: no rows")
    return utterances


def _duration(path: Path):
    try:
        return soundfile.info(str(path)).duration
    except (RuntimeError, soundfile.LibsndfileError):
        return None


def _read(root, labels):
    return Corpus(Path(root), read_manifest(root))


register_corpus(CorpusReader("manifest", _read, ("all",), "the CSV file", records_labels=False))
