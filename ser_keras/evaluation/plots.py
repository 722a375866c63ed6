"""Figures of a run: confusion matrix, predicted against rated dimensions, training curves."""

from __future__ import annotations

import numpy as np


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_confusion(confusion, classes, path, title="Confusion matrix"):
    """Save a row-normalised confusion matrix as PNG, counts in each cell."""
    plt = _pyplot()
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


def plot_scatter(y_true, y_pred, names, path, title="Predicted against rated"):
    """Save one predicted-against-rated scatter plot per dimension as PNG, the identity line dashed.

    Parameters
    ----------
    y_true, y_pred : array-like, shape (N, K)
    names : sequence of str, length K
    """
    from .metrics import ccc

    plt = _pyplot()
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    figure, axes = plt.subplots(1, len(names), figsize=(3.3 * len(names), 3.3), squeeze=False)
    for index, (axis, name) in enumerate(zip(axes[0], names)):
        truth, prediction = y_true[:, index], y_pred[:, index]
        axis.scatter(truth, prediction, s=6, alpha=0.4)
        low, high = float(min(truth.min(), prediction.min())), float(max(truth.max(), prediction.max()))
        axis.plot([low, high], [low, high], "k--", linewidth=0.8)
        axis.set_xlabel(f"rated {name}")
        axis.set_ylabel(f"predicted {name}")
        axis.set_title(f"CCC {ccc(truth, prediction):.3f}", fontsize=9)
        axis.grid(alpha=0.3)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_curves(histories, path, title="Training curves", validation_label="validation"):
    """Save the loss and the first metric per epoch (training and held-out rows) as PNG.

    Parameters
    ----------
    histories : list of dict
        Keras ``History.history`` dicts, one per run; each is drawn. Runs without a
        history (scikit-learn systems) are skipped.
    validation_label : str
        What the ``val_`` curves were measured on ("test" for systems that train a
        fixed number of epochs and select nothing; "validation" otherwise).
    """
    histories = [history for history in histories if history and "loss" in history]
    if not histories:
        return False
    plt = _pyplot()
    metrics = [key for key in histories[0] if not key.startswith("val_") and key != "loss" and "loss" not in key]
    keys = ["loss"] + metrics[:1]
    figure, axes_list = plt.subplots(1, len(keys), figsize=(4.5 * len(keys), 3.4), squeeze=False)
    alpha = 1.0 if len(histories) == 1 else 0.6
    for index, history in enumerate(histories):
        epochs = np.arange(1, len(history["loss"]) + 1)
        for axes, key in zip(axes_list[0], keys):
            # One legend entry per split, however many runs are drawn.
            axes.plot(epochs, history[key], color="tab:blue", alpha=alpha, label="train" if index == 0 else None)
            if "val_" + key in history:
                label = validation_label if index == 0 else None
                axes.plot(epochs, history["val_" + key], color="tab:orange", alpha=alpha, label=label)
    if len(histories) > 1:
        title += f" ({len(histories)} runs, one line each)"
    for axes, name in zip(axes_list[0], keys):
        axes.set_xlabel("epoch")
        axes.set_ylabel(name)
        axes.grid(alpha=0.3)
        axes.legend()
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
    return True
