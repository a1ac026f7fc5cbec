"""Table 1 rows (helpers.gem.table1): our counts beside the paper's, in the chapter's order."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.gem import load_gem, split_reversible
from helpers.gem.table1 import TABLE1_ROWS, Table1Row, table1


@pytest.fixture(scope="module")
def core():
    return load_gem("e_coli_core")


def test_rows_name_the_papers_counts():
    keys = [row.key for row in TABLE1_ROWS]
    assert len(set(keys)) == len(keys) == 10
    counts = {row.key: row.paper_count() for row in TABLE1_ROWS}
    assert counts["iaf"] == 2957 and counts["iaf_fva"] == 1873 and counts["iaf_fba"] == 587
    assert counts["core"] == 115 and counts["core_fva"] is None and counts["inf_theirs"] == 704


def test_table1_measures_each_model_in_order(core):
    split = split_reversible(core)
    rows = (Table1Row("split", "core ({fba_used} of {fba_samples})", ("e_coli_core", 0), "n"),
            Table1Row("plain", "core unsplit", None, "not in the paper"))
    table = table1({"split": split, "plain": core}, fba_used=3, fba_samples=5, rows=rows)
    assert list(table["gem"]) == ["core (3 of 5)", "core unsplit"]
    assert list(table["reactions"]) == [len(split.reactions), len(core.reactions)]
    assert table.loc[0, "paper_reactions"] == 115
    assert table.loc[0, "difference"] == len(split.reactions) - 115
    assert table.loc[1, "paper_reactions"] is pd.NA and table.loc[1, "difference"] is pd.NA
    assert str(table["difference"].dtype) == "Int64"
    assert table.loc[0, "max_growth"] == pytest.approx(core.slim_optimize(), abs=1e-4)
    assert list(table["note"]) == ["n", "not in the paper"]


def test_table1_names_every_missing_model(core):
    with pytest.raises(KeyError, match="'iaf_fva'.*'inf_theirs'"):
        table1({"iaf": core}, fba_used=1, fba_samples=1)
