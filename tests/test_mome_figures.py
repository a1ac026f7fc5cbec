"""The MOME chapters' figures (helpers.mome.figures): legends off the data, units, legible width."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from helpers.book.plots import render_png  # noqa: E402
from helpers.mome import figures  # noqa: E402

RNG = np.random.default_rng(0)


def _strains(n=40, cost=True):
    biomass = np.sort(RNG.uniform(0, 0.25, n))
    frame = pd.DataFrame({"biomass": biomass, "product_min": 20 - 40 * biomass,
                          "product_lp": 20 - 40 * biomass + 0.1})
    if cost:
        frame["cost"] = RNG.integers(0, 12, n)
    return frame


def _env():
    b = np.linspace(0, 0.25, 20)
    return pd.DataFrame({"biomass": b, "product_minimum": 8 * (b > 0.2),
                         "product_maximum": 20 - 40 * b + 2})


def _per_cost():
    cost = np.arange(0, 11)
    return pd.DataFrame({"max_cost": cost, "search_product": 8 + np.minimum(cost, 6),
                         "product_min": 8 + np.minimum(cost, 6), "biomass": 0.2,
                         "cost": cost})


class _Result:
    def __init__(self):
        self.archive, self.front = _strains(), _strains(8)


def _figures():
    front = _strains(12)
    labels = np.array([-1, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2])
    history = pd.DataFrame({"generation": np.arange(1, 9), "hv_relative": np.linspace(.6, .9, 8)})
    fronts = {m: front.assign(biomass_norm=front.biomass / .25, product_norm=front.product_min / 20)
              for m in ("iJO1366", "iSB619", "yeast_7.6", "iMM904")}
    summary = pd.DataFrame({"model": list(fronts),
                            "kingdom": ["prokaryote", "prokaryote", "eukaryote", "eukaryote"]})
    return {
        "front": figures.front_figure(_env(), _strains(), front),
        "cost": figures.cost_figure(_strains(), front),
        "best_per_cost": figures.best_per_cost_figure(_env(), front, _per_cost(), _per_cost(),
                                                      _per_cost().iloc[:3]),
        "clusters": figures.clusters_figure(front, labels),
        "convergence": figures.convergence_figure(history, 70.0),
        "organisms": figures.organisms_figure(summary, fronts),
        "redirector": figures.redirector_figure({"knock-outs": (_Result(), "tab:red"),
                                                 "regulation": (_Result(), "tab:blue")}),
        "coverage": figures.coverage_figure({"knock-outs": (_Result(), "tab:red"),
                                             "regulation": (_Result(), "tab:blue")}, 0.25, 20),
    }


@pytest.fixture(scope="module")
def drawn():
    out = _figures()
    yield out
    for fig in out.values():
        plt.close(fig)


@pytest.mark.parametrize("name", ["front", "cost", "best_per_cost", "clusters", "convergence",
                                  "organisms", "redirector", "coverage"])
def test_legends_are_off_the_data_axes_have_units_and_width_is_legible(drawn, name):
    fig = drawn[name]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert legends, f"{name}: no legend"
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            assert not box.overlaps(ax.get_window_extent(renderer)), \
                f"{name}: a legend covers the data of an axes"
    units = ("mmol/gDW/h", "1/h", "%", "unitless", "genes")
    for ax in fig.axes:
        x, y = ax.get_xlabel(), ax.get_ylabel()
        assert x == "generation" or any(u in x for u in units), f"{name}: x axis unit? {x!r}"
        assert y == "" and ax is not fig.axes[0] or any(u in y for u in units), \
            f"{name}: y axis unit? {y!r}"
    render_png(fig)  # at most MAX_WIDTH_IN wide, legend included


def test_the_highest_ethanol_cluster_is_not_under_the_legend(drawn):
    # the regression of issue #18: the legend sat on the top-left cluster (most ethanol)
    fig = drawn["clusters"]
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(fig.canvas.get_renderer())
    top = max(ax.collections, key=lambda c: c.get_offsets()[:, 1].max())
    points = ax.transData.transform(top.get_offsets())
    inside = [(legend.x0 <= x <= legend.x1) and (legend.y0 <= y <= legend.y1) for x, y in points]
    assert not any(inside)


def test_coverage_figure_one_bar_per_covered_interval_shares_sum_to_100():
    from helpers.mome.analysis import biomass_coverage

    result = _Result()
    fig = figures.coverage_figure({"regulation": (result, "tab:blue")}, 0.25, 20)
    for ax, part in zip(fig.axes, (result.archive, result.front), strict=True):
        heights = np.array([bar.get_height() for bar in ax.patches])
        assert heights.sum() == pytest.approx(100.0)
        assert len(heights) / 20 == pytest.approx(biomass_coverage(part, 0.25, 20))
    plt.close(fig)


def test_utopia_figure_one_dot_per_model_closest_on_top_and_a_clear_error():
    summary = pd.DataFrame({"model": ["a", "b", "c"], "kingdom": ["prokaryote", "eukaryote",
                                                                  "prokaryote"],
                            "utopia_distance": [0.5, 0.2, 0.9]})
    fig = figures.utopia_figure(summary)
    ax = fig.axes[0]
    assert sum(len(c.get_offsets()) for c in ax.collections) == 3
    assert [t.get_text() for t in ax.get_yticklabels()][-1] == "b"  # closest at the top
    assert "unitless" in ax.get_xlabel()
    render_png(fig)
    plt.close(fig)
    with pytest.raises(KeyError, match="utopia_distance"):
        figures.utopia_figure(summary.drop(columns="utopia_distance"))
