"""Cross-corpus: one corpus of a pooled bundle tests, the others train.

A pooled bundle (``feature_extraction.py --pool``, :mod:`ser_keras.features.pool`) holds
several corpora and a ``corpus`` column. One fold per corpus: its utterances test, every
other corpus's train (parameter ``test``: only that corpus's fold). With two corpora the two
folds are the two directions, train on A and test on B, then the reverse; each fold's UA is
one cell of a cross-corpus table. No test speaker, and no test corpus, is ever in training or
in the validation split taken from it.
"""

from __future__ import annotations

import numpy as np

from . import Fold, Protocol, ProtocolError, register_protocol


def _folds(meta, labels, seed, test):
    if "corpus" not in meta.columns:
        raise ProtocolError(
            "the cross-corpus protocol needs a pooled bundle of several corpora: "
            "feature_extraction.py --pool BUNDLE BUNDLE ... --out OUT"
        )
    corpora = meta["corpus"].astype(str).to_numpy()
    names = list(dict.fromkeys(corpora))
    if len(names) < 2:
        raise ProtocolError(f"the cross-corpus protocol needs two or more corpora; this bundle holds {names}")
    if test and test not in names:
        raise ProtocolError(f"cross-corpus: no corpus {test!r} in this bundle (it holds {', '.join(names)})")
    tested = [test] if test else names
    return [Fold(f"corpus {name}", np.flatnonzero(corpora != name), np.flatnonzero(corpora == name)) for name in tested]


register_protocol(
    Protocol(
        "cross-corpus",
        "one fold per corpus of a pooled bundle: it tests, the others train",
        _folds,
        parameters={"test": ""},
        aliases=("cross",),
    )
)
