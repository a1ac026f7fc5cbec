"""The comparison command that checks a restructuring leaves tables and glued values unchanged."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "compare_quick_outputs.py"


def _book(root: Path, table: str, glued: dict[str, str]) -> Path:
    (root / "_build" / "tables").mkdir(parents=True)
    (root / "book" / "executed").mkdir(parents=True)
    (root / "_build" / "tables" / "t.csv").write_text(table)
    outputs = [{"output_type": "display_data", "metadata": {"scrapbook": {"name": k}},
                "data": {"application/papermill.record/text/plain": v}} for k, v in glued.items()]
    nb = {"cells": [{"cell_type": "code", "source": "", "outputs": outputs}]}
    (root / "book" / "executed" / "00_x.ipynb").write_text(json.dumps(nb))
    return root


def _run(base: Path, new: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), str(base), str(new)],
                          capture_output=True, text=True)


def test_identical_outputs_pass_and_timing_is_ignored(tmp_path):
    base = _book(tmp_path / "a", "model,NE,seconds\nx,0.25,3.1\n", {"ne": "0.25", "elapsed": "9"})
    new = _book(tmp_path / "b", "model,NE,seconds\nx,0.25,4.7\n", {"ne": "0.25", "elapsed": "12"})
    result = _run(base, new)
    assert result.returncode == 0, result.stdout
    assert "identical" in result.stdout


def test_a_changed_cell_or_glued_value_fails(tmp_path):
    base = _book(tmp_path / "a", "model,NE\nx,0.25\n", {"ne": "0.25"})
    new = _book(tmp_path / "b", "model,NE\nx,0.26\n", {"ne": "0.26"})
    result = _run(base, new)
    assert result.returncode == 1
    assert "t.csv: 1 cell(s) differ" in result.stdout
    assert "glue 'ne'" in result.stdout
