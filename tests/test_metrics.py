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


# ----- one summary-table builder: the former builders, kept verbatim, against summarize ----------

def _old_summary_table(per_sample, metrics=("MAE", "RMSE", "NE", "L2"), by=("model",)):
    """Chapter 10's summary_table as it was before it called summarize(size=...)."""
    out = summarize(per_sample, [m for m in metrics if m in per_sample.columns], by=list(by))
    out["n_predictions"] = per_sample.groupby(list(by), sort=False).size().to_numpy()
    return out


def _old_summarize_folds(per_fold, by, metrics):
    """Chapter 00's summarize_folds as it was before it called summarize(strict=True)."""
    missing = [m for m in [by, *metrics] if m not in per_fold.columns]
    if missing:
        raise ValueError(f"summarize_folds: column(s) {missing} not in the per-fold frame; "
                         f"its columns are {list(per_fold.columns)}.")
    return summarize(per_fold, list(metrics), by=by)


def _old_summarize(per_sample, metrics=None, by="model", *, counts=False):
    """summarize as it was before its ``size`` and ``strict`` options."""
    from helpers.evaluation.metrics import METRICS

    metrics = [m for m in (metrics or METRICS + ["L2"]) if m in per_sample.columns]
    grouped = per_sample.groupby(by, sort=False)[metrics]
    mean = grouped.mean().add_suffix("_mean")
    sd = grouped.std(ddof=0).add_suffix("_sd")
    parts, suffixes = [mean, sd], ("_mean", "_sd")
    if counts:
        parts.append(grouped.count().add_suffix("_n"))
        suffixes += ("_n",)
    columns = [f"{m}{suffix}" for m in metrics for suffix in suffixes]
    return pd.concat(parts, axis=1)[columns].reset_index()


def _frame(seed=0, n=23):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"model": rng.choice(["RF", "MINN", "pFBA"], n),
                          "omics": rng.choice(["both", "proteins"], n),
                          "split": [f"fold {i % 4}" for i in range(n)],
                          **{m: rng.lognormal(size=n) for m in ("R2", "MAE", "RMSE", "NE", "L2")}})
    frame.loc[frame.model == "RF", "L2"] = np.nan  # RF has no residual
    frame.loc[3, "NE"] = np.nan
    return frame


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_summarize_equals_every_former_builder_bitwise(seed):
    from helpers.book.beyond import summary_table
    from helpers.book.tables import summarize_folds

    frame = _frame(seed)
    for by in (("model",), ("model", "omics"), ("model", "split")):
        for metrics in (("MAE", "RMSE", "NE", "L2"), ("NE", "MAE"), ("R2", "absent")):
            pd.testing.assert_frame_equal(summary_table(frame, metrics, by),
                                          _old_summary_table(frame, metrics, by), check_exact=True)
    for metrics in (["MAE"], ["NE", "L2", "R2"], []):
        pd.testing.assert_frame_equal(summarize_folds(frame, "model", metrics),
                                      _old_summarize_folds(frame, "model", metrics),
                                      check_exact=True)
    for args, kwargs in (((), {}), ((["NE", "L2"],), {"counts": True}),
                         ((["MAE", "R2_cod"], ["model", "omics"]), {}), ((None, "split"), {})):
        pd.testing.assert_frame_equal(summarize(frame, *args, **kwargs),
                                      _old_summarize(frame, *args, **kwargs), check_exact=True)


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
