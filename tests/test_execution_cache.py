"""The chapter execution cache: an unchanged chapter is restored without a kernel, a changed one
(code, parameters, helpers, data, results store, packages) is executed, a markdown-only edit is
merged into the kept execution, and the chapter's tables stay those of the notebook shown.

A tiny fake chapter in a temporary book keeps this fast; ``papermill.execute_notebook`` is wrapped
to count kernels.
"""

from __future__ import annotations

import json
import os

import nbformat
import pytest

from helpers.book import execution_cache as ec
from helpers.book import notebooks

CODE = ('import pandas as pd\n'
        'from helpers.book.tables import write_table\n'
        'write_table(pd.DataFrame({"x": [seed]}), "demo", profile=profile, seed=seed)\n'
        'import os\n'  # a table some other process writes meanwhile: not this chapter's
        'open(os.path.join(os.environ["MINNBOOK_TABLES"], "other.csv"), "w").write("y\\n1\\n")\n'
        'print("ran with seed", seed)')

TABLE = "x,profile,seed\n{0},quick,{0}\n"


def _write_chapter(folder, text="Intro text.", code=CODE):
    params = nbformat.v4.new_code_cell('profile = "quick"\nseed = 0')
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text), params,
                                         nbformat.v4.new_markdown_cell("Between."),
                                         nbformat.v4.new_code_cell(code)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / "91_cached.ipynb"
    if path.is_file():  # keep the cell ids, as an edit in an editor does
        old = nbformat.read(path, as_version=4)
        for cell, before in zip(nb.cells, old.cells, strict=True):
            cell["id"] = before["id"]
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.fixture()
def book(tmp_path, monkeypatch, one_chapter_book):
    """A one-chapter book with its own helpers, data registry, store, tables and packages."""
    import papermill

    one_chapter_book("91_cached")
    _write_chapter(tmp_path / "notebooks")
    (tmp_path / "helpers" / "data").mkdir(parents=True)
    (tmp_path / "helpers" / "mod.py").write_text("X = 1\n")
    (tmp_path / "helpers" / "data" / "registry.json").write_text('[{"sha256": "aa"}]\n')
    monkeypatch.setattr(ec, "HELPERS", tmp_path / "helpers")
    monkeypatch.setattr(ec, "DATA_REGISTRY", tmp_path / "helpers" / "data" / "registry.json")
    (tmp_path / "store" / "03_x").mkdir(parents=True)
    (tmp_path / "store" / "07_y").mkdir(parents=True)
    monkeypatch.setenv("MINNBOOK_PAPER_STORE", str(tmp_path / "store"))
    monkeypatch.setattr(ec, "store_folders", lambda chapter: [tmp_path / "store" / "03_x"])
    packages = {"value": "torch==1"}
    monkeypatch.setattr(ec, "packages_hash", lambda: packages["value"])
    kernels = []
    real = papermill.execute_notebook
    monkeypatch.setattr(papermill, "execute_notebook",
                        lambda *a, **k: kernels.append(k.get("parameters")) or real(*a, **k))
    return {"root": tmp_path, "out": tmp_path / "executed", "kernels": kernels,
            "packages": packages, "table": tmp_path / "tables" / "demo.csv"}


def _run(book, parameters=None, **kwargs):
    kwargs.setdefault("cache", True)
    return notebooks.run_chapter_status("91_cached", parameters, output_dir=book["out"], **kwargs)


def _outputs(path):
    nb = nbformat.read(path, as_version=4)
    return [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs]


def test_unchanged_chapter_is_restored_and_markdown_edits_are_merged(book):
    path, outcome = _run(book, {"profile": "quick"})  # as make book / make test run it
    assert outcome == "executed" and len(book["kernels"]) == 1
    executed = path.read_bytes()
    assert _run(book, {"profile": "quick"}) == (path, "cached") and len(book["kernels"]) == 1
    assert path.read_bytes() == executed, "an unchanged hit rewrote the executed notebook"
    assert _run(book, {"seed": 0})[1] == "cached", "explicit defaults taken for other parameters"

    _write_chapter(book["root"] / "notebooks", text="A new introduction.")
    assert _run(book)[1] == "cached" and len(book["kernels"]) == 1
    merged = nbformat.read(path, as_version=4)
    assert merged.cells[0].source == "A new introduction."
    assert ["ran with seed 0\n"] == [t for t in _outputs(path) if t]
    tags = [c.metadata.get("tags", []) for c in merged.cells]
    assert tags[1] == ["parameters"] and "injected-parameters" in tags[2], "injected cell moved"


@pytest.mark.parametrize("change, part", [
    ("code", "code"), ("helpers", "helpers"),
    ("data", "helpers, data"),  # the registry is a file of helpers/ too
    ("store", "store"), ("packages", "packages"), ("another chapter's store", None),
])
def test_a_changed_input_is_executed_again(book, change, part):
    root = book["root"]
    _run(book)
    if change == "code":
        _write_chapter(root / "notebooks", code=CODE + "\nprint('more')")
    elif change == "helpers":
        (root / "helpers" / "mod.py").write_text("X = 2\n")
    elif change == "data":
        (root / "helpers" / "data" / "registry.json").write_text('[{"sha256": "bb"}]\n')
    elif change == "store":
        (root / "store" / "03_x" / "unit.json").write_text("{}")
    elif change == "another chapter's store":
        (root / "store" / "07_y" / "unit.json").write_text("{}")
    else:
        book["packages"]["value"] = "torch==2"
    outcome = _run(book)[1]
    if part is None:  # a unit the chapter does not read: restored, no kernel
        assert outcome == "cached" and len(book["kernels"]) == 1
        return
    assert outcome == f"executed: {part} changed" and len(book["kernels"]) == 2
    assert _run(book)[1] == "cached" and len(book["kernels"]) == 2


def test_other_parameters_keep_their_own_execution_and_tables(book):
    path, _ = _run(book)
    default_notebook = path.read_bytes()
    assert _run(book, {"seed": 5})[1] == "executed: parameters changed"
    assert book["table"].read_text() == TABLE.format(5) and "ran with seed 5\n" in _outputs(path)
    assert _run(book)[1] == "cached" and len(book["kernels"]) == 2, "default run re-executed"
    assert path.read_bytes() == default_notebook
    assert book["table"].read_text() == TABLE.format(0), "the table is not the restored run's"
    book["table"].unlink()
    assert _run(book)[1] == "cached" and book["table"].read_text() == TABLE.format(0)
    assert _run(book, {"seed": 5})[1] == "cached" and book["table"].read_text() == TABLE.format(5)


def test_a_damaged_entry_or_force_executes(book):
    _run(book)
    entry = next(p for p in (book["out"] / ".cache" / "91_cached").iterdir())
    (entry / "tables" / "demo.csv").write_text(TABLE.format(9))  # its copy no longer its manifest's
    assert _run(book)[1].startswith("executed") and len(book["kernels"]) == 2
    assert _run(book)[1] == "cached"
    assert _run(book, force=True)[1].startswith("executed") and len(book["kernels"]) == 3
    manifest = json.loads((entry / "manifest.json").read_text())
    assert manifest["tables"] == {"demo.csv": ec.sha256_file(book["table"])}, "other.csv is not its"
    assert "MINNBOOK_TABLES_LOG" not in os.environ and not list(entry.parent.glob(".tables-*"))
    assert set(manifest["parts"]) == {"format", "chapter", "code", "parameters", "helpers", "data",
                                      "store", "packages"}


def test_a_failed_run_is_not_kept(book):
    _write_chapter(book["root"] / "notebooks", code="raise RuntimeError('broken')")
    with pytest.raises(Exception, match="broken"):
        _run(book)
    with pytest.raises(Exception, match="broken"):
        _run(book)
    kept = book["out"] / ".cache" / "91_cached"
    assert len(book["kernels"]) == 2 and not (kept.is_dir() and any(kept.iterdir()))


@pytest.mark.parametrize("env, on", [
    ({}, True), ({"CI": "true"}, False), ({"CI": "true", ec.ENV: "1"}, True),
    ({ec.ENV: "0"}, False), ({ec.ENV: "off", "CI": ""}, False),
])
def test_switch(monkeypatch, env, on):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(ec.ENV, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert ec.enabled() is on


def test_an_unknown_switch_value_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(ec.ENV, "maybe")
    with pytest.raises(ec.CacheSettingError, match="MINNBOOK_CHAPTER_CACHE='maybe'"):
        ec.enabled()


def test_cache_off_always_executes(book, monkeypatch):
    monkeypatch.setenv("CI", "true")
    monkeypatch.delenv(ec.ENV, raising=False)
    _run(book, cache=None)
    assert _run(book, cache=None)[1] == "executed" and len(book["kernels"]) == 2
    assert not (book["out"] / ".cache").exists()


def test_cli_says_restored_and_force_executes(book, capsys, monkeypatch):
    from helpers.book.__main__ import main

    monkeypatch.setattr(notebooks, "EXECUTED", book["out"])
    monkeypatch.setenv(ec.ENV, "1")

    assert main(["chapter", "91_cached"]) == 0 or pytest.fail(capsys.readouterr().err)
    assert main(["chapter", "91_cached"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "91_cached: executed in" in out[0]
    assert "unchanged since its last good execution: restored with its current text (no kernel)" \
        in out[1]
    assert main(["chapter", "91_cached", "--force"]) == 0 and len(book["kernels"]) == 2


def test_merge_refuses_different_code():
    source = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    executed = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 2")])
    with pytest.raises(ValueError, match="code cells differ"):
        ec.merge_markdown(source, executed)


def test_key_ignores_markdown_and_code_metadata_other_than_tags():
    cell = nbformat.v4.new_code_cell("x = 1")
    a = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("a"), cell])
    b = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("b"),
                                        nbformat.v4.new_code_cell("x = 1")])
    b.cells[1].metadata["papermill"] = {"duration": 1.0}
    assert ec.code_hash(a) == ec.code_hash(b)
    b.cells[1].metadata["tags"] = ["raises-exception"]
    assert ec.code_hash(a) != ec.code_hash(b)


def test_store_folders_are_the_chapters_studies_and_those_its_table_reuses(monkeypatch, tmp_path):
    monkeypatch.setenv("MINNBOOK_PAPER_STORE", str(tmp_path))
    folders = {c: {f.relative_to(tmp_path).as_posix() for f in ec.store_folders(c)}
               for c in ("01_dataset", "04_conflicting_losses", "07_mome_ethanol", "10_beyond")}
    assert folders["01_dataset"] == set()
    assert "03_minn_vs_ml/c-balanced" in folders["04_conflicting_losses"]  # Table 3's first row
    assert "04_conflicting_losses/bound" in folders["04_conflicting_losses"]
    assert folders["07_mome_ethanol"] == {"07_mome_ethanol/ijo1366-anaerobic"}
    assert folders["10_beyond"] == {"03_minn_vs_ml/c-balanced", "10_beyond/exact-layer",
                                    "10_beyond/network-only"}
    before = {c: ec.store_hash(c) for c in folders}
    (tmp_path / "10_beyond" / "exact-layer").mkdir(parents=True)
    (tmp_path / "10_beyond" / "exact-layer" / "REF.json").write_text("{}")
    after = {c: ec.store_hash(c) for c in folders}
    assert [c for c in folders if after[c] != before[c]] == ["10_beyond"]
