"""Import TensorFlow without its start-up notices, keeping every other line it writes.

TensorFlow writes these through absl before its own log level applies, so
``TF_CPP_MIN_LOG_LEVEL`` cannot silence them; each says nothing a user can act on, and
several come twice (one per TensorFlow library loaded):

* ``WARNING: All log messages before absl::InitializeLog() is called are written to STDERR``
* ``oneDNN custom operations are on ...`` (numbers may differ by round-off across machines:
  said in the README, and each report records the processor)
* ``Could not find cuda drivers on your machine, GPU will not be used.``
* ``failed call to cuInit ...``, dropped only when the line before said there is no CUDA
  driver: on a machine with a driver, a failing cuInit is a real error and is shown.

Standard error is captured into a file only while TensorFlow is imported and its devices
listed, then written back without those lines. Notices TensorFlow prints later, while a
model runs (oneDNN's ``supports DT_HALF only on platforms with AVX-512``), are left as they are.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile

NOTICES = (
    re.compile(r"^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$"),
    re.compile(r"^I\d{4} [\d:.]+\s+\d+ port\.cc:\d+\] oneDNN custom operations are on\."),
    re.compile(r"^I\d{4} [\d:.]+\s+\d+ cudart_stub\.cc:\d+\] Could not find cuda drivers on your machine"),
)
NO_DRIVER = NOTICES[2]
CUINIT = re.compile(r"^E\d{4} [\d:.]+\s+\d+ cuda_platform\.cc:\d+\] failed call to cuInit: ")


def without_notices(text):
    """``text`` without the start-up notices (a cuInit failure only when no driver was found)."""
    lines = text.splitlines(keepends=True)
    no_driver = any(NO_DRIVER.match(line) for line in lines)
    return "".join(
        line
        for line in lines
        if not any(notice.match(line) for notice in NOTICES) and not (no_driver and CUINIT.match(line))
    )


def import_tensorflow():
    """``import tensorflow`` and list its devices, with the start-up notices filtered from standard error."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            import tensorflow as tf

            tf.config.list_physical_devices()
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            kept = without_notices(capture.read().decode("utf-8", errors="replace"))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()
    return tf
