"""Scoring, reporting and comparing runs: metrics per kind of task, figures, reports, tables.

``python -m ser_keras.evaluation RUN_DIR ...`` prints runs side by side.
"""

from .compare import comparison_table, read_report
from .intervals import bootstrap_interval
from .metrics import at_one_scores, ccc, dimensional_scores, scores, summarise
from .plots import plot_confusion, plot_curves, plot_scatter

__all__ = [
    "at_one_scores",
    "bootstrap_interval",
    "ccc",
    "comparison_table",
    "dimensional_scores",
    "plot_confusion",
    "plot_curves",
    "plot_scatter",
    "read_report",
    "scores",
    "summarise",
]
