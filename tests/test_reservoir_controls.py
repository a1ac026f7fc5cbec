"""Omics-free controls of Table 4 (chapter 06_reservoir_pfba): caps, LOO means, shuffled omics,
the test family and the per-sample contributions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.book import reservoir_controls as rc
from helpers.data.ishii import UPTAKES
from helpers.evaluation.reservoir_pfba import BASELINE, RESERVOIR, reservoir_pfba
from helpers.gem.authors import authors_fba_reduced
from helpers.minn.reservoir import BLOCK_INPUTS, block_problem, train_block

FLUXES = UPTAKES + ["R_EX_co2_e_fwd", "R_EX_etoh_e", "R_EX_ac_e",
                    "R_BIOMASS_Ec_iAF1260_core_59p81M", "R_PGI_fwd"]


def test_constant_caps_give_every_sample_the_same_bound():
    caps = rc.constant_caps(["a", "b", "c"], {"R_EX_ac_e": 0.0, "R_EX_co2_e_fwd": 2.5})
    assert caps.index.tolist() == ["a", "b", "c"]
    assert caps["R_EX_ac_e"].tolist() == [0.0] * 3 and caps["R_EX_co2_e_fwd"].tolist() == [2.5] * 3
    with pytest.raises(ValueError, match=r"R_EX_ac_e.*finite and >= 0"):
        rc.constant_caps(["a"], {"R_EX_ac_e": -1.0})
    with pytest.raises(ValueError, match="at least one flux id"):
        rc.constant_caps(["a"], {})


def test_loo_mean_caps_leave_the_held_out_sample_out():
    fluxes = pd.DataFrame({"x": [1.0, 2.0, 6.0], "y": [0.0, 0.0, 3.0], "z": [9.0, 9.0, 9.0]},
                          index=["s1", "s2", "s3"])
    caps = rc.loo_mean_caps(fluxes, ["x", "y"])
    assert caps.columns.tolist() == ["x", "y"]
    np.testing.assert_allclose(caps["x"], [4.0, 3.5, 1.5])
    np.testing.assert_allclose(caps["y"], [1.5, 1.5, 0.0])
    with pytest.raises(KeyError, match=r"\['w'\] not in the flux table"):
        rc.loo_mean_caps(fluxes, ["w"])
    with pytest.raises(ValueError, match="at least 2 samples"):
        rc.loo_mean_caps(fluxes.iloc[:1], ["x"])
    with pytest.raises(ValueError, match=r"NaN in column\(s\) \['x'\]"):
        rc.loo_mean_caps(fluxes.assign(x=[1.0, np.nan, 2.0]), ["x"])


def test_control_bounds_labels_and_values():
    fluxes = pd.DataFrame({"R_EX_ac_e": [0.0, 2.0], "R_EX_co2_e_fwd": [4.0, 6.0]}, index=["a", "b"])
    bounds = rc.control_bounds(fluxes, ["R_EX_co2_e_fwd", "R_EX_ac_e"],
                               [["R_EX_ac_e"], ["R_EX_co2_e_fwd", "R_EX_ac_e"]])
    assert list(bounds) == ["pFBA + CO₂ cap 0", "pFBA + acetate cap 0",
                            "pFBA + training mean (acetate)",
                            "pFBA + training mean (CO₂, acetate)"]
    assert bounds["pFBA + training mean (acetate)"]["R_EX_ac_e"].tolist() == [2.0, 0.0]
    assert rc.mean_label(["R_EX_co2_e_fwd", "R_EX_etoh_e", "R_EX_ac_e"]) == (
        "pFBA + training mean (3 exchanges)")


def test_derangement_is_seeded_and_moves_every_sample():
    for seed in range(20):
        perm = rc.derangement(7, seed)
        assert sorted(perm) == list(range(7)) and not np.any(perm == np.arange(7))
    np.testing.assert_array_equal(rc.derangement(29, 3), rc.derangement(29, 3))
    assert not np.array_equal(rc.derangement(29, 3), rc.derangement(29, 4))
    with pytest.raises(ValueError, match="n >= 2"):
        rc.derangement(1, 0)


def test_shuffle_rows_keeps_marginals_and_other_columns():
    X = pd.DataFrame({"g1": np.arange(6.0), "g2": np.arange(6.0) * 10, "glc": np.arange(6.0) + 100},
                     index=list("abcdef"))
    shuffled, perm = rc.shuffle_rows(X, ["g1", "g2"], seed=5)
    again, perm2 = rc.shuffle_rows(X, ["g1", "g2"], seed=5)
    pd.testing.assert_frame_equal(shuffled, again)
    np.testing.assert_array_equal(perm, perm2)
    pd.testing.assert_series_equal(shuffled["glc"], X["glc"])  # uptakes stay with their sample
    assert sorted(shuffled["g1"]) == sorted(X["g1"])  # same marginal distribution
    assert (shuffled["g1"] * 10 == shuffled["g2"]).all()  # rows move whole
    assert (shuffled["g1"] != X["g1"]).all()
    np.testing.assert_array_equal(shuffled["g1"].to_numpy(), X["g1"].to_numpy()[perm])
    with pytest.raises(KeyError, match=r"\['nope'\]"):
        rc.shuffle_rows(X, ["nope"], seed=0)


@pytest.fixture(scope="module")
def model():
    return authors_fba_reduced()


def test_shuffled_omics_loo_is_determined_by_its_seed(model):
    problem = block_problem(model)
    rng = np.random.default_rng(0)
    block, _ = train_block(problem, rng.uniform(0, 5, size=(12, 5)), np.zeros((12, problem.n)),
                           hidden=16, epochs=1)
    samples = [f"s{i}" for i in range(7)]
    X = pd.DataFrame(rng.uniform(size=(7, 4)), index=samples, columns=["g1", "g2", "p1", "glc"])
    Y = pd.DataFrame(np.abs(rng.normal(size=(7, 5))) + 0.5, index=samples, columns=BLOCK_INPUTS)
    options = {"fixed": {"hidden": 8, "dropout": 0.1, "lr": 1e-2, "weight_decay": 0.0},
               "epochs": 2}
    first = rc.shuffled_omics_loo(block, X, Y, ["g1", "g2", "p1"], seed=3, **options)
    second = rc.shuffled_omics_loo(block, X, Y, ["g1", "g2", "p1"], seed=3, **options)
    other = rc.shuffled_omics_loo(block, X, Y, ["g1", "g2", "p1"], seed=4, **options)
    pd.testing.assert_frame_equal(first["u"], second["u"])
    pd.testing.assert_series_equal(first["permutation"], second["permutation"])
    assert not first["permutation"].equals(other["permutation"])
    assert (first["permutation"] != first["permutation"].index).all()
    assert first["u"].shape == (7, 5)


def test_controls_are_scored_like_the_reservoir_and_tested_as_one_family(model):
    uptakes = pd.DataFrame({UPTAKES[0]: [8.0, 8.0, 6.0], UPTAKES[1]: [15.0, 12.0, 15.0]},
                           index=["a", "b", "c"])
    baseline, _ = reservoir_pfba(model, uptakes, None, FLUXES)
    bounds = {"pFBA + acetate cap 0": rc.constant_caps(uptakes.index, {"R_EX_ac_e": 0.0}),
              "co2": rc.constant_caps(uptakes.index, {"R_EX_co2_e_fwd": 1.0})}
    preds, reports = rc.predict_controls(model, uptakes, bounds, FLUXES, baseline)
    direct, _ = reservoir_pfba(model, uptakes, bounds["co2"], FLUXES)
    pd.testing.assert_frame_equal(preds["co2"], direct, atol=1e-6)
    assert reports["co2"]["R_EX_co2_e_fwd_binds"].all()
    with pytest.raises(ValueError, match=r"baseline given lacks sample\(s\) \['c'\]"):
        reservoir_pfba(model, uptakes, bounds["co2"], FLUXES, baseline=baseline.iloc[:2])

    per_sample = pd.DataFrame({"model": [BASELINE] * 8 + [RESERVOIR] * 8 + ["ctl"] * 8,
                               "sample": list("abcdefgh") * 3,
                               "NE": [0.3] * 8 + [0.3] * 6 + [0.1, 0.2] + [0.3] * 7 + [0.35]})
    family = rc.paired_family(per_sample, [(RESERVOIR, BASELINE), ("ctl", RESERVOIR)], ["NE"])
    assert family[["a", "b"]].values.tolist() == [[RESERVOIR, BASELINE], ["ctl", RESERVOIR]]
    assert family["better_a"].tolist() == [2, 0] and family["better_b"].tolist() == [0, 2]
    assert family["mean_better_a"].tolist() == [True, False]
    assert (family["p_holm"] >= family["p_value"]).all()
    with pytest.raises(KeyError, match=r"\['nope'\] not in the per-sample table"):
        rc.paired_family(per_sample, [("nope", BASELINE)], ["NE"])

    changes = rc.metric_changes(per_sample, [RESERVOIR, "ctl"], BASELINE)
    top = rc.largest_contributor(changes[RESERVOIR])
    assert top["sample"] == "g" and top["share"] == pytest.approx(0.2 / 0.3)
    assert rc.largest_contributor(changes[RESERVOIR] * 0 + 1e-13)["sample"] is None


def test_family_view_shows_the_direction_of_the_means_beside_the_wins():
    family = pd.DataFrame({"a": ["x", "y"], "b": ["z", "z"], "metric": ["NE", "R2"],
                           "n_folds": [5, 5], "ties": [1, 0], "better_a": [3, 1], "better_b": [1, 4],
                           "mean_a": [0.2, 0.8], "mean_b": [0.3, 0.9], "median_difference": [-0.1, -0.1],
                           "p_value": [0.01, 0.04]})
    from helpers.evaluation.comparison import adjust_family

    view = rc.family_view(adjust_family(family))
    assert view["better mean"].tolist() == ["a", "b"]
    assert view.columns.tolist()[-3:] == ["p (raw)", "p (Holm)", "verdict (Holm)"]
    assert view["p (Holm)"].tolist() == [0.02, 0.04]


def test_no_worse_kept_gain_and_binding_counts():
    table = pd.DataFrame({"model": ["base", "res", "ctl"], "R2_mean": [0.8, 0.9, 0.9],
                          "NE_mean": [0.4, 0.3, 0.35]})
    assert rc.no_worse(table, "res", "ctl", ["R2", "NE"])
    assert not rc.no_worse(table, "ctl", "res", ["R2", "NE"])
    assert rc.no_worse(table, "ctl", "res", ["R2"])
    assert rc.kept_gain(table, "ctl", "res", "base") == pytest.approx(0.5)
    with pytest.raises(KeyError, match="no row 'x'"):
        rc.no_worse(table, "x", "res")
    with pytest.raises(ValueError, match="no gain to share"):
        rc.kept_gain(table, "ctl", "base", "base")
    reports = {"a": pd.DataFrame({"R_EX_ac_e_binds": [True, False, True]}),
               "b": pd.DataFrame({"R_EX_co2_e_fwd_binds": [True, True, True]})}
    assert rc.binding_counts(reports, "R_EX_ac_e") == {"a": 2}
