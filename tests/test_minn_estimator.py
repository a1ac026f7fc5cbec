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
    with pytest.raises(ValueError, match=r"X has 3 features, but MINNRegressor was fitted with 9"):
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
