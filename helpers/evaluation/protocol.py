"""The evaluation protocol shared by every MINN chapter: outer leave-one-out, inner 5-fold tuning.

For each of the 29 outer folds, hyper-parameters are chosen by 5-fold cross-validation on the 28
training samples only, the model is refitted on those 28, and the held-out sample is predicted.
Inputs are min-max scaled inside every fit (a :class:`~sklearn.pipeline.Pipeline`), so no statistic
of a held-out sample reaches scaling or tuning. Outer folds run through :mod:`joblib`; switch the
backend to a cluster with ``joblib.parallel_config(backend="dask")`` (or ``"ray"``). The outer
and inner folds are :class:`~helpers.evaluation.splits.Split` objects
(:func:`~helpers.evaluation.splits.loo_splits`, :func:`~helpers.evaluation.splits.kfold_splits`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, clone
from sklearn.model_selection import ParameterSampler
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler

from helpers.evaluation.metrics import per_sample_table
from helpers.evaluation.splits import kfold_splits, loo_splits

__all__ = ["LooResult", "scaled", "tune", "evaluate_loo", "best_candidate",
           "check_same_samples"]


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


def _candidates(space: dict, n_trials: int | None, seed: int) -> list[dict]:
    if not space:
        return [{}]
    if n_trials is None:
        from sklearn.model_selection import ParameterGrid

        return list(ParameterGrid(space))
    return list(ParameterSampler(space, n_iter=n_trials, random_state=seed))


def check_same_samples(X: pd.DataFrame, Y: pd.DataFrame, x_name: str = "X",
                       y_name: str = "Y") -> None:
    """Raise ``ValueError`` unless ``X`` and ``Y`` have the same sample labels in the same order.

    The harnesses pair the rows of inputs and targets by position (numpy arrays, row indices of
    folds), so a target frame in another order, or with another sample, would silently train on
    and score against the wrong sample. The message names the first position that differs.
    """
    a, b = list(X.index), list(Y.index)
    if a == b:
        return
    if len(a) != len(b):
        only_x = [s for s in a if s not in set(b)][:3]
        only_y = [s for s in b if s not in set(a)][:3]
        raise ValueError(f"{x_name} has {len(a)} samples but {y_name} has {len(b)} (only in "
                         f"{x_name}: {only_x}, only in {y_name}: {only_y}); their rows are "
                         "paired by position.")
    i = next(k for k, (p, q) in enumerate(zip(a, b, strict=True)) if p != q)
    hint = (f"same samples in another order: reorder {y_name} with .loc[{x_name}.index]"
            if sorted(map(str, a)) == sorted(map(str, b)) else "different samples")
    raise ValueError(f"The rows of {x_name} and {y_name} are paired by position, but row {i} is "
                     f"sample {a[i]!r} in {x_name} and {b[i]!r} in {y_name} ({hint}).")


def best_candidate(scores, what: str = "candidate") -> int:
    """Position of the lowest score, a NaN or infinite score counting as the worst.

    ``np.argmin`` alone returns the position of the first NaN (a diverged or failed candidate
    would win); here a non-finite score is never chosen while any score is finite.

    Raises
    ------
    ValueError
        If no score is finite (every candidate failed), naming how many there were.
    """
    values = np.asarray(scores, dtype=float).ravel()
    finite = np.isfinite(values)
    if not finite.any():
        raise ValueError(f"No {what} has a finite score ({values.size} scored, all NaN or "
                         f"infinite): every {what} failed, so none can be chosen.")
    return int(np.argmin(np.where(finite, values, np.inf)))


def tune(pipeline: Pipeline, space: dict, X: np.ndarray, Y: np.ndarray, *, n_trials: int | None,
         seed: int, n_splits: int = 5) -> tuple[dict, float]:
    """Pick the candidate (``model__`` parameters) with the lowest mean inner-CV MAE.

    ``n_trials=None`` searches the whole grid; otherwise ``n_trials`` random candidates.
    Returns the chosen parameters and their CV score.
    """
    candidates = _candidates(space, n_trials, seed)
    if len(candidates) == 1:
        return candidates[0], float("nan")
    folds = kfold_splits(X, n_splits, seed)
    scores = []
    for params in candidates:
        errors = []
        for fold in folds:
            train, test = fold.train_rows, fold.test_rows
            fitted = clone(pipeline).set_params(**params).fit(X[train], Y[train])
            errors.append(np.abs(fitted.predict(X[test]) - Y[test]).mean())
        scores.append(float(np.mean(errors)))
    best = best_candidate(scores)
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
    check_same_samples(X, Y)
    Xv, Yv = X.to_numpy(dtype=float), Y.to_numpy(dtype=float)
    splits = loo_splits(X.index)
    results = Parallel(n_jobs=n_jobs)(
        delayed(_outer_fold)(pipeline, space, Xv, Yv, s.train_rows, s.test_rows, n_trials, seed + i)
        for i, s in enumerate(splits)
    )
    predictions = np.vstack([pred for pred, _ in results])
    order = [s.test[0] for s in splits]
    frame = pd.DataFrame(predictions, index=X.index[order], columns=Y.columns).loc[X.index]
    chosen = [{"sample": X.index[s.test[0]], **info}
              for (_, info), s in zip(results, splits, strict=True)]
    return LooResult(name, frame, chosen)
