"""Speech2Vec in Keras (Chung and Glass, Interspeech 2018): word embeddings learned from speech.

An RNN encoder reads the MFCC frames of one spoken word and its final state,
projected to D, is the word's embedding; an RNN decoder, given that embedding,
generates the MFCC frames of each neighbouring word (skip-gram), trained with
mean squared error on real frames only.

The steps, one module each:

* :mod:`.segments`: aligned words, skip-gram pairs, 13 MFCC per 10 ms frame;
* :mod:`.model`: the encoder-decoder, training, word vectors, saving and loading;
* :mod:`.embed`: acoustic mode, every word of an utterance embedded from its own audio;
* :mod:`.evaluate`: same-word against different-word similarity on held-out speakers.

``python -m ser_keras.speech2vec train|evaluate`` runs them from the command line.
"""

from .embed import utterance_embeddings
from .model import (
    build_speech2vec,
    embed_segments,
    length_batches,
    load_speech2vec,
    mean_by_word,
    save_speech2vec,
    teacher_forcing_inputs,
    train_speech2vec,
    word_vectors,
    write_vectors,
)
from .segments import (
    CONTEXT_WINDOW,
    N_MFCC,
    Segment,
    pad_segments,
    require_alignments,
    segment_features,
    segment_frames,
    skipgram_pairs,
    standardise,
    utterance_mfcc,
    word_segments,
)

__all__ = [
    "CONTEXT_WINDOW",
    "N_MFCC",
    "Segment",
    "build_speech2vec",
    "embed_segments",
    "length_batches",
    "load_speech2vec",
    "mean_by_word",
    "pad_segments",
    "require_alignments",
    "save_speech2vec",
    "segment_features",
    "segment_frames",
    "skipgram_pairs",
    "standardise",
    "teacher_forcing_inputs",
    "train_speech2vec",
    "utterance_embeddings",
    "utterance_mfcc",
    "word_segments",
    "word_vectors",
    "write_vectors",
]
