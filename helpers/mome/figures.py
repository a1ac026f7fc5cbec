"""The figures of the MOME chapters (07-09), drawn the book's way.

Each function returns a :class:`matplotlib.figure.Figure` that the chapter hands to
:func:`helpers.book.plots.glue_figure` and shows as a numbered, captioned ``{glue:figure}``.
Product axes are named by the ``product`` keyword (the product's name, e.g.
:func:`helpers.mome.inputs.product_name`). Conventions: axes carry their units (biomass in 1/h,
fluxes in mmol/gDW/h), legends sit below
the axes, off the data (the highest-product strains of a front are at its top left, exactly
where matplotlib's ``loc="best"`` tends to put a legend), and figures are at most
:data:`helpers.book.plots.MAX_WIDTH_IN` inches wide.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

__all__ = ["BIOMASS_LABEL", "FLUX_UNIT", "product_axis_label", "legend_below", "front_figure",
           "cost_figure", "best_per_cost_figure", "clusters_figure", "convergence_figure",
           "organisms_figure", "redirector_figure", "coverage_figure", "utopia_figure"]

FLUX_UNIT = "mmol/gDW/h"
BIOMASS_LABEL = "biomass (1/h)"


def legend_below(ax: plt.Axes, *, ncol: int = 3, offset: float = 0.16, **kwargs) -> None:
    """The legend of ``ax`` centred below it (under the x-axis label), off the data."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -offset), ncol=ncol, frameon=False,
              fontsize="small", **kwargs)


def product_axis_label(product: str = "product", objective: str = "product_min") -> str:
    """Axis label of a product flux: ``"guaranteed succinate (mmol/gDW/h)"`` for the guaranteed
    objective (``product_min``), ``"succinate (mmol/gDW/h)"`` for the LP's (``product_lp``);
    ``product`` is the product's name (:func:`helpers.mome.inputs.product_name`)."""
    return (f"guaranteed {product} ({FLUX_UNIT})" if objective == "product_min"
            else f"{product} ({FLUX_UNIT})")


def front_figure(env: pd.DataFrame, archive: pd.DataFrame, front: pd.DataFrame, *,
                 objective: str = "product_min", title: str = "",
                 product: str = "product") -> plt.Figure:
    """Every evaluated strain and the observed front inside the production envelope (paper
    Fig. 1a)."""
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    ax.fill_between(env.biomass, env.product_minimum, env.product_maximum, color="0.88",
                    label="production envelope")
    ax.scatter(archive.biomass, archive[objective], s=4, c="black", label="feasible strains")
    ax.scatter(front.biomass, front[objective], s=10, c="red", label="Pareto front")
    ax.set(xlabel=BIOMASS_LABEL, ylabel=product_axis_label(product, objective), title=title)
    legend_below(ax)
    fig.tight_layout()
    return fig


def cost_figure(archive: pd.DataFrame, front: pd.DataFrame, *, objective: str = "product_min",
                product: str = "product") -> plt.Figure:
    """Product against knock-out cost (paper Fig. 2)."""
    fig, ax = plt.subplots(figsize=(6.5, 4.3))
    ax.scatter(archive.cost, archive[objective], s=4, c="tab:blue", label="feasible strains")
    ax.scatter(front.cost, front[objective], s=10, c="red", label="Pareto-optimal strains")
    ax.set(xlabel="knock-out cost (genes)", ylabel=product_axis_label(product, objective))
    legend_below(ax, ncol=2)
    fig.tight_layout()
    return fig


def best_per_cost_figure(env: pd.DataFrame, front: pd.DataFrame, search_best: pd.DataFrame,
                         per_cost: pd.DataFrame, exact_best: pd.DataFrame, *,
                         objective: str = "product_min", product: str = "product"
                         ) -> plt.Figure:
    """Left: the front with the search's best strain per cost; right: best product per budget,
    the search's archive against the exact optimum of the enumeration."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 4.4))
    left.fill_between(env.biomass, env.product_minimum, env.product_maximum, color="0.88",
                      label="production envelope")
    left.scatter(front.biomass, front[objective], s=10, c="red", label="Pareto front")
    best = search_best.dropna(subset=[objective])
    left.scatter(best.biomass, best[objective], s=30, marker="s", facecolors="none",
                 edgecolors="tab:blue", label="best per cost (search)")
    left.set(xlabel=BIOMASS_LABEL, ylabel=product_axis_label(product, objective),
             title="front, best per cost")
    legend_below(left, ncol=1, offset=0.17)
    right.step(per_cost.max_cost, per_cost.search_product, where="post", label="MOME archive")
    right.plot(exact_best.max_cost, exact_best[objective], "k*", ms=10,
               label="exact optimum (enumeration)")
    right.set(xlabel="knock-out cost budget (genes)", ylabel=product_axis_label(product, objective),
              title="best strain per budget")
    legend_below(right, ncol=1, offset=0.17)
    fig.tight_layout()
    return fig


def clusters_figure(front: pd.DataFrame, labels: np.ndarray, *, objective: str = "product_min",
                    product: str = "product") -> plt.Figure:
    """DBSCAN clusters of the front (paper Fig. 1b); outliers grey."""
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    for label in sorted(set(labels)):
        part = front[labels == label]
        ax.scatter(part.biomass, part[objective], s=12,
                   label="outliers" if label < 0 else f"C{label + 1}",
                   c="0.6" if label < 0 else None)
    ax.set(xlabel=BIOMASS_LABEL, ylabel=product_axis_label(product, objective))
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


def organisms_figure(summary: pd.DataFrame, fronts: dict[str, pd.DataFrame], *,
                     product: str = "product") -> plt.Figure:
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
    axes[0].set_ylabel(f"guaranteed {product} / max {product} (unitless)")
    fig.tight_layout()
    return fig


def redirector_figure(runs: dict[str, tuple[object, str]], *, objective: str = "product_min",
                      product: str = "product") -> plt.Figure:
    """Fronts (lines) and all strains (faint) of the knock-out and regulation searches.

    ``runs``: label -> (:class:`~helpers.mome.search.MomeResult`, colour)."""
    fig, ax = plt.subplots(figsize=(6.5, 4.8))
    for name, (result, colour) in runs.items():
        front = result.front.sort_values("biomass")
        ax.scatter(result.archive.biomass, result.archive[objective], s=4, c=colour, alpha=0.25,
                   label=f"{name}: all strains")
        ax.plot(front.biomass, front[objective], ".-", c=colour, label=f"{name}: front")
    ax.set(xlabel=BIOMASS_LABEL, ylabel=product_axis_label(product, objective))
    legend_below(ax, ncol=2)
    fig.tight_layout()
    return fig


def coverage_figure(runs: dict[str, tuple[object, str]], max_biomass: float, bins: int
                    ) -> plt.Figure:
    """Where in the growth range each search's strains lie: the share of its growing strains in
    each of ``bins`` equal intervals of ``[0, max_biomass]`` (log scale, one bar per covered
    interval, the searches side by side), every feasible strain (left) and the Pareto front
    (right). An interval without a bar is one the search does not cover
    (:func:`helpers.mome.analysis.biomass_coverage` counts the others).

    ``runs``: label -> (:class:`~helpers.mome.search.MomeResult`, colour)."""
    edges = np.linspace(0, max_biomass, bins + 1)
    width = (edges[1] - edges[0]) / max(1, len(runs))
    fig, axes = plt.subplots(1, 2, figsize=(9.0, 3.8), sharey=True)
    for ax, part, title in zip(axes, ["archive", "front"], ["all feasible strains", "Pareto front"],
                               strict=True):
        for k, (name, (result, colour)) in enumerate(runs.items()):
            biomass = getattr(result, part).biomass
            counts = np.histogram(biomass[biomass > 0], bins=edges)[0]
            share = 100 * counts / max(1, counts.sum())
            hit = counts > 0
            ax.bar(edges[:-1][hit] + k * width, share[hit], width=width, align="edge",
                   color=colour, label=name)
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set(xlabel=BIOMASS_LABEL, title=title, xlim=(0, max_biomass))
        legend_below(ax, ncol=2, offset=0.2)
    axes[0].set_ylabel("growing strains (%, log scale)")
    fig.tight_layout()
    return fig


def utopia_figure(summary: pd.DataFrame) -> plt.Figure:
    """Each model's distance of its normalized front from the utopia point (1, 1), closest at
    the top, prokaryotes and eukaryotes in two colours (paper Fig. 3's reading as one dot per
    model). ``summary``: columns ``model``, ``kingdom``, ``utopia_distance``."""
    for column in ("model", "kingdom", "utopia_distance"):
        if column not in summary.columns:
            raise KeyError(f"The summary has no column {column!r} (columns: "
                           f"{list(summary.columns)}).")
    ordered = summary.sort_values("utopia_distance", ascending=False, kind="stable")
    ordered = ordered.reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(6.5, 0.3 * len(ordered) + 1.8))
    for kingdom, colour in (("prokaryote", "tab:blue"), ("eukaryote", "tab:orange")):
        part = ordered[ordered.kingdom == kingdom]
        ax.scatter(part.utopia_distance, part.index, c=colour, s=30, label=f"{kingdom}s")
    ax.set_yticks(range(len(ordered)), list(ordered.model))
    ax.set(xlabel="distance of the front from utopia (unitless)", xlim=(0, None))
    ax.grid(axis="x", color="0.9")
    legend_below(ax, ncol=2, offset=0.18)
    fig.tight_layout()
    return fig
