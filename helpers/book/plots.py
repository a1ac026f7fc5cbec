"""Figures of the chapters (matplotlib / seaborn), and how a chapter shows one.

Every chapter figure is drawn by the chapter (or by a function here) and handed to
:func:`glue_figure`, which renders it to PNG and glues it under a name; the chapter's markdown then
shows it as a numbered, captioned figure::

    ```{glue:figure} fig-toy-steps
    :name: fig-toy-steps
    :alt: ||SV|| and L_mech fall over the eight steps of the mechanistic layer

    One forward pass: the imbalance falls at every step of the layer.
    ```

Rendering to PNG here (not through the notebook's matplotlib backend) makes the figure appear in the
book whatever backend the kernel runs with (CI sets ``MPLBACKEND=Agg``). Figures are at most
:data:`MAX_WIDTH_IN` inches wide, so that 10-point tick labels stay readable when the book scales the
figure to its text column; a wider figure is an error, not a silently shrunk one.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["MAX_WIDTH_IN", "DPI", "render_png", "glue_figure", "parity_plot", "metric_heatmap",
           "tradeoff_plot", "strategy_weights_plot", "mean_history", "training_curves_plot",
           "gem_metrics_plot"]

#: Widest figure (inches, as saved, legend included) a chapter may show. The text column of the
#: book is about 750 px wide; a 10-pt label on a figure this wide is still about 12 px there.
MAX_WIDTH_IN = 9.0
#: Resolution of the PNG files in the book.
DPI = 110
#: Units of the axes that the MINN chapters share.
FLUX_UNIT = "mmol/gDW/h"


def render_png(fig: plt.Figure, *, max_width: float = MAX_WIDTH_IN, dpi: int = DPI) -> bytes:
    """``fig`` as PNG bytes (tight bounding box); :class:`ValueError` when it is too wide.

    The width is measured on the saved image, so a legend placed outside the axes counts.
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    png = buffer.getvalue()
    width = int.from_bytes(png[16:20], "big") / dpi  # IHDR: width in pixels
    if width > max_width + 0.05:
        raise ValueError(f"figure is {width:.1f} in wide (legend included); at most {max_width} in "
                         "keeps its labels readable at the book's text width: use fewer panels per "
                         "row, a smaller figsize or a legend below the axes")
    return png


def glue_figure(name: str, fig: plt.Figure, *, display: bool = True) -> None:
    """Glue ``fig`` as a PNG image under ``name`` and close it.

    The chapter shows it with a ``{glue:figure}`` directive (number, caption, alt text). With
    ``display`` the image is also the cell's output, for a reader running the notebook; the cell is
    then tagged ``remove-output`` so that the book shows the figure once, where the directive is.
    """
    from IPython.display import Image
    from myst_nb import glue

    png = render_png(fig)
    plt.close(fig)
    glue(name, Image(data=png, format="png"), display=display)


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
           xlabel=f"measured flux ({FLUX_UNIT})", ylabel=f"predicted flux ({FLUX_UNIT})")
    return ax


def metric_heatmap(per_sample: pd.DataFrame, metric: str, ax: plt.Axes, **kwargs) -> plt.Axes:
    """Heat map of ``metric`` per held-out sample (rows, every one labelled) and model (columns)."""
    import seaborn as sns

    grid = per_sample.pivot(index="sample", columns="model", values=metric)
    grid = grid.loc[per_sample["sample"].drop_duplicates()]
    grid = grid[per_sample["model"].drop_duplicates()]
    sns.heatmap(grid, ax=ax, cmap="magma_r", cbar_kws={"label": metric}, yticklabels=True, **kwargs)
    ax.set(xlabel="", ylabel="held-out sample")
    ax.tick_params(axis="y", labelsize=8)
    ax.tick_params(axis="x", labelrotation=30)
    for label in ax.get_xticklabels():
        label.set_horizontalalignment("right")
    return ax


def _log_errors(mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """Asymmetric error bars for a log axis: ``mean - sd`` is clipped just above 0."""
    return np.vstack([np.minimum(sd, 0.9 * mean), sd])


#: One marker per model, so that points that overlap stay distinguishable.
_MARKERS = ["o", "s", "D", "^", "v", "P", "X", "<", ">", "*"]


def tradeoff_plot(table: pd.DataFrame, *, paper: bool = True, x: str = "L2",
                  y: str = "RMSE") -> plt.Figure:
    """Data fit (``y``) against mechanistic fit (``x``, log axis), mean ± sd, one point per model.

    ``table`` has ``model``, ``<x>_mean/_sd`` and ``<y>_mean/_sd`` and, with ``paper``, the paper's
    values as ``paper_<x>_mean`` … (:func:`helpers.evaluation.comparison.comparison_table`). Ours
    and the paper's are drawn in two panels, each with its own L2 range (they are orders of
    magnitude apart), one colour and marker per model, and the legend below the panels, off the
    data. A lower bar that would cross 0 is clipped (log axis).
    """
    sources = [("ours", "")] + ([("paper", "paper_")] if paper else [])
    fig, axes = plt.subplots(1, len(sources), figsize=(4.3 * len(sources), 3.6), squeeze=False,
                             sharey=True)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    style = {model: (colors[i % len(colors)], _MARKERS[i % len(_MARKERS)])
             for i, model in enumerate(table["model"])}
    handles = {}
    for ax, (source, prefix) in zip(axes[0], sources, strict=True):
        frame = table.dropna(subset=[f"{prefix}{x}_mean", f"{prefix}{y}_mean"])
        for _, r in frame.iterrows():
            color, marker = style[r["model"]]
            xm, xs = np.array([r[f"{prefix}{x}_mean"]]), np.array([r[f"{prefix}{x}_sd"]])
            ys = r[f"{prefix}{y}_sd"]
            handles[r["model"]] = ax.errorbar(
                xm, [r[f"{prefix}{y}_mean"]], xerr=_log_errors(xm, np.nan_to_num(xs)),
                yerr=[[np.nan_to_num(ys)], [np.nan_to_num(ys)]], fmt=marker, color=color,
                capsize=3, alpha=0.85, ms=7, label=r["model"])
        ax.set(xscale="log", title=source, xlabel=f"{x} = ‖S V‖² / m (log scale)")
        if frame.empty:
            ax.text(0.5, 0.5, "no values", transform=ax.transAxes, ha="center")
    axes[0, 0].set_ylabel(f"{y} ({FLUX_UNIT})")
    fig.tight_layout()
    fig.legend(list(handles.values()), list(handles), loc="upper center", ncol=3, fontsize=9,
               bbox_to_anchor=(0.5, 0.0), frameon=False)
    return fig


def _legends_below(fig: plt.Figure, left: plt.Axes, right: plt.Axes, *, left_ncol: int = 3,
                   left_title: str | None = None) -> None:
    """Two legends under a row of three panels: ``left``'s entries under the first two panels,
    ``right``'s under the third (chapter 04's three-panel figures)."""
    fig.legend(*left.get_legend_handles_labels(), loc="upper center", ncol=left_ncol,
               bbox_to_anchor=(0.38, 0.0), frameon=False, title=left_title)
    fig.legend(*right.get_legend_handles_labels(), loc="upper center", ncol=1,
               bbox_to_anchor=(0.85, 0.0), frameon=False)


def strategy_weights_plot(weights: pd.DataFrame, l_mech: np.ndarray,
                          penalties: Mapping[str, np.ndarray]) -> plt.Figure:
    """The loss strategies as weights (chapter ``04_conflicting_losses``, Fig. 'strategy weights').

    ``weights`` is :func:`helpers.minn.loss_conflict.strategy_weights` (``variant, epoch, data,
    mechanistic``): the data weight (log axis) and the mechanistic weight per epoch, one line per
    variant; ``penalties`` maps a variant to what training pays for each ``l_mech``
    (:func:`helpers.minn.loss_conflict.penalty_curve`), dashed for a bound, dotted otherwise.
    """
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.1))
    for ax, column in zip(axes[:2], ["data", "mechanistic"], strict=True):
        for label, frame in weights.groupby("variant", sort=False):
            ax.plot(frame["epoch"], frame[column], label=label)
        ax.set(xlabel="epoch", ylabel="weight", title=f"{column} loss")
    axes[0].set_yscale("log")
    for variant, penalty in penalties.items():
        axes[2].plot(l_mech, penalty, "--" if "bound" in variant else ":",
                     label=f"penalty: {variant}")
    axes[2].set(xlabel="$L_{mech}$", ylabel="what training pays", title="bound penalty")
    fig.tight_layout()
    _legends_below(fig, axes[0], axes[2], left_title="weights")
    return fig


def mean_history(history: Mapping[str, np.ndarray], term: str) -> np.ndarray:
    """Per epoch, the mean of ``history[term]`` (runs x epochs) over the runs, NaN ignored."""
    return np.nanmean(history[term], axis=0)


def training_curves_plot(histories: Mapping[str, Mapping[str, np.ndarray]],
                         balancing: str) -> plt.Figure:
    """How each strategy trains (chapter ``04_conflicting_losses``, Fig. 'training curves').

    ``histories`` maps a strategy's label to its training history (term -> runs x epochs, as
    in ``result.extra["history"]`` of the evaluation harness): the data loss (NE) and the
    mechanistic loss averaged over the runs, one line per strategy, and the effective weights
    (``weight_data``, ``weight_mech``) of the strategy ``balancing`` in the third panel.
    """
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.1))
    for label, history in histories.items():
        for ax, term in zip(axes[:2], ["data", "mechanistic"], strict=True):
            ax.plot(mean_history(history, term), label=label)
    for term in ["weight_data", "weight_mech"]:
        axes[2].plot(mean_history(histories[balancing], term), "--",
                     label=term.replace("weight_", "weight: "))
    axes[0].set(title="data loss (NE, train)", xlabel="epoch", ylabel="loss")
    axes[1].set(title="mechanistic loss (train)", xlabel="epoch", yscale="log")
    axes[2].set(title="loss balancing: weights", xlabel="epoch", yscale="log")
    fig.tight_layout()
    _legends_below(fig, axes[0], axes[2])
    return fig


def gem_metrics_plot(per_sample: pd.DataFrame, order: Sequence[str],
                     panels: Sequence[tuple[str, str]], *, star: tuple[str, str, float] | None = None,
                     star_panel: int = 1) -> plt.Figure:
    """Box and strip plots of per-sample metrics, one row per metric (chapter ``05_gem_choice``).

    ``per_sample`` holds ``model`` and one column per metric; ``order`` the models from top to
    bottom; ``panels`` (metric, axis label) pairs, each on a log axis. ``star`` = (model, label,
    value) marks one reference value (the paper's) in panel ``star_panel``, its legend below.
    """
    import seaborn as sns

    fig, axes = plt.subplots(len(panels), 1, figsize=(8, 8.5), sharey=True, squeeze=False)
    axes = axes[:, 0]
    order = list(order)
    for ax, (metric, label) in zip(axes, panels, strict=True):
        with _bxp_orientation(ax):
            sns.boxplot(data=per_sample, x=metric, y="model", order=order, ax=ax,
                        color="#dddddd", showfliers=False, orient="y")
        sns.stripplot(data=per_sample, x=metric, y="model", order=order, ax=ax, size=3,
                      alpha=0.6, orient="y")
        ax.set(xscale="log", xlabel=label, ylabel="")
    if star is not None:
        model, label, value = star
        axes[star_panel].scatter(value, order.index(model), marker="*", s=150, color="crimson",
                                 zorder=5, label=label)
        axes[star_panel].legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.3),
                                frameon=False)
    fig.tight_layout()
    return fig


@contextmanager
def _bxp_orientation(ax: plt.Axes) -> Iterator[plt.Axes]:
    """``ax`` whose ``bxp`` takes seaborn's ``vert=`` as Matplotlib's ``orientation=``.

    seaborn 0.13.2 (its latest release) draws a boxplot with ``Axes.bxp(vert=...)``, deprecated in
    Matplotlib 3.11 in favour of ``orientation`` (seaborn's fix, mwaskom/seaborn#3820, is not
    released yet). Inside this block the call is translated, so the same boxes are drawn through
    the current API and no deprecation warning is raised. Used by :func:`gem_metrics_plot`
    (chapter ``05_gem_choice``).
    """
    bxp = ax.bxp

    def call(*args: object, vert: bool | None = None, **kwargs: object) -> dict[str, list]:
        if vert is not None and "orientation" not in kwargs:
            kwargs["orientation"] = "vertical" if vert else "horizontal"
        return bxp(*args, **kwargs)

    ax.bxp = call
    try:
        yield ax
    finally:
        del ax.bxp  # the class's method again
