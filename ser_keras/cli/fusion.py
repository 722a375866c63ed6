"""``python -m ser_keras.fusion RUN_DIR RUN_DIR --out DIR``: Atmaja's two-stage SVR late fusion of runs."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.fusion",
        description="Late fusion of finished runs. svr (default): Atmaja and Akagi's two-stage fusion, one SVR per "
        "dimension over the valence, arousal and dominance that the runs predicted, fitted on their validation "
        "predictions and scored on the test folds. mean / svm: the runs' class probabilities averaged, or an SVM "
        "fitted on their validation probabilities. Writes the same reports as classification.py.",
        epilog="example:\n"
        "  python classification.py --system atmaja-acoustic --out runs/atmaja-acoustic\n"
        "  python classification.py --system atmaja-text --out runs/atmaja-text\n"
        "  python -m ser_keras.fusion runs/atmaja-acoustic runs/atmaja-text --out runs/two-stage\n"
        "  python -m ser_keras.fusion runs/acoustic-paper runs/embedding-paper --method mean --out runs/late-mean",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dirs", nargs="+", type=Path, help="runs of dimensional systems (at least two)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the fused run's reports")
    parser.add_argument(
        "--method",
        choices=("svr", "mean", "svm"),
        default="svr",
        help="svr: two-stage dimensional fusion (default); mean, svm: fused class probabilities",
    )
    parser.add_argument("--C", type=float, default=200.0, help="SVR C (default: 200, the paper's)")
    parser.add_argument("--gamma", type=float, default=0.1, help="SVR RBF gamma (default: 0.1)")
    parser.add_argument("--epsilon", type=float, default=0.01, help="SVR epsilon (default: 0.01)")
    args = parser.parse_args(argv)
    if len(args.run_dirs) < 2:
        parser.error("give at least two runs to fuse")

    from ..evaluation.compare import RunError, read_report
    from ..evaluation.reports import results_table, write_reports
    from ..features.bundle import BundleError, read_bundle
    from ..fusion import FusionError, FusionSettings, probability_fusion, two_stage_fusion

    try:
        bundle = read_bundle(read_report(args.run_dirs[0])["features"])
        settings = FusionSettings(tuple(str(d) for d in args.run_dirs), args.C, args.gamma, args.epsilon)
        if args.method == "svr":
            run = two_stage_fusion(bundle, args.run_dirs, settings)
        else:
            run = probability_fusion(bundle, args.run_dirs, args.method)
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
