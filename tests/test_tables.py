"""The one table writer / reader and the fold summary."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.book.tables import read_table, require_columns, summarize_folds, write_table
from helpers.evaluation.metrics import summarize


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


def test_summarize_folds_mean_and_population_sd():
    """The same spread as helpers.evaluation.metrics.summarize (ddof=0, as the paper's tables)."""
    folds = pd.DataFrame({"model": ["m"] * 3 + ["n"] * 3, "MAE": [1.0, 2.0, 3.0, 0, 0, 0]})
    table = summarize_folds(folds, "model", ["MAE"])
    row = table.set_index("model").loc["m"]
    assert row["MAE_mean"] == 2.0
    assert row["MAE_sd"] == pytest.approx((2 / 3) ** 0.5)
    assert list(table.columns) == ["model", "MAE_mean", "MAE_sd"]
    pd.testing.assert_frame_equal(table, summarize(folds, ["MAE"], by="model"))


def test_summarize_folds_names_a_missing_column():
    folds = pd.DataFrame({"model": ["m"], "MAE": [1.0]})
    with pytest.raises(ValueError, match=r"column\(s\) \['RMSE'\] not in the per-sample frame"):
        summarize_folds(folds, "model", ["MAE", "RMSE"])


# ----- atomic write, index kept, own profile/seed columns, known profiles ----------------------

def test_failure_mid_write_keeps_the_previous_table(tmp_tables, monkeypatch):
    good = pd.DataFrame({"model": ["a"], "MAE": [0.1]})
    path = write_table(good, "demo", profile="quick", seed=0)
    before = path.read_bytes()

    def half_then_fail(self, stream, **kwargs):
        stream.write("model,MA")
        raise OSError("disk full")

    with monkeypatch.context() as patch, pytest.raises(OSError, match="disk full"):
        patch.setattr(pd.DataFrame, "to_csv", half_then_fail)
        write_table(good.assign(MAE=9.9), "demo", profile="quick", seed=0)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_tables.iterdir()) == ["demo.csv"]  # no temporary left


def test_meaningful_index_is_written_as_a_column(tmp_tables):
    frame = pd.DataFrame({"MAE": [0.1, 0.2]}, index=pd.Index(["a", "b"], name="model"))
    write_table(frame, "named", profile="quick", seed=1)
    assert read_table("named")["model"].tolist() == ["a", "b"]
    unnamed = pd.DataFrame({"MAE": [0.1, 0.2]}, index=["x", "y"])
    write_table(unnamed, "labels", profile="quick", seed=1)
    assert read_table("labels")["index"].tolist() == ["x", "y"]
    positional = pd.DataFrame({"MAE": [0.1, 0.2, 0.3]}).iloc[[0, 2]]  # a filtered RangeIndex
    write_table(positional, "plain", profile="quick", seed=1)
    assert list(read_table("plain").columns) == ["MAE", "profile", "seed"]


def test_own_profile_or_seed_column_is_an_error(tmp_tables):
    with pytest.raises(ValueError, match=r"Table 'demo': the frame already has column\(s\) \['seed'\]"):
        write_table(pd.DataFrame({"seed": [4]}), "demo", profile="quick", seed=0)
    assert not (tmp_tables / "demo.csv").exists()


def test_unknown_profile_is_an_error(tmp_tables):
    with pytest.raises(ValueError, match=r"unknown profile 'quik'; known profiles: \['quick', 'paper'\]"):
        write_table(pd.DataFrame({"a": [1]}), "demo", profile="quik", seed=0)


def test_require_columns_names_the_caller_the_missing_and_the_present_columns():
    table = pd.DataFrame({"model": ["a"], "NE": [0.1]})
    require_columns(table, ["model", None, "NE"], "demo")  # None entries are optional columns
    with pytest.raises(ValueError, match=r"^demo: the table lacks the column\(s\) \['MAE', 'p'\]; "
                       r"it has \['model', 'NE'\]\. Expected the output of f\.$"):
        require_columns(table, ["MAE", "model", "p", "MAE"], "demo", expected="the output of f")
