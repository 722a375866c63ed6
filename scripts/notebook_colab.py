"""Give every notebook a Colab path: a cell that installs the project, and a badge that opens it there.

    python scripts/notebook_colab.py notebooks/*.ipynb                       # setup cell: a source archive
    python scripts/notebook_colab.py --repository https://github.com/OWNER/REPO notebooks/*.ipynb
    python scripts/notebook_colab.py --remove notebooks/*.ipynb

The setup cell (before the notebook's first code cell) does nothing inside a clone where the
project is installed. Elsewhere (Colab) it gets the project from ``SOURCE``, installs it with
the extras the notebook names in its ``Needs`` line, and works from the project's root, as the
notebooks expect. ``SOURCE`` is a git address, or a source archive uploaded beside the notebook
(by default ``ser_keras.zip``, made in a clone with ``git archive -o ser_keras.zip HEAD``): a
course without a public repository hands students the archive. With ``--repository`` (a GitHub
address) the cell clones it, and the badge (first line of the first cell) opens the notebook of
its ``main`` branch in Colab. Running the script again replaces both, so the address can change
in one command.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

TAG = "colab-setup"
BADGE = re.compile(r"^\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)\n\n", re.MULTILINE)
EXTRA = re.compile(r'pip install -e "\.\[([a-z0-9,]+)\]"')
ARCHIVE = "ser_keras.zip"
SETUP = """# Outside a clone with the project installed (Colab): get the project, install it, work from its root.
# SOURCE: the project's git address, or a source archive uploaded beside this notebook (a clone
# makes one with: git archive -o {archive} HEAD).
import importlib.util
import os
import shutil
import subprocess
import sys

SOURCE = "{source}"
if importlib.util.find_spec("ser_keras") is None:
    if os.path.isfile(SOURCE):
        shutil.unpack_archive(SOURCE, "ser-keras")
    elif SOURCE.endswith(".zip"):
        raise FileNotFoundError(f"{{SOURCE}} not found: upload it beside this notebook, or set SOURCE to a git address")
    else:
        subprocess.run(["git", "clone", "--depth", "1", SOURCE, "ser-keras"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "ser-keras[{extras}]"], check=True)
    os.chdir("ser-keras")"""


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


def with_colab(book, name, source=ARCHIVE, repository=None):
    """The notebook with the setup cell getting the project from ``source``, and the badge of ``repository``."""
    import nbformat

    book = without_colab(book)
    if repository:
        url = f"https://colab.research.google.com/github/{github_path(repository)}/blob/main/notebooks/{name}"
        badge = f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]({url})\n\n"
        book.cells[0].source = badge + book.cells[0].source
    cell = nbformat.v4.new_code_cell(SETUP.format(source=source, archive=ARCHIVE, extras=extras_of(book)))
    cell.metadata["tags"] = [TAG]
    first_code = next(index for index, cell in enumerate(book.cells) if cell.cell_type == "code")
    book.cells.insert(first_code, cell)
    return book


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--repository", help="the project's public GitHub address: the badge, and the cell clones it")
    parser.add_argument("--source", help=f"where the cell gets the project (default: --repository, else {ARCHIVE})")
    parser.add_argument("--remove", action="store_true", help="take the badge and the setup cell out")
    args = parser.parse_args(argv)
    if args.remove and (args.repository or args.source):
        parser.error("--remove takes no --repository or --source")
    if args.repository:
        github_path(args.repository)
    source = args.source or (args.repository.rstrip("/") if args.repository else ARCHIVE)
    import nbformat

    for path in args.notebooks:
        book = nbformat.read(str(path), as_version=4)
        book = without_colab(book) if args.remove else with_colab(book, path.name, source, args.repository)
        nbformat.write(book, str(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
