"""Min-max scaling of the inputs, fitted on each run's training rows only.

Introduced in chapter ``00_toy_example`` (the toy's inputs are scaled on the training rows);
every MINN evaluation (``03_minn_vs_ml`` onwards) scales the same way, once per ensemble member.

The paper scales the omics inputs with a ``MinMaxScaler`` fitted on the training fold; with an
ensemble every member has its own training rows, so every member gets its own scaled copy of
``X``. Columns constant on the training rows map to ``X - min`` (0 on those rows), as
scikit-learn's ``MinMaxScaler`` does; see :func:`minmax_scale_members` for where the two differ.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def minmax_scale_members(X: np.ndarray, rows: Sequence[Sequence[int] | None]) -> np.ndarray:
    """Scale ``X`` (N, d) once per member with min/max taken on that member's ``rows`` only.

    Parameters
    ----------
    X : array, shape (N, d)
    rows : one index sequence (or None = all rows) per member

    Returns
    -------
    numpy.ndarray, shape (E, N, d)
        ``(X - lo) / span`` per member ``e``, with ``lo`` / ``hi`` the column min / max over
        ``X[rows_e]`` and ``span = hi - lo`` (1 where it is exactly 0).

    Notes
    -----
    This agrees with ``MinMaxScaler().fit(X[rows_e]).transform(X)`` to within a few units in the
    last place on ordinary data (``tests/test_minn_scaling.py`` checks 1e-12), but it is not
    bit-identical, and the arithmetic is kept as it is because the paper store's numbers were
    computed with it:

    - scikit-learn computes ``X * (1 / span) + (-lo / span)``; the division here rounds
      differently, so about 40 % of the cells of a random matrix differ by 1 ulp;
    - scikit-learn treats a span below ``10 * eps`` (about 2.2e-15, an absolute threshold) as
      constant and leaves the column at ``X - lo``; here only an exact 0 is, so a column whose
      span is 1e-300 still maps to [0, 1];
    - scikit-learn ignores NaN when fitting (``nanmin`` / ``nanmax``); here a NaN on the
      training rows makes the whole column NaN (MINN's trainer rejects NaN inputs anyway).
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (samples x features); got shape {X.shape}.")
    out = np.empty((len(rows), *X.shape))
    for e, r in enumerate(rows):
        fit = X if r is None else X[np.asarray(r, dtype=np.int64)]
        lo, hi = fit.min(0), fit.max(0)
        span = hi - lo
        span[span == 0] = 1.0
        out[e] = (X - lo) / span
    return out
