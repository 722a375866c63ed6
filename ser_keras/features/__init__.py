"""Feature extraction: audio in, the paper's acoustic features and word sequences out."""
