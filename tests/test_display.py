"""The display helper every chapter uses for its tables (helpers.book.display)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.book.display import format_number, mean_sd, show_table, table_cells


@pytest.mark.parametrize(("value", "kwargs", "expected"), [
    (141.0, {}, "141"),
    (np.int64(4), {}, "4"),
    (8.75e-5, {}, "8.75e-05"),
    (0.123456, {}, "0.123"),
    (12345.6, {}, "12346"),
    (2.5, {"sci": True}, "2.50e+00"),
    (np.nan, {}, "–"),
    (pd.NA, {}, "–"),
    ("text", {}, "text"),
])
def test_format_number(value, kwargs, expected):
    assert format_number(value, **kwargs) == expected


def test_mean_sd():
    assert mean_sd(0.5123, 0.0412) == "0.512 ± 0.041"
    assert mean_sd(8.75e-5, 3e-4, sci=True) == "8.75e-05 ± 3.0e-04"
    assert mean_sd(0.5, np.nan) == "0.5"


def test_metric_pairs_beside_the_paper_no_index_long_text_as_notes():
    frame = pd.DataFrame({
        "model": ["MINN", "pFBA"], "R2_mean": [0.9, 0.8], "R2_sd": [0.05, 0.1],
        "L2_mean": [1e-4, 2e-4], "L2_sd": [1e-5, 2e-5],
        "paper_R2_mean": [0.95, np.nan], "paper_R2_sd": [0.01, np.nan],
        "n_folds": [29.0, 29.0], "note": ["x" * 100, "short"],
    }, index=[3, 4])
    cells, notes = table_cells(frame)
    assert list(cells.columns) == ["model", "R2", "L2", "n_folds", "note"]
    # one format per column (ours and the paper's): three significant figures throughout
    assert cells.loc[0, "R2"].startswith("0.900 ± 0.050")
    assert "paper 0.950 ± 0.010" in cells.loc[0, "R2"]
    assert cells.loc[1, "R2"] == "0.800 ± 0.100"
    assert cells.loc[0, "L2"] == "1.00e-04 ± 1.0e-05"
    assert list(cells["n_folds"]) == ["29", "29"]
    assert list(cells["note"]) == ["[1]", "short"] and notes == ["x" * 100]
    html = show_table(frame, "table2_minn_vs_ml")._repr_html_()
    assert "_build/tables/table2_minn_vs_ml.csv" in html and "<li>" in html
    assert ">3<" not in html  # no index


def test_series_and_named_index():
    text = repr(show_table(pd.Series([1.5, 2.25], index=["a", "b"], name="seconds")))
    assert "seconds" in text and "index" not in text
    cells, _ = table_cells(pd.DataFrame({"v": [1.0]}, index=pd.Index(["x"], name="model")))
    assert list(cells.columns) == ["model", "v"]


def test_transpose_and_multiindex_columns():
    frame = pd.DataFrame({"model": ["a", "b"], "NE_mean": [0.1, 0.2], "NE_sd": [0.01, 0.02]})
    text = repr(show_table(frame, transpose=True))
    assert text.splitlines()[0].split() == ["a", "b"] and "NE" in text
    wide = pd.concat({"X": pd.DataFrame({"g1": [1.0]}), "Y": pd.DataFrame({"f1": [2.0]})}, axis=1)
    assert list(table_cells(wide)[0].columns) == ["X / g1", "Y / f1"]


def test_settings_are_shown_without_raw_reprs():
    from pathlib import Path

    from helpers.book.display import setting_text, settings_frame, show_settings

    settings = {"minn_fixed": {"hidden": 250, "lr": 5e-4}, "minn_c": 30.0, "max_members": None,
                "range": (0.5, np.float64(2.0)), "dropout_on": True,
                "path": Path("/data/block.pth"), "empty": {}}
    frame = settings_frame(settings)
    assert list(frame["setting"]) == ["minn_fixed: hidden", "minn_fixed: lr", "minn_c",
                                      "max_members", "range", "dropout_on", "path", "empty"]
    assert list(frame["value"]) == ["250", "0.0005", "30", "none", "0.5, 2", "yes", "block.pth",
                                    "none"]
    text = repr(show_settings(settings, key="option"))
    assert "option" in text and "{'" not in text and "PosixPath" not in text and "(" not in text
    assert setting_text(False) == "no" and setting_text({3, 1}) == "1, 3"
    assert setting_text({"c": 30.0, "hidden": 250}) == "c: 30, hidden: 250"


def test_glue_values_shows_nothing_as_a_cells_result(monkeypatch):
    import myst_nb

    from helpers.book.display import glue_values

    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: None)
    out = glue_values(a=np.float64(0.5))
    assert out == {"a": 0.5}
    # IPython calls _ipython_display_ instead of printing the dict under the cell
    assert out._ipython_display_() is None
    from IPython.core.formatters import DisplayFormatter

    assert DisplayFormatter().format(out) == ({}, {})


def test_problem_sizes_of_a_mechanistic_problem():
    from helpers.book.display import problem_sizes
    from helpers.minn import MechanisticProblem
    from helpers.minn.toy import REFERENCE, build_toy_model, split_reversible

    problem = MechanisticProblem.from_cobra(split_reversible(build_toy_model()),
                                            reference=REFERENCE, bounded=["EX_A"], v_in=10.0)
    sizes = problem_sizes(problem)
    assert sizes == {"reactions (n)": problem.n, "metabolites (m)": problem.m,
                     "non-zeros of S": problem.S.nnz, "reference fluxes": len(REFERENCE),
                     "bounded uptakes": 1}
    assert all(type(v) is int for v in sizes.values())


def test_csv_link_stays_inside_the_site_and_run_settings_fold():
    from helpers.book.display import CSV_LINK, show_settings

    html = show_table(pd.DataFrame({"a": [1]}), "toy_c_sweep")._repr_html_()
    assert f'href="{CSV_LINK.format(name="toy_c_sweep")}"' in html
    assert CSV_LINK.startswith("../../_static/tables/")  # from book/executed/<chapter>.html
    folded = show_settings({"ukc": 3, "dup": True}, fold="Run settings")
    html = folded._repr_html_()
    assert html.startswith('<details class="minnbook-settings"><summary>Run settings</summary>')
    assert html.endswith("</details>") and "<details open" not in html and ">yes<" in html
    assert repr(folded) == repr(show_settings({"ukc": 3, "dup": True}))  # text view unchanged
    assert "<details" not in show_settings({"ukc": 3})._repr_html_()
    assert 'class="minnbook-table minnbook-settings-table"' in show_settings({"ukc": 3})._repr_html_()
