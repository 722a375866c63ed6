"""Control: does the acoustic model hear the demo's words, or only its prosody?

    python benchmarks/demo_word_control.py --seeds 3

On the demo corpus the paper's acoustic model (34 features per 100 ms frame, Bi-LSTM) beats
both embedding models, the reverse of the paper's Table 1 on IEMOCAP. The demo's sentences
differ by class (a valence phrase, and in 30% of them a phrase typical of the class), and the
words are audible in the frames. This builds a control corpus with the same speakers, voices,
prosody and seed, whose words say nothing of the class (no class phrase, the valence phrase
flipped in half the sentences of every class), extracts it, and trains the acoustic and the
embedding-only models on it under the paper split. If the acoustic model keeps its UA while
the embedding model falls to chance, it was hearing the prosody; if it falls, the words.

Both corpora's models are trained here, side by side (the default demo's bundle is the quick
start's, ``data/features/demo``). Writes ``OUT/results.md`` beside the run folders (default
``runs/demo-word-control``); finished runs are reused.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
MODELS = ("acoustic", "embedding")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=3, help="seeds of each model (default 3)")
    parser.add_argument("--out", type=Path, default=REPOSITORY / "runs" / "demo-word-control")
    parser.add_argument("--corpus", type=Path, default=REPOSITORY / "data" / "demo_corpus_word_control")
    parser.add_argument("--default-bundle", type=Path, default=REPOSITORY / "data" / "features" / "demo",
                        help="the default demo's bundle (default: the quick start's)")  # fmt: skip
    return parser.parse_args(argv)


def control_settings():
    """The default demo's settings with words independent of the class."""
    from ser_keras.corpora.demo import DemoSettings

    # Every class's valence phrase is positive or negative with equal odds; no class phrase.
    return DemoSettings(cue_share=0.0, neutral_text_share=0.0, misleading_text_share=0.5)


def control_bundle(args):
    """The control corpus, built and extracted once."""
    from ser_keras.cli.feature_extraction import main as extract
    from ser_keras.corpora.demo import build_demo_corpus

    build_demo_corpus(args.corpus, control_settings(), progress=False)
    bundle = REPOSITORY / "data" / "features" / args.corpus.name
    if not (bundle / "manifest.json").is_file():
        extract(["--corpus", "demo", "--root", str(args.corpus), "--out", str(bundle), "--quiet"])
    return bundle


def trained(bundle, out, seeds):
    """UA of the acoustic and embedding-only models on a bundle, each trained once into ``out/MODEL``."""
    from ser_keras.cli.classification import main as classify

    for model in MODELS:
        if not (out / model / "report.json").is_file():
            classify(["--features", str(bundle), "--system", model, "--seeds", str(seeds), "--out", str(out / model)])
    return {model: _ua(out / model) for model in MODELS}


def _ua(folder):
    if not (folder / "report.json").is_file():
        return None
    summary = json.loads((folder / "report.json").read_text())["summary"]["ua"]
    return summary["mean"], summary["std"], len(summary["values"])


def table(control, reference):
    lines = [
        "Paper split (sessions 1-4 train, 5 tests), UA mean +- std over seeds; chance 25%.",
        "",
        "| corpus | words | acoustic UA | embedding-only UA |",
        "|---|---|---:|---:|",
    ]
    for name, words, figures in (
        ("demo (default)", "differ by class", reference),
        ("demo, word control", "say nothing of the class", control),
    ):
        cells = [f"{100 * f[0]:.1f}% +- {100 * f[1]:.1f} ({f[2]} seeds)" if f else "-" for f in figures.values()]
        lines.append(f"| {name} | {words} | {' | '.join(cells)} |")
    return "\n".join(lines) + "\n"


def main(argv=None):
    args = parse_arguments(argv)
    if not (args.default_bundle / "manifest.json").is_file():
        sys.exit(f"no bundle at {args.default_bundle}: run the quick start's feature_extraction.py first")
    reference = trained(args.default_bundle, args.out / "default", args.seeds)
    control = trained(control_bundle(args), args.out / "control", args.seeds)
    text = table(control, reference)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
