"""Parameterized runs go to runs/<chapter>/<name>/ and never touch the book; sweeps summarise.

A tiny fake chapter in a temporary book keeps this fast (one kernel per execution): it writes a
table, glues a value and a figure.
"""

from __future__ import annotations

import base64
import json

import pandas as pd
import pytest

from helpers.book import runs

#: A 1x1 PNG, glued as the fake chapter's figure.
PNG = base64.b64encode(base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)).decode()
BODY = f"""assert seed != 13, "unlucky seed"
import base64
import pandas as pd
from IPython.display import Image
from myst_nb import glue
from helpers.book.tables import write_table
write_table(pd.DataFrame({{"x": [seed]}}), "demo", profile=profile, seed=seed)
glue("answer", seed * 2, display=False)
glue("fig-demo", Image(data=base64.b64decode("{PNG}"), format="png"), display=False)
"""


def main(argv: list[str]) -> int:
    from helpers.book.__main__ import main as book_main

    return book_main(argv)


@pytest.fixture()
def fake_book(tmp_path, monkeypatch, one_chapter_book):
    import nbformat

    from helpers.book import notebooks

    params = nbformat.v4.new_code_cell('profile = "quick"\nseed = 0')
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell(BODY)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nb, tmp_path / "notebooks" / "90_demo.ipynb")
    one_chapter_book("90_demo")
    monkeypatch.setattr(notebooks, "EXECUTED", tmp_path / "executed")
    monkeypatch.setenv("MINNBOOK_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("MINNBOOK_CHAPTER_CACHE", "0")
    return tmp_path


def _snapshot(folder) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_a_parameterized_run_leaves_the_book_unchanged(fake_book, capsys):
    assert main(["chapter", "90_demo"]) == 0  # the book's own run
    book = _snapshot(fake_book / "executed") | _snapshot(fake_book / "tables")
    assert "90_demo.ipynb" in book and "demo.csv" in book
    assert main(["chapter", "90_demo", "-p", "seed", "3"]) == 0
    assert _snapshot(fake_book / "executed") | _snapshot(fake_book / "tables") == book
    run = fake_book / "runs" / "90_demo" / "seed-3"
    assert "runs/90_demo/seed-3" in capsys.readouterr().out or run.is_dir()
    assert (run / "90_demo.ipynb").is_file()
    assert pd.read_csv(run / "tables" / "demo.csv")["x"].tolist() == [3]
    assert (run / "figures" / "fig-demo.png").read_bytes().startswith(b"\x89PNG")
    record = json.loads((run / "parameters.json").read_text())
    assert record["status"] == "ok" and record["parameters"] == {"seed": 3}
    assert record["effective_parameters"] == {"profile": "quick", "seed": 3}
    assert record["tables"] == ["demo.csv"] and record["figures"] == ["fig-demo.png"]
    assert runs.glued_values(run / "90_demo.ipynb") == {"answer": 6}


def test_a_named_run_and_a_refused_parameter(fake_book, capsys):
    assert main(["chapter", "90_demo", "--run", "mine"]) == 0
    assert (fake_book / "runs" / "90_demo" / "mine" / "90_demo.ipynb").is_file()
    assert main(["chapter", "90_demo", "-p", "seed", "-5"]) == 2  # checked before any kernel
    assert "must be int in [0, 4294967295]" in capsys.readouterr().err
    assert not (fake_book / "executed").exists()


def test_a_sweep_over_a_2x1_grid_writes_one_summary(fake_book):
    summary = runs.sweep("90_demo", "seed=1,2 profile=quick", n_jobs=2, backend="threading")
    table = pd.read_csv(summary)
    assert summary == fake_book / "runs" / "90_demo" / "sweep_seed_profile" / "summary.csv"
    assert table["run"].tolist() == ["seed-1_profile-quick", "seed-2_profile-quick"]
    assert table["status"].tolist() == ["ok", "ok"]
    assert table["answer"].tolist() == [2, 4] and table["seed"].tolist() == [1, 2]
    for run in table["run"]:
        assert (summary.parent / run / "tables" / "demo.csv").is_file()
    assert not (fake_book / "executed").exists() and not (fake_book / "tables").exists()


def test_run_names_and_grids():
    assert runs.run_name({}) == "default"
    assert runs.run_name({"product": "EX_succ_e", "seed": 1}) == "product-EX_succ_e_seed-1"
    assert runs.run_name({"dataset": "/data/my set/synth"}) == "dataset-synth"
    assert len(runs.run_name({"k": "x" * 300})) <= runs.MAX_AUTO_NAME
    assert runs.parse_grid("product=a,b seed=0,1") == [
        {"product": "a", "seed": 0}, {"product": "a", "seed": 1},
        {"product": "b", "seed": 0}, {"product": "b", "seed": 1}]
    for bad, message in [("seed", "must be KEY=VALUE"), ("seed=1 seed=2", "given twice"),
                         ("", "Empty grid")]:
        with pytest.raises(ValueError, match=message):
            runs.parse_grid(bad)
    for bad in ["../x", "a/b", "", ".hidden"]:
        with pytest.raises(ValueError, match="Run name"):
            runs.check_run_name(bad)


def test_a_sweep_checks_every_combination_before_any_kernel(fake_book, monkeypatch, capsys):
    import papermill

    monkeypatch.setattr(papermill, "execute_notebook", lambda *a, **k: pytest.fail("kernel"))
    with pytest.raises(ValueError, match="Unknown parameter"):
        runs.sweep("90_demo", "seed=1,2 sede=3", backend="threading")
    assert main(["sweep", "90_demo", "--grid", "seed=1,-1"]) == 2
    assert "must be int" in capsys.readouterr().err


def test_a_sweep_runs_on_a_dask_cluster(fake_book):
    pytest.importorskip("dask.distributed")
    from dask.distributed import Client

    with Client(processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None):
        summary = runs.sweep("90_demo", "seed=5", name="on_dask", backend="dask")
    table = pd.read_csv(summary)
    assert table["status"].tolist() == ["ok"] and table["answer"].tolist() == [10]


def test_a_failed_run_is_a_row_and_keeps_its_notebook(fake_book):
    summary = runs.sweep("90_demo", "seed=13", name="bad", backend="threading")
    table = pd.read_csv(summary)
    assert table["status"].str.startswith("failed").tolist() == [True]
    run = summary.parent / "seed-13"
    record = json.loads((run / "parameters.json").read_text())
    assert record["status"] == "failed" and "unlucky seed" in record["error"]
    assert (run / "90_demo.FAILED.ipynb").is_file()


def test_a_failed_chapter_reports_the_notebook_s_own_error(tmp_path):
    from papermill.exceptions import PapermillExecutionError

    from helpers.book.notebooks import failure_message

    exc = PapermillExecutionError(cell_index=4, exec_count=4, source="inputs.resolve_product(...)",
                                  ename="ParameterError",
                                  evalue="The 'product' parameter 'EX_succ' is not an exchange "
                                         "reaction of model 'iJO1366'. Nearest: ['EX_succ_e']",
                                  traceback=[])
    kept = tmp_path / "07_mome_ethanol.FAILED.ipynb"
    message = failure_message("07_mome_ethanol", exc, kept)
    assert "ParameterError: The 'product' parameter 'EX_succ'" in message
    assert "['EX_succ_e']" in message and "see" not in message
    kept.write_text("{}")
    assert message != failure_message("07_mome_ethanol", exc, kept)
    assert str(kept) in failure_message("07_mome_ethanol", exc, kept)
    assert failure_message("x", RuntimeError("boom"), kept).startswith(
        "error: chapter 'x' failed: RuntimeError")
