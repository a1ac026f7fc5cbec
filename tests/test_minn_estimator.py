"""MINNRegressor follows the scikit-learn estimator contract and works in cross_val_score."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import KFold, cross_val_score

from helpers.minn import MINNRegressor
from helpers.minn.toy import make_toy_data


@pytest.fixture(scope="module")
def toy():
    return make_toy_data(n_samples=25, seed=2)


def _small(toy, **kw):
    params = dict(problem=toy.problem, hidden=16, epochs=6, lr=3e-3, seed=0)
    params.update(kw)
    return MINNRegressor(**params)


def test_init_stores_params_and_clone_get_set_params(toy):
    est = _small(toy, c=20)
    params = est.get_params()
    assert params["c"] == 20 and params["problem"] is toy.problem and params["variant"] == "c-balanced"
    twin = clone(est)
    assert twin.get_params() == params and twin is not est
    assert twin.set_params(hidden=8, variant="MSE-base") is twin
    assert (twin.hidden, twin.variant, est.hidden) == (8, "MSE-base", 16)
    assert not hasattr(twin, "net_")


def test_fit_predict_shapes_and_learned_attributes(toy):
    X, Y = toy.X, toy.Y.to_numpy()
    est = _small(toy)
    assert est.fit(X, Y) is est
    assert est.predict(X).shape == (25, 6)
    assert est.predict_fluxes(X).shape == (25, 11)
    assert est.mechanistic_residual(X).shape == (25,)
    assert list(est.mechanistic_terms(X).columns) == ["steady_state", "upper_bound", "positivity",
                                                      "total"]
    np.testing.assert_allclose(est.predict(X), est.predict_fluxes(X)[:, toy.problem.reference_idx])
    assert est.n_features_in_ == 9 and list(est.history_.columns)[:3] == ["loss", "data",
                                                                          "mechanistic"]
    assert len(est.history_) == 6 and list(est.feature_names_in_) == list(X.columns)
    np.testing.assert_allclose(est.x_scaler_.data_min_, X.to_numpy().min(0))
    assert np.isfinite(est.score(X, Y))


def test_scaler_is_fitted_on_training_data_only(toy):
    X = toy.X.to_numpy()
    est = _small(toy, epochs=1).fit(X[:10], toy.Y.to_numpy()[:10])
    np.testing.assert_allclose(est.x_scaler_.data_max_, X[:10].max(0))


def test_errors_name_the_parameter(toy):
    X, Y = toy.X.to_numpy(), toy.Y.to_numpy()
    with pytest.raises(NotFittedError):
        _small(toy).predict(X)
    with pytest.raises(ValueError, match=r"'problem' parameter of MINNRegressor must be a "
                                         r"MechanisticProblem. Got NoneType"):
        MINNRegressor().fit(X, Y)
    with pytest.raises(ValueError, match=r"'dropout' parameter of MINNRegressor must be a number "
                                         r"in \[0, 1\). Got 1.5"):
        _small(toy, dropout=1.5).fit(X, Y)
    with pytest.raises(ValueError, match=r"'variant' parameter must be one of"):
        _small(toy, variant="best").fit(X, Y)
    with pytest.raises(ValueError, match=r"Y must have shape \(n_samples=25, n_ref=6\)"):
        _small(toy).fit(X, Y[:, :2])
    est = _small(toy, epochs=1).fit(X, Y)
    with pytest.raises(ValueError, match=r"X has 3 features, but MINNRegressor is expecting 9 features"):
        est.predict(X[:, :3])


def test_cross_val_score_runs_and_repeats(toy):
    X, Y = toy.X.to_numpy(), toy.Y.to_numpy()
    cv = KFold(3, shuffle=True, random_state=0)
    first = cross_val_score(_small(toy), X, Y, cv=cv)
    again = cross_val_score(_small(toy), X, Y, cv=cv)
    assert first.shape == (3,) and np.isfinite(first).all()
    np.testing.assert_array_equal(first, again)


def test_target_frames_are_aligned_by_column_name(toy):
    X, Y = toy.X, toy.Y
    shuffled = Y[list(reversed(Y.columns))]
    a = _small(toy, epochs=2).fit(X, Y).predict(X)
    b = _small(toy, epochs=2).fit(X, shuffled).predict(X)
    np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match=r"missing \['BIOMASS'\], unexpected \['growth'\]"):
        _small(toy).fit(X, Y.rename(columns={"BIOMASS": "growth"}))


def test_fitted_estimator_pickles_for_joblib(toy):
    import pickle

    est = _small(toy, epochs=2).fit(toy.X, toy.Y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict(toy.X), est.predict(toy.X))


# ----- input and parameter checks, scikit-learn's estimator checks --------------------------

def test_predict_rejects_reordered_renamed_or_missing_feature_names(toy):
    est = _small(toy, epochs=1).fit(toy.X, toy.Y)
    reordered = toy.X[list(reversed(toy.X.columns))]
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        est.predict(reordered)
    with pytest.raises(ValueError, match=r"Feature names unseen at fit time:\n- protein_R2"):
        est.predict(toy.X.rename(columns={"p_R2": "protein_R2"}))
    with pytest.raises(ValueError, match=r"Feature names seen at fit time, yet now missing:\n- "
                                         r"EX_A_measured"):
        est.predict(toy.X.drop(columns="EX_A_measured"))


@pytest.mark.parametrize("method", ["fit", "predict"])
def test_nan_or_inf_in_X_names_row_and_column(toy, method):
    frame = toy.X.copy()
    frame.iloc[3, 5] = np.nan
    frame.iloc[7, 0] = np.inf
    array = toy.X.to_numpy().copy()
    array[0, 1] = -np.inf
    cases = [(frame, toy.X, toy.Y, r"X contains NaN at row 3 \(index 'S03'\), column 5 \('p_R3'\) "
                            r"\(and 1 more"),
             (array, toy.X.to_numpy(), toy.Y.to_numpy(), r"X contains inf at row 0, column 1;")]
    for X, clean, Y, message in cases:
        est = _small(toy, epochs=1)
        if method == "predict":
            est.fit(clean, Y)
            with pytest.raises(ValueError, match=message):
                est.predict(X)
        else:
            with pytest.raises(ValueError, match=message):
                est.fit(X, Y)
            assert not hasattr(est, "fit_")  # rejected before any training


def test_nan_in_Y_is_named_before_training(toy):
    Y = toy.Y.copy()
    Y.iloc[4, 2] = np.nan
    est = _small(toy, epochs=1)
    with pytest.raises(ValueError, match=r"Y contains NaN at row 4 \(index 'S04'\), column 2 "
                                         r"\('R3'\)"):
        est.fit(toy.X, Y)
    assert not hasattr(est, "fit_")


@pytest.mark.parametrize("name, value", [("mech_lr", -0.01), ("weight_decay", -1e-4),
                                         ("mech_decay", 1.5), ("epochs", 2.5), ("epochs", 0),
                                         ("epochs", True), ("mech_lr", float("nan")),
                                         ("seed", 1.5), ("seed", "0"), ("seed", -1),
                                         ("seed", 2**32), ("seed", True), ("hidden", True),
                                         ("batch_size", True), ("mech_steps", 2.0),
                                         ("dropout", "0.5"), ("dropout", 1.0), ("lr", "1"),
                                         ("lr", 0.0), ("c", "10"), ("c", 0), ("data_weight", 1.5),
                                         ("device", "junk"), ("dtype", ["float32"])])
def test_bad_numeric_parameters_are_parameter_errors(toy, name, value):
    with pytest.raises(ValueError, match=rf"The '{name}' parameter of MINNRegressor must be"):
        _small(toy, **{name: value}).fit(toy.X, toy.Y)


def _tiny_problem():
    """EX_A -> A -> B -> (out): three reactions, one reference flux (R1), EX_A bounded."""
    from helpers.minn import MechanisticProblem

    S = np.array([[1.0, -1.0, 0.0], [0.0, 1.0, -1.0]])
    return MechanisticProblem.from_matrices(S, ["EX_A", "R1", "EX_B"], ["R1"], ["EX_A"], 10.0,
                                            ["A", "B"])


#: Checks of scikit-learn's suite that cannot apply to MINN, with the reason.
#: Sparse input is rejected with scikit-learn's own TypeError, which its checks accept.
EXPECTED_FAILED_CHECKS: dict[str, str] = {
    "check_supervised_y_2d": "Y is (n_samples, n_ref) by design: a column vector is the natural "
                             "target of a one-reference problem, so no DataConversionWarning "
                             "and the predictions keep that shape",
}


def _sklearn_checks():
    from sklearn.utils.estimator_checks import parametrize_with_checks

    est = MINNRegressor(_tiny_problem(), hidden=4, epochs=1, batch_size=16, seed=0)
    return parametrize_with_checks([est], expected_failed_checks=lambda e: EXPECTED_FAILED_CHECKS)


@_sklearn_checks()
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_fit_and_predict_check_v_in(toy):
    X, Y = toy.X, toy.Y.to_numpy()
    with pytest.raises(ValueError, match=r"'v_in' parameter of MINNRegressor.fit has 2 row\(s\) "
                                         r"but X has 25 sample\(s\)"):
        _small(toy).fit(X, Y, v_in=np.full((2, 1), 10.0))
    est = _small(toy).fit(X, Y, v_in=np.full((25, 1), 10.0))
    with pytest.raises(ValueError, match=r"MINNRegressor.predict_fluxes holds NaN at column 0"):
        est.predict(X, v_in=[np.nan])
    assert est.predict(X, v_in=[np.inf]).shape == (25, 6)


# ----- silent or nameless errors: overflow, parameters, batch buffers, cells, sample order ----

def test_good_seeds_and_numpy_numbers_are_accepted(toy):
    est = _small(toy, epochs=1, seed=np.int64(2**32 - 1), hidden=np.int32(8), dropout=np.float32(0.5))
    assert est.fit(toy.X, toy.Y).predict(toy.X).shape == (25, 6)


def test_predict_names_an_input_that_overflows_after_scaling(toy):
    est = _small(toy, epochs=2).fit(toy.X, toy.Y)
    frame = toy.X.copy()
    frame.iloc[2, 3] = 1e40
    with pytest.raises(ValueError, match=r"X row 2 \(index 'S02'\), column 3 \('t_R6'\) is 1e\+40, "
                                         r"[0-9.e+]+ after min-max scaling on the training range: "
                                         r"beyond the largest float32"):
        est.predict(frame)
    array = toy.X.to_numpy().copy()
    array[4, 0] = -1e39
    array[5, 1] = 1e39
    with pytest.raises(ValueError, match=r"X row 4, column 0 \('t_R2'\) is -1e\+39, .* \(and 1 "
                                         r"more such"):
        est.predict(array)  # fitted on a frame: the column is named
    with pytest.raises(ValueError, match=r"X row 2 \(index 'S02'\), column 3"):
        est.mechanistic_residual(frame)
    # finite after scaling, but the network overflows float32 on this sample: named, not NaN
    frame = toy.X.copy()
    frame.iloc[2, :] = 3e38
    with pytest.raises(ValueError, match=r"The predicted fluxes of X row 2 \(index 'S02'\) are "
                                         r"not finite \(1 sample\(s\) in all\)"):
        est.predict(frame)
    # the same input in float64 is representable: predicted, finite
    wide = _small(toy, epochs=2, dtype="float64").fit(toy.X, toy.Y)
    frame.iloc[2, :] = 1e40
    assert np.isfinite(wide.predict(frame)).all()


def test_a_batch_size_beyond_the_rows_sizes_buffers_by_the_rows_with_the_same_model(toy, monkeypatch):
    """Buffers hold min(batch_size, rows) samples; batch_size >= rows is one full batch, so every
    such batch_size trains the same model (a batch never holds more rows than there are)."""
    from helpers.minn._engine import trainer

    sizes, real = [], trainer.Workspace

    def recording(layer, tp, E, B, *args, **kwargs):
        sizes.append(B)
        assert B <= 25, f"buffers sized for {B} samples, the data has 25"
        return real(layer, tp, E, B, *args, **kwargs)

    monkeypatch.setattr(trainer, "Workspace", recording)
    huge = _small(toy, batch_size=10**6, epochs=3).fit(toy.X, toy.Y).predict(toy.X)
    larger = _small(toy, batch_size=30, epochs=3).fit(toy.X, toy.Y).predict(toy.X)
    exact = _small(toy, batch_size=25, epochs=3).fit(toy.X, toy.Y).predict(toy.X)
    assert sizes == [25, 25, 25]
    np.testing.assert_array_equal(huge, exact)
    np.testing.assert_array_equal(larger, exact)


def test_members_smaller_than_the_batch_train_as_alone_and_as_the_core(toy):
    """With batch_size beyond some members' rows, each member is still the run it would be
    alone (its buffers padded to the ensemble's largest member) and the readable core's run."""
    from helpers.minn import Member, minmax_scale_members, train_ensemble
    from helpers.minn.core import predict_one, train_one

    X, Y = minmax_scale_members(toy.X.to_numpy(), [None])[0], toy.Y.to_numpy()
    members = [Member(hidden=8, dropout=0.25, lr=3e-3, epochs=3, seed=s, rows=tuple(range(n)))
               for s, n in ((1, 12), (2, 20))]
    kw = dict(batch_size=40, dtype=torch.float64, progress=False)
    both = train_ensemble(toy.problem, X, Y, members, **kw).predict(X)
    for e, member in enumerate(members):
        alone = train_ensemble(toy.problem, X, Y, [member], **kw).predict(X)[0]
        np.testing.assert_allclose(both[e], alone, rtol=1e-12, atol=1e-12)
        core = predict_one(train_one(toy.problem, X, Y, member, batch_size=40), X, toy.problem)
        np.testing.assert_allclose(alone, core, rtol=1e-6, atol=1e-9)


def test_a_non_numeric_cell_is_named_by_row_and_column(toy):
    frame = toy.X.astype(object)
    frame.iloc[4, 2] = "abc"
    with pytest.raises(ValueError, match=r"X row 4 \(index 'S04'\), column 2 \('t_R5'\) holds "
                                         r"'abc', which is not a number"):
        _small(toy).fit(frame, toy.Y)
    array = toy.X.to_numpy().astype(object)
    array[1, 7] = "1,5"
    with pytest.raises(ValueError, match=r"X row 1, column 7 holds '1,5', which is not a number"):
        _small(toy).fit(array, toy.Y.to_numpy())
    targets = toy.Y.astype(object)
    targets.iloc[3, 5] = "n/a"
    with pytest.raises(ValueError, match=r"Y row 3 \(index 'S03'\), column 5 \('BIOMASS'\) holds "
                                         r"'n/a'"):
        _small(toy).fit(toy.X, targets)
    est = _small(toy, epochs=1).fit(toy.X, toy.Y)
    with pytest.raises(ValueError, match=r"X row 4 \(index 'S04'\), column 2 \('t_R5'\) holds"):
        est.predict(frame)
    numbers_as_text = toy.X.astype(str)  # text holding numbers converts, as in scikit-learn
    assert est.predict(numbers_as_text).shape == (25, 6)


def test_x_and_y_frames_must_list_the_same_samples_in_the_same_order(toy):
    rotated = toy.Y.iloc[list(range(3, 25)) + [0, 1, 2]]  # a copy: trained silently before
    with pytest.raises(ValueError, match=r"row 0 is sample 'S00' in X and 'S03' in Y \(same "
                                         r"samples in another order: reorder Y with "
                                         r"Y.loc\[X.index\]\)"):
        _small(toy).fit(toy.X, rotated)
    with pytest.raises(ValueError, match=r"row 0 is sample 'S00' in X and 0 in Y \(different "
                                         r"labels"):
        _small(toy).fit(toy.X, toy.Y.reset_index(drop=True))
    # aligned frames, or arrays (paired by position), train; a reversed array view is fine too
    a = _small(toy, epochs=1).fit(toy.X, toy.Y.iloc[::-1].loc[toy.X.index]).predict(toy.X)
    b = _small(toy, epochs=1).fit(toy.X.to_numpy()[::-1], toy.Y.to_numpy()[::-1])
    assert a.shape == b.predict(toy.X.to_numpy()).shape == (25, 6)
