"""Chapter ``01_dataset``'s figures (:mod:`helpers.book.dataset_figures`) on tiny synthetic
tables: labels and units, one mark per row, legends off the data, legible width."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers.book import dataset_figures, plots  # noqa: E402

SAMPLES = [f"S{i}" for i in range(6)]


def _legend_clear_of_data(fig: plt.Figure, ax: plt.Axes) -> None:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = ax.get_legend()
    assert legend is not None, "no legend"
    assert not legend.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer)), \
        "legend covers the data"


def test_omics_clustermap_labels_every_sample_and_counts_the_columns():
    z = pd.DataFrame(np.random.default_rng(0).normal(size=(6, 10)), index=SAMPLES,
                     columns=[f"g{i}" for i in range(10)])
    fig = dataset_figures.omics_clustermap(z)
    heatmap = next(ax for ax in fig.axes if ax.get_xlabel().startswith("transcripts"))
    assert heatmap.get_xlabel() == "transcripts and proteins (10 columns)"
    assert sorted(t.get_text() for t in heatmap.get_yticklabels()) == SAMPLES
    assert any(ax.get_title() == "z-score" for ax in fig.axes), "colour bar titled"
    plots.render_png(fig)
    plt.close(fig)


def _scores() -> pd.DataFrame:
    return pd.DataFrame({"PC1": np.arange(6.0), "PC2": np.arange(6.0)[::-1],
                         "kind": ["wild type"] * 3 + ["knock-out"] * 3,
                         "dilution_rate": [0.1, 0.4, 0.7, 0.2, 0.2, 0.2]}, index=SAMPLES)


def test_pca_figure_one_labelled_point_per_sample_and_the_variance_on_the_axes():
    fig = dataset_figures.pca_figure(_scores(), np.array([0.456, 0.12]))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "PC1 (46% of the variance)"
    assert ax.get_ylabel() == "PC2 (12% of the variance)"
    assert len(ax.collections[0].get_offsets()) == len(SAMPLES)
    assert [t.get_text() for t in ax.texts] == SAMPLES
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "D (1/h)" in labels and "dilution_rate" not in labels
    _legend_clear_of_data(fig, ax)
    plots.render_png(fig)
    plt.close(fig)


def test_pca_figure_names_a_missing_column():
    with pytest.raises(ValueError, match="dilution_rate"):
        dataset_figures.pca_figure(_scores().drop(columns="dilution_rate"), [0.5, 0.2])


def test_flux_range_figure_one_line_and_dot_per_flux_on_a_log_axis_with_units():
    ranges = pd.DataFrame({"min": [0.0, 1.0, 0.0], "median": [0.5, 2.0, 0.0],
                           "max": [1.0, 8.0, 0.01]}, index=["R_A", "R_B", "R_C"])
    fig = dataset_figures.flux_range_figure(ranges)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel() == "|flux| + 0.001 (mmol/gDW/h)"
    assert ax.get_xlabel() == "reference flux"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["R_A", "R_B", "R_C"]
    lines, dots = ax.collections
    assert len(lines.get_segments()) == 3
    np.testing.assert_allclose(dots.get_offsets()[:, 1], ranges["median"] + 1e-3)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "range over the samples", "median"]
    _legend_clear_of_data(fig, ax)
    plots.render_png(fig)
    plt.close(fig)


def test_agreement_figure_counts_every_gene():
    rho = pd.DataFrame({"gene": list("abcdefgh"),
                        "spearman_rho": [-0.5, -0.1, 0.0, 0.2, 0.3, 0.3, 0.6, 0.9]})
    fig = dataset_figures.agreement_figure(rho)
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("Spearman ρ") and ax.get_ylabel() == "genes"
    assert len(ax.patches) == 15
    assert sum(p.get_height() for p in ax.patches) == len(rho)
    plots.render_png(fig)
    plt.close(fig)
