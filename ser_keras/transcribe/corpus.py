"""A corpus with recognised words in place of its gold transcripts, and how far they are from the gold ones.

``feature_extraction.py --transcripts asr`` reads a corpus, replaces every utterance's
transcript and word times with a recogniser's, and records the word error rate against the
gold transcripts where the corpus has them. Each recognised utterance is appended to a cache
file beside the bundle as it is done, so an interrupted extraction recognises only the rest.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from ..corpora.utterance import WordSegment
from .wer import word_error_rate


def cache_path(out):
    """Where the recognised words of the bundle ``out`` are kept: ``OUT.asr.jsonl`` beside it."""
    out = Path(out)
    return out.with_name(out.name + ".asr.jsonl")


def _read_cache(path, recogniser):
    """Recognised utterances of an earlier call with the same recogniser, by id."""
    if not Path(path).is_file():
        return {}
    done = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:  # a line cut short by an interruption
            continue
        if record.get("recogniser") == recogniser:
            done[record["id"]] = record
    return done


def recognised_corpus(utterances, transcriber, out, progress=True):
    """The utterances with recognised transcripts and word times, and what the recognition measured.

    Parameters
    ----------
    utterances : list of Utterance
    transcriber : ser_keras.transcribe.Transcriber
    out : path
        The bundle folder; the cache is :func:`cache_path` of it.
    progress : bool

    Returns
    -------
    utterances : list of Utterance
        Transcript and ``words`` from the recogniser; everything else as read.
    record : dict
        ``source`` ("asr"), the recogniser, ``wer`` (:func:`~ser_keras.transcribe.wer.word_error_rate`
        against the gold transcripts; None for a corpus without them) and the seconds spent.
    """
    from tqdm.auto import tqdm

    recogniser = transcriber.describe()
    path = cache_path(out)
    done = _read_cache(path, recogniser)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as cache:
        if path.stat().st_size and not path.read_bytes().endswith(b"\n"):
            cache.write("\n")  # after a line an interruption cut short, which the reading skips
        for utterance in tqdm(utterances, desc="recognising", unit="utt", disable=not progress):
            if utterance.id in done:
                continue
            heard = transcriber.transcribe(utterance.wav_path)
            record = {"id": utterance.id, "recogniser": recogniser, "text": heard.text, "seconds": heard.seconds,
                      "words": [[word.word, word.start, word.end] for word in heard.words]}  # fmt: skip
            cache.write(json.dumps(record) + "\n")
            cache.flush()
            done[utterance.id] = record
    recognised = [
        replace(u, transcript=done[u.id]["text"], words=tuple(WordSegment(*word) for word in done[u.id]["words"]))
        for u in utterances
    ]
    gold = [u.transcript for u in utterances]
    wer = word_error_rate(gold, [u.transcript for u in recognised]) if any(gold) else None
    seconds = round(sum(done[u.id]["seconds"] for u in utterances), 1)
    return recognised, {"source": "asr", "recogniser": recogniser, "wer": wer, "seconds": seconds}
