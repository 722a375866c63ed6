"""Command-line entry points; each is a thin layer over the package."""

import os

# TensorFlow's C++ start-up notices (CPU instructions, oneDNN) say nothing a user can act on.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def name_value_pairs(parser, option, values):
    """``{NAME: VALUE}`` from repeated ``NAME=VALUE`` texts; a one-line usage error for any other text."""
    pairs = {}
    for value in values:
        key, _, text = value.partition("=")
        if not key or not text:
            parser.error(f"{option}: expected NAME=VALUE, got {value!r}")
        pairs[key] = text
    return pairs


def require_at_least_one(parser, args, names):
    """Exit with a one-line usage error when any of the numeric options ``names`` is below 1 (unset ones pass)."""
    for name in names:
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
