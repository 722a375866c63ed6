"""Word vectors a run swaps in: a file, or word2vec or Speech2Vec trained for the run, and the arrays they give.

A bundle holds the word vectors it was extracted with. A run may read its words through
other vectors instead (Krishna and Reddy's Tables 1 and 3 compare speech and word
vectors of four sizes on one bundle): a :class:`VectorSource` names them, and
:func:`token_arrays` turns them into the token ids and embedding matrix the run reads
in place of the bundle's. Trained vectors are cached, so a run that goes on after an
interruption, or a second run with the same source, does not train them again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from .features.embeddings import embedding_matrix, find, train_word2vec
from .features.text import MAX_WORDS, build_vocabulary, encode, tokenize

TRAINERS = ("word2vec", "speech2vec")


@dataclass(frozen=True)
class VectorSource:
    """Where a run's word vectors come from.

    Attributes
    ----------
    name : str
        The cache's name for trained vectors.
    dim : int
    file : path or None
        A vector file (word2vec text or binary, or gensim's own) used as it is.
    train : {"word2vec", "speech2vec"} or None
        Train the vectors instead: word2vec skip-gram on the bundle's transcripts, or
        Speech2Vec on the aligned words of the bundle's corpus.
    epochs, seed : int
        Speech2Vec's training.
    holdout_sessions : tuple of int
        Sessions Speech2Vec does not train on (a protocol's test sessions).
    """

    name: str
    dim: int
    file: Path | None = None
    train: str | None = None
    epochs: int = 5
    seed: int = 0
    holdout_sessions: tuple = ()

    def __post_init__(self):
        if (self.file is None) == (self.train is None):
            raise ValueError(f"vectors {self.name}: give either a file or train = one of {', '.join(TRAINERS)}")
        if self.train is not None and self.train not in TRAINERS:
            raise ValueError(f"vectors {self.name}: train must be one of {', '.join(TRAINERS)}, got {self.train!r}")
        if self.dim < 1 or self.epochs < 1:
            raise ValueError(f"vectors {self.name}: dim and epochs must be at least 1")


def token_arrays(transcripts, vectors, max_words=MAX_WORDS):
    """Token ids and the embedding matrix for one set of word vectors.

    Parameters
    ----------
    transcripts : sequence of str, length N
    vectors : gensim KeyedVectors
    max_words : int

    Returns
    -------
    dict
        ``tokens`` int32 (N, max_words) and ``embedding_matrix`` float32 (V, D).
    """
    token_lists = [tokenize(text) for text in transcripts]
    vocabulary = build_vocabulary(token_lists, keep=lambda word: find(vectors, word) is not None)
    tokens, _, _ = encode(token_lists, vocabulary, max_words)
    return {"tokens": tokens, "embedding_matrix": embedding_matrix(vocabulary, vectors)}


def prepare_vectors(source, cache, bundle, progress=True):
    """The vector file of a source: its own file, cached from an earlier call, or trained now.

    Parameters
    ----------
    source : VectorSource
    cache : path
        Trained vectors are kept in ``cache/word2vec-DIM.vec`` and ``cache/speech2vec-DIM/``.
    bundle : Bundle
        Its transcripts train word2vec; its corpus and utterances train Speech2Vec.
    progress : bool

    Returns
    -------
    path : Path
    description : str
    """
    if source.file is not None:
        if not Path(source.file).is_file():
            raise ValueError(f"vectors {source.name}: no such file: {source.file}")
        return Path(source.file), f"vectors of dim {source.dim} from {source.file}"
    cache = Path(cache)
    cache.mkdir(parents=True, exist_ok=True)
    if source.train == "word2vec":
        path = cache / f"word2vec-{source.dim}.vec"
        if not path.is_file():
            transcripts = bundle.meta["transcript"].fillna("").astype(str)
            vectors = train_word2vec([tokenize(text) for text in transcripts], dim=source.dim, seed=source.seed)
            vectors.save_word2vec_format(str(path))
        return path, f"word2vec skip-gram, dim {source.dim}, trained on the transcripts (seed {source.seed})"
    folder = cache / f"speech2vec-{source.dim}"
    if not (folder / "training.json").is_file():
        _train_speech2vec(source, folder, bundle, progress)
    held = ", ".join(map(str, source.holdout_sessions))
    where = f"sessions other than {held}" if held else "every session"
    whose = "the bundle's utterances (part of the corpus)" if _part(folder) else "the corpus"
    trained = f"({source.epochs} epochs, seed {source.seed})"
    return folder / "vectors.vec", f"Speech2Vec, dim {source.dim}, trained on {where} of {whose} {trained}"


def _part(folder):
    return json.loads((Path(folder) / "training.json").read_text()).get("part", False)


def _train_speech2vec(source, folder, bundle, progress):
    """Speech2Vec on the bundle's utterances outside the held-out sessions, saved into ``folder``."""
    from .corpora.loading import load_corpus
    from .speech2vec import save_speech2vec, train_speech2vec

    corpus = bundle.manifest.get("corpus", {})
    if not corpus.get("kind"):
        raise ValueError(f"vectors {source.name}: the bundle records no corpus to train Speech2Vec on")
    utterances, info = load_corpus(corpus["kind"], corpus["root"], progress=progress)
    ids = set(bundle.meta["id"].astype(str))
    outside = [u for u in utterances if u.session not in source.holdout_sessions]
    training = [u for u in outside if u.id in ids]
    if progress:
        print(f"training Speech2Vec, dim {source.dim}, on {len(training)} utterances", flush=True)
    result = train_speech2vec(training, dim=source.dim, epochs=source.epochs, seed=source.seed, progress=progress)
    settings = {"corpus": info["kind"], "root": info["root"], "holdout_sessions": list(source.holdout_sessions)}
    settings.update(dim=source.dim, units=128, epochs=source.epochs, seed=source.seed, utterances=len(training))
    save_speech2vec(folder, result, {**settings, "part": len(training) < len(outside)})
