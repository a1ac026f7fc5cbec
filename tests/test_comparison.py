"""Comparison table beside the paper, and the paired Wilcoxon test."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.evaluation.comparison import comparison_table, paired_wilcoxon
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
    result = paired_wilcoxon(_per_sample(), "a", "b", "MAE")
    assert result["wins_a"] == 10 and result["p_value"] < 0.01
    with pytest.raises(ValueError, match="share only 0 folds"):
        paired_wilcoxon(_per_sample(), "a", "zz", "MAE")


def test_paper_table_has_every_metric():
    table = paper_table("table3")
    assert table.set_index("model").loc["MINN-scheduler", "paper_L2_mean"] == 1.60e-5


def test_l2_ratio_verdict_tells_a_constant_factor_from_a_varying_gap():
    import pandas as pd

    from helpers.evaluation.comparison import l2_ratio_verdict

    paper = pd.Series([1e-5, 1e-4, 0.2])
    constant = pd.DataFrame({"L2_ratio": [1500.0, 2000.0, 1800.0]})
    verdict = l2_ratio_verdict(constant, paper, {"m": 1668.0, "n·m": 3e6})
    assert verdict["constant"] and verdict["closest_factor"] == "m"
    assert abs(verdict["residual_orders"]) < 0.1
    varying = pd.DataFrame({"L2_ratio": [1e4, 10.0, 0.5]})
    assert not l2_ratio_verdict(varying, paper, {"m": 1668.0})["constant"]


def test_ratio_to_paper_divides_our_means_by_the_papers():
    import pandas as pd

    from helpers.evaluation.comparison import ratio_to_paper

    table = pd.DataFrame({"model": ["a", "b"], "MAE_mean": [1.0, 2.0],
                          "paper_MAE_mean": [0.5, float("nan")]})
    out = ratio_to_paper(table, ["MAE"])
    assert out["MAE_ratio"].iloc[0] == 2.0 and pd.isna(out["MAE_ratio"].iloc[1])
