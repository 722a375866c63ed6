"""``python -m ser_keras.evaluation RUN_DIR ...``: runs of any systems and tasks in one table."""

from __future__ import annotations

import argparse
import sys

from ..evaluation.compare import RunError, comparison_table


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.evaluation",
        description="Compare runs of classification.py (any systems and tasks) in one Markdown table; rows "
        "not run on the same bundle, protocol and seeds as the first are flagged.",
    )
    parser.add_argument("run_dirs", nargs="+", help="run folders (each with report.json)")
    args = parser.parse_args(argv)
    try:
        print(comparison_table(args.run_dirs))
    except RunError as error:
        parser.exit(2, f"error: {error}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
