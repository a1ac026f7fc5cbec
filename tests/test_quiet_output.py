"""Chapter output without noise: no HiGHS banner, no TqdmWarning, no injected-parameters cell."""

from __future__ import annotations

import subprocess
import sys

import nbformat

from helpers.book.notebooks import hide_injected_parameters

QUIET = """
import warnings
warnings.simplefilter("error")
import helpers.data.registry
import helpers.gem
import cvxpy as cp
x = cp.Variable(2)
cp.Problem(cp.Minimize(cp.sum(x)), [x >= 1]).solve(solver="HIGHS")
print("solved")
"""


def test_highs_banner_and_tqdm_warning_are_silenced():
    out = subprocess.run([sys.executable, "-c", QUIET], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "solved"
    assert "HiGHS" not in out.stdout + out.stderr and "Tqdm" not in out.stderr


def test_injected_parameters_cell_is_removed_from_the_page(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("seed = 0", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("seed = 7", metadata={"tags": ["injected-parameters"]}),
    ])
    path = tmp_path / "chapter.ipynb"
    nbformat.write(notebook, path)
    assert hide_injected_parameters(path)
    cells = nbformat.read(path, as_version=4).cells
    assert cells[0].metadata["tags"] == ["parameters"]
    assert cells[1].metadata["tags"] == ["injected-parameters", "remove-cell"]
    assert not hide_injected_parameters(path)
