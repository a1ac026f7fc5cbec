"""Figures shared by the MINN chapters (matplotlib / seaborn)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["parity_plot", "metric_heatmap"]


def parity_plot(ax: plt.Axes, measured: pd.DataFrame, predicted: pd.DataFrame, *, title: str,
                floor: float = 1e-2) -> plt.Axes:
    """Predicted vs measured value of every (sample, flux) pair on log axes.

    Values below ``floor`` (zeros included) are drawn at ``floor`` so that they stay visible.
    """
    x = np.clip(measured.to_numpy().ravel(), floor, None)
    y = np.clip(predicted.loc[measured.index, measured.columns].to_numpy().ravel(), floor, None)
    ax.scatter(x, y, s=6, alpha=0.4)
    low, high = floor, max(x.max(), y.max()) * 1.5
    ax.plot([low, high], [low, high], color="black", lw=0.8)
    ax.set(xscale="log", yscale="log", xlim=(low, high), ylim=(low, high), title=title,
           xlabel="measured flux (mmol/gDW/h)", ylabel="predicted flux")
    return ax


def metric_heatmap(per_sample: pd.DataFrame, metric: str, ax: plt.Axes, **kwargs) -> plt.Axes:
    """Heat map of ``metric`` per held-out sample (rows) and model (columns)."""
    import seaborn as sns

    grid = per_sample.pivot(index="sample", columns="model", values=metric)
    grid = grid.loc[per_sample["sample"].drop_duplicates()]
    sns.heatmap(grid, ax=ax, cmap="magma_r", cbar_kws={"label": metric}, **kwargs)
    ax.set(xlabel="", ylabel="held-out sample")
    return ax
