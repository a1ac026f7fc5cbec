"""Table 4 scoring (chapter 06_reservoir_pfba): pFBA with predicted bounds, fallback, metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.data.ishii import UPTAKES
from helpers.evaluation.reservoir_pfba import (
    BASELINE,
    RESERVOIR,
    RESERVOIR_BOUNDS,
    omics_candidates,
    reservoir_pfba,
    table4,
    wilcoxon_table,
)
from helpers.gem.authors import authors_fba_reduced

FLUXES = UPTAKES + RESERVOIR_BOUNDS + ["R_BIOMASS_Ec_iAF1260_core_59p81M", "R_PGI_fwd"]


@pytest.fixture(scope="module")
def model():
    return authors_fba_reduced()


@pytest.fixture(scope="module")
def uptakes():
    return pd.DataFrame({UPTAKES[0]: [8.0, 8.0], UPTAKES[1]: [15.0, 15.0]}, index=["a", "b"])


def test_binding_bound_changes_the_solution_and_a_loose_one_does_not(model, uptakes):
    bounds = {r.id: r.bounds for r in model.reactions}
    base, _ = reservoir_pfba(model, uptakes, None, FLUXES)
    co2 = base.loc["a", "R_EX_co2_e_fwd"]
    assert co2 > 1
    extra = pd.DataFrame({"R_EX_co2_e_fwd": [co2 - 1.0, co2 + 1.0], "R_EX_etoh_e": [0.5, 0.5],
                          "R_EX_ac_e": [-0.3, 5.0]}, index=["a", "b"])
    pred, report = reservoir_pfba(model, uptakes, extra, FLUXES)
    assert report.loc["a", "R_EX_co2_e_fwd_binds"] and not report.loc["b", "R_EX_co2_e_fwd_binds"]
    assert pred.loc["a", "R_EX_co2_e_fwd"] == pytest.approx(co2 - 1.0, abs=1e-6)
    assert pred.loc["a", "R_BIOMASS_Ec_iAF1260_core_59p81M"] != pytest.approx(
        base.loc["a", "R_BIOMASS_Ec_iAF1260_core_59p81M"], abs=1e-6)
    np.testing.assert_allclose(pred.loc["b"], base.loc["b"], atol=1e-6)
    assert report.loc["a", "R_EX_ac_e_ub"] == 0.0  # clipped at 0
    assert not report["fallback"].any()
    assert {r.id: r.bounds for r in model.reactions} == bounds


def test_infeasible_bounds_fall_back_to_the_baseline_flagged(model, uptakes):
    base, _ = reservoir_pfba(model, uptakes, None, FLUXES)
    extra = pd.DataFrame({"R_EX_co2_e_fwd": [0.0, 50.0], "R_EX_etoh_e": [0.0, 1.0],
                          "R_EX_ac_e": [0.0, 5.0]}, index=["a", "b"])
    pred, report = reservoir_pfba(model, uptakes, extra, FLUXES)
    assert report["fallback"].tolist() == [True, False]
    assert report.loc["a", "status"].startswith("infeasible")
    np.testing.assert_allclose(pred.loc["a"], base.loc["a"])


def test_table4_metrics_on_a_hand_made_three_sample_case():
    truth = pd.DataFrame([[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0], [0.0, 1.0, 0.0, 1.0]],
                         index=["s1", "s2", "s3"], columns=list("abcd"))
    exact = truth.copy()
    shifted = truth + 1.0  # error 1 everywhere
    per_sample, table = table4(truth, {BASELINE: shifted, RESERVOIR: exact})
    row = table.set_index("model")
    assert row.loc[RESERVOIR, ["MAE_mean", "RMSE_mean", "NE_mean"]].tolist() == [0.0, 0.0, 0.0]
    assert row.loc[BASELINE, "MAE_mean"] == pytest.approx(1.0)
    assert row.loc[BASELINE, "RMSE_mean"] == pytest.approx(1.0)
    ne = [2 / np.sqrt(30), 2 / np.sqrt(16), 2 / np.sqrt(2)]
    assert row.loc[BASELINE, "NE_mean"] == pytest.approx(np.mean(ne))
    assert row.loc[BASELINE, "NE_sd"] == pytest.approx(np.std(ne))  # population sd, as published
    # R2 = squared Pearson: a shift keeps it at 1; a constant truth row scores 0
    assert per_sample.set_index(["model", "sample"]).loc[(BASELINE, "s1"), "R2"] == pytest.approx(1.0)
    assert per_sample.set_index(["model", "sample"]).loc[(BASELINE, "s2"), "R2"] == 0.0
    assert row.loc[RESERVOIR, "paper_NE_mean"] == 0.253 and row.loc[BASELINE, "paper_R2_mean"] == 0.892
    tests = wilcoxon_table(per_sample, RESERVOIR, BASELINE).set_index("metric")
    assert tests.loc["MAE", "better_a"] == 3 and tests.loc["MAE", "ties"] == 0
    assert tests.loc["MAE", "better_b"] == 0 and tests.loc["MAE", "mean_a"] == 0.0
    assert tests.loc["MAE", "mean_b"] == pytest.approx(1.0)
    assert (tests["a"] == RESERVOIR).all() and (tests["b"] == BASELINE).all()


def test_a_reused_baseline_gives_the_same_predictions(model, uptakes):
    base, _ = reservoir_pfba(model, uptakes, None, FLUXES)
    extra = pd.DataFrame({"R_EX_ac_e": [0.0, 0.0]}, index=["a", "b"])
    solved, report = reservoir_pfba(model, uptakes, extra, FLUXES)
    reused, report2 = reservoir_pfba(model, uptakes, extra, FLUXES, baseline=base)
    pd.testing.assert_frame_equal(solved, reused, atol=1e-6)
    pd.testing.assert_frame_equal(report, report2)
    with pytest.raises(ValueError, match=r"column\(s\) \['R_PGI_fwd'\]"):
        reservoir_pfba(model, uptakes, extra, FLUXES, baseline=base.drop(columns="R_PGI_fwd"))


def test_candidates_are_distinct_grid_points():
    candidates = omics_candidates(15, seed=0)
    assert len({tuple(c.values()) for c in candidates}) == 15
    assert all(c["hidden"] in (200, 250, 300) for c in candidates)


# ----- candidate choice, pFBA failures and unknown bounds ----------------------------------------

def test_best_candidate_never_picks_a_nan_score():
    from helpers.evaluation.protocol import best_candidate

    assert best_candidate([np.nan, 0.4, 0.2, np.inf]) == 2
    assert np.argmin([np.nan, 0.4, 0.2]) == 0  # what plain argmin would have chosen
    with pytest.raises(ValueError, match=r"No candidate of fold 3 has a finite score \(2 scored"):
        best_candidate([np.nan, np.inf], "candidate of fold 3")


def test_only_solver_failures_count_as_infeasible(model, uptakes, monkeypatch):
    import cobra.flux_analysis

    from helpers.evaluation.reservoir_pfba import pfba_with_bounds

    def broken(model):
        raise RuntimeError("a bug, not an infeasible LP")

    monkeypatch.setattr(cobra.flux_analysis, "pfba", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        pfba_with_bounds(model, {UPTAKES[0]: 8.0})


def test_unknown_bound_and_missing_objective_are_named(model, uptakes):
    from helpers.evaluation.reservoir_pfba import pfba_with_bounds

    with pytest.raises(KeyError, match=r"reaction 'NOPE' is not in model"):
        pfba_with_bounds(model, {"R_NOPE": 1.0})
    with model:
        for reaction in model.reactions:
            reaction.objective_coefficient = 0
        with pytest.raises(ValueError, match="has no objective reaction"):
            reservoir_pfba(model, uptakes, None, FLUXES)
