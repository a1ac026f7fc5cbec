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
    """NaN/inf in y_true, an all-zero measured sample, a constant one."""
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


# ----- one summary-table builder, pinned on a frame small enough to check by hand ---------------

def _frame(seed=0, n=23):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"model": rng.choice(["RF", "MINN", "pFBA"], n),
                          "omics": rng.choice(["both", "proteins"], n),
                          "split": [f"fold {i % 4}" for i in range(n)],
                          **{m: rng.lognormal(size=n) for m in ("R2", "MAE", "RMSE", "NE", "L2")}})
    frame.loc[frame.model == "RF", "L2"] = np.nan  # RF has no residual
    frame.loc[3, "NE"] = np.nan
    return frame


def _hand_frame():
    """Five rows: MINN NE 1, 3 (mean 2, population sd 1); RF NE 2, 2, NaN (mean 2, sd 0, n 2)."""
    return pd.DataFrame({"model": ["MINN", "RF", "MINN", "RF", "RF"],
                         "omics": ["both", "both", "proteins", "both", "proteins"],
                         "NE": [1.0, 2.0, 3.0, 2.0, np.nan],
                         "MAE": [0.5, 1.0, 1.5, 3.0, 5.0]})


def test_summarize_pinned_by_hand():
    from helpers.book.beyond import summary_table
    from helpers.book.tables import summarize_folds

    expected = pd.DataFrame({"model": ["MINN", "RF"], "NE_mean": [2.0, 2.0], "NE_sd": [1.0, 0.0],
                             "NE_n": [2, 2], "MAE_mean": [1.0, 3.0],
                             "MAE_sd": [0.5, np.sqrt(8 / 3)], "MAE_n": [2, 3]})
    frame = _hand_frame()
    pd.testing.assert_frame_equal(summarize(frame, ["NE", "MAE"], counts=True), expected,
                                  check_exact=False, rtol=1e-12)
    plain = expected.drop(columns=["NE_n", "MAE_n"])
    pd.testing.assert_frame_equal(summarize_folds(frame, "model", ["NE", "MAE"]), plain)
    with_size = summary_table(frame, ("NE", "MAE", "absent"), ("model",))
    pd.testing.assert_frame_equal(with_size.drop(columns="n_predictions"), plain)
    assert with_size["n_predictions"].tolist() == [2, 3]
    two_keys = summarize(frame, ["MAE"], by=["model", "omics"])
    assert two_keys[["model", "omics"]].values.tolist() == [["MINN", "both"], ["RF", "both"],
                                                           ["MINN", "proteins"],
                                                           ["RF", "proteins"]]
    assert two_keys["MAE_mean"].tolist() == [0.5, 2.0, 1.5, 5.0]
    assert two_keys["MAE_sd"].tolist() == [0.0, 1.0, 0.0, 0.0]
    with pytest.raises(ValueError, match=r"summarize: column\(s\) \['absent'\]"):
        summarize_folds(frame, "model", ["NE", "absent"])


def test_summarize_size_and_strict():
    frame = _frame()
    out = summarize(frame, ["MAE"], by=["model"], size="n_rows")
    assert list(out.columns) == ["model", "MAE_mean", "MAE_sd", "n_rows"]
    assert out.set_index("model")["n_rows"].to_dict() == frame.groupby("model").size().to_dict()
    assert list(summarize(frame, ["MAE", "absent"]).columns) == ["model", "MAE_mean", "MAE_sd"]
    with pytest.raises(ValueError, match=r"column\(s\) \['absent'\] not in the per-sample frame"):
        summarize(frame, ["MAE", "absent"], strict=True)
    with pytest.raises(ValueError, match=r"column\(s\) \['group'\]"):
        summarize(frame, ["MAE"], by="group", strict=True)
