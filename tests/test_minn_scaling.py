"""Per-member min-max scaling against scikit-learn's MinMaxScaler (chapter 00_toy_example)."""

import numpy as np
from sklearn.preprocessing import MinMaxScaler

from helpers.minn.scaling import minmax_scale_members


def test_agrees_with_minmaxscaler_on_ordinary_data():
    """Each member equals MinMaxScaler fitted on its rows, to 1e-12 (not bit for bit)."""
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 5.0, size=(29, 141))
    X[:, 7] = 2.5  # a constant column
    rows = [None, list(range(1, 29)), rng.choice(29, 22, replace=False).tolist()]
    scaled = minmax_scale_members(X, rows)
    assert scaled.shape == (3, 29, 141)
    for e, r in enumerate(rows):
        fit = X if r is None else X[r]
        expected = MinMaxScaler().fit(fit).transform(X)
        np.testing.assert_allclose(scaled[e], expected, rtol=0, atol=1e-12)


def test_documented_differences_from_minmaxscaler():
    """A span below scikit-learn's 10*eps threshold is scaled here; scikit-learn keeps X - lo."""
    X = np.array([[0.0], [1e-300], [0.0]])
    np.testing.assert_array_equal(minmax_scale_members(X, [None])[0].ravel(), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(MinMaxScaler().fit(X).transform(X).ravel(), X.ravel())


def test_constant_training_column_is_shifted_like_minmaxscaler():
    X = np.array([[2.0], [2.0], [5.0]])
    np.testing.assert_array_equal(minmax_scale_members(X, [[0, 1]])[0].ravel(), [0.0, 0.0, 3.0])
