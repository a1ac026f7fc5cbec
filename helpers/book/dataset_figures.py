"""Chapter ``01_dataset``'s figures, drawn from the tables the chapter computes.

The chapter computes each view of the Ishii dataset with :mod:`helpers.data.explore` and shows it;
the drawing (sizes, colours, labels, legend placement) lives here so that its cells show the
computation, not the styling:

- :func:`omics_clustermap` — clustered heat map of the standardised omics
  (:func:`~helpers.data.explore.standardised_omics`), one labelled row per sample;
- :func:`pca_figure` — the samples on the first two principal components
  (:func:`~helpers.data.explore.omics_pca`), coloured by kind and sized by dilution rate;
- :func:`flux_range_figure` — range and median of each reference flux on a log axis
  (:func:`~helpers.data.explore.flux_ranges`);
- :func:`agreement_figure` — histogram of the per-gene transcript-protein correlations
  (:func:`~helpers.data.explore.paired_correlations`).

Each function returns a :class:`matplotlib.figure.Figure` for
:func:`helpers.book.plots.glue_figure`; the chapter's theme (``seaborn.set_theme``) is applied by
the chapter, not here.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from helpers.book.plots import FLUX_UNIT
from helpers.book.tables import require_columns

__all__ = ["omics_clustermap", "pca_figure", "flux_range_figure", "agreement_figure"]

#: What :func:`flux_range_figure` adds to every flux so that zeros can be drawn on a log axis.
FLUX_OFFSET = 1e-3


def omics_clustermap(z: pd.DataFrame) -> plt.Figure:
    """Clustered heat map of ``z`` (samples x omics columns, z-scores centred on 0).

    Rows and columns are ordered by seaborn's hierarchical clustering (average linkage,
    Euclidean: the split :func:`~helpers.data.explore.first_split` reads); every row is labelled,
    columns are counted in the x label, the colour bar sits top left, off the heat map.
    """
    grid = sns.clustermap(
        z,
        cmap="vlag",
        center=0,
        figsize=(9, 8),
        xticklabels=False,
        yticklabels=True,
        dendrogram_ratio=(0.12, 0.08),
        cbar_pos=(0.02, 0.82, 0.025, 0.14),
    )
    grid.ax_heatmap.tick_params(axis="y", labelsize=8)
    grid.ax_cbar.set_title("z-score", fontsize=9)
    grid.ax_heatmap.set(xlabel=f"transcripts and proteins ({z.shape[1]} columns)", ylabel="")
    return grid.figure


def pca_figure(scores: pd.DataFrame, explained: Sequence[float]) -> plt.Figure:
    """The samples on ``PC1`` and ``PC2`` of ``scores``, each labelled with its index.

    Colour: ``kind``; size: ``dilution_rate`` (legend entry ``D (1/h)``); the axes quote the
    share of the variance in ``explained`` (the first two ratios); the legend sits right of the
    axes, off the data.
    """
    require_columns(scores, ["PC1", "PC2", "kind", "dilution_rate"], "pca_figure")
    fig, ax = plt.subplots(figsize=(8, 5))
    sns.scatterplot(data=scores, x="PC1", y="PC2", hue="kind", size="dilution_rate", ax=ax)
    for name, row in scores.iterrows():
        ax.annotate(name, (row.PC1, row.PC2), fontsize=7, alpha=0.7)
    ax.set(
        xlabel=f"PC1 ({explained[0]:.0%} of the variance)",
        ylabel=f"PC2 ({explained[1]:.0%} of the variance)",
    )
    handles, labels = ax.get_legend_handles_labels()
    labels = [{"dilution_rate": "D (1/h)"}.get(label, label) for label in labels]
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return fig


def flux_range_figure(ranges: pd.DataFrame) -> plt.Figure:
    """Per reference flux (a row of ``ranges``): a line from ``min`` to ``max`` and a dot at
    ``median``, on a log axis with :data:`FLUX_OFFSET` added; fluxes in the table's order, named
    on the x axis; the legend above the axes."""
    require_columns(ranges, ["min", "median", "max"], "flux_range_figure")
    fig, ax = plt.subplots(figsize=(9, 4))
    positions = np.arange(len(ranges))
    ax.vlines(
        positions,
        ranges["min"] + FLUX_OFFSET,
        ranges["max"] + FLUX_OFFSET,
        color="grey",
        label="range over the samples",
    )
    ax.scatter(positions, ranges["median"] + FLUX_OFFSET, color="C0", zorder=3, label="median")
    ax.set_yscale("log")
    ax.set_xticks(positions, ranges.index, rotation=90, fontsize=7)
    ax.set(ylabel=f"|flux| + {FLUX_OFFSET:g} ({FLUX_UNIT})", xlabel="reference flux")
    ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False)
    return fig


def agreement_figure(rho: pd.DataFrame) -> plt.Figure:
    """Histogram (15 bins) of ``rho["spearman_rho"]``, one count per gene."""
    require_columns(rho, ["spearman_rho"], "agreement_figure")
    fig, ax = plt.subplots(figsize=(7, 3.5))
    sns.histplot(rho["spearman_rho"], bins=15, ax=ax)
    ax.set(xlabel="Spearman ρ (transcript vs protein, across samples)", ylabel="genes")
    return fig
