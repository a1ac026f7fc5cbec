"""Comparison table beside the paper, and the paired Wilcoxon test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import wilcoxon

from helpers.evaluation.comparison import comparison_table, paired_wilcoxon, verdict
from helpers.evaluation.paper_results import paper_table


def _per_sample():
    rng = np.random.default_rng(0)
    rows = []
    for i in range(10):
        rows.append({"model": "a", "sample": f"s{i}", "MAE": 1.0 + rng.normal(0, 0.1)})
        rows.append({"model": "b", "sample": f"s{i}", "MAE": 2.0 + rng.normal(0, 0.1)})
    return pd.DataFrame(rows)


def test_comparison_table_places_paper_values():
    table = comparison_table(_per_sample(), "table2", metrics=["MAE"], paper_names={"a": "RF"})
    row = table.set_index("model").loc["a"]
    assert row["paper_MAE_mean"] == 0.507 and row["paper_MAE_sd"] == 0.804
    assert np.isnan(table.set_index("model").loc["b", "paper_MAE_mean"])


def test_paired_wilcoxon_detects_a_consistent_difference():
    per_sample = _per_sample()
    result = paired_wilcoxon(per_sample, "a", "b", "MAE")
    assert result["wins_a"] == 10 and result["p_value"] < 0.01 and result["n_pairs"] == 10
    assert result["verdict"] == "helps"
    a = per_sample[per_sample.model == "a"]["MAE"].to_numpy()
    b = per_sample[per_sample.model == "b"]["MAE"].to_numpy()
    assert result["p_value"] == wilcoxon(a, b).pvalue  # scipy's two-sample form, as chapter 03
    assert result["mean_a"] == pytest.approx(a.mean())
    assert result["median_difference"] == pytest.approx(np.median(a - b))
    with pytest.raises(ValueError, match="share only 0 paired rows"):
        paired_wilcoxon(per_sample, "a", "zz", "MAE")


def _splits():
    """Two models on 2 splits x 6 samples; A is lower by 0.2 everywhere."""
    rows = []
    for split in ("s1", "s2"):
        for i in range(6):
            rows.append({"model": "A", "split": split, "sample": i, "NE": 0.1 + 0.01 * i})
            rows.append({"model": "B", "split": split, "sample": i, "NE": 0.3 + 0.01 * i})
    return pd.DataFrame(rows)


def test_paired_wilcoxon_pairs_on_any_keys_and_states_a_verdict():
    table = _splits()
    out = paired_wilcoxon(table, "A", "B", "NE", keys=("split", "sample"))
    assert out["n_pairs"] == 12 and out["wins_a"] == 12
    assert out["p_value"] < 0.05 and out["verdict"] == "helps"
    assert paired_wilcoxon(table, "B", "A", "NE", keys=("split", "sample"))["verdict"] == \
        "does not help"
    # one key built from both (chapter 10 pairs learning-curve draws this way)
    by_draw = table.assign(draw=table["split"] + "/" + table["sample"].astype(str))
    assert paired_wilcoxon(by_draw, "A", "B", "NE", keys=("draw",))["n_pairs"] == 12
    # another grouping column than "model"
    omics = table.rename(columns={"model": "omics"})
    assert paired_wilcoxon(omics, "A", "B", "NE", keys=("split", "sample"),
                           by="omics")["wins_a"] == 12
    with pytest.raises(ValueError, match="at least 6"):
        paired_wilcoxon(table[table.split == "s1"].head(10), "A", "B", "NE")


def test_paired_wilcoxon_without_any_difference_is_inconclusive():
    table = _splits()
    same = pd.concat([table[table.model == "A"], table[table.model == "A"].assign(model="B")])
    out = paired_wilcoxon(same, "A", "B", "NE", keys=("split", "sample"))
    assert out["p_value"] == 1.0 and out["wins_a"] == 0 and out["verdict"] == "inconclusive"


def test_verdict():
    assert verdict(0.01, True) == "helps" and verdict(0.01, False) == "does not help"
    assert verdict(0.2, True) == "inconclusive" and verdict(np.nan, True) == "inconclusive"
    assert verdict(0.04, True, alpha=0.01) == "inconclusive"


def test_paper_table_has_every_metric():
    table = paper_table("table3")
    assert table.set_index("model").loc["MINN-scheduler", "paper_L2_mean"] == 1.60e-5


def test_unknown_paper_table_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match=r"must be one of \['table2', 'table3', 'table4'\]\. "
                                         r"Got 'table9' instead"):
        paper_table("table9")


def test_ratio_to_paper_divides_our_means_by_the_papers():
    import pandas as pd

    from helpers.evaluation.comparison import ratio_to_paper

    table = pd.DataFrame({"model": ["a", "b"], "MAE_mean": [1.0, 2.0],
                          "paper_MAE_mean": [0.5, float("nan")]})
    out = ratio_to_paper(table, ["MAE"])
    assert out["MAE_ratio"].iloc[0] == 2.0 and pd.isna(out["MAE_ratio"].iloc[1])


def test_paired_wilcoxon_r2_is_higher_better_and_near_ties_are_counted_apart():
    import pandas as pd

    from helpers.evaluation.comparison import paired_wilcoxon

    samples = [f"s{i}" for i in range(8)]
    a = pd.DataFrame({"model": "a", "sample": samples, "R2": 0.9, "NE": 0.2})
    b = pd.DataFrame({"model": "b", "sample": samples, "R2": 0.8, "NE": 0.2})
    b.loc[:1, "R2"] = 0.9 + 1e-14  # two near-ties
    table = pd.concat([a, b])
    r2 = paired_wilcoxon(table, "a", "b", "R2", tie_tol=1e-12)
    assert (r2["wins_a"], r2["ties"], r2["verdict"]) == (6, 2, "helps")
    assert r2["p_value"] == pytest.approx(2 / 2**6)  # the 6 untied pairs, all one way
    lower = paired_wilcoxon(table, "a", "b", "R2", higher_is_better=False, tie_tol=1e-12)
    assert lower["wins_a"] == 0 and lower["verdict"] == "does not help"
    ne = paired_wilcoxon(table, "a", "b", "NE")
    assert ne["ties"] == 8 and ne["p_value"] == 1.0 and ne["verdict"] == "inconclusive"
    with pytest.raises(ValueError, match="needs at least 9"):
        paired_wilcoxon(table, "a", "b", "NE", min_pairs=9)


def test_holm_matches_the_step_down_procedure():
    from helpers.evaluation.comparison import holm

    adjusted = holm([0.01, 0.04, 0.03, 0.005, float("nan")])
    np.testing.assert_allclose(adjusted[:4], [0.03, 0.06, 0.06, 0.02])
    assert np.isnan(adjusted[4])
    assert holm([0.9, 0.8])[0] == 1.0
    assert holm([]).shape == (0,)


def test_adjust_family_recomputes_verdicts_on_adjusted_p():
    from helpers.evaluation.comparison import adjust_family

    tests = pd.DataFrame({"metric": ["NE", "NE", "R2"], "mean_a": [0.2, 0.30, 0.9],
                          "mean_b": [0.3, 0.29, 0.8], "median_difference": [-0.1, -0.01, 0.1],
                          "p_value": [0.001, 0.03, 0.04], "verdict": ["helps"] * 3})
    out = adjust_family(tests)
    np.testing.assert_allclose(out["p_holm"], [0.003, 0.06, 0.06])
    assert out["verdict"].tolist() == ["helps", "inconclusive", "inconclusive"]
    # the second test's median favours a while its mean does not
    assert out["mean_better_a"].tolist() == [True, False, True]
    assert tests["verdict"].tolist() == ["helps"] * 3  # input left unchanged
