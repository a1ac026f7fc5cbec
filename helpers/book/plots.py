"""Figures shared by the MINN chapters (matplotlib / seaborn)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["parity_plot", "metric_heatmap", "tradeoff_plot"]


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


def _log_errors(mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Asymmetric error bars for a log axis: ``mean - sd`` is clipped just above 0."""
    return np.vstack([np.minimum(sd, 0.9 * mean), sd])


def tradeoff_plot(ax: plt.Axes, table: pd.DataFrame, *, paper: pd.DataFrame | None = None,
                  x: str = "L2", y: str = "RMSE") -> plt.Axes:
    """Data fit (``y``) against mechanistic fit (``x``, log axis), mean ± sd, one point per model.

    ``table`` has ``model``, ``<x>_mean/_sd`` and ``<y>_mean/_sd``; ``paper`` (optional) the
    same with ``paper_`` prefixes (:func:`helpers.evaluation.paper_results.paper_table`), drawn hollow.
    A lower bar that would cross 0 is clipped (log axis).
    """
    colors = dict(zip(table["model"], plt.rcParams["axes.prop_cycle"].by_key()["color"] * 3, strict=False))
    for source, frame, prefix, filled in (("ours", table, "", True),
                                          ("paper", paper, "paper_", False)):
        if frame is None:
            continue
        frame = frame.dropna(subset=[f"{prefix}{x}_mean", f"{prefix}{y}_mean"])
        for _, r in frame.iterrows():
            color = colors.get(r["model"], "grey")
            xm, xs = np.array([r[f"{prefix}{x}_mean"]]), np.array([r[f"{prefix}{x}_sd"]])
            ax.errorbar(xm, [r[f"{prefix}{y}_mean"]], xerr=_log_errors(xm, xs),
                        yerr=[[r[f"{prefix}{y}_sd"]], [r[f"{prefix}{y}_sd"]]], fmt="o" if filled else "s",
                        color=color, mfc=color if filled else "white", capsize=3, alpha=0.85,
                        label=f"{r['model']} ({source})")
    ax.set(xscale="log", xlabel=f"{x} = ||S V||² / m (log)", ylabel=f"{y} (mmol/gDW/h)")
    return ax
