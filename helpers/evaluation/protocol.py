"""The evaluation protocol shared by every MINN chapter: outer leave-one-out, inner 5-fold tuning.

For each of the 29 outer folds, hyper-parameters are chosen by 5-fold cross-validation on the 28
training samples only, the model is refitted on those 28, and the held-out sample is predicted.
Inputs are min-max scaled inside every fit (a :class:`~sklearn.pipeline.Pipeline`), so no statistic
of a held-out sample reaches scaling or tuning. Outer folds run through :mod:`joblib`; switch the
backend to a cluster with ``joblib.parallel_config(backend="dask")`` (or ``"ray"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import KFold, LeaveOneOut, ParameterSampler
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from helpers.evaluation.metrics import per_sample_table

__all__ = ["LooResult", "scaled", "inner_cv", "tune", "evaluate_loo"]


@dataclass
class LooResult:
    """Held-out predictions of every outer fold, and what each fold chose."""

    model: str
    predictions: pd.DataFrame
    chosen: list[dict] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def per_sample(self, reference: pd.DataFrame) -> pd.DataFrame:
        """Metrics of each held-out sample against ``reference`` (with ``L2`` when recorded)."""
        table = per_sample_table(reference, self.predictions, model=self.model)
        if "L2" in self.extra:
            table["L2"] = self.extra["L2"].loc[table["sample"]].to_numpy()
        return table


def scaled(estimator: BaseEstimator) -> Pipeline:
    """``estimator`` behind a min-max scaler fitted on whatever data the pipeline is fitted on."""
    return Pipeline([("scale", MinMaxScaler()), ("model", estimator)])


def inner_cv(seed: int, n_splits: int = 5) -> KFold:
    """The inner splitter: shuffled K-fold, seeded."""
    return KFold(n_splits=n_splits, shuffle=True, random_state=seed)


def _candidates(space: dict, n_trials: int | None, seed: int) -> list[dict]:
    if not space:
        return [{}]
    if n_trials is None:
        from sklearn.model_selection import ParameterGrid

        return list(ParameterGrid(space))
    return list(ParameterSampler(space, n_iter=n_trials, random_state=seed))


def tune(pipeline: Pipeline, space: dict, X: np.ndarray, Y: np.ndarray, *, n_trials: int | None,
         seed: int, n_splits: int = 5) -> tuple[dict, float]:
    """Pick the candidate (``model__`` parameters) with the lowest mean inner-CV MAE.

    ``n_trials=None`` searches the whole grid; otherwise ``n_trials`` random candidates.
    Returns the chosen parameters and their CV score.
    """
    candidates = _candidates(space, n_trials, seed)
    if len(candidates) == 1:
        return candidates[0], float("nan")
    scores = []
    for params in candidates:
        errors = []
        for train, test in inner_cv(seed, n_splits).split(X):
            fitted = clone(pipeline).set_params(**params).fit(X[train], Y[train])
            errors.append(np.abs(fitted.predict(X[test]) - Y[test]).mean())
        scores.append(float(np.mean(errors)))
    best = int(np.argmin(scores))
    return candidates[best], scores[best]


def _outer_fold(pipeline, space, X, Y, train, test, n_trials, seed):
    params, score = tune(pipeline, space, X[train], Y[train], n_trials=n_trials, seed=seed)
    fitted = clone(pipeline).set_params(**params).fit(X[train], Y[train])
    return fitted.predict(X[test]), {**params, "inner_cv_mae": score}


def evaluate_loo(name: str, pipeline: Pipeline, space: dict, X: pd.DataFrame, Y: pd.DataFrame, *,
                 n_trials: int | None = None, seed: int = 0, n_jobs: int = 1) -> LooResult:
    """Nested leave-one-out evaluation of a scikit-learn pipeline.

    Parameters
    ----------
    name
        Model label in tables.
    pipeline
        Usually :func:`scaled` (estimator); parameters in ``space`` are ``model__<name>``.
    space
        Search space (lists of values); empty for fixed hyper-parameters.
    n_trials
        Random candidates per outer fold (None: the whole grid).
    """
    Xv, Yv = X.to_numpy(dtype=float), Y.to_numpy(dtype=float)
    splits = list(LeaveOneOut().split(Xv))
    results = Parallel(n_jobs=n_jobs)(
        delayed(_outer_fold)(pipeline, space, Xv, Yv, train, test, n_trials, seed + i)
        for i, (train, test) in enumerate(splits)
    )
    predictions = np.vstack([pred for pred, _ in results])
    order = [test[0] for _, test in splits]
    frame = pd.DataFrame(predictions, index=X.index[order], columns=Y.columns).loc[X.index]
    chosen = [{"sample": X.index[test[0]], **info} for (_, info), (_, test) in zip(results, splits, strict=True)]
    return LooResult(name, frame, chosen)
