"""Effect-size intervals and the forest plot (helpers.book.forest)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402

from helpers.book import forest  # noqa: E402
from helpers.evaluation.comparison import paired_wilcoxon  # noqa: E402


@pytest.fixture()
def per_sample():
    rng = np.random.default_rng(0)
    samples = [f"s{i}" for i in range(12)]
    b = rng.uniform(0.2, 0.4, size=12)
    a = b + rng.normal(0.05, 0.02, size=12)
    rows = [{"model": "A", "sample": s, "NE": x} for s, x in zip(samples, a, strict=True)]
    rows += [{"model": "B", "sample": s, "NE": x} for s, x in zip(samples[::-1], b[::-1],
                                                                   strict=True)]
    return pd.DataFrame(rows), a, b


def test_paired_differences_pair_like_the_wilcoxon_test(per_sample):
    table, a, b = per_sample
    diff = forest.paired_differences(table, "A", "B", "NE")
    np.testing.assert_allclose(diff.sort_index().to_numpy(), (a - b)[np.argsort([f"s{i}" for i in
                                                                                  range(12)])])
    test = paired_wilcoxon(table, "A", "B", "NE")
    assert np.median(diff) == pytest.approx(test["median_difference"])
    with pytest.raises(ValueError, match=r"no row of model='A' pairs with one of model='C'"):
        forest.paired_differences(table, "A", "C", "NE")
    with pytest.raises(ValueError, match=r"lacks the column\(s\) \['MAE'\]"):
        forest.paired_differences(table, "A", "B", "MAE")


def test_paired_interval_is_the_t_interval_of_the_differences(per_sample):
    table, a, b = per_sample
    out = forest.paired_interval(table, "A", "B", "NE")
    lo, hi = stats.t.interval(0.95, 11, loc=np.mean(a - b), scale=stats.sem(a - b))
    assert out["estimate"] == pytest.approx(np.mean(a - b))
    assert (out["lo"], out["hi"]) == (pytest.approx(lo), pytest.approx(hi))
    assert out["n_pairs"] == 12 and out["lo"] > 0  # a shift of 0.05 with sd 0.02
    ratio = forest.paired_interval(table, "A", "B", "NE", ratio=True)
    assert ratio["estimate"] == pytest.approx(np.exp(np.mean(np.log(a / b))))
    assert 1 < ratio["lo"] < ratio["estimate"] < ratio["hi"]
    with pytest.raises(ValueError, match="'level' parameter must be in"):
        forest.paired_interval(table, "A", "B", "NE", level=95)
    table.loc[0, "NE"] = 0.0
    with pytest.raises(ValueError, match="needs positive values"):
        forest.paired_interval(table, "A", "B", "NE", ratio=True)


def test_family_intervals_and_the_plot(per_sample):
    table, _, _ = per_sample
    family = pd.DataFrame({"a": ["A", "B"], "b": ["B", "A"], "metric": ["NE", "NE"],
                           "p_holm": [0.01, 0.01], "question": ["q1", "q2"]})
    rows = forest.family_intervals(family, lambda row: (table, "model", ("sample",)))
    assert list(rows.columns[:5]) == list(family.columns)
    counted = family.assign(n_pairs=[12, 11])  # the tests' own counts: one is wrong
    with pytest.raises(ValueError, match=r"row 1 \('B' against 'A', NE\) was tested on 11"):
        forest.family_intervals(counted, lambda row: (table, "model", ("sample",)))
    assert list(forest.family_intervals(counted.iloc[:1], lambda row: (table, "model",
                                        ("sample",))).columns).count("n_pairs") == 1
    assert rows.loc[0, "estimate"] == pytest.approx(-rows.loc[1, "estimate"])
    rows["label"] = rows["a"] + " − " + rows["b"]
    rows["significant"] = rows["p_holm"] < 0.05
    rows["nominal"] = True
    fig = forest.forest_plot(rows, group="question", nominal="nominal")
    assert len(fig.axes) == 2 and [ax.get_title(loc="left") for ax in fig.axes] == ["q1", "q2"]
    assert len(fig.legends[0].get_texts()) == 3  # significant, raw p only, not significant
    plt.close(fig)
    fig = forest.forest_plot(rows, group="question", sharex=False)
    assert fig.axes[0].get_shared_x_axes().get_siblings(fig.axes[0]) == [fig.axes[0]]
    plt.close(fig)
    with pytest.raises(ValueError,
                       match=r"forest_plot: the table lacks the column\(s\) \['significant'\]"):
        forest.forest_plot(rows.drop(columns="significant"))
