"""Word error rate of recognised words against gold transcripts, by jiwer, on the words the models read."""

from __future__ import annotations

from ..features.text import tokenize


def normalised(text):
    """A transcript as the models read it: the project's tokens (lower-case, no punctuation, no marks), spaced."""
    return " ".join(tokenize(text or ""))


def word_error_rate(references, hypotheses):
    """Corpus word error rate and its parts, over the utterances whose gold transcript has words.

    Parameters
    ----------
    references, hypotheses : sequence of str, same length
        Gold and recognised transcripts.

    Returns
    -------
    dict
        ``wer`` (errors / reference words), ``substitutions``, ``deletions``, ``insertions``,
        ``reference_words`` and ``utterances`` (those scored).
    """
    import jiwer

    pairs = [(normalised(gold), normalised(heard)) for gold, heard in zip(references, hypotheses)]
    pairs = [(gold, heard) for gold, heard in pairs if gold]
    if not pairs:
        raise ValueError("no gold transcript with words to score against")
    output = jiwer.process_words([gold for gold, _ in pairs], [heard for _, heard in pairs])
    words = output.substitutions + output.deletions + output.hits
    return {
        "wer": round(float(output.wer), 4),
        "substitutions": output.substitutions,
        "deletions": output.deletions,
        "insertions": output.insertions,
        "reference_words": words,
        "utterances": len(pairs),
    }
