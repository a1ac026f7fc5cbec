"""Chapter 04 helpers: strategy weights, bound penalty, data residual floor, L2 gap
(helpers.minn.loss_conflict), and the findings and practical guide as verdict tables
(helpers.book.loss_conflict_guide)."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from helpers.book.loss_conflict_guide import GUIDE_COLUMNS, check_findings, practical_guide
from helpers.minn import VARIANTS, MechanisticProblem
from helpers.minn.loss_conflict import (
    data_residual_floor,
    l2_gap,
    penalty_curve,
    strategy_weights,
)


def _weights(variant, **kw):
    frame = strategy_weights({variant: variant}, **kw)
    return frame.set_index("epoch")


@pytest.mark.parametrize("epoch, data, mech", [
    (0, 0.1, 0.9), (29, 0.1, 0.9),                    # phase 1: 90 % mechanistic
    (30, 0.1, 0.9), (50, 0.1 + 0.85 * 20 / 40, 0.9 - 0.85 * 20 / 40),  # phase 2: linear ramp
    (70, 0.95, 0.05), (149, 0.95, 0.05),              # phase 3: final data weight w
])
def test_scheduler_weights_at_chosen_epochs(epoch, data, mech):
    weights = _weights("scheduler", data_weight=0.95)
    assert len(weights) == 150
    assert weights.loc[epoch, "data"] == pytest.approx(data)
    assert weights.loc[epoch, "mechanistic"] == pytest.approx(mech)


@pytest.mark.parametrize("variant, data, mech", [
    ("c-balanced", 20.0, 1.0), ("bound", 20.0, 1.0), ("unbalanced", 1.0, 1.0),
    ("divided-loss", 1.0, 0.0), ("MSE-base", 1.0, 1.0),
])
def test_constant_strategies_weights_at_chosen_epochs(variant, data, mech):
    weights = _weights(variant, c=20.0)
    for epoch in (0, 42, 99):
        assert weights.loc[epoch, "data"] == pytest.approx(data)
        assert weights.loc[epoch, "mechanistic"] == pytest.approx(mech)


def test_scheduler_bound_has_the_scheduler_weights():
    a, b = _weights("scheduler", data_weight=0.85), _weights("scheduler-bound", data_weight=0.85)
    np.testing.assert_allclose(a[["data", "mechanistic"]], b[["data", "mechanistic"]])


def test_bound_penalty_is_continuous_at_the_threshold():
    b = VARIANTS["bound"].bound
    eps = b * 1e-9
    below, at, above = penalty_curve("bound", np.array([b - eps, b, b + eps]))
    assert below == pytest.approx(b, rel=1e-6) and above == pytest.approx(b, rel=1e-6)
    assert at == pytest.approx(b)
    # slope 1 below, k = 2 above
    grid = np.array([0.5 * b, 0.9 * b, 2 * b, 3 * b])
    pen = penalty_curve("bound", grid)
    np.testing.assert_allclose(pen[:2], grid[:2])
    np.testing.assert_allclose(pen[2:], b + 2.0 * (grid[2:] - b))
    np.testing.assert_allclose(penalty_curve("c-balanced", grid), grid)


def _chain_problem():
    # A -> B -> C chain: x0 makes A, x1 converts A to B, x2 consumes B, x3 makes C and nothing
    # consumes it: any x3 > 0 leaves C unbalanced.
    S = sp.csr_matrix(np.array([[1.0, -1.0, 0.0, 0.0],
                                [0.0, 1.0, -1.0, 0.0],
                                [0.0, 0.0, 0.0, 1.0]]))
    ids = ["R_x0", "R_x1", "R_x2", "R_x3"]
    return MechanisticProblem.from_matrices(S, ids, reference=["R_x0", "R_x3"])


def test_data_residual_floor_is_zero_inside_and_positive_outside():
    problem = _chain_problem()
    reference = pd.DataFrame({"R_x0": [2.0, 2.0, -1.0], "R_x3": [0.0, 1.5, 0.0]},
                             index=["in", "out", "negative"])
    floor = data_residual_floor(problem, reference)
    assert floor["in"] == pytest.approx(0.0, abs=1e-8)
    assert floor["out"] == pytest.approx(1.5**2 / 3, rel=1e-5)
    assert floor["negative"] == np.inf  # no V >= 0 has x0 = -1


def test_data_residual_floor_names_missing_values_and_columns():
    problem = _chain_problem()
    with pytest.raises(ValueError, match="R_x3"):
        data_residual_floor(problem, pd.DataFrame({"R_x0": [1.0]}))
    bad = pd.DataFrame({"R_x0": [1.0, np.nan], "R_x3": [0.0, 0.0]}, index=["a", "b"])
    with pytest.raises(ValueError, match="'b'.*'R_x0'"):
        data_residual_floor(problem, bad)


MODELS = ["MINN-c-balanced", "MINN-c-balanced FBA fit", "MINN-bound", "MINN-scheduler",
          "MINN-scheduler-bound", "MINN-divided loss"]
PAPER_L2 = [8.75e-5, 2.98e-5, 7.1e-5, 1.6e-5, 7.47e-5, 0.22]  # the paper's Table 3


def _table(l2, rmse=(0.678, 0.706, 0.790, 0.833, 0.806, 0.703), ne=None):
    ne = ne if ne is not None else [0.272, 0.295, 0.308, 0.299, 0.304, 0.281]
    return pd.DataFrame({"model": MODELS, "RMSE_mean": list(rmse), "NE_mean": ne,
                         "L2_mean": l2, "paper_L2_mean": PAPER_L2})


def test_check_findings_on_the_papers_table_holds():
    found = check_findings(_table(PAPER_L2)).set_index("key")
    assert found["means_agree"].all()
    assert (found["verdict"] == "untested").all()  # no tests given: the means only
    assert found.loc["divided", "value"] == pytest.approx(np.log10(0.22 / 8.75e-5), abs=0.01)
    # the four strategies are named, and divided loss / FBA fit are not among them
    assert "(c-balanced, bound, scheduler, scheduler-bound)" in found.loc["rmse", "finding"]
    # the runner-up and its value, as data
    assert (found.loc["rmse", "against"], found.loc["rmse", "against_value"]) == ("bound", 0.79)
    assert found["p_value"].isna().all() and found["p_holm"].isna().all()  # no tests given


def test_check_findings_reports_failed_claims_and_the_divided_loss_lead():
    # our quick table: divided loss ahead of c-balanced, c-balanced barely ahead of bound
    found = check_findings(_table([0.068, 0.0789, 0.063, 0.0456, 0.0547, 586.0],
                                  rmse=[0.723, 0.821, 0.726, 0.798, 0.812, 0.713]))
    found = found.set_index("key")
    assert found.loc["rmse", "means_agree"] and found.loc["rmse", "against"] == "bound"
    assert found.loc["rmse", "against_value"] == 0.726
    assert not found.loc["divided_rmse", "means_agree"]
    assert found.loc["divided_rmse", ["against", "against_value"]].tolist() == ["divided loss", 0.713]
    assert "Table 3" in found.loc["divided_rmse", "finding"]  # not a claim of the paper's text
    assert not found.loc["fba_fit", "means_agree"]
    assert not found.loc["fba_fit_rmse", "means_agree"]
    l2_fail = check_findings(_table([1e-4, 2e-4, 5e-5, 3e-4, 7e-5, 3e-4])).set_index("key")
    assert not l2_fail.loc["scheduler_l2", "means_agree"]
    assert l2_fail.loc["scheduler_l2", ["model", "value"]].tolist() == ["bound", 5e-5]
    # the scheduler is not the lowest: tested against the lowest, not the runner-up
    assert l2_fail.loc["scheduler_l2", ["against", "against_value"]].tolist() == ["scheduler", 3e-4]


def _family_of(first_p, others=()):
    """Paired-test rows: scheduler vs bound (the runner-up) on L2 at ``first_p`` (the scheduler's
    lead), plus one unrelated NE test per p-value in ``others``."""
    rows = [("MINN-scheduler", "MINN-bound", "L2", first_p, "helps")]
    rows += [("MINN-bound", "MINN-c-balanced", "NE", p, "inconclusive") for p in others]
    return pd.DataFrame(rows, columns=["a", "b", "metric", "p_value", "verdict"])


def test_check_findings_holds_only_when_the_holm_adjusted_test_is_significant():
    table = _table(PAPER_L2)
    alone = check_findings(table, _family_of(0.03)).set_index("key").loc["scheduler_l2"]
    assert alone["verdict"] == "holds" and alone["p_holm"] == pytest.approx(0.03)
    # the same raw p = 0.03 in a family of four tests: Holm gives 0.12, no longer significant
    four = check_findings(table, _family_of(0.03, (0.5, 0.6, 0.7))).set_index("key")
    row = four.loc["scheduler_l2"]
    assert row["p_value"] == pytest.approx(0.03) and row["p_holm"] == pytest.approx(0.12)
    assert row["means_agree"] and row["verdict"] == "inconclusive"
    # a significant lead of another strategy: the finding does not hold
    lost = _table([1e-4, 2e-4, 5e-5, 3e-4, 7e-5, 3e-4])
    against = pd.DataFrame({"a": ["MINN-bound"], "b": ["MINN-scheduler"], "metric": ["L2"],
                            "p_value": [1e-4], "verdict": ["helps"]})
    assert check_findings(lost, against).set_index("key").loc["scheduler_l2",
                                                               "verdict"] == "does not hold"


def test_practical_guide_reads_the_holm_adjusted_p():
    table = _table(PAPER_L2)
    alone = practical_guide(table, _family_of(0.03)).set_index("configuration")
    assert alone.loc["MINN-scheduler", "agrees"] == "yes"
    four = practical_guide(table, _family_of(0.03, (0.5, 0.6, 0.7)))
    row = four.set_index("configuration").loc["MINN-scheduler"]
    assert row["agrees"] == "unclear"
    assert row["p_value"] == pytest.approx(0.03) and row["p_holm"] == pytest.approx(0.12)


def test_check_findings_takes_the_p_value_of_the_compared_pair_in_either_order():
    tests = pd.DataFrame({"a": ["MINN-bound", "MINN-divided loss"],
                          "b": ["MINN-c-balanced", "MINN-c-balanced"],
                          "metric": ["RMSE", "RMSE"], "p_value": [0.8, 0.3],
                          "verdict": ["inconclusive", "inconclusive"]})
    found = check_findings(_table(PAPER_L2), tests).set_index("key")
    assert found.loc["rmse", "p_value"] == 0.8  # c-balanced (winner) vs bound (runner-up)
    assert found.loc["divided_rmse", "p_value"] == 0.3
    assert np.isnan(found.loc["scheduler_l2", "p_value"])  # L2 pair not tested


def test_l2_gap_is_yes_for_a_constant_factor_and_no_otherwise():
    frame, gap = l2_gap(_table([1000 * v for v in PAPER_L2]))
    assert gap["verdict"] == "yes" and gap["factor"] == pytest.approx(1.0)
    assert gap["pairs_same_order"] == gap["n_pairs"] == 15
    np.testing.assert_allclose(frame["L2_vs_ref"], frame["paper_L2_vs_ref"])
    # our quick numbers: ratios 732 to 2851, FBA fit above c-balanced where the paper's is a third
    frame, gap = l2_gap(_table([0.068, 0.0789, 0.063, 0.0456, 0.0547, 586.0]))
    assert gap["verdict"] == "no" and gap["factor"] > 2
    assert gap["worst"] == "MINN-scheduler"  # 2851x against c-balanced's 777x
    assert gap["worst_ours"] == pytest.approx(0.0456 / 0.068)
    assert gap["worst_paper"] == pytest.approx(1.6e-5 / 8.75e-5)
    fit = frame.set_index("model").loc["MINN-c-balanced FBA fit"]
    assert fit["L2_vs_ref"] == pytest.approx(1.16, abs=0.01)
    assert fit["paper_L2_vs_ref"] == pytest.approx(0.34, abs=0.01)
    assert gap["pairs_same_order"] < gap["n_pairs"]
    # the scheduler has the largest ratio, not the smallest: no variant pattern either
    assert gap["variant_pattern"] == "no" and gap["explains"] == "neither"
    assert gap["ratio_scheduler"] == pytest.approx(0.0456 / 1.6e-5)
    assert gap["ratio_divided"] == pytest.approx(586.0 / 0.22)


def test_l2_gap_sees_the_variant_pattern_of_a_training_gap():
    # ratio smallest for the scheduler, largest for the divided loss, spread beyond 2
    l2 = [v * f for v, f in zip(PAPER_L2, [100, 150, 120, 10, 130, 10000], strict=True)]
    _, gap = l2_gap(_table(l2))
    assert gap["verdict"] == "no"
    assert gap["variant_pattern"] == "yes" and gap["explains"] == "training"
    _, same = l2_gap(_table([1000 * v for v in PAPER_L2]))
    assert same["explains"] == "normalisation"
    _, partial = l2_gap(_table(l2).iloc[:2])
    assert partial["variant_pattern"] == "undecided" and np.isnan(partial["ratio_divided"])


def test_l2_gap_reads_the_tolerance_and_partial_tables():
    table = _table([1.5 * 1000 * PAPER_L2[0]] + [1000 * v for v in PAPER_L2[1:]])
    assert l2_gap(table)[1]["verdict"] == "yes"  # factor 1.5 <= 2
    assert l2_gap(table, tolerance=1.2)[1]["verdict"] == "no"
    one = table.assign(paper_L2_mean=[8.75e-5] + [np.nan] * 5)
    frame, gap = l2_gap(one)
    assert gap["verdict"] == "undecided" and len(frame) == 1
    with pytest.raises(ValueError, match="'tolerance'.*above 1.*0.5"):
        l2_gap(table, tolerance=0.5)


def _tests(rows):
    return pd.DataFrame(rows, columns=["a", "b", "metric", "p_value", "verdict"])


def test_practical_guide_on_the_papers_table_agrees_everywhere():
    guide = practical_guide(_table(PAPER_L2)).set_index("configuration")
    assert list(guide.columns) == GUIDE_COLUMNS[:1] + GUIDE_COLUMNS[2:]
    assert (guide["agrees"] == "yes").all()
    # data, not sentences: every column but the fixed labels and the verdict is a number or a name
    assert guide[["mean", "against_mean", "p_value", "p_holm"]].dtypes.map(
        pd.api.types.is_float_dtype).all()


def test_practical_guide_reports_where_our_runs_disagree():
    table = _table([0.068, 0.0789, 0.063, 0.0456, 0.0547, 586.0],
                   rmse=[0.723, 0.821, 0.726, 0.798, 0.812, 0.713],
                   ne=[0.289, 0.324, 0.292, 0.322, 0.326, 0.284])
    tests = _tests([("MINN-divided loss", "MINN-c-balanced", "RMSE", 0.4, "inconclusive"),
                    ("MINN-c-balanced FBA fit", "MINN-c-balanced", "NE", 0.01, "does not help")])
    store = pd.DataFrame({"a": ["MINN-c-balanced FBA fit", "MINN-scheduler"],
                          "b": ["MINN-c-balanced"] * 2, "metric": ["NE"] * 2,
                          "n_pairs": [29, 0], "mean_a": [0.328, np.nan],
                          "mean_b": [0.283, np.nan], "wins_a": [4.0, np.nan],
                          "p_value": [2.7e-4, np.nan], "verdict": ["does not help", "too few folds"]})
    guide = practical_guide(table, tests, store)
    guide = guide.set_index("configuration")
    # best over the four strategies (divided loss is not one), no test given: the means decide
    best = guide.loc["MINN-c-balanced (c tuned)"]
    assert best["agrees"] == "yes" and best["model"] == "c-balanced"
    assert (best["against"], best["against_mean"]) == ("bound", 0.726)
    fit = guide.loc["FBA-fit targets"]
    assert fit["agrees"] == "no"
    assert fit["mean"] / fit["against_mean"] == pytest.approx(1.16, abs=0.01)
    assert (fit["store_mean"], fit["store_against_mean"]) == (0.328, 0.283)
    assert fit["store_p_holm"] == pytest.approx(2.7e-4)
    assert np.isnan(guide.loc["MINN-scheduler", "store_p_holm"])  # not enough folds
    assert guide.loc["bound / scheduler-bound", "agrees"] == "yes"  # lower mean, no test


def test_practical_guide_uses_one_rule_for_yes_and_no():
    table = _table([0.068, 0.0789, 0.063, 0.0456, 0.0547, 586.0],
                   rmse=[0.723, 0.821, 0.715, 0.798, 0.812, 0.713])
    # bound ahead of c-balanced on RMSE: significant -> "no", not significant -> "unclear"
    for p, agrees in ((0.01, "no"), (0.4, "unclear")):
        tests = _tests([("MINN-bound", "MINN-c-balanced", "RMSE", p, "helps")])
        assert practical_guide(table, tests).loc[0, "agrees"] == agrees
    # bound's lower L2 (0.063 vs 0.068) not significant -> "unclear", as the "no" side would be
    tests = _tests([("MINN-bound", "MINN-c-balanced", "L2", 0.36, "inconclusive")])
    guide = practical_guide(table, tests).set_index("configuration")
    assert guide.loc["bound / scheduler-bound", "agrees"] == "unclear"
    tests = _tests([("MINN-bound", "MINN-c-balanced", "L2", 0.01, "helps")])
    guide = practical_guide(table, tests).set_index("configuration")
    assert guide.loc["bound / scheduler-bound", "agrees"] == "yes"


def test_practical_guide_survives_a_store_with_too_few_folds_everywhere():
    # paper.paired_tests has no p_value column when no pair has enough folds
    table = _table([0.068, 0.0789, 0.063, 0.0456, 0.0547, 586.0])
    store = pd.DataFrame({"a": ["MINN-c-balanced FBA fit", "MINN-bound"],
                          "b": ["MINN-c-balanced"] * 2, "metric": ["NE"] * 2,
                          "n_pairs": [3, 0], "verdict": ["too few folds"] * 2})
    guide = practical_guide(table, None, store).set_index("configuration")
    assert np.isnan(guide.loc["FBA-fit targets", "store_p_holm"])
    assert np.isnan(guide.loc["bound / scheduler-bound", "store_p_holm"])
    assert check_findings(table, store.assign(metric="L2"))["p_value"].isna().all()


def test_practical_guide_reads_a_test_in_either_order_from_the_rows_side():
    table = _table([0.068, 0.0789, 0.063, 0.0456, 0.0547, 586.0])
    flipped = _tests([("MINN-c-balanced", "MINN-c-balanced FBA fit", "NE", 0.01, "helps")])
    fit = practical_guide(table, flipped).set_index("configuration").loc["FBA-fit targets"]
    # the L2 test decides the row; the NE test, read from the row's side, makes it "no"
    assert fit["agrees"] == "no"
