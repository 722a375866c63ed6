"""Command-line entry points; each is a thin layer over the package."""

import os

# TensorFlow's C++ start-up notices (CPU instructions, oneDNN) say nothing a user can act on.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
