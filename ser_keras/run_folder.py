"""A run into its folder: train every fold (resuming finished ones), then write the reports.

What ``classification.py`` does once its arguments are parsed, as one library call that
notebooks and benchmarks make too. On a cluster every worker runs the same call; only the
chief writes the run folder, the others train into a temporary folder removed at the end.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .distribute import is_chief
from .evaluation.reports import write_reports
from .runner import run_protocol


def run_into_folder(system, bundle, out, protocol=None, seeds=(0,), settings=None, training=None, tasks=None,
                    execution=None, command="", deviations=(), extra=None, log=print, arrays=None):  # fmt: skip
    """Train and test ``system`` under ``protocol`` into ``out`` and write its reports there.

    Parameters
    ----------
    system, bundle, protocol, seeds, settings, training, tasks, execution, log
        As :func:`ser_keras.runner.run_protocol` takes them.
    out : path
        The run folder; finished folds found in it are reused.
    command : str
        The command that made the run, for the reports.
    deviations : sequence of str
        Deviations of this run beyond the system's and its settings' (``--fast``).
    extra : dict, optional
        Further entries of ``report.json`` (how the run executed).
    arrays : dict of str -> np.ndarray, optional
        Arrays read instead of the bundle's (:func:`ser_keras.runner.run_protocol`); the run
        then keeps no model, since prediction would compute new audio's arrays as the bundle's.

    Returns
    -------
    run : ser_keras.runner.Run
    report : dict
        :func:`ser_keras.evaluation.reports.write_reports`'s; on a worker that is not the
        chief, its folder is gone but the report is returned.
    """
    chief = is_chief()
    # Keras saves on every worker of a cluster, so the others get a folder of their own.
    folder = Path(out) if chief else Path(tempfile.mkdtemp(prefix="ser_keras_worker_"))
    folder.mkdir(parents=True, exist_ok=True)
    run = run_protocol(system, bundle, protocol, seeds, settings, training, tasks, folder, execution,
                       keep_model=arrays is None, log=log, arrays=arrays)  # fmt: skip
    report = write_reports(run, bundle, folder, command, list(deviations), extra)
    if not chief:
        shutil.rmtree(folder, ignore_errors=True)
    return run, report
