"""Machine-learning baselines of chapter ``03_minn_vs_ml``: random forest and a plain neural net.

Both see the same inputs (transcripts || proteins || uptakes, min-max scaled inside each fit) and
predict the 45 reference fluxes directly; both are tuned by their own inner 5-fold CV in each outer
leave-one-out fold (:func:`helpers.evaluation.protocol.evaluate_loo`). Neither predicts a full flux
distribution, so neither has a mechanistic residual.
"""

from __future__ import annotations

import warnings

import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from helpers.evaluation.protocol import LooResult, evaluate_loo, scaled

__all__ = ["RF_SPACE", "NN_SPACE", "random_forest", "plain_nn", "run_baseline"]

#: Inner-CV search spaces (``model__`` parameters of :func:`helpers.evaluation.protocol.scaled`).
RF_SPACE = {
    "model__n_estimators": [100, 300],
    "model__max_features": ["sqrt", 0.33, 1.0],
    "model__min_samples_leaf": [1, 2, 4],
}
NN_SPACE = {
    "model__hidden_layer_sizes": [(200,), (250,), (300,)],
    "model__alpha": [1e-5, 1e-4, 1e-3],
    "model__learning_rate_init": [2e-4, 5e-4, 7e-4],
}


def random_forest(seed: int = 0) -> RandomForestRegressor:
    """A multi-output random forest (scikit-learn), seeded."""
    return RandomForestRegressor(n_estimators=300, max_features=0.33, random_state=seed, n_jobs=1)


def plain_nn(seed: int = 0, max_iter: int = 500) -> MLPRegressor:
    """One hidden ReLU layer, Adam, batch 5: the network part of MINN without its mechanistic layer."""
    return MLPRegressor(hidden_layer_sizes=(250,), batch_size=5, max_iter=max_iter,
                        learning_rate_init=5e-4, random_state=seed, early_stopping=False)


def run_baseline(kind: str, X: pd.DataFrame, Y: pd.DataFrame, *, n_trials: int | None, seed: int,
                 n_jobs: int = 1, fixed: dict | None = None) -> LooResult:
    """Nested LOO of ``kind`` ('RF' or 'NN'): tune over its space (``n_trials`` random candidates,
    0 = no tuning and ``fixed`` parameters), refit on the 28 training samples, predict the 29th."""
    if kind == "RF":
        estimator, space = random_forest(seed), RF_SPACE
    elif kind == "NN":
        estimator, space = plain_nn(seed), NN_SPACE
    else:
        raise ValueError(f"The 'kind' parameter must be one of ['RF', 'NN']. Got {kind!r} instead.")
    pipeline = scaled(estimator)
    if n_trials == 0:
        pipeline.set_params(**(fixed or {}))
        space = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return evaluate_loo(kind, pipeline, space, X, Y, n_trials=n_trials or None, seed=seed,
                            n_jobs=n_jobs)
