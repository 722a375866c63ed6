"""Scores, reports and plots of a trained model on its test rows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def scores(y_true, y_pred, classes):
    """Unweighted and weighted accuracy, per-class metrics and the confusion matrix.

    Parameters
    ----------
    y_true, y_pred : array-like of int, shape (N,)
    classes : list of str

    Returns
    -------
    dict
        ``ua``: unweighted average recall (the mean of per-class recalls, which the
        paper calls unweighted accuracy); ``wa``: weighted accuracy (plain accuracy);
        ``per_class``: precision, recall, F1 and support per class; ``confusion``:
        counts, rows true, columns predicted.
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support, recall_score

    labels = list(range(len(classes)))
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "ua": float(recall_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "wa": float(accuracy_score(y_true, y_pred)),
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(classes, precision, recall, f1, support)
        },
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def plot_confusion(confusion, classes, path, title="Confusion matrix"):
    """Save a row-normalised confusion matrix as PNG, counts in each cell."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    counts = np.asarray(confusion, dtype=float)
    normalised = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    figure, axes = plt.subplots(figsize=(4.8, 4.2))
    image = axes.imshow(normalised, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(classes)):
        for j in range(len(classes)):
            color = "white" if normalised[i, j] > 0.5 else "black"
            axes.text(
                j,
                i,
                f"{normalised[i, j]:.2f}\n({int(counts[i, j])})",
                ha="center",
                va="center",
                color=color,
                fontsize=8,
            )
    axes.set_xticks(range(len(classes)), classes, rotation=30)
    axes.set_yticks(range(len(classes)), classes)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(title, fontsize=10)
    figure.colorbar(image, ax=axes, fraction=0.046)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_curves(histories, path, title="Training curves"):
    """Save loss and accuracy per epoch (training and test rows) as PNG.

    Parameters
    ----------
    histories : list of dict
        Keras ``History.history`` dicts, one per run; each is drawn.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(9, 3.4))
    alpha = 1.0 if len(histories) == 1 else 0.6
    for index, history in enumerate(histories):
        epochs = np.arange(1, len(history["loss"]) + 1)
        for axes, key in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
            # One legend entry per split, however many runs are drawn.
            axes.plot(epochs, history[key], color="tab:blue", alpha=alpha, label="train" if index == 0 else None)
            axes.plot(
                epochs, history["val_" + key], color="tab:orange", alpha=alpha, label="test" if index == 0 else None
            )
    if len(histories) > 1:
        title += f" ({len(histories)} runs, one line each)"
    for axes, name in ((loss_axes, "loss"), (accuracy_axes, "accuracy")):
        axes.set_xlabel("epoch")
        axes.set_ylabel(name)
        axes.grid(alpha=0.3)
        axes.legend()
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def summarise(values):
    """Mean and standard deviation (population) of a list of numbers."""
    values = np.asarray(values, dtype=float)
    return {"mean": float(values.mean()), "std": float(values.std()), "values": values.tolist()}


def markdown_report(report):
    """A readable report.md from the report dict written by classification.py."""
    lines = [f"# {report['model']} model, {report['protocol']} protocol", ""]
    lines.append(
        f"Bundle: `{report['features']}`; classes: {', '.join(report['classes'])}; "
        f"seeds: {', '.join(map(str, report['seeds']))}; epochs: {report['config']['epochs']}, "
        f"batch size {report['config']['batch_size']}."
    )
    if report.get("deviations"):
        lines.append("")
        lines.append("Deviations from the paper: " + "; ".join(report["deviations"]) + ".")
    lines += ["", "| | UA | WA |", "|---|---:|---:|"]
    for row in report["rows"]:
        lines.append(f"| {row['name']} | {row['ua']:.1%} | {row['wa']:.1%} |")
    ua, wa = report["ua"], report["wa"]
    lines.append(
        f"| **mean +- std** | **{ua['mean']:.1%} +- {ua['std']:.1%}** | **{wa['mean']:.1%} +- {wa['std']:.1%}** |"
    )
    pooled = report["pooled"]
    lines += [
        "",
        "Pooled over every run: per class",
        "",
        "| class | precision | recall | F1 | support |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, values in pooled["per_class"].items():
        lines.append(
            f"| {name} | {values['precision']:.1%} | {values['recall']:.1%} | {values['f1']:.1%} | "
            f"{values['support']} |"
        )
    lines += [
        "",
        "Confusion matrix (counts, rows true, columns predicted):",
        "",
        "| | " + " | ".join(report["classes"]) + " |",
        "|---|" + "---:|" * len(report["classes"]),
    ]
    for name, row in zip(report["classes"], pooled["confusion"]):
        lines.append(f"| {name} | " + " | ".join(str(v) for v in row) + " |")
    lines += [
        "",
        "![confusion](confusion.png)",
        "",
        "![curves](curves.png)",
        "",
        f"Command: `{report['command']}`",
        f"Wall time: {report['seconds']:.0f} s",
        "",
    ]
    return "\n".join(lines)


def write_json(path, data):
    """Write ``data`` as indented JSON."""
    with open(path, "w") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")


def comparison_table(run_dirs):
    """A Markdown table comparing runs of classification.py, one row per run folder.

    Parameters
    ----------
    run_dirs : sequence of path
        Folders holding ``report.json``.

    Returns
    -------
    str
    """
    from pathlib import Path

    lines = [
        "| model | protocol | runs | UA mean +- std | WA mean +- std | UA per run | minutes per run |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    for run_dir in run_dirs:
        report = json.loads((Path(run_dir) / "report.json").read_text())
        ua, wa = report["ua"], report["wa"]
        per_run = ", ".join(f"{value:.1%}" for value in ua["values"])
        minutes = report["seconds"] / len(report["rows"]) / 60
        lines.append(
            f"| {report['model']} | {report['protocol']} | {len(report['rows'])} | "
            f"{ua['mean']:.1%} +- {ua['std']:.1%} | {wa['mean']:.1%} +- {wa['std']:.1%} | {per_run} | {minutes:.1f} |"
        )
    return "\n".join(lines)


def main(argv=None):
    """``python -m ser_keras.evaluation RUN_DIR ...``: print a comparison table of runs."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m ser_keras.evaluation", description="Compare runs of classification.py in one Markdown table."
    )
    parser.add_argument("run_dirs", nargs="+", help="run folders (each with report.json)")
    args = parser.parse_args(argv)
    missing = [d for d in args.run_dirs if not (Path(d) / "report.json").is_file()]
    if missing:
        parser.exit(2, f"error: no report.json in {', '.join(missing)}\n")
    print(comparison_table(args.run_dirs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
