"""Every tutorial notebook runs top to bottom (quick mode: fewer epochs and utterances).

The notebooks are split over two files, this one and ``test_notebooks_more.py``, so that the
two pytest workers (which take a file each) run them side by side: together they are the
longest part of the tests.
"""

import pytest
from conftest import REPOSITORY, run_notebook

NOTEBOOKS = sorted((REPOSITORY / "notebooks").glob("*.ipynb"))
HERE = [path for path in NOTEBOOKS if path.stem[:2] in ("01", "03", "04", "05", "10")]


def test_there_are_ten_lessons():
    assert [path.stem[:2] for path in NOTEBOOKS] == [f"{n:02d}" for n in range(1, 11)]


@pytest.mark.parametrize("path", HERE, ids=[path.stem for path in HERE])
def test_notebook_runs_without_error(path, monkeypatch):
    run_notebook(path, monkeypatch)
