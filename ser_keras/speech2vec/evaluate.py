"""Does Speech2Vec learn? Similarity of spoken words on held-out speakers.

An encoder that has learnt something about words maps two tokens of the same
word, spoken by different people, closer together than tokens of different
words. The same figures for an untrained encoder of the same shape show how much
of that comes from training rather than from the MFCCs themselves.
"""

from __future__ import annotations

import numpy as np


def _unit(vectors):
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def similarity_figures(embeddings, words, speakers, n_pairs=5000, seed=0, chunk=2048):
    """Cosine similarities of segment embeddings across speakers.

    Parameters
    ----------
    embeddings : np.ndarray, shape (n, D)
        One per word segment.
    words, speakers : sequence of str, length n
    n_pairs : int
        Random pairs drawn for each of the two mean similarities.
    seed : int
    chunk : int
        Rows per block of the nearest-neighbour search (bounds memory).

    Returns
    -------
    dict
        ``same_word``: mean cosine of two segments of the same word by different
        speakers; ``different_word``: the same for different words; ``gap``: their
        difference; ``neighbour_same_word``: share of segments whose nearest segment
        by another speaker is the same word; ``chance``: that share for a random
        neighbour (by word frequencies); ``segments`` and ``word_types``.
    """
    words, speakers = np.asarray(words), np.asarray(speakers)
    unit = _unit(np.asarray(embeddings, dtype=np.float64))
    rng = np.random.default_rng(seed)
    n = len(words)

    same, different = [], []
    tries = 0
    while (len(same) < n_pairs or len(different) < n_pairs) and tries < 50 * n_pairs:
        tries += 1
        i, j = rng.integers(n, size=2)
        if speakers[i] == speakers[j]:
            continue
        target = same if words[i] == words[j] else different
        if len(target) < n_pairs:
            target.append(float(unit[i] @ unit[j]))
    if len(same) < n_pairs:  # rare words: draw same-word pairs directly
        by_word = {}
        for index, word in enumerate(words):
            by_word.setdefault(word, []).append(index)
        candidates = [
            (i, j) for members in by_word.values() for i in members for j in members if speakers[i] != speakers[j]
        ]
        for k in rng.permutation(len(candidates))[: n_pairs - len(same)]:
            i, j = candidates[k]
            same.append(float(unit[i] @ unit[j]))

    hits = int((words[nearest_other_speaker(unit, speakers, chunk)] == words).sum())
    _, counts = np.unique(words, return_counts=True)
    shares = counts / n
    return {
        "same_word": float(np.mean(same)) if same else float("nan"),
        "different_word": float(np.mean(different)) if different else float("nan"),
        "gap": float(np.mean(same) - np.mean(different)) if same and different else float("nan"),
        "neighbour_same_word": hits / n,
        "chance": float((shares**2).sum()),
        "segments": int(n),
        "word_types": int(len(counts)),
    }


def nearest_other_speaker(embeddings, speakers, chunk=2048):
    """For each segment, the index of its nearest segment (by cosine) spoken by another speaker.

    Parameters
    ----------
    embeddings : np.ndarray, shape (n, D)
    speakers : sequence of str, length n
    chunk : int
        Rows per block of the search (bounds memory).

    Returns
    -------
    np.ndarray of int, shape (n,)
    """
    speakers = np.asarray(speakers)
    unit = _unit(np.asarray(embeddings, dtype=np.float64))
    nearest = np.empty(len(unit), dtype=int)
    for start in range(0, len(unit), chunk):
        block = unit[start : start + chunk] @ unit.T
        block[speakers[start : start + chunk, None] == speakers[None, :]] = -np.inf
        nearest[start : start + chunk] = block.argmax(axis=1)
    return nearest


def nearest_words(vectors, queries, k=5):
    """The ``k`` nearest other words of each query, by cosine similarity.

    Parameters
    ----------
    vectors : dict of str -> np.ndarray (D,)
    queries : sequence of str
        Words of ``vectors``.
    k : int

    Returns
    -------
    dict of str -> list of (str, float)
    """
    names = list(vectors)
    unit = _unit(np.stack([vectors[w] for w in names]).astype(np.float64))
    out = {}
    for query in queries:
        scores = unit @ unit[names.index(query)]
        order = [i for i in np.argsort(-scores, kind="stable") if names[i] != query][:k]
        out[query] = [(names[i], float(scores[i])) for i in order]
    return out


def query_words(words, count=4, min_length=4):
    """The most frequent words of at least ``min_length`` letters (ties alphabetical)."""
    values, counts = np.unique(np.asarray(words), return_counts=True)
    order = sorted(range(len(values)), key=lambda i: (-counts[i], values[i]))
    return [str(values[i]) for i in order if len(values[i]) >= min_length][:count]


def format_report(figures, neighbours, description):
    """Trained against untrained, as a plain-text table.

    Parameters
    ----------
    figures : dict of str -> dict
        ``{"trained": similarity_figures(...), "untrained": ...}``.
    neighbours : dict of str -> dict
        ``{"trained": nearest_words(...), "untrained": ...}``.
    description : str
        First line: which speakers and segments.
    """
    trained, untrained = figures["trained"], figures["untrained"]
    rows = [
        ("mean cosine, same word, different speakers", "same_word", "{:.3f}"),
        ("mean cosine, different words, different speakers", "different_word", "{:.3f}"),
        ("gap (same - different)", "gap", "{:.3f}"),
        ("nearest other-speaker segment is the same word", "neighbour_same_word", "{:.1%}"),
    ]
    lines = [description, "", f"{'':52}{'trained':>10}{'untrained':>11}"]
    for label, key, fmt in rows:
        lines.append(f"{label:52}{fmt.format(trained[key]):>10}{fmt.format(untrained[key]):>11}")
    lines.append(f"{'(chance for the last row: ' + format(trained['chance'], '.1%') + ')':52}")
    lines += ["", "nearest words (mean vector of each word over the held-out segments):"]
    for query in neighbours["trained"]:
        for name in ("trained", "untrained"):
            listed = ", ".join(f"{w} {s:.2f}" for w, s in neighbours[name][query])
            lines.append(f"  {query:>10} {name:>9}: {listed}")
    return "\n".join(lines)
