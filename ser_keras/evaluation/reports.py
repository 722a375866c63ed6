"""What a run leaves for people to read: report.json, report.md, predictions.csv and figures."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from ..environment import describe_environment
from ..features.sets import keep_for_prediction, needed_sets
from ..io import write_json
from ..systems.base import changes_from_defaults, describe_changes
from ..trainers import get_trainer
from .metrics import summarise
from .plots import plot_confusion, plot_curves, plot_scatter


def pooled_scores(run, bundle, arrays):
    """Each task scored on the predictions of every fold and seed together.

    Returns
    -------
    dict
        Task name -> scores (as the task computes them).
    """
    rows = bundle_rows(bundle, [identifier for fold in run.folds for identifier in fold.test_ids])
    pooled = {}
    for task in run.tasks:
        predictions = {
            name: np.concatenate([fold.predictions[task.name][name] for fold in run.folds])
            for name in run.folds[0].predictions[task.name]
        }
        pooled[task.name] = task.score(arrays[task.target][rows], arrays["labels"][rows], predictions, bundle.classes)
    return pooled


def build_report(run, bundle, arrays, command, deviations=(), extra=None):
    """The report of a run as a JSON-serialisable dict.

    Parameters
    ----------
    run : ser_keras.runner.Run
    bundle : Bundle
    arrays : dict
        At least ``labels`` and each task's target array.
    command : str
    deviations : sequence of str
        Deviations from the paper that the command line adds (``--fast``, mixed
        precision), in words; the system's own, those of the run's settings and every
        change from the system's defaults are computed here.
    extra : dict, optional
        Further fields (pipeline, strategy ...).
    """
    headline = [metric for task in run.tasks for metric in task.headline]
    rows = []
    for fold in run.folds:
        flat = {}
        for task in run.tasks:
            flat.update({metric: fold.scores[task.name][metric] for metric in task.headline})
        rows.append(
            {
                "name": f"seed {fold.seed}, {fold.fold}",
                "seed": fold.seed,
                "fold": fold.fold,
                "train": fold.train,
                "test": len(fold.test_ids),
                "seconds": fold.seconds,
                **flat,
                "scores": fold.scores,
            }
        )
    corpus = bundle.manifest.get("corpus", {})
    return {
        **run.describe(),
        "features": str(bundle.path),
        "corpus": corpus,
        "embeddings": bundle.manifest.get("embeddings"),
        "classes": bundle.classes,
        "deviations": list(run.system.deviations_for(run.settings)) + list(deviations),
        "changes": changes_from_defaults(run.system, run.settings, run.training),
        "recipe": get_trainer(run.system.trainer).describe_training(run.training),
        "selection": get_trainer(run.system.trainer).describe_selection(run.training),
        **(extra or {}),
        "headline": headline,
        "rows": rows,
        "summary": {metric: summarise([row[metric] for row in rows]) for metric in headline},
        "pooled": pooled_scores(run, bundle, arrays),
        "histories": [fold.history for fold in run.folds],
        "resumed_folds": run.resumed,
        "seconds": run.seconds,
        "command": command,
        "model_file": run.kept_model,
        # Seeded runs repeat exactly on one machine; across processors float round-off differs.
        "environment": describe_environment(),
    }


def _percent(metric, value):
    return f"{value:.1%}" if metric in ("ua", "wa") else f"{value:.3f}"


def markdown_report(report):
    """A readable report.md from :func:`build_report`'s dict."""
    system = report["system"]
    lines = [f"# {system['name']}, {report['protocol']} protocol", "", f"{system['summary']}. {system['paper']}.", ""]
    lines.append(
        f"Bundle: `{report['features']}`; classes: {', '.join(report['classes'])}; "
        f"tasks: {', '.join(report['tasks'])}; seeds: {', '.join(map(str, report['seeds']))}; "
        + (f"{report['recipe']}; " if report.get("recipe") else "")
        + f"{report['selection']}."
    )
    if report.get("deviations"):
        lines += ["", "Deviations from the paper: " + "; ".join(report["deviations"]) + "."]
    changes = describe_changes(report.get("changes", []))
    lines += ["", "Changed from the system's defaults: " + ("; ".join(changes) if changes else "nothing") + "."]
    headline = report["headline"]
    lines += ["", "| | " + " | ".join(headline) + " |", "|---|" + "---:|" * len(headline)]
    for row in report["rows"]:
        lines.append(f"| {row['name']} | " + " | ".join(_percent(m, row[m]) for m in headline) + " |")
    summary = report["summary"]
    lines.append(
        "| **mean +- std** | "
        + " | ".join(f"**{_percent(m, summary[m]['mean'])} +- {_percent(m, summary[m]['std'])}**" for m in headline)
        + " |"
    )
    for task, scores in report["pooled"].items():
        lines += ["", f"Pooled over every run, {task} task:", ""]
        if "per_class" in scores:
            lines += ["| class | precision | recall | F1 | support |", "|---|---:|---:|---:|---:|"]
            for name, values in scores["per_class"].items():
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
            for name, row in zip(report["classes"], scores["confusion"]):
                lines.append(f"| {name} | " + " | ".join(str(v) for v in row) + " |")
        if "per_dimension" in scores:
            lines += ["| dimension | CCC | Pearson r | RMSE |", "|---|---:|---:|---:|"]
            for name, values in scores["per_dimension"].items():
                lines.append(f"| {name} | {values['ccc']:.3f} | {values['pearson']:.3f} | {values['rmse']:.3f} |")
        if "f1_at_1" in scores:
            lines.append(
                f"Precision@1 {scores['precision_at_1']:.3f}, recall@1 {scores['recall_at_1']:.3f}, "
                f"F1@1 {scores['f1_at_1']:.3f}"
            )
    lines.append("")
    lines += [f"![{name}]({name}.png)" for name in report.get("figures", [])]
    lines += ["", f"Command: `{report['command']}`", f"Wall time: {report['seconds']:.0f} s"]
    environment = report.get("environment")
    if environment:
        versions, cpu = environment["versions"], environment["processor"]
        build = environment.get("tensorflow_build", {})
        lines.append(
            f"Machine: {cpu['model']} ({cpu['machine']}, {cpu['cores']} cores; "
            f"{', '.join(cpu['instruction_sets'] or ['instruction sets unknown'])}); "
            f"TensorFlow {versions.get('tensorflow')} ({build.get('compiler', '?')}), Keras {versions.get('keras')}, "
            f"Python {versions['python']}. Seeded runs repeat exactly on one machine, not across processors."
        )
    lines.append("")
    return "\n".join(lines)


def write_reports(run, bundle, out, command, deviations=(), extra=None):
    """Write report.json, report.md, predictions.csv, run.json and the figures of a run into ``out``.

    Returns
    -------
    dict
        The report.
    """
    import pandas as pd

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    arrays = {name: np.asarray(bundle.array(name)) for name in ["labels"] + [task.target for task in run.tasks]}
    report = build_report(run, bundle, arrays, command, deviations, extra)
    title = f"{run.system.name}, {run.protocol} protocol"
    figures = []
    for task in run.tasks:
        scores = report["pooled"][task.name]
        if "confusion" in scores and "confusion" not in figures:
            plot_confusion(scores["confusion"], bundle.classes, out / "confusion.png", title=title)
            figures.append("confusion")
        pooled = _pooled_ratings(run, bundle, arrays, task)
        if pooled is not None and "scatter" not in figures:
            plot_scatter(*pooled, list(scores["per_dimension"]), out / "scatter.png", title=title)
            figures.append("scatter")
    validation_label = "validation" if run.training.selection == "validation" else "test"
    if plot_curves(report["histories"], out / "curves.png", title=title, validation_label=validation_label):
        figures.append("curves")
    report["figures"] = figures
    write_json(out / "report.json", report)
    (out / "report.md").write_text(markdown_report(report))
    pd.DataFrame(prediction_rows(run, bundle, arrays)).to_csv(out / "predictions.csv", index=False)
    write_json(
        out / "run.json",
        {
            **run.describe(),
            "classes": bundle.classes,
            "features": str(bundle.path),
            # With the sets they are computed from, so that prediction computes each as the bundle did.
            "feature_sets": {
                name: bundle.feature_sets[name]
                for name in needed_sets(run.system.feature_sets(run.settings))
                if name in bundle.feature_sets
            },
            "embeddings": bundle.manifest.get("embeddings"),
            "model_file": run.kept_model,
            "task_states": run.kept_states,
        },
    )
    shutil.copy(bundle.path / "manifest.json", out / "features_manifest.json")
    # Prediction turns new audio and transcripts into the same inputs (a run with words: its token ids and vectors).
    keep_for_prediction(out, bundle, needed_sets(run.system.feature_sets(run.settings)))
    return report


def prediction_rows(run, bundle, arrays):
    """One dict per test utterance per fold and seed, with each task's columns."""
    rows = []
    for fold in run.folds:
        test = bundle_rows(bundle, fold.test_ids)
        columns = {"seed": [fold.seed] * len(test), "fold": [fold.fold] * len(test), "id": fold.test_ids}
        for task in run.tasks:
            columns.update(
                task.columns(
                    arrays[task.target][test], arrays["labels"][test], fold.predictions[task.name], bundle.classes
                )
            )
        rows += [dict(zip(columns, values)) for values in zip(*columns.values())]
    return rows


def bundle_rows(bundle, ids):
    """Row indices of utterance ids in a bundle (np.ndarray of int)."""
    index = {identifier: row for row, identifier in enumerate(bundle.meta["id"].astype(str))}
    return np.array([index[identifier] for identifier in ids], dtype=np.int64)


def _pooled_ratings(run, bundle, arrays, task):
    """Every fold's test ratings and predictions of a rated task, stacked (None for other tasks)."""
    pairs = [
        task.rated_and_predicted(arrays[task.target][bundle_rows(bundle, fold.test_ids)], fold.predictions[task.name])
        for fold in run.folds
    ]
    if any(pair is None for pair in pairs):
        return None
    return np.concatenate([truth for truth, _ in pairs]), np.concatenate([predicted for _, predicted in pairs])


def results_table(report):
    """The per-fold rows of a report and their mean, as the command line prints them at the end of a run."""
    headline = report["headline"]
    labels = [metric.upper() if metric in ("ua", "wa") else metric for metric in headline]
    widths = [max(7, len(label)) for label in labels]

    def cells(values):
        return " ".join(f"{_percent(metric, value):>{width}}" for metric, value, width in zip(headline, values, widths))

    width = max(28, *(len(row["name"]) + 2 for row in report["rows"]))
    lines = [f"{'run':<{width}} " + " ".join(f"{label:>{w}}" for label, w in zip(labels, widths))]
    for row in report["rows"]:
        lines.append(f"{row['name']:<{width}} " + cells([row[metric] for metric in headline]))
    summary = report["summary"]
    deviations = ", ".join(_percent(metric, summary[metric]["std"]) for metric in headline)
    lines.append(f"{'mean +- std':<{width}} " + cells([summary[m]["mean"] for m in headline]) + f"   (+- {deviations})")
    return "\n".join(lines)
