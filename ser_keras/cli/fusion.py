"""``python -m ser_keras.fusion RUN_DIR RUN_DIR --out DIR``: late fusion of finished runs."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from . import name_value_pairs


def build_parser():
    from ..fusion import FUSIONS

    methods = FUSIONS.available()
    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.fusion",
        description="Late fusion of finished runs, fold by fold, with a registered fusion method; writes the same "
        "reports as classification.py. Methods: "
        + "; ".join(f"{name}: {method.summary}" for name, method in methods.items())
        + ".",
        epilog="example:\n"
        "  python classification.py --system atmaja-acoustic --out runs/atmaja-acoustic\n"
        "  python classification.py --system atmaja-text --out runs/atmaja-text\n"
        "  python -m ser_keras.fusion runs/atmaja-acoustic runs/atmaja-text --out runs/two-stage\n"
        "  python -m ser_keras.fusion runs/acoustic-paper runs/embedding-paper --method mean --out runs/late-mean",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dirs", nargs="+", type=Path, help="finished runs of classification.py (at least two)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the fused run's reports")
    parser.add_argument(
        "--method", choices=tuple(methods), default="svr", help="the fusion method (default: svr, Atmaja's two-stage)"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the method (repeatable), for example --set C=100 for svr",
    )
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if len(args.run_dirs) < 2:
        parser.error("give at least two runs to fuse")
    changes = name_value_pairs(parser, "--set", args.set)

    from ..evaluation.compare import RunError, read_report
    from ..evaluation.reports import results_table, write_reports
    from ..features.bundle import BundleError, read_bundle
    from ..fusion import FusionError, fuse

    try:
        bundle = read_bundle(read_report(args.run_dirs[0])["features"])
        run = fuse(bundle, args.run_dirs, args.method, changes)
    except (FusionError, RunError, BundleError, KeyError) as error:
        parser.exit(2, f"error: {error}\n")
    args.out.mkdir(parents=True, exist_ok=True)
    command = shlex.join(["python", "-m", "ser_keras.fusion", *(argv if argv is not None else sys.argv[1:])])
    report = write_reports(run, bundle, args.out, command)
    print(results_table(report))
    print(
        f"\nwrote {args.out}/: report.md, report.json, predictions.csv, "
        + ", ".join(f"{f}.png" for f in report["figures"])
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
