"""Writing files so that an interrupted run never leaves one that looks complete."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from pathlib import Path


@contextlib.contextmanager
def atomic_folder(out):
    """Fill a hidden sibling folder, then rename it to ``out`` in one step.

    Parameters
    ----------
    out : str or pathlib.Path
        The folder to create or replace. A previous folder there stays whole until
        the new one is complete.

    Yields
    ------
    pathlib.Path
        The hidden folder to write into. When the block raises (or is
        interrupted), it is removed and ``out`` is left as it was.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        yield partial
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if out.exists():
        previous = out.parent / f".{out.name}.previous-{os.getpid()}"
        out.rename(previous)
        partial.rename(out)
        shutil.rmtree(previous)
    else:
        partial.rename(out)


def write_json(path, data):
    """Write ``data`` as indented JSON, atomically (a temporary file renamed over ``path``)."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.partial-{os.getpid()}")
    temporary.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(temporary, path)
