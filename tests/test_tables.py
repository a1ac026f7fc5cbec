"""The one table writer / reader and the fold summary."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.book.tables import read_table, summarize_folds, write_table


def test_write_then_read_adds_profile_and_seed(tmp_tables):
    frame = pd.DataFrame({"model": ["a", "b"], "MAE_mean": [0.1, 0.2]})
    path = write_table(frame, "demo", profile="quick", seed=3)
    assert path == tmp_tables / "demo.csv"
    back = read_table("demo")
    assert list(back.columns) == ["model", "MAE_mean", "profile", "seed"]
    assert back["seed"].tolist() == [3, 3]
    assert "profile" not in frame.columns  # the caller's frame is untouched


def test_bad_name_and_missing_table(tmp_tables):
    with pytest.raises(ValueError, match="Table name 'a/b'"):
        write_table(pd.DataFrame(), "a/b", profile="quick", seed=0)
    with pytest.raises(FileNotFoundError, match="Table 'never' not found"):
        read_table("never")


def test_summarize_folds_mean_and_sample_sd():
    folds = pd.DataFrame({"model": ["m"] * 3 + ["n"] * 3, "MAE": [1.0, 2.0, 3.0, 0, 0, 0]})
    table = summarize_folds(folds, "model", ["MAE"])
    row = table.set_index("model").loc["m"]
    assert row["MAE_mean"] == 2.0
    assert row["MAE_sd"] == pytest.approx(1.0)
    assert list(table.columns) == ["model", "MAE_mean", "MAE_sd"]
