"""Chapter 10_beyond's harness (helpers.book.beyond): omics selection, held-out predictions,
paired tests. The splits themselves are tested in tests/test_splits.py."""

import numpy as np
import pandas as pd
import pytest

from helpers.book import beyond
from helpers.evaluation import splits as sp
from helpers.minn import get_variant
from helpers.minn.toy import make_toy_data

SAMPLES = ["REF", "WT_0.1h-1", "WT_0.4h-1", "WT_0.5h-1", "WT_0.7h-1", "galM", "glk", "pgm", "pgi",
           "pfkA", "pfkB", "fbp", "fbaB", "gapC", "gpmA", "gpmB", "pykA", "pykF", "ppsA", "zwf",
           "pgl", "gnd", "rpe", "rpiA", "rpiB", "tktA", "tktB", "talA", "talB"]


def test_ood_groups_cover_every_sample_but_ref_once():
    grouped = [s for members in beyond.OOD_GROUPS.values() for s in members]
    assert sorted(grouped) == sorted(s for s in SAMPLES if s != "REF")
    splits = sp.group_splits(SAMPLES, beyond.OOD_GROUPS)
    assert all(0 in s.train for s in splits)  # REF always trains
    assert sum(len(s.test) for s in splits) == 28
    with pytest.raises(ValueError, match="unknown sample"):
        sp.group_splits(SAMPLES, {"typo": ["pfkZ"]})


def test_omics_columns_and_groups():
    cols = ["t_b1", "t_b2", "p_b1", "R_EX_glc__D_e_rev", "R_EX_o2_e_rev"]
    assert beyond.omics_columns(cols, ["transcripts"]) == ["t_b1", "t_b2", "R_EX_glc__D_e_rev",
                                                           "R_EX_o2_e_rev"]
    assert beyond.omics_columns(cols, ["proteins"]) == ["p_b1", "R_EX_glc__D_e_rev", "R_EX_o2_e_rev"]
    assert beyond.omics_groups(cols) == {"transcripts": [0, 1], "proteins": [2], "uptakes": [3, 4]}
    with pytest.raises(ValueError, match="Unknown omics"):
        beyond.omics_columns(cols, ["metabolites"])
    with pytest.raises(ValueError, match="belong to no omics"):
        beyond.omics_groups(cols + ["x_1"])


@pytest.fixture(scope="module")
def toy():
    return make_toy_data(n_samples=24, seed=0)


def test_minn_and_sklearn_split_predictions_hold_out_the_test_rows(toy):
    X, Y = toy.X, toy.Y
    splits = sp.group_splits(list(X.index), {"a": list(X.index[:4]), "b": list(X.index[4:9])})
    fixed = {"hidden": 16, "dropout": 0.0, "lr": 3e-3, "epochs": 3}
    pred, checks, seconds, fluxes = beyond.minn_split_predictions(toy.problem, X, Y, "c-balanced",
                                                                  splits, fixed=fixed)
    assert list(pred.index.get_level_values("split")) == ["a"] * 4 + ["b"] * 5
    assert list(pred.index.get_level_values("sample")) == list(X.index[:9])
    assert np.isfinite(pred.to_numpy()).all() and (checks["L2"] >= 0).all() and seconds > 0
    assert list(fluxes.columns) == list(toy.problem.reaction_ids)
    np.testing.assert_array_equal(fluxes.iloc[:, toy.problem.reference_idx].to_numpy(),
                                  pred.to_numpy())
    assert checks.index.equals(pred.index) and {"below_lb", "above_ub"} <= set(checks.columns)
    # one ensemble member per split: the same as that split trained alone
    alone, _, _, _ = beyond.minn_split_predictions(toy.problem, X, Y, "c-balanced", splits[:1],
                                                fixed=fixed)
    np.testing.assert_allclose(alone.to_numpy(), pred.loc["a"].to_numpy(), rtol=1e-4, atol=1e-5)
    rf, _ = beyond.sklearn_split_predictions("RF", X, Y, splits, fixed={"model__n_estimators": 10})
    assert rf.index.equals(pred.index)
    table = beyond.split_metrics(Y, rf, model="RF", omics="both")
    assert list(table.columns[:4]) == ["model", "omics", "split", "sample"]
    assert table["NE"].notna().all()
    with pytest.raises(ValueError, match="'kind' parameter"):
        beyond.sklearn_split_predictions("SVM", X, Y, splits)


def test_late_fusion_averages_and_checks_alignment(toy):
    idx = pd.MultiIndex.from_tuples([("s", "a"), ("s", "b")], names=["split", "sample"])
    a = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=idx, columns=["x", "y"])
    b = pd.DataFrame([[3.0, 2.0], [1.0, 0.0]], index=idx, columns=["x", "y"])
    np.testing.assert_allclose(beyond.average_predictions(a, b), [[2.0, 2.0], [2.0, 2.0]])
    with pytest.raises(ValueError, match="same rows"):
        beyond.average_predictions(a, b.iloc[:1])


def test_evaluate_on_splits_runs_every_kind_on_the_same_rows(toy):
    X, Y = toy.X.copy(), toy.Y
    d = X.shape[1]
    X.columns = [f"t_{i}" for i in range(d - 2)][: d // 2] + \
        [f"p_{i}" for i in range(d - 2)][: d - 2 - d // 2] + ["R_EX_glc__D_e_rev", "R_EX_o2_e_rev"]
    splits = sp.kfold_splits(list(X.index), 3, seed=0)
    assert sorted(i for s in splits for i in s.test) == list(range(len(X)))
    pfba = Y * 0.9
    models = {
        "MINN": beyond.ModelSpec("MINN", "c-balanced"),
        "MINN-intermediate": beyond.ModelSpec("MINN", "c-balanced", fusion="intermediate"),
        "RF-transcripts": beyond.ModelSpec("RF", omics=("transcripts",)),
        "pFBA": beyond.ModelSpec("fixed"),
    }
    table, seconds, predictions = beyond.evaluate_on_splits(
        toy.problem, X, Y, splits, models, minn_fixed={"hidden": 12, "epochs": 2},
        rf_fixed={"model__n_estimators": 5}, fixed_predictions={"pFBA": pfba})
    assert set(seconds) == set(models) == set(predictions)
    assert predictions["RF-transcripts"].shape == (len(X), Y.shape[1])
    counts = table.groupby("model").size()
    assert (counts == len(X)).all()
    assert table.loc[table.model == "MINN", "L2"].notna().all()
    np.testing.assert_allclose(table.loc[table.model == "pFBA", "NE"], 0.1, rtol=1e-9)
    summary = beyond.summary_table(table)
    assert list(summary["n_predictions"]) == [len(X)] * 4
    # models run in parallel workers give the same numbers
    parallel, _, _ = beyond.evaluate_on_splits(
        toy.problem, X, Y, splits, models, minn_fixed={"hidden": 12, "epochs": 2},
        rf_fixed={"model__n_estimators": 5}, fixed_predictions={"pFBA": pfba}, n_jobs=2)
    pd.testing.assert_frame_equal(parallel, table)
    with pytest.raises(ValueError, match="Intermediate fusion"):
        beyond.ModelSpec("RF", fusion="intermediate")
    with pytest.raises(ValueError, match="no predictions were given"):
        beyond.evaluate_on_splits(toy.problem, X, Y, splits, {"pFBA": beyond.ModelSpec("fixed")},
                                  minn_fixed={})


def test_headline_comparison_quick_path_and_learning_curve_means(toy):
    X, Y = toy.X.copy(), toy.Y
    d = X.shape[1]
    X.columns = ["p_0"] + [f"t_{i}" for i in range(d - 3)] + ["R_EX_glc__D_e_rev", "R_EX_o2_e_rev"]
    settings = {"minn_variants": ["c-balanced", "c-balanced-exact"],
                "minn_fixed": {"hidden": 8, "epochs": 2}, "rf_fixed": {"model__n_estimators": 5},
                "nn_fixed": {}}
    table, seconds = beyond.headline_comparison(toy.problem, X, Y, Y * 1.1, settings)
    assert set(table.model) == {"MINN-c-balanced", "MINN-c-balanced-exact", "network-only", "RF",
                                "pFBA"}
    assert (table.groupby("model").size() == len(X)).all()
    exact = table[table.model == "MINN-c-balanced-exact"]
    assert exact["L2"].max() < 1e-8  # steady state to round-off (float32)
    assert {"below_lb", "above_ub", "max_abs_SV"} <= set(table.columns)
    assert table.loc[table.model == "RF", "below_lb"].isna().all()
    three = get_variant("c-balanced-exact", projection_steps=3)  # a config, not a name
    other, _ = beyond.headline_comparison(toy.problem, X, Y, Y * 1.1, settings,
                                          variants={"exact, 3 steps": three})
    assert set(other.model) == {"exact, 3 steps", "network-only", "RF", "pFBA"}
    mine = other[other.model == "exact, 3 steps"].set_index("sample")["MAE"]
    assert not np.allclose(mine, exact.set_index("sample")["MAE"].loc[mine.index])
    draws = sp.scarcity_splits(len(X), [5, 10], repeats=2, seed=0)
    per = pd.DataFrame([{"model": "A", "split": s.name, "sample": X.index[i], "NE": float(len(s.train))}
                        for s in draws for i in s.test])
    means = beyond.scarcity_draw_means(per)
    assert list(means["k"]) == [5, 5, 10, 10] and list(means["NE"]) == [5.0, 5.0, 10.0, 10.0]
    assert beyond.aim_reached(pd.DataFrame({"verdict": ["helps"] * 3, "p_value": [0.01] * 3}), 1e-5)
    assert not beyond.aim_reached(pd.DataFrame({"verdict": ["helps"], "p_value": [0.01]}), 1e-3)
    assert beyond.aim_reached(pd.DataFrame({"verdict": ["helps"], "p_value": [0.01],
                                            "p_holm": [0.01]}), 1e-5)
    assert not beyond.aim_reached(pd.DataFrame({"verdict": ["helps"], "p_value": [0.01],
                                                "p_holm": [0.2]}), 1e-5)
    with pytest.raises(ValueError, match="k=<k>/draw=<r>"):
        beyond.scarcity_draw_means(per.assign(split="fold 0"))


def test_headline_comparison_paper_path_wires_the_nested_protocol(monkeypatch):
    """search_settings given: chapter 03's nested protocol (evaluate_variants, run_baseline) is
    called with the paper settings and every model's held-out predictions end up in the table.
    (The protocol itself is tested in tests/test_minn_evaluation.py and test_evaluation.py.)"""
    from helpers.evaluation import baselines, minn_loo
    from helpers.evaluation.protocol import LooResult

    toy = make_toy_data(n_samples=8, seed=1)
    X, Y = toy.X, toy.Y
    calls = {}

    def fake_variants(problem, X_, Y_, variants, settings, *, seed, device):
        calls["variants"], calls["settings"] = dict(variants), settings
        out = {}
        for k, label in enumerate(variants):
            result = LooResult(label, Y_ * (1 + 0.1 * (k + 1)))
            result.extra.update(seconds=1.0 + k, L2=pd.Series(0.0, index=Y_.index))
            out[label] = result
        return out

    def fake_baseline(kind, X_, Y_, *, n_trials, seed, n_jobs):
        calls["baseline"] = (kind, n_trials, n_jobs)
        return LooResult(kind, Y_ * 0.5)

    monkeypatch.setattr(minn_loo, "evaluate_variants", fake_variants)
    monkeypatch.setattr(baselines, "run_baseline", fake_baseline)
    search = {"baseline_trials": 15, "n_jobs": 2}
    table, seconds = beyond.headline_comparison(toy.problem, X, Y, Y * 1.1,
                                                {"minn_variants": ["c-balanced-exact"]},
                                                search_settings=search)
    assert calls["variants"] == {"MINN-c-balanced-exact": "c-balanced-exact",
                                 "network-only": "network-only"}
    assert calls["settings"] == search and calls["baseline"] == ("RF", 15, 2)
    ne = table.groupby("model")["NE"].mean()
    np.testing.assert_allclose(ne[["MINN-c-balanced-exact", "network-only", "RF", "pFBA"]],
                               [0.1, 0.2, 0.5, 0.1], rtol=1e-9)
    assert list(table.columns[:3]) == ["model", "split", "sample"] and set(seconds) == set(ne.index)


def test_layer_check_and_paired_within_models(toy):
    check = beyond.layer_check(toy.problem, steps=1, n_vectors=5)
    assert check.iloc[-1] < 1e-10
    assert check["rank of S"] + check["dimension of the null space"] == toy.problem.n
    rows = [{"model": m, "omics": o, "split": "s", "sample": i, "NE": base + 0.01 * i}
            for m in ("A", "B") for o, base in (("both", 0.1), ("proteins", 0.3))
            for i in range(8)]
    out = beyond.paired_within_models(pd.DataFrame(rows), "both", "proteins")
    assert list(out.model) == ["A", "B"] and (out.verdict == "helps").all()


# ----- rows are matched by sample label, not position -------------------------------------------

def test_fixed_predictions_are_looked_up_by_label_and_inputs_checked(toy):
    X, Y = toy.X.iloc[:6], toy.Y.iloc[:6]
    splits = sp.loo_splits(list(X.index))
    shuffled = Y.iloc[::-1]  # the same predictions in another row order
    pred = beyond.fixed_split_predictions(shuffled, splits, X.index)
    np.testing.assert_array_equal(pred.to_numpy(), Y.to_numpy())
    assert list(pred.index.get_level_values("sample")) == list(X.index)
    with pytest.raises(ValueError, match=r"lack held-out sample\(s\) \['S00'\]"):
        beyond.fixed_split_predictions(Y.iloc[1:], splits, X.index)
    with pytest.raises(ValueError, match=r"row 0 is sample 'S00' in X and 'S05' in Y \(same "
                                         r"samples in another order"):
        beyond.sklearn_split_predictions("RF", X, shuffled, splits[:1])
    with pytest.raises(ValueError, match=r"row 0 is sample 'S00' in X and 'S05' in Y"):
        beyond.minn_split_predictions(toy.problem, X, shuffled, "c-balanced", splits[:1],
                                      fixed={"hidden": 4, "epochs": 1})


def test_verdict_count_counts_one_comparison_and_names_a_wrong_table():
    import pandas as pd

    tests = pd.DataFrame({"model": ["RF", "NN", "MINN", "RF"],
                          "a": ["both", "both", "both", "proteins"],
                          "b": ["proteins", "proteins", "proteins", "transcripts"],
                          "verdict": ["helps", "inconclusive", "helps", "helps"]})
    assert beyond.verdict_count(tests, "both", "proteins", "helps") == 2
    assert beyond.verdict_count(tests, "both", "proteins", "does not help") == 0
    assert beyond.verdict_count(tests, "proteins", "transcripts", "helps") == 1
    with pytest.raises(ValueError, match="verdict"):
        beyond.verdict_count(tests.drop(columns="verdict"), "both", "proteins", "helps")


def test_feasible_model_projects_the_same_held_out_fluxes(toy):
    """A feasible MINN adds '<label> + feasible QP': the same network's held-out fluxes moved onto
    {S V = 0, V >= 0, P_in V <= V_in}; the plain row is unchanged and keeps its violations."""
    X, Y = toy.X.copy(), toy.Y
    X.columns = ["p_0"] + [f"t_{i}" for i in range(X.shape[1] - 3)] + ["R_EX_glc__D_e_rev",
                                                                       "R_EX_o2_e_rev"]
    settings = {"minn_variants": ["c-balanced"], "minn_fixed": {"hidden": 8, "epochs": 2},
                "rf_fixed": {"model__n_estimators": 5}, "nn_fixed": {}}
    table, seconds = beyond.headline_comparison(toy.problem, X, Y, Y * 1.1, settings,
                                                feasible=["MINN-c-balanced"])
    label = "MINN-c-balanced" + beyond.FEASIBLE_SUFFIX
    assert label in seconds and (table.groupby("model").size() == len(X)).all()
    qp = table[table.model == label]
    assert (qp["below_lb"] == 0).all() and (qp["above_ub"] == 0).all()
    assert qp["max_abs_SV"].max() < 1e-6
    plain, _ = beyond.headline_comparison(toy.problem, X, Y, Y * 1.1, settings)
    pd.testing.assert_frame_equal(plain, table[table.model != label].reset_index(drop=True))
    with pytest.raises(ValueError, match="not among"):
        beyond.headline_comparison(toy.problem, X, Y, Y * 1.1, settings, feasible=["RF"])
    with pytest.raises(ValueError, match="only a MINN"):
        beyond.ModelSpec("RF", feasible=True)
