"""The papers' published numbers, in one place, for the "ours vs paper" tables.

Values are mean ± sd over the 29 leave-one-out folds as printed in the MINN paper
(:cite:`tazza2025minn`, Tables 2-4; the method notes). ``None`` where the paper gives no value.

Introduced in chapter ``03_minn_vs_ml`` (Table 2, through
:func:`helpers.evaluation.comparison.comparison_table`); ``04_conflicting_losses`` uses Table 3,
``05_gem_choice`` reads Table 2 directly and ``06_reservoir_pfba`` uses Table 4.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["MINN_TABLES", "paper_table"]

_COLUMNS = ["R2", "MAE", "RMSE", "NE", "L2"]

# model: {metric: (mean, sd)}
MINN_TABLES: dict[str, dict[str, dict[str, tuple[float, float] | None]]] = {
    "table2": {
        "pFBA": {"R2": (0.823, 0.156), "MAE": (0.692, 0.733), "RMSE": (1.058, 1.029), "NE": (0.381, 0.185), "L2": None},
        "NN": {"R2": (0.967, 0.036), "MAE": (0.652, 0.945), "RMSE": (0.936, 1.314), "NE": (0.338, 0.338), "L2": None},
        "RF": {"R2": (0.970, 0.037), "MAE": (0.507, 0.804), "RMSE": (0.729, 1.105), "NE": (0.271, 0.347), "L2": None},
        "MINN-MSE-base": {"R2": (0.950, 0.060), "MAE": (0.525, 0.525), "RMSE": (0.736, 0.703), "NE": (0.287, 0.282), "L2": None},
        "MINN-unbalanced": {"R2": (0.951, 0.051), "MAE": (0.563, 0.739), "RMSE": (0.814, 1.067), "NE": (0.325, 0.442), "L2": None},
        "MINN-c-balanced": {"R2": (0.950, 0.055), "MAE": (0.473, 0.480), "RMSE": (0.678, 0.653), "NE": (0.272, 0.280), "L2": (8.75e-5, 2.95e-4)},
    },
    "table3": {
        "MINN-c-balanced": {"R2": (0.950, 0.055), "MAE": (0.473, 0.480), "RMSE": (0.678, 0.653), "NE": (0.272, 0.280), "L2": (8.75e-5, 2.95e-4)},
        "MINN-c-balanced FBA fit": {"R2": (0.957, 0.061), "MAE": (0.489, 0.497), "RMSE": (0.706, 0.720), "NE": (0.295, 0.403), "L2": (2.98e-5, 8.75e-5)},
        "MINN-bound": {"R2": (0.949, 0.050), "MAE": (0.548, 0.556), "RMSE": (0.790, 0.779), "NE": (0.308, 0.314), "L2": (7.1e-5, 2.1e-4)},
        "MINN-scheduler": {"R2": (0.949, 0.058), "MAE": (0.581, 0.823), "RMSE": (0.833, 1.146), "NE": (0.299, 0.320), "L2": (1.60e-5, 7.63e-5)},
        "MINN-scheduler-bound": {"R2": (0.946, 0.062), "MAE": (0.560, 0.551), "RMSE": (0.806, 0.761), "NE": (0.304, 0.287), "L2": (7.47e-5, 3.78e-4)},
        "MINN-divided loss": {"R2": (0.951, 0.050), "MAE": (0.489, 0.471), "RMSE": (0.703, 0.648), "NE": (0.281, 0.289), "L2": (0.22, 0.29)},
    },
    "table4": {
        "pFBA (FBA-reduced GEM)": {"R2": (0.892, 0.127), "MAE": (0.496, 0.353), "RMSE": (0.836, 0.625), "NE": (0.306, 0.367), "L2": None},
        "MINN-reservoir + pFBA": {"R2": (0.910, 0.091), "MAE": (0.445, 0.261), "RMSE": (0.740, 0.421), "NE": (0.253, 0.159), "L2": None},
    },
}


def paper_table(name: str) -> pd.DataFrame:
    """A paper table as ``model, paper_<metric>_mean, paper_<metric>_sd`` (NaN where not given).

    ``name`` is a key of :data:`MINN_TABLES` (``"table2"``, ``"table3"``, ``"table4"``); any
    other is a ``ValueError`` naming the known ones.
    """
    if name not in MINN_TABLES:
        raise ValueError(f"The 'name' parameter of paper_table must be one of "
                         f"{list(MINN_TABLES)}. Got {name!r} instead.")
    rows = []
    for model, values in MINN_TABLES[name].items():
        row = {"model": model}
        for metric in _COLUMNS:
            mean, sd = values.get(metric) or (float("nan"), float("nan"))
            row[f"paper_{metric}_mean"], row[f"paper_{metric}_sd"] = mean, sd
        rows.append(row)
    return pd.DataFrame(rows)
