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

    # Margins set by hand: a layout engine would double the time of a page's answer.
    figure = Figure(figsize=(8, 5), dpi=80)
    figure.subplots_adjust(left=0.17, right=0.97, top=0.94, bottom=0.1, hspace=0.3)
    wave, grid = figure.subplots(2, 1, height_ratios=(1, 2), sharex=True)
    # The envelope (lowest and highest sample of every 10 ms) draws as the waveform does, 160 times faster.
    step = SAMPLE_RATE // 100
    blocks = samples[: len(samples) // step * step].reshape(-1, step)
    time = np.arange(len(blocks)) * step / SAMPLE_RATE
    wave.fill_between(time, blocks.min(axis=1), blocks.max(axis=1), linewidth=0, color="tab:blue")
    wave.set_ylabel("amplitude")
    wave.set_title("the recording (16 kHz)")
    # Standardised per feature: the 34 differ in scale by orders of magnitude.
    scaled = (features - features.mean(axis=0)) / (features.std(axis=0) + 1e-8)
    extent = (0, len(features) * FRAME_SECONDS, len(FEATURE_NAMES) - 0.5, -0.5)
    grid.imshow(scaled.T, aspect="auto", cmap="magma", extent=extent, vmin=-3, vmax=3)
    ticks = range(0, len(FEATURE_NAMES), 3)
    grid.set_yticks(list(ticks), [FEATURE_NAMES[index] for index in ticks], fontsize=7)
    grid.set_xlabel("seconds")
    grid.set_title("the 34 features per 100 ms frame (z-scores over the recording, -3 to 3)")
    return figure
