"""Running a function over many audio files, across worker processes, with a progress bar."""

from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor


def map_files(function, items, workers=1, progress=True, description="acoustic features", isolate=False):
    """``[function(item) for item in items]``, across ``workers`` processes, with a progress bar.

    Parameters
    ----------
    function : callable
        Module-level (it is pickled to the worker processes).
    items : sequence
    workers : int
        1 runs in this process. Each process computes with one BLAS thread, so the results
        are the same whatever the number of workers.
    progress : bool
    description : str
        Progress-bar label.
    isolate : bool
        Compute in freshly started worker processes, never in this one, once TensorFlow is
        loaded here: openSMILE corrupts memory in a process where TensorFlow is loaded
        (prediction and the demo page load a run's model before they compute its features).

    Returns
    -------
    list
        Results in the order of ``items``.
    """
    from threadpoolctl import threadpool_limits
    from tqdm import tqdm

    results = []
    bar = tqdm(total=len(items), desc=description, unit="utt", disable=not progress)
    # Every file is computed with one BLAS thread, here and in each worker: a sum split across threads
    # rounds differently, and the arrays must not depend on how many processes computed them.
    spawned = isolate and "tensorflow" in sys.modules
    with threadpool_limits(limits=1):
        if workers <= 1 and not spawned:
            for item in items:
                results.append(function(item))
                bar.update()
        else:
            workers = max(1, workers)
            chunksize = max(1, min(16, len(items) // (4 * workers)))
            context = _spawn() if spawned else None
            with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_one_thread_each) as pool:
                for result in pool.map(function, items, chunksize=chunksize):
                    results.append(result)
                    bar.update()
    bar.close()
    return results


def _spawn():
    """A start method that gives a worker none of this process's state (a fork would copy TensorFlow's)."""
    import multiprocessing

    return multiprocessing.get_context("spawn")


def _one_thread_each():
    """Limit a worker to one BLAS/OpenMP thread: the processes share the cores.

    A worker that ran as many threads as there are cores would make the workers together
    slower than one process (``benchmarks/extraction.py`` measured 0.3x before this).
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
