"""Nested LOO: no leak of the held-out sample into scaling or tuning; deterministic."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin
from sklearn.linear_model import Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from helpers.evaluation.protocol import evaluate_loo, scaled

SEEN: list[np.ndarray] = []


class RecordingScaler(TransformerMixin, BaseEstimator):
    """Min-max scaler that records every row it is fitted on."""

    def fit(self, X, y=None):
        SEEN.append(np.asarray(X).copy())
        self.scaler_ = MinMaxScaler().fit(X)
        return self

    def transform(self, X):
        return self.scaler_.transform(X)


class MeanRegressor(RegressorMixin, BaseEstimator):
    def __init__(self, shift=0.0):
        self.shift = shift

    def fit(self, X, y):
        self.mean_ = np.asarray(y).mean(axis=0)
        return self

    def predict(self, X):
        return np.tile(self.mean_ + self.shift, (len(X), 1))


def _data(n=8):
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(n, 3)), index=[f"s{i}" for i in range(n)], columns=list("abc"))
    Y = pd.DataFrame(X.to_numpy() @ rng.normal(size=(3, 2)), index=X.index, columns=["f1", "f2"])
    return X, Y


def test_held_out_sample_never_reaches_scaling_or_tuning():
    X, Y = _data()
    X.iloc[3] = 1e6  # a distinctive held-out row
    SEEN.clear()
    pipeline = Pipeline([("scale", RecordingScaler()), ("model", MeanRegressor())])
    evaluate_loo("spy", pipeline, {"model__shift": [0.0, 1.0]}, X, Y)
    fits_per_fold = 2 * 5 + 1  # 2 candidates x 5 inner folds + 1 refit, outer folds in order
    assert len(SEEN) == 8 * fits_per_fold
    fold_of_s3 = SEEN[3 * fits_per_fold:4 * fits_per_fold]
    assert not any((rows == 1e6).any() for rows in fold_of_s3)
    # in the 7 other folds s3 is in 4 of 5 inner training sets (x2 candidates) and in the refit
    assert sum((rows == 1e6).any() for rows in SEEN) == 7 * (2 * 4 + 1)


def test_predictions_are_in_sample_order_and_deterministic():
    X, Y = _data()
    first = evaluate_loo("ridge", scaled(Ridge()), {"model__alpha": [0.1, 1.0]}, X, Y, seed=1)
    second = evaluate_loo("ridge", scaled(Ridge()), {"model__alpha": [0.1, 1.0]}, X, Y, seed=1)
    assert list(first.predictions.index) == list(X.index)
    pd.testing.assert_frame_equal(first.predictions, second.predictions)
    assert len(first.chosen) == len(X) and "model__alpha" in first.chosen[0]
