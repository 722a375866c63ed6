"""How far the same seed's result moves when TensorFlow's CPU kernels take another code path.

    python benchmarks/numerics.py [--system multimodal] [--seeds 3] [--features data/features/demo]

A seed gives the same bytes again on one machine, not on another: oneDNN (TensorFlow's
CPU kernels for matrix products and more) picks its code by the processor's instruction
sets, so round-off differs in the last bits and twenty epochs take the weights apart.
This script emulates other processors on this one: it trains the same system with the
same seeds in fresh processes with oneDNN capped to older instruction sets
(``ONEDNN_MAX_CPU_ISA``: AVX-512 without bfloat16, AVX2, SSE4.1) and with oneDNN off
(``TF_ENABLE_ONEDNN_OPTS=0``, TensorFlow's Eigen kernels), and prints UA per seed and
setting beside the spread over seeds. Runs are kept in ``--out`` and reused, so an
interrupted call continues.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

REPOSITORY = Path(__file__).resolve().parents[1]

# Name, environment: each a code path some processor of today takes.
SETTINGS = {
    "this processor": {},
    "AVX-512, no bfloat16": {"ONEDNN_MAX_CPU_ISA": "AVX512_CORE"},
    "AVX2": {"ONEDNN_MAX_CPU_ISA": "AVX2"},
    "SSE4.1": {"ONEDNN_MAX_CPU_ISA": "SSE41"},
    "oneDNN off (Eigen)": {"TF_ENABLE_ONEDNN_OPTS": "0"},
}


def train(system, features, seed, environment, out):
    """UA of one run of ``classification.py`` (reused when ``out`` holds it)."""
    report = out / "report.json"
    if not report.is_file():
        command = [
            sys.executable,
            str(REPOSITORY / "classification.py"),
            "--system",
            system,
            "--features",
            str(features),
            "--seed",
            str(seed),
            "--seeds",
            "1",
            "--verbose",
            "0",
            "--out",
            str(out),
        ]
        subprocess.run(command, check=True, capture_output=True, env={**os.environ, **environment})
    return json.loads(report.read_text())["summary"]["ua"]["mean"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--system", default="multimodal")
    parser.add_argument("--features", type=Path, default=REPOSITORY / "data" / "features" / "demo")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPOSITORY / "runs" / "numerics")
    args = parser.parse_args(argv)
    if not (args.features / "manifest.json").is_file():
        parser.exit(2, f"error: no feature bundle at {args.features}; run python feature_extraction.py first\n")
    seeds = list(range(args.seeds))
    ua = {}
    for name, environment in SETTINGS.items():
        folder = name.lower().replace(" ", "-").replace(",", "").replace("(", "").replace(")", "").replace(".", "")
        ua[name] = [
            train(args.system, args.features, seed, environment, args.out / folder / f"seed{seed}") for seed in seeds
        ]
        print(f"{name}: " + ", ".join(f"{100 * value:.1f}" for value in ua[name]), file=sys.stderr, flush=True)
    table = np.array([ua[name] for name in SETTINGS]) * 100
    print(f"{args.system} on {args.features.name}, UA (%) per seed; rows: oneDNN's code path\n")
    print("| code path | " + " | ".join(f"seed {seed}" for seed in seeds) + " | mean |")
    print("|---|" + "---:|" * (len(seeds) + 1))
    for name, row in zip(SETTINGS, table):
        print(f"| {name} | " + " | ".join(f"{value:.1f}" for value in row) + f" | {row.mean():.1f} |")
    across_paths = table.max(axis=0) - table.min(axis=0)
    print("| largest difference | " + " | ".join(f"{value:.1f}" for value in across_paths) + " | |")
    print(
        f"\nsame seed, other code path: up to {across_paths.max():.1f} points (median over seeds "
        f"{np.median(across_paths):.1f}); spread over seeds on one path: up to "
        f"{(table.max(axis=1) - table.min(axis=1)).max():.1f} points; mean over seeds moves by up to "
        f"{np.ptp(table.mean(axis=1)):.1f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
