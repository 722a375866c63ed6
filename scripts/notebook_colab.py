"""Give every notebook a Colab path: a badge that opens it there, and a cell that installs the project.

    python scripts/notebook_colab.py --repository https://github.com/OWNER/REPO notebooks/*.ipynb
    python scripts/notebook_colab.py --remove notebooks/*.ipynb

The badge (first line of the first cell) opens the notebook of the repository's ``main`` branch
in Colab. The setup cell (before the notebook's first code cell) does nothing inside a clone
where the project is installed; elsewhere (Colab) it clones the repository, installs it with the
extras the notebook names in its ``Needs`` line, and works from the clone's root, as the notebooks
expect. Running the script again replaces both, so the address can change in one command.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TAG = "colab-setup"
BADGE = re.compile(r"^\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)\n\n", re.MULTILINE)
EXTRA = re.compile(r'pip install -e "\.\[([a-z0-9,]+)\]"')
SETUP = """# Outside a clone with the project installed (Colab): clone it, install it, work from its root.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("ser_keras") is None:
    subprocess.run(["git", "clone", "--depth", "1", "{repository}", "ser_keras"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "ser_keras[{extras}]"], check=True)
    os.chdir("ser_keras")"""


def github_path(repository):
    """``OWNER/REPO`` of a GitHub address, or a one-line error."""
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+?)(\.git)?/?", repository)
    if not match:
        raise SystemExit(f"error: --repository must be https://github.com/OWNER/REPO, got {repository!r}")
    return match.group(1)


def extras_of(book):
    """The extras a notebook's header asks for, plus the tests' (which bring Jupyter's kernel)."""
    names = {"test"}
    for found in EXTRA.findall(book.cells[0].source):
        names.update(found.split(","))
    return ",".join(sorted(names))


def without_colab(book):
    """The notebook without the badge and the setup cell."""
    book.cells = [cell for cell in book.cells if TAG not in cell.get("metadata", {}).get("tags", [])]
    book.cells[0].source = BADGE.sub("", book.cells[0].source)
    return book


def with_colab(book, repository, name):
    """The notebook with the badge and the setup cell for ``repository``."""
    import nbformat

    book = without_colab(book)
    url = f"https://colab.research.google.com/github/{github_path(repository)}/blob/main/notebooks/{name}"
    badge = f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})\n\n"
    book.cells[0].source = badge + book.cells[0].source
    cell = nbformat.v4.new_code_cell(SETUP.format(repository=repository.rstrip("/"), extras=extras_of(book)))
    cell.metadata["tags"] = [TAG]
    first_code = next(index for index, cell in enumerate(book.cells) if cell.cell_type == "code")
    book.cells.insert(first_code, cell)
    return book


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--repository", help="the project's public GitHub address")
    action.add_argument("--remove", action="store_true", help="take the badge and the setup cell out")
    args = parser.parse_args(argv)
    import nbformat

    if args.repository:
        github_path(args.repository)
    for path in args.notebooks:
        book = nbformat.read(str(path), as_version=4)
        book = without_colab(book) if args.remove else with_colab(book, args.repository, path.name)
        nbformat.write(book, str(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
