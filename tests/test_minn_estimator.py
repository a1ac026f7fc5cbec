"""MINNRegressor follows the scikit-learn estimator contract and works in cross_val_score."""

import numpy as np
import pytest
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
    with pytest.raises(ValueError, match=r"'dropout' parameter of MINNRegressor must be in \[0, 1\)"
                                         r". Got 1.5"):
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


# ----- issue 15, item 1: input and parameter checks, scikit-learn's estimator checks ----------

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
                                         ("epochs", True), ("mech_lr", float("nan"))])
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
