"""The figures of the MOME chapters (07-09), drawn the book's way.

Each function returns a :class:`matplotlib.figure.Figure` that the chapter hands to
:func:`helpers.book.plots.glue_figure` and shows as a numbered, captioned ``{glue:figure}``.
Conventions: axes carry their units (biomass in 1/h, fluxes in mmol/gDW/h), legends sit below
the axes, off the data (the highest-ethanol strains of a front are at its top left, exactly
where matplotlib's ``loc="best"`` tends to put a legend), and figures are at most
:data:`helpers.book.plots.MAX_WIDTH_IN` inches wide.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["BIOMASS_LABEL", "ETHANOL_LABEL", "GUARANTEED_LABEL", "legend_below", "front_figure",
           "cost_figure", "best_per_cost_figure", "clusters_figure", "convergence_figure",
           "organisms_figure", "redirector_figure"]

FLUX_UNIT = "mmol/gDW/h"
BIOMASS_LABEL = "biomass (1/h)"
ETHANOL_LABEL = f"ethanol ({FLUX_UNIT})"
GUARANTEED_LABEL = f"guaranteed ethanol ({FLUX_UNIT})"


def legend_below(ax: plt.Axes, *, ncol: int = 3, offset: float = 0.16, **kwargs) -> None:
    """The legend of ``ax`` centred below it (under the x-axis label), off the data."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -offset), ncol=ncol, frameon=False,
              fontsize="small", **kwargs)


def _label(objective: str) -> str:
    return GUARANTEED_LABEL if objective == "product_min" else ETHANOL_LABEL


def front_figure(env: pd.DataFrame, archive: pd.DataFrame, front: pd.DataFrame, *,
                 objective: str = "product_min", title: str = "") -> plt.Figure:
    """Every evaluated strain and the observed front inside the production envelope (paper
    Fig. 1a)."""
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    ax.fill_between(env.biomass, env.product_minimum, env.product_maximum, color="0.88",
                    label="production envelope")
    ax.scatter(archive.biomass, archive[objective], s=4, c="black", label="feasible strains")
    ax.scatter(front.biomass, front[objective], s=10, c="red", label="Pareto front")
    ax.set(xlabel=BIOMASS_LABEL, ylabel=_label(objective), title=title)
    legend_below(ax)
    fig.tight_layout()
    return fig


def cost_figure(archive: pd.DataFrame, front: pd.DataFrame, *, objective: str = "product_min"
                ) -> plt.Figure:
    """Ethanol against knock-out cost (paper Fig. 2)."""
    fig, ax = plt.subplots(figsize=(6.5, 4.3))
    ax.scatter(archive.cost, archive[objective], s=4, c="tab:blue", label="feasible strains")
    ax.scatter(front.cost, front[objective], s=10, c="red", label="Pareto-optimal strains")
    ax.set(xlabel="knock-out cost (genes)", ylabel=_label(objective))
    legend_below(ax, ncol=2)
    fig.tight_layout()
    return fig


def best_per_cost_figure(env: pd.DataFrame, front: pd.DataFrame, search_best: pd.DataFrame,
                         per_cost: pd.DataFrame, exact_best: pd.DataFrame, *,
                         objective: str = "product_min") -> plt.Figure:
    """Left: the front with the search's best strain per cost; right: best ethanol per budget,
    the search's archive against the exact optimum of the enumeration."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 4.4))
    left.fill_between(env.biomass, env.product_minimum, env.product_maximum, color="0.88",
                      label="production envelope")
    left.scatter(front.biomass, front[objective], s=10, c="red", label="Pareto front")
    best = search_best.dropna(subset=[objective])
    left.scatter(best.biomass, best[objective], s=30, marker="s", facecolors="none",
                 edgecolors="tab:blue", label="best per cost (search)")
    left.set(xlabel=BIOMASS_LABEL, ylabel=_label(objective), title="front, best per cost")
    legend_below(left, ncol=1, offset=0.17)
    right.step(per_cost.max_cost, per_cost.search_ethanol, where="post", label="MOME archive")
    right.plot(exact_best.max_cost, exact_best[objective], "k*", ms=10,
               label="exact optimum (enumeration)")
    right.set(xlabel="knock-out cost budget (genes)", ylabel=_label(objective),
              title="best strain per budget")
    legend_below(right, ncol=1, offset=0.17)
    fig.tight_layout()
    return fig


def clusters_figure(front: pd.DataFrame, labels: np.ndarray, *, objective: str = "product_min"
                    ) -> plt.Figure:
    """DBSCAN clusters of the front (paper Fig. 1b); outliers grey."""
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    for label in sorted(set(labels)):
        part = front[labels == label]
        ax.scatter(part.biomass, part[objective], s=12,
                   label="outliers" if label < 0 else f"C{label + 1}",
                   c="0.6" if label < 0 else None)
    ax.set(xlabel=BIOMASS_LABEL, ylabel=_label(objective))
    legend_below(ax, ncol=min(6, max(1, len(set(labels)))))
    fig.tight_layout()
    return fig


def convergence_figure(history: pd.DataFrame, baseline_pct: float, *,
                       baseline_label: str = "wild type + PTAr/LDH_D knock-out") -> plt.Figure:
    """Hypervolume of the archive's front (% of the envelope's) per generation."""
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    ax.plot(history.generation, 100 * history.hv_relative, marker=".", label="MOME front")
    ax.axhline(baseline_pct, ls="--", c="0.5", label=baseline_label)
    ax.set(xlabel="generation", ylabel="hypervolume (% of envelope)")
    legend_below(ax, ncol=2)
    fig.tight_layout()
    return fig


def organisms_figure(summary: pd.DataFrame, fronts: dict[str, pd.DataFrame]) -> plt.Figure:
    """Normalized fronts (paper Fig. 3a/3b): prokaryotes and eukaryotes in two panels, one
    marker per model, legends below the panels."""
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 5.0), sharey=True)
    markers = ["o", "s", "D", "^", "v", "P", "X", "<", ">", "*"]
    for ax, kingdom in zip(axes, ["prokaryote", "eukaryote"], strict=True):
        names = list(summary[summary.kingdom == kingdom].model)
        for i, name in enumerate(names):
            norm = fronts[name].sort_values("biomass_norm")
            ax.plot(norm.biomass_norm, norm.product_norm, marker=markers[i % len(markers)],
                    ms=4, lw=1, label=name)
        ax.plot([1], [1], "k*", ms=12, label="utopia point")
        ax.set(xlabel="biomass / max biomass (unitless)", title=f"{kingdom}s",
               xlim=(-0.02, 1.05), ylim=(-0.02, 1.05))
        legend_below(ax, ncol=2, offset=0.15)
    axes[0].set_ylabel("guaranteed ethanol / max ethanol (unitless)")
    fig.tight_layout()
    return fig


def redirector_figure(runs: dict[str, tuple[object, str]], *, objective: str = "product_min"
                      ) -> plt.Figure:
    """Fronts (lines) and all strains (faint) of the knock-out and regulation searches.

    ``runs``: label -> (:class:`~helpers.mome.search.MomeResult`, colour)."""
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    for name, (result, colour) in runs.items():
        front = result.front.sort_values("biomass")
        ax.scatter(result.archive.biomass, result.archive[objective], s=4, c=colour, alpha=0.25,
                   label=f"{name}: all strains")
        ax.plot(front.biomass, front[objective], ".-", c=colour, label=f"{name}: front")
    ax.set(xlabel=BIOMASS_LABEL, ylabel=_label(objective))
    legend_below(ax, ncol=2)
    fig.tight_layout()
    return fig
