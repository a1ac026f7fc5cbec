"""What counts as a visible code cell, and its size (python -m helpers.book cells)."""

from __future__ import annotations

import math

import nbformat
import pytest

from helpers.book.__main__ import main
from helpers.book.cell_sizes import cell_size_table, visible_code_sizes


def _notebook(path, cells):
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def _code(source, *tags):
    return nbformat.v4.new_code_cell("".join(source), metadata={"tags": list(tags)})


def test_hidden_and_parameters_cells_and_blank_lines_are_not_counted(tmp_path):
    path = _notebook(tmp_path / "01_a.ipynb", [
        _code("seed = 0\n", "parameters"),
        _code(["x = 1\n", "\n", "y = 2\n"]),
        nbformat.v4.new_markdown_cell("text\nmore\n"),
        _code("glue(...)\n", "remove-cell"),
        _code("show()\n", "hide-input"),
        _code("a\nb\nc\nd\n", "remove-output"),  # output hidden, code shown: counted
    ])
    assert visible_code_sizes(path) == [2, 4]
    _notebook(tmp_path / "02_b.ipynb", [_code("z = 3\n", "remove-cell")])
    table = cell_size_table(tmp_path)
    assert table.chapter.tolist() == ["01_a", "02_b"]
    assert table.iloc[0][["visible_cells", "median_lines", "max_lines"]].tolist() == [2, 3, 4]
    assert table.iloc[1]["visible_cells"] == 0 and math.isnan(table.iloc[1]["median_lines"])


def test_command_prints_the_table_and_a_broken_file_is_named(tmp_path, capsys):
    _notebook(tmp_path / "01_a.ipynb", [_code("x = 1\n")])
    assert main(["cells", "--folder", str(tmp_path)]) == 0
    assert "01_a" in capsys.readouterr().out
    (tmp_path / "02_b.ipynb").write_text("{not json")
    with pytest.raises(ValueError, match=r"02_b\.ipynb: not a readable notebook"):
        cell_size_table(tmp_path)
