"""Runs of different systems and tasks side by side in one table."""

from __future__ import annotations

import json
from pathlib import Path


class RunError(ValueError):
    """A folder that holds no report of a finished run."""


def read_report(run_dir):
    """The ``report.json`` of a run folder (dict)."""
    path = Path(run_dir) / "report.json"
    if not path.is_file():
        raise RunError(f"no report.json in {run_dir}: not a finished run of classification.py")
    return json.loads(path.read_text())


def _corpus(report):
    corpus = report.get("corpus") or {}
    return f"{corpus.get('kind', '?')} ({len(report['classes'])} classes)"


def _cell(metric, value):
    return f"{value:.1%}" if metric in ("ua", "wa") else f"{value:.3f}"


def _changed(report):
    """What a run changed from its system's defaults, ``name=value`` each (``-`` for nothing)."""
    changes = [f"{change['name']}={change['value']}" for change in report.get("changes") or []]
    if report.get("vectors"):
        changes.append(f"vectors={report['vectors']['name']}")
    return ", ".join(changes) or "-"


def _paper(report):
    """The figures the run's paper reported for it (an experiment file's ``paper``), ``-`` for none."""
    figures = []
    for figure in report.get("paper") or []:
        values = ", ".join(f"{metric.upper()} {_cell(metric, figure[metric])}" for metric in ("ua", "wa", "f1", "ccc")
                           if metric in figure)  # fmt: skip
        figures.append(f"{values} ({figure['source']})")
    return "; ".join(figures) or "-"


def comparison_table(run_dirs):
    """A Markdown table of runs: system, task scores, corpus, protocol, seeds and minutes per fold.

    Rows whose corpus, protocol or seeds differ from the first run's are flagged with
    ``*`` and a note under the table: their numbers are not comparable as they stand.
    Runs whose epoch was selected on the test rows say so, with a note. The column
    ``changed`` lists what each run changed from its system's defaults (``-``: nothing).

    Parameters
    ----------
    run_dirs : sequence of path

    Returns
    -------
    str
    """
    reports = [read_report(run_dir) for run_dir in run_dirs]
    metrics = list(dict.fromkeys(metric for report in reports for metric in report["headline"]))
    first = metrics[0]
    paper = any(report.get("paper") for report in reports)
    lines = [
        "| system | tasks | corpus | protocol | seeds | changed | "
        + " | ".join(metrics)
        + (" | paper" if paper else "")
        + f" | {first} per fold | minutes per fold | run |",
        "|---|---|---|---|---|---|" + "---:|" * len(metrics) + ("---|" if paper else "") + "---|---:|---|",
    ]
    reference = reports[0]
    differing = optimistic = False
    for run_dir, report in zip(run_dirs, reports):
        same = (
            _corpus(report) == _corpus(reference)
            and report["features"] == reference["features"]
            and report["protocol"] == reference["protocol"]
            and report["seeds"] == reference["seeds"]
        )
        differing |= not same
        cells = []
        for metric in metrics:
            if metric not in report["summary"]:
                cells.append("-")
                continue
            summary = report["summary"][metric]
            cells.append(f"{_cell(metric, summary['mean'])} +- {_cell(metric, summary['std'])}")
        per_fold = (
            ", ".join(_cell(first, value) for value in report["summary"][first]["values"])
            if first in report["summary"]
            else "-"
        )
        # The folds' own training times: a call that resumed finished folds took less.
        minutes = sum(row["seconds"] for row in report["rows"]) / max(len(report["rows"]), 1) / 60
        seeds = ",".join(map(str, report["seeds"]))
        on_test = report.get("training", {}).get("selection") == "test"
        optimistic |= on_test
        name = report["system"]["name"] + ("" if same else " *") + (" (selected on test)" if on_test else "")
        lines.append(
            f"| {name} | {', '.join(report['tasks'])} | {_corpus(report)} | "
            f"{report['protocol']} | {seeds} | {_changed(report)} | "
            + " | ".join(cells)
            + (f" | {_paper(report)}" if paper else "")
            + f" | {per_fold} | {minutes:.1f} | {Path(run_dir).name} |"
        )
    if differing:
        lines += [
            "",
            f"\\* not run on the same bundle, protocol and seeds as the first row ({reference['features']}, "
            f"{reference['protocol']}, seeds {','.join(map(str, reference['seeds']))}): not comparable as is.",
        ]
    if optimistic:
        lines += [
            "",
            "(selected on test): the epoch was chosen on the test rows themselves, as the authors' code does: "
            "optimistic, not a held-out estimate.",
        ]
    return "\n".join(lines)
