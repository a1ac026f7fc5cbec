"""Per-sample flux metrics: R², MAE, RMSE, NE, and the mechanistic residual.

Every metric is computed for one held-out sample over its reference fluxes, then averaged over the
leave-one-out folds (:func:`summarize`). The conventions reproduce the published numbers of
:cite:`goncalves2023` to the third decimal (chapter ``03_minn_vs_ml``):

- ``R2`` is the **squared Pearson correlation** between measured and predicted fluxes of a sample
  (what :cite:`goncalves2023` and the MINN paper, :cite:`tazza2025minn`, report as R²); the
  coefficient of determination is also given, as ``R2_cod``, because it is the textbook meaning
  of R² and differs markedly;
- the spread is the population standard deviation over folds (``ddof=0``), as published.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = ["METRICS", "sample_metrics", "per_sample_table", "summarize"]
# The mechanistic residual L2 = ||S V||^2 / m lives with the GEM matrices:
# :func:`helpers.gem.mechanistic_residual`.

METRICS = ["R2", "R2_cod", "MAE", "RMSE", "NE"]


def _as_2d(values) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    return array[None, :] if array.ndim == 1 else array


def _sample_name(i: int, samples: Sequence | None) -> str:
    return f"sample {i}" + ("" if samples is None else f" ({samples[i]!r})")


def sample_metrics(y_true: ArrayLike, y_pred: ArrayLike, *,
                   samples: Sequence | None = None) -> pd.DataFrame:
    """Metrics of each row (sample) of ``y_true`` vs ``y_pred`` (n_samples x n_fluxes).

    Parameters
    ----------
    y_true, y_pred : array-like, shape (n_samples, n_fluxes) or (n_fluxes,)
        Measured and predicted fluxes, one row per sample (a 1-D array is one sample).
    samples : sequence, optional
        Sample labels, used only to name a sample in error messages.

    Returns
    -------
    DataFrame
        One row per sample, the columns of :data:`METRICS`.

    Raises
    ------
    ValueError
        When the shapes differ, a cell of either array is NaN or infinite, or a measured sample
        is all zeros (its NE, ``||error|| / ||y||``, is undefined). The message names the sample
        (and the flux for a non-finite cell).

    Notes
    -----
    A measured sample that is constant but not zero has a defined NE; its Pearson ``R2`` is 0
    by convention and its ``R2_cod`` is NaN (zero variance), which :func:`summarize` skips:
    ``summarize(..., counts=True)`` shows how many samples each mean is over.
    """
    true, pred = _as_2d(y_true), _as_2d(y_pred)
    if true.shape != pred.shape:
        raise ValueError(f"y_true has shape {true.shape} but y_pred has shape {pred.shape}")
    for name, values in (("y_true", true), ("y_pred", pred)):
        if not np.isfinite(values).all():
            bad = np.argwhere(~np.isfinite(values))[0]
            raise ValueError(f"{name} holds a non-finite value at {_sample_name(bad[0], samples)}, "
                             f"flux {bad[1]}")
    zero = ~true.any(axis=1)
    if zero.any():
        i = int(np.flatnonzero(zero)[0])
        raise ValueError(f"y_true is zero at every flux of {_sample_name(i, samples)} "
                         f"({int(zero.sum())} such sample(s)): its NE (||error|| / ||y||) is "
                         "undefined.")
    error = pred - true
    mae = np.abs(error).mean(axis=1)
    rmse = np.sqrt((error**2).mean(axis=1))
    ne = np.linalg.norm(error, axis=1) / np.linalg.norm(true, axis=1)
    true_c = true - true.mean(axis=1, keepdims=True)
    pred_c = pred - pred.mean(axis=1, keepdims=True)
    denom = np.sqrt((true_c**2).sum(axis=1) * (pred_c**2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        pearson = np.where(denom > 0, (true_c * pred_c).sum(axis=1) / denom, 0.0)
        ss_true = (true_c**2).sum(axis=1)
        cod = np.where(ss_true > 0, 1.0 - (error**2).sum(axis=1) / ss_true, np.nan)
    return pd.DataFrame({"R2": pearson**2, "R2_cod": cod, "MAE": mae, "RMSE": rmse, "NE": ne})


def per_sample_table(y_true: pd.DataFrame, y_pred: pd.DataFrame, *, model: str) -> pd.DataFrame:
    """Metrics per sample for aligned frames (same index and columns), labelled with ``model``."""
    missing = sorted(set(y_true.columns) - set(y_pred.columns))
    if missing:
        raise ValueError(f"predictions of {model!r} lack flux column(s) {missing}")
    samples = [s for s in y_true.index if s not in y_pred.index]
    if samples:
        raise ValueError(f"predictions of {model!r} lack sample(s) {samples}")
    pred = y_pred.loc[y_true.index, y_true.columns]
    table = sample_metrics(y_true.to_numpy(), pred.to_numpy(), samples=list(y_true.index))
    table.insert(0, "sample", list(y_true.index))
    table.insert(0, "model", model)
    return table


def summarize(per_sample: pd.DataFrame, metrics: Sequence[str] | None = None,
              by: str | Sequence[str] = "model", *, counts: bool = False,
              size: str | None = None, strict: bool = False) -> pd.DataFrame:
    """Mean and population sd (ddof=0, as published) of each metric, one row per ``by``.

    The one summary-table builder of the book: every "mean ± sd over the folds" table (chapter
    tables, the comparison with a paper's table, the paper-protocol store's tables) is this
    function's output, possibly with the paper's columns merged beside it.

    NaN values (an undefined ``R2_cod``, an ``L2`` not recorded) are skipped, as pandas does;
    ``counts=True`` adds ``<metric>_n``, the number of values each mean is over, so a skipped
    sample shows. ``size`` names an extra last column holding the number of rows of each group
    (e.g. ``"n_predictions"``). A metric missing from ``per_sample`` is left out, unless
    ``strict``: then a missing metric or ``by`` column is a ``ValueError`` naming it.
    """
    by_columns = [by] if isinstance(by, str) else list(by)
    if strict:
        missing = [m for m in [*by_columns, *(metrics or [])] if m not in per_sample.columns]
        if missing:
            raise ValueError(f"summarize: column(s) {missing} not in the per-sample frame; "
                             f"its columns are {list(per_sample.columns)}.")
    metrics = [m for m in (metrics or METRICS + ["L2"]) if m in per_sample.columns]
    grouped = per_sample.groupby(by, sort=False)[metrics]
    mean = grouped.mean().add_suffix("_mean")
    sd = grouped.std(ddof=0).add_suffix("_sd")
    parts, suffixes = [mean, sd], ("_mean", "_sd")
    if counts:
        parts.append(grouped.count().add_suffix("_n"))
        suffixes += ("_n",)
    columns = [f"{m}{suffix}" for m in metrics for suffix in suffixes]
    out = pd.concat(parts, axis=1)[columns].reset_index()
    if size is not None:
        out[size] = per_sample.groupby(by, sort=False).size().to_numpy()
    return out
