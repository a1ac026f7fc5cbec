"""Metrics against hand-computed values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.evaluation.metrics import per_sample_table, sample_metrics, summarize


def test_hand_computed_sample():
    true = np.array([1.0, 2.0, 3.0, 4.0])
    pred = np.array([1.0, 3.0, 3.0, 2.0])  # errors 0, 1, 0, -2
    row = sample_metrics(true, pred).iloc[0]
    assert row["MAE"] == pytest.approx(0.75)
    assert row["RMSE"] == pytest.approx(np.sqrt(5 / 4))
    assert row["NE"] == pytest.approx(np.sqrt(5) / np.sqrt(30))
    # Pearson r of (1,2,3,4) and (1,3,3,2): cov = 1.0 (sum of products of deviations 2.0 / ...)
    t, p = true - 2.5, pred - 2.25
    r = (t * p).sum() / np.sqrt((t**2).sum() * (p**2).sum())
    assert row["R2"] == pytest.approx(r**2)
    assert row["R2_cod"] == pytest.approx(1 - 5 / 5.0)


def test_perfect_prediction():
    row = sample_metrics([[2.0, 5.0, 1.0]], [[2.0, 5.0, 1.0]]).iloc[0]
    assert row["MAE"] == 0 and row["NE"] == 0 and row["R2"] == pytest.approx(1) and row["R2_cod"] == 1


def test_shape_mismatch_and_nan():
    with pytest.raises(ValueError, match=r"shape \(1, 3\) but y_pred has shape \(1, 2\)"):
        sample_metrics([[1, 2, 3]], [[1, 2]])
    with pytest.raises(ValueError, match="non-finite value at sample 0, flux 1"):
        sample_metrics([[1, 2, 3]], [[1, np.nan, 3]])


def test_per_sample_table_aligns_and_names_missing():
    true = pd.DataFrame([[1.0, 2.0], [3.0, 4.0]], index=["a", "b"], columns=["x", "y"])
    pred = true.loc[["b", "a"], ["y", "x"]]
    table = per_sample_table(true, pred, model="m")
    assert table["MAE"].tolist() == [0, 0]
    with pytest.raises(ValueError, match=r"lack flux column\(s\) \['y'\]"):
        per_sample_table(true, pred[["x"]], model="m")


def test_summarize_uses_population_sd():
    frame = pd.DataFrame({"model": ["m", "m"], "MAE": [1.0, 3.0]})
    row = summarize(frame, ["MAE"]).iloc[0]
    assert row["MAE_mean"] == 2.0 and row["MAE_sd"] == 1.0


def test_measured_values_are_checked_and_the_sample_named():
    """Review item 18: NaN/inf in y_true, an all-zero measured sample, a constant one."""
    with pytest.raises(ValueError, match=r"y_true holds a non-finite value at sample 1 \('b'\), flux 0"):
        sample_metrics([[1, 2], [np.inf, 1]], [[1, 2], [1, 1]], samples=["a", "b"])
    with pytest.raises(ValueError, match=r"y_true is zero at every flux of sample 1 \('b'\).*NE"):
        sample_metrics([[1.0, 2.0], [0.0, 0.0]], [[1.0, 2.0], [0.5, 0.1]], samples=["a", "b"])
    true = pd.DataFrame([[1.0, 2.0], [0.0, 0.0]], index=["a", "b"], columns=["x", "y"])
    with pytest.raises(ValueError, match=r"sample 1 \('b'\)"):
        per_sample_table(true, true + 1, model="m")
    constant = pd.DataFrame([[1.0, 2.0], [3.0, 3.0]], index=["a", "b"], columns=["x", "y"])
    table = per_sample_table(constant, constant + 1, model="m")
    assert np.isnan(table["R2_cod"][1]) and table["NE"][1] == pytest.approx(1 / 3)
    summary = summarize(table, ["R2_cod", "NE"], counts=True).iloc[0]
    assert summary["R2_cod_n"] == 1 and summary["NE_n"] == 2
