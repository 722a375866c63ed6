"""Running a function over many audio files, across worker processes, with a progress bar."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor


def map_files(function, items, workers=1, progress=True, description="acoustic features"):
    """``[function(item) for item in items]``, across ``workers`` processes, with a progress bar.

    Parameters
    ----------
    function : callable
        Module-level (it is pickled to the worker processes).
    items : sequence
    workers : int
        1 runs in this process.
    progress : bool
    description : str
        Progress-bar label.

    Returns
    -------
    list
        Results in the order of ``items``.
    """
    from tqdm import tqdm

    results = []
    bar = tqdm(total=len(items), desc=description, unit="utt", disable=not progress)
    if workers <= 1:
        for item in items:
            results.append(function(item))
            bar.update()
    else:
        chunksize = max(1, min(16, len(items) // (4 * workers)))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for result in pool.map(function, items, chunksize=chunksize):
                results.append(result)
                bar.update()
    bar.close()
    return results
