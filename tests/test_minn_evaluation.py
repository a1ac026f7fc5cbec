"""Batched nested LOO of MINN: shapes, choices, no leak, same result as the one-at-a-time path."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.evaluation.minn_loo import (
    evaluate_minn_loo,
    evaluate_variants,
    outer_fold_members,
    protocol_for,
    sample_candidates,
)
from helpers.minn import Member, minmax_scale_members, train_ensemble
from helpers.minn.toy import make_toy_data


@pytest.fixture(scope="module")
def toy():
    data = make_toy_data(n_samples=8, seed=1)
    return data


def test_fixed_protocol_equals_training_each_fold_alone(toy):
    fixed = {"hidden": 16, "dropout": 0.0, "lr": 3e-3, "epochs": 4}
    result = evaluate_minn_loo(toy.problem, toy.X, toy.Y, "c-balanced", fixed={**fixed, "c": 10.0},
                               seed=3)
    assert result.predictions.shape == toy.Y.shape
    assert result.extra["L2"].shape == (len(toy.X),)
    # fold 2 trained on its own: same seed, same rows, same scaling -> same held-out prediction
    rows = tuple(i for i in range(len(toy.X)) if i != 2)
    member = Member(config="c-balanced", rows=rows, seed=3 + 2, c=10.0, **fixed)
    Xs = minmax_scale_members(toy.X.to_numpy(), [rows])
    alone = train_ensemble(toy.problem, Xs, toy.Y.to_numpy(), [member], progress=False)
    np.testing.assert_allclose(alone.predict(Xs)[0, 2], result.predictions.iloc[2], rtol=1e-4, atol=1e-5)


def test_search_chooses_among_candidates_and_never_trains_on_held_out(toy):
    train = np.array([0, 1, 2, 4, 5, 6, 7])
    candidates = sample_candidates("c-balanced", 3, seed=0)
    members, validation = outer_fold_members("c-balanced", train, candidates, inner_folds=3, seed=0)
    assert len(members) == 9 and all(3 not in m.rows for m in members)
    for member, (_, val_rows) in zip(members, validation, strict=True):
        assert not set(member.rows) & set(val_rows)
    result = evaluate_minn_loo(toy.problem, toy.X.iloc[:6], toy.Y.iloc[:6], "c-balanced",
                               fixed={"epochs": 2}, n_trials=2, inner_folds=2, seed=0)
    assert {c["c"] for c in result.chosen} <= {10.0, 20.0, 30.0, 40.0, 50.0}
    assert result.extra["n_runs"] == 6 * (1 + 2 * 2)


def test_protocol_for_quick_fixes_c_and_paper_searches():
    quick = {"minn_fixed": {"hidden": 250}, "minn_c": 30.0, "minn_trials_tuned_c": 0, "minn_trials": 0}
    assert protocol_for("c-balanced", quick) == ({"hidden": 250, "c": 30.0}, 0)
    assert protocol_for("unbalanced", quick) == ({"hidden": 250}, 0)
    paper = {"minn_fixed": {}, "minn_c": None, "minn_trials_tuned_c": 25, "minn_trials": 15}
    assert protocol_for("c-balanced", paper) == ({}, 25)
    assert protocol_for("MSE-base", paper) == ({}, 15)


def test_evaluate_variants_uses_each_labels_targets_and_reports_l2(toy):
    settings = {"minn_fixed": {"hidden": 8, "dropout": 0.0, "lr": 3e-3, "epochs": 2},
                "minn_c": 10.0, "minn_trials_tuned_c": 0, "minn_trials": 0, "inner_folds": 2,
                "n_jobs": 1}
    X, Y = toy.X.iloc[:5], toy.Y.iloc[:5]
    shifted = Y + 100.0
    results = evaluate_variants(toy.problem, X, Y, {"a": "c-balanced", "b": "c-balanced"},
                                settings, seed=1, targets={"b": shifted})
    assert list(results) == ["a", "b"] and results["b"].model == "b"
    # b is exactly the harness run on its own targets; a on Y
    direct = evaluate_minn_loo(toy.problem, X, shifted, "c-balanced", fixed={**settings["minn_fixed"],
                               "c": 10.0}, seed=1)
    np.testing.assert_allclose(results["b"].predictions, direct.predictions, rtol=1e-6)
    assert not np.allclose(results["a"].predictions, direct.predictions)
    table = results["a"].per_sample(Y)
    np.testing.assert_allclose(table["L2"], results["a"].extra["L2"].to_numpy())
    assert results["a"].extra["seconds"] > 0
    with pytest.raises(ValueError, match="'c'"):
        evaluate_variants(toy.problem, X, Y, {"a": "c-balanced"}, settings, targets={"c": Y})
    # two workers train the variants side by side: the same numbers, in the same order
    parallel = evaluate_variants(toy.problem, X, Y, {"a": "c-balanced", "b": "c-balanced"},
                                 {**settings, "n_jobs": 2}, seed=1, targets={"b": shifted})
    assert list(parallel) == ["a", "b"]
    for label in ("a", "b"):
        pd.testing.assert_frame_equal(parallel[label].predictions, results[label].predictions)


def test_one_fold_alone_equals_that_fold_of_the_searched_harness(toy):
    """The results-store unit (one outer fold: search + refit) equals the full harness's fold,
    and chunking the inner search (max_members) changes nothing."""
    from helpers.evaluation.minn_loo import evaluate_minn_fold

    X, Y = toy.X.iloc[:6], toy.Y.iloc[:6]
    kwargs = {"fixed": {"epochs": 2, "hidden": 8}, "n_trials": 2, "inner_folds": 2, "seed": 4}
    full = evaluate_minn_loo(toy.problem, X, Y, "c-balanced", **kwargs)
    unit = evaluate_minn_fold(toy.problem, X, Y, "c-balanced", 3, max_members=3, **kwargs)
    assert unit["sample"] == X.index[3]
    np.testing.assert_allclose(unit["prediction"].to_numpy(), full.predictions.iloc[3], rtol=1e-5,
                               atol=1e-7)
    assert unit["L2"] == pytest.approx(full.extra["L2"].iloc[3], rel=1e-4)
    chosen = {k: v for k, v in full.chosen[3].items() if k != "sample"}
    assert unit["chosen"] == pytest.approx(chosen)
    assert len(unit["inner_cv"]) == 2 and unit["seconds"] > 0
    with pytest.raises(ValueError, match="'fold' parameter must be in"):
        evaluate_minn_fold(toy.problem, X, Y, "c-balanced", 6, **kwargs)


def test_a_diverging_candidate_is_never_chosen(toy, monkeypatch):
    """A candidate whose runs diverge scores inf and the search picks another one."""
    from helpers.evaluation import minn_loo

    real = minn_loo.train_ensemble

    def flaky(problem, X, Y, members, **kwargs):
        if any(m.hidden == 7 for m in members):
            raise minn_loo.TrainingDivergedError("diverged (test)")
        return real(problem, X, Y, members, **kwargs)

    monkeypatch.setattr(minn_loo, "train_ensemble", flaky)
    monkeypatch.setattr(minn_loo, "sample_candidates",
                        lambda variant, n, seed: [{"hidden": 7}, {"hidden": 9}])
    train = np.arange(6)
    chosen, score, scored = minn_loo.search_one_fold(
        toy.problem, toy.X.to_numpy(), toy.Y.to_numpy(), "c-balanced", train, n_trials=2,
        inner_folds=2, seed=0, fixed={"epochs": 1}, max_members=4)
    assert chosen["hidden"] == 9 and np.isfinite(score)
    assert scored[0]["inner_cv_NE"] == np.inf


def test_refit_fold_retrains_the_units_refit_from_its_choice(toy):
    """Chapter 04 at the paper profile: the refit with a unit's chosen hyper-parameters is the
    unit's own refit (same rows, seed and scaling), with its per-epoch history."""
    from helpers.evaluation.minn_loo import evaluate_minn_fold, fold_params, refit_fold

    X, Y = toy.X.iloc[:6], toy.Y.iloc[:6]
    params = {"hidden": 8, "dropout": 0.0, "lr": 3e-3, "epochs": 3, "c": 10.0}
    unit = evaluate_minn_fold(toy.problem, X, Y, "c-balanced", 2, fixed=params, seed=5)
    assert fold_params(unit["chosen"]) == params  # its inner-CV score is left out
    fit = refit_fold(toy.problem, X, Y, "c-balanced", unit["chosen"], 2, seed=5)
    Xs = minmax_scale_members(X.to_numpy(), [fit.members[0].rows])
    np.testing.assert_allclose(fit.predict(Xs)[0, 2], unit["prediction"].to_numpy(), rtol=1e-6)
    assert 2 not in fit.members[0].rows and fit.members[0].seed == 5 + 2
    assert fit.history["data"].shape == (1, 3) and np.isfinite(fit.history["data"]).all()
    other = refit_fold(toy.problem, X, Y, "c-balanced", unit["chosen"], 2, seed=6)
    assert not np.allclose(other.history["data"], fit.history["data"])
    with pytest.raises(ValueError, match=r"Unknown hyper-parameter\(s\) \['hiden'\]"):
        fold_params({"hiden": 8, "inner_cv_NE": 0.1})
    with pytest.raises(ValueError, match="'fold' parameter must be in"):
        refit_fold(toy.problem, X, Y, "c-balanced", params, 6)


def test_refit_histories_use_each_labels_choice_of_that_fold(toy):
    """One refit per label, on the fold of ``sample``, with what that fold chose (here its epochs
    tell which fold's choice was read) and the label's own targets; no result, no refit."""
    from helpers.evaluation.minn_loo import refit_fold, refit_histories
    from helpers.evaluation.protocol import LooResult

    X, Y = toy.X.iloc[:5], toy.Y.iloc[:5]
    base = {"hidden": 8, "dropout": 0.0, "lr": 3e-3, "c": 10.0}
    chosen = [{**base, "epochs": 2 + i, "inner_cv_NE": 0.1} for i in range(len(X))]
    stored = LooResult("a", Y * 0.0, chosen)  # as the store reads it: no 'sample' key
    results = {"a": stored, "b": LooResult("b", Y * 0.0, chosen)}
    variants = {"a": "c-balanced", "b": "c-balanced", "gone": "scheduler"}
    shifted = Y + 100.0
    first = refit_histories(toy.problem, X, Y, results, variants, targets={"b": shifted},
                            seed=2)
    assert list(first) == ["a", "b"]  # 'gone' has no result: left out
    assert first["a"]["data"].shape == (1, 2)  # fold 0 chose 2 epochs
    direct = refit_fold(toy.problem, X, Y, "c-balanced", chosen[0], 0, seed=2)
    np.testing.assert_allclose(first["a"]["data"], direct.history["data"])
    assert not np.allclose(first["b"]["data"], first["a"]["data"])  # b trains on its targets
    third = refit_histories(toy.problem, X, Y, results, {"a": "c-balanced"},
                            sample=X.index[3], seed=2, n_jobs=2)
    assert third["a"]["data"].shape == (1, 5)  # fold 3 chose 5 epochs
    labelled = {"a": LooResult("a", Y * 0.0, [{**c, "sample": X.index[0]} for c in chosen])}
    with pytest.raises(ValueError, match="is labelled"):
        refit_histories(toy.problem, X, Y, labelled, {"a": "c-balanced"}, sample=X.index[1])
    with pytest.raises(ValueError, match="not in X"):
        refit_histories(toy.problem, X, Y, results, {"a": "c-balanced"}, sample="nowhere")
    diverged_first = LooResult("b", (Y * 0.0).iloc[1:], chosen[1:])  # fold 0 diverged
    fourth = refit_histories(toy.problem, X, Y, {**results, "b": diverged_first},
                             {"a": "c-balanced", "b": "c-balanced"}, seed=2)
    assert fourth["a"]["data"].shape == (1, 3)  # the first fold both hold out: fold 1


def test_inputs_and_targets_must_name_the_same_samples_in_order(toy):
    """Review item 7: X and Y are paired by position, so their labels are compared first."""
    from helpers.evaluation.minn_loo import evaluate_minn_fold, refit_fold
    from helpers.evaluation.protocol import check_same_samples

    Y = toy.Y.iloc[[1, 0, *range(2, len(toy.Y))]]
    with pytest.raises(ValueError, match=r"row 0 is sample 'S00' in X and 'S01' in Y"):
        evaluate_minn_fold(toy.problem, toy.X, Y, "c-balanced", 0, fixed={"epochs": 1})
    with pytest.raises(ValueError, match=r"row 0 is sample 'S00' in X and 'S01' in Y"):
        evaluate_minn_loo(toy.problem, toy.X, Y, "c-balanced", fixed={"epochs": 1})
    with pytest.raises(ValueError, match=r"row 0 is sample 'S00' in X and 'S01' in Y"):
        refit_fold(toy.problem, toy.X, Y, "c-balanced", {"epochs": 1}, 0)
    settings = {"minn_trials_tuned_c": 0, "minn_trials": 0, "minn_fixed": {"epochs": 1},
                "minn_c": 10.0, "inner_folds": 2, "n_jobs": 1}
    with pytest.raises(ValueError, match=r"in X and 'S01' in targets\['a'\]"):
        evaluate_variants(toy.problem, toy.X, toy.Y, {"a": "c-balanced"}, settings, targets={"a": Y})
    with pytest.raises(ValueError, match=r"X has 8 samples but Y has 7 \(only in X: \['S07'\]"):
        check_same_samples(toy.X, toy.Y.iloc[:7])
    with pytest.raises(ValueError, match=r"\(different samples\)"):
        check_same_samples(toy.X, toy.Y.rename(index={"S03": "T03"}))
    check_same_samples(toy.X, toy.Y)
