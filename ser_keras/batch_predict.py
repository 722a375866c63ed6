"""Predict many audio files with one loaded run: one row per file, a bad file a row with its reason."""

from __future__ import annotations

import csv
from pathlib import Path

AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3", ".m4a", ".aif", ".aiff", ".opus")


def audio_files(paths):
    """The files to predict: files as given, folders expanded to the audio files below them (sorted).

    Parameters
    ----------
    paths : iterable of str or pathlib.Path

    Returns
    -------
    list of pathlib.Path
        A path that does not exist is kept, so that its row says so.
    """
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())
        else:
            found.append(path)
    return found


def read_transcripts(csv_path):
    """``{file: transcript}`` from a CSV with columns ``file`` (or ``path``) and ``transcript``.

    Each file is also a key as its resolved path, computed once here rather than for every file
    predicted.

    Raises
    ------
    ValueError
        When a column is missing.
    """
    with open(csv_path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = reader.fieldnames or []
        key = "file" if "file" in columns else "path" if "path" in columns else None
        if key is None or "transcript" not in columns:
            raise ValueError(f"{csv_path}: needs the columns file (or path) and transcript, found {', '.join(columns)}")
        transcripts = {row[key]: row["transcript"] for row in reader}
    for name, text in list(transcripts.items()):
        transcripts.setdefault(str(Path(name).resolve()), text)
    return transcripts


def transcript_of(path, transcripts):
    """A file's transcript: matched by the path as given, then resolved, then by file name."""
    if not transcripts:
        return None
    for key in (str(path), str(Path(path).resolve()), Path(path).name):
        if key in transcripts:
            return transcripts[key]
    return None


def predict_files(predictor, files, transcripts=None, progress=True, transcriber=None):
    """Predict each file, never stopping at a bad one.

    Parameters
    ----------
    predictor : ser_keras.predict.Predictor
    files : list of pathlib.Path
    transcripts : dict, optional
        From :func:`read_transcripts`.
    progress : bool
        A progress bar on standard error (shown on a terminal only).
    transcriber : ser_keras.transcribe.Transcriber, optional
        Recognise each file's words (for a run that reads words), written in a ``transcript`` column.

    Yields
    ------
    dict
        ``file``, ``status`` (``ok`` or ``error``), ``error`` (the reason, or empty),
        ``emotion`` (the most probable class, for runs that predict classes) and one
        column per class probability or rating.
    """
    from tqdm.auto import tqdm

    from .features.audio import AudioError
    from .predict import PredictionError

    for path in tqdm(files, desc="predicting", unit="file", disable=None if progress else True):
        row = {"file": str(path), "status": "ok", "error": ""}
        try:
            transcript, words = transcript_of(path, transcripts), ()
            if transcriber is not None:
                heard = transcriber.transcribe(path)
                transcript, words, row["transcript"] = heard.text, heard.words, heard.text
            predicted = predictor.predict(path, transcript, words)
        except AudioError as error:
            yield {**row, "status": "error", "error": error.reason}
            continue
        except PredictionError as error:
            yield {**row, "status": "error", "error": str(error)}
            continue
        except Exception as error:  # any other failure of one file must not stop the batch
            yield {**row, "status": "error", "error": f"{type(error).__name__}: {error}"}
            continue
        probabilities = {name: value for name, value in predicted.items() if name in predictor.classes}
        if probabilities:
            row["emotion"] = max(probabilities, key=probabilities.get)
        yield {**row, **predicted}


def columns_of(predictor, transcribed=False):
    """The CSV's columns for a run: file, status, error (the transcript recognised), then what its tasks predict."""
    columns = ["file", "status", "error"] + (["transcript"] if transcribed else [])
    for task in predictor.tasks:
        columns += task.named_columns(predictor.classes)
    return list(dict.fromkeys(columns))


def write_predictions(rows, columns, handle):
    """Write rows as CSV as they come (so that an interrupted batch keeps what it predicted); returns the count."""
    writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow({key: (f"{value:.6f}" if isinstance(value, float) else value) for key, value in row.items()})
        handle.flush()
        count += 1
    return count
