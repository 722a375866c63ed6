"""The page's figures: the waveform and the 34 features over time, one matplotlib figure."""

from __future__ import annotations

import numpy as np

from ..features.acoustic import FEATURE_NAMES, FRAME_SECONDS
from ..features.audio import SAMPLE_RATE


def recording_figure(samples, features):
    """Waveform above, the 34 features per 100 ms frame below (each standardised over the recording).

    Parameters
    ----------
    samples : np.ndarray, (n,)
        At 16 kHz.
    features : np.ndarray, (frames, 34)

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 5), layout="constrained")
    wave, grid = figure.subplots(2, 1, height_ratios=(1, 2), sharex=True)
    time = np.arange(len(samples)) / SAMPLE_RATE
    wave.plot(time, samples, linewidth=0.5, color="tab:blue")
    wave.set_ylabel("amplitude")
    wave.set_title("the recording (16 kHz)")
    # Standardised per feature: the 34 differ in scale by orders of magnitude.
    scaled = (features - features.mean(axis=0)) / (features.std(axis=0) + 1e-8)
    extent = (0, len(features) * FRAME_SECONDS, len(FEATURE_NAMES) - 0.5, -0.5)
    image = grid.imshow(scaled.T, aspect="auto", cmap="magma", extent=extent, vmin=-3, vmax=3)
    ticks = range(0, len(FEATURE_NAMES), 3)
    grid.set_yticks(list(ticks), [FEATURE_NAMES[index] for index in ticks], fontsize=7)
    grid.set_xlabel("seconds")
    grid.set_title("the 34 features per 100 ms frame (standardised over the recording)")
    figure.colorbar(image, ax=grid, label="z-score")
    return figure
