"""The other half of the tutorial notebooks (see ``test_notebooks.py``): 02, 06, 07, 08 and 09."""

import pytest
from conftest import REPOSITORY, run_notebook

HERE = [
    path
    for path in sorted((REPOSITORY / "notebooks").glob("*.ipynb"))
    if path.stem[:2] in ("02", "06", "07", "08", "09")
]


@pytest.mark.parametrize("path", HERE, ids=[path.stem for path in HERE])
def test_notebook_runs_without_error(path, monkeypatch):
    run_notebook(path, monkeypatch)
