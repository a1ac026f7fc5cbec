"""The three worked commands of book/own_question.md run, at its small budget, into runs/.

Marked ``notebooks`` like the chapter executions (``make test`` runs them; ``make unit`` does
not). Each writes to a temporary ``runs/`` folder and must leave the book's copy of its chapter
alone (``tests/test_runs.py`` checks the whole book and its tables on a fake chapter).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from helpers.book import runs
from helpers.book.notebooks import EXECUTED

#: The budget of the worked MOME commands (book/own_question.md).
SMALL_SEARCH = {"pop_size": 10, "n_gen": 3}


@pytest.fixture()
def runs_root(tmp_path, monkeypatch):
    monkeypatch.setenv("MINNBOOK_RUNS", str(tmp_path / "runs"))
    return tmp_path / "runs"


def _book_state(chapter: str) -> int | None:
    """When the book's copy of ``chapter`` was last written (None: never)."""
    path = EXECUTED / f"{chapter}.ipynb"
    return path.stat().st_mtime_ns if path.is_file() else None


def _check(folder, chapter: str, parameters: dict) -> dict:
    record = json.loads((folder / "parameters.json").read_text())
    assert record["status"] == "ok" and record["parameters"] == parameters
    assert (folder / f"{chapter}.ipynb").is_file() and record["tables"]
    return record


@pytest.mark.notebooks
@pytest.mark.parametrize("parameters", [
    {"product": "EX_succ_e", **SMALL_SEARCH},
    {"model": "iML1515", **SMALL_SEARCH},
], ids=["another-product", "another-model"])
def test_worked_mome_commands(parameters, runs_root):
    before = _book_state("07_mome_ethanol")
    folder = runs.run_chapter_in_folder("07_mome_ethanol", parameters)
    assert folder.parent == runs_root / "07_mome_ethanol"
    _check(folder, "07_mome_ethanol", parameters)
    assert (folder / "tables" / "mome_best_per_cost.csv").is_file()
    assert _book_state("07_mome_ethanol") == before


@pytest.mark.notebooks
def test_worked_own_data_command(runs_root, tmp_path):
    from helpers.data.synthetic import write_synthetic_dataset

    data = write_synthetic_dataset(tmp_path / "synthetic", n_samples=8)
    parameters = {"dataset": str(data)}
    before = _book_state("03_minn_vs_ml")
    folder = runs.run_chapter_in_folder("03_minn_vs_ml", parameters)
    _check(folder, "03_minn_vs_ml", parameters)
    table2 = pd.read_csv(folder / "tables" / "table2_minn_vs_ml.csv").set_index("model")
    assert {"MINN-c-balanced", "pFBA", "RF", "NN"} <= set(table2.index)
    assert (table2["n_folds"] == 8).all()
    assert _book_state("03_minn_vs_ml") == before
