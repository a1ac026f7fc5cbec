"""The book's one table-cell formatter (helpers.book.table_format) and how show_table uses it:
one number format per column, round-off as 0, booleans, containers, ids verbatim, key columns
first, numbered captions; the CSV stays raw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.book.display import key_order, show_table, table_cells, table_html
from helpers.book.table_format import (
    EMPTY,
    MISSING,
    NO,
    YES,
    format_column,
    format_pairs,
    format_value,
    number_format,
)


@pytest.mark.parametrize(("values", "expected"), [
    ([0.9, 0.8123], ["0.900", "0.812"]),                  # same decimals down a column
    ([12.3, 0.0456], ["12.300", "0.046"]),                # at most two decimals past the largest
    ([141.0, 29.0, np.int64(3)], ["141", "29", "3"]),     # whole numbers as integers
    ([12345.6, 2.5], ["12345.60", "2.50"]),
    ([8.75e-5, 1.2e-4], ["8.75e-05", "1.20e-04"]),       # tiny scale: scientific
    ([2.0e5, 3.1], ["2.00e+05", "3.10e+00"]),            # wide span: scientific
    ([10.5, -2.94e-13, -0.0, 0.0], ["10.5", "0", "0", "0"]),   # round-off and -0 are 0
    ([1.8e-13, 2.3e-13], ["1.80e-13", "2.30e-13"]),      # a column of small values is no round-off
    ([0.0, 0.0], ["0", "0"]),
    ([np.nan, 0.5, None], [MISSING, "0.500", MISSING]),
    ([np.inf, -np.inf, 1.5], ["∞", "−∞", "1.50"]),
])
def test_one_number_format_per_column(values, expected):
    assert format_column(values) == expected


def test_scientific_columns_and_negative_rounding():
    assert format_column([2.5, 0.5], sci=True) == ["2.50e+00", "5.00e-01"]
    assert format_column([-0.0004, 1.0]) == ["-0.0004", "1.0000"]
    assert number_format([-0.00001, 10.0]).kind == "sci"  # a span of six decades
    assert format_column([-0.004, 0.5, 10.0]) == ["-0.004", "0.500", "10.000"]
    assert format_column([-0.00004, 0.5, 10.0]) == ["-4.00e-05", "5.00e-01", "1.00e+01"]
    assert format_column([-1e-12, 3.0, 2.25]) == ["0", "3.00", "2.25"]


def test_booleans_missing_containers_and_ids():
    assert format_column([True, False, np.bool_(True)]) == [YES, NO, YES]
    assert YES == "✓" and NO == "–" and MISSING == ""
    assert format_value(["R_PGI", "R_PFK"]) == "R_PGI, R_PFK"
    assert format_value(("a", 0.123456, 2.0)) == "a, 0.123, 2"
    assert format_value({"c": 30.0, "hidden": 250, "lr": 5e-4}) == "c=30, hidden=250, lr=5.00e-04"
    assert format_value([]) == EMPTY and format_value({}) == EMPTY
    assert format_value(np.array([1, 2])) == "1, 2"
    assert format_value({3, 1}) == "1, 3"
    assert format_value("R_EX_glc__D_e") == "R_EX_glc__D_e"  # ids verbatim
    assert format_value(pd.NA) == MISSING


def test_mean_sd_pairs_share_the_column_format():
    assert format_pairs([0.5123, 0.61], [0.0412, 0.1]) == ["0.512 ± 0.041", "0.610 ± 0.100"]
    assert format_pairs([8.75e-5], [3e-4], sci=True) == ["8.75e-05 ± 3.0e-04"]
    assert format_pairs([0.5, np.nan], [np.nan, 0.1]) == ["0.500", MISSING]
    assert format_pairs([29.0], [1.5]) == ["29 ± 1.5"]


def test_key_columns_first_paper_beside_ours_bookkeeping_last():
    columns = ["strain", "seed", "biomass", "ethanol_guaranteed", "knockout_cost", "genes",
               "paper_cost", "paper_biomass", "paper_ethanol", "profile", "paper_unmatched"]
    assert key_order(columns) == ["strain", "biomass", "paper_biomass", "ethanol_guaranteed",
                                  "paper_ethanol", "knockout_cost", "paper_cost", "genes",
                                  "paper_unmatched", "seed", "profile"]
    assert key_order(columns, ("genes",), leading=1)[:3] == ["strain", "genes", "biomass"]
    with pytest.raises(KeyError, match="nope"):
        key_order(columns, ("nope",))


def test_show_table_headers_and_ids_verbatim_with_wrap_points_and_hover():
    rid = "R_BIOMASS_Ec_iAF1260_core_59p81M"
    frame = pd.DataFrame({"reaction_id": [rid, "R_PGI"], "ub_flux": [10.5, -2.94e-13],
                          "knocked_out": [["b0001", "b0002"], []], "ok": [True, False]})
    html = table_html(frame)
    assert "<th class=\"text\">reaction_<wbr>id</th>" in html and "ub flux" not in html
    assert f'title="{rid}"' in html and "R_<wbr>BIOMASS_<wbr>Ec" in html
    assert ">R_PGI<" in html and ">0<" in html and "e-13" not in html
    assert "b0001, b0002" in html and "[" not in html.split("<table", 1)[1].split("</table>")[0]
    assert ">✓<" in html and ">–<" in html and "True" not in html
    assert '<div class="minnbook-table-scroll"' in html
    text = repr(show_table(frame))
    assert rid in text and "reaction_id" in text and "<wbr>" not in text


def test_caption_numbers_the_table_and_labels_it_by_name(tmp_path, monkeypatch):
    from helpers.book.tables import read_table, write_table

    monkeypatch.setenv("MINNBOOK_TABLES", str(tmp_path))
    frame = pd.DataFrame({"flux": [1 / 3, -2.94e-13]})
    write_table(frame, "toy_fluxes", profile="quick", seed=0)
    raw = read_table("toy_fluxes")
    assert raw["flux"].iloc[0] == pytest.approx(1 / 3, rel=1e-15)  # the CSV keeps full precision
    assert raw["flux"].iloc[1] == pytest.approx(-2.94e-13)
    html = show_table(raw, "toy_fluxes", caption="Toy fluxes")._repr_html_()
    assert html.startswith('<p class="minnbook-caption" data-label="tbl-toy_fluxes">Toy fluxes</p>')
    assert ">profile</th>" in html and "<th>flux</th>" in html
    assert not show_table(raw)._repr_html_().startswith("<p")
    assert repr(show_table(raw, caption="Toy fluxes")).startswith("Table: Toy fluxes")


def test_transposed_and_long_text_notes_still_work():
    frame = pd.DataFrame({"model": ["MINN_long_model_name_x", "b"], "note": ["x " * 40, "ok"]})
    cells, notes = table_cells(frame)
    assert list(cells["note"]) == ["[1]", "ok"] and notes == ["x " * 40]
    text = repr(show_table(frame, transpose=True))
    assert "MINN_long_model_name_x" in text.splitlines()[0]
