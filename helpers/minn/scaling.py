"""Min-max scaling of the inputs, fitted on each run's training rows only.

The paper scales the omics inputs with a ``MinMaxScaler`` fitted on the training fold; with an
ensemble every member has its own training rows, so every member gets its own scaled copy of
``X``. Constant columns map to 0 (as scikit-learn's ``MinMaxScaler`` does).
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
        Identical to ``MinMaxScaler().fit(X[rows_e]).transform(X)`` for each member ``e``.
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
