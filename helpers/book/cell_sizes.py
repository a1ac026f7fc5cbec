"""How much code a reader of each chapter sees: the visible code cells and their sizes.

A code cell is *visible* unless it is the ``parameters`` cell or tagged ``remove-cell``,
``remove-input``, ``hide-input`` or ``hide-cell`` (folded or removed in the book). Its size is its
number of non-blank lines. The book's rule (``tests/test_figures.py``): a visible cell is a few
lines that teach one step, and each chapter's median visible cell is at most 12 lines;
bookkeeping (glue, table writing, guards) goes into hidden cells or ``helpers/``.

Command line::

    python -m helpers.book cells            # one row per chapter: cells, median and largest size
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import nbformat
import pandas as pd

#: Tags that keep a code cell's source out of the reader's sight (removed or folded).
HIDDEN_TAGS = frozenset({"parameters", "remove-cell", "remove-input", "hide-input", "hide-cell"})
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def visible_code_sizes(notebook: Path) -> list[int]:
    """Non-blank line counts of the visible code cells of ``notebook`` (an ``.ipynb`` file), in
    order."""
    try:
        cells = nbformat.read(notebook, as_version=4).cells
    except (OSError, ValueError, KeyError) as exc:
        raise ValueError(f"{notebook}: not a readable notebook ({exc}).") from exc
    return [sum(1 for line in cell.source.splitlines() if line.strip()) for cell in cells
            if cell.cell_type == "code" and not set(cell.metadata.get("tags", [])) & HIDDEN_TAGS]


def cell_size_table(folder: Path = NOTEBOOKS) -> pd.DataFrame:
    """One row per chapter of ``folder`` (sorted): ``chapter``, ``visible_cells``,
    ``median_lines`` and ``max_lines`` of its visible code cells (NaN without one)."""
    rows = []
    for path in sorted(folder.glob("*.ipynb")):
        sizes = visible_code_sizes(path)
        rows.append({"chapter": path.stem, "visible_cells": len(sizes),
                     "median_lines": statistics.median(sizes) if sizes else float("nan"),
                     "max_lines": max(sizes) if sizes else float("nan")})
    return pd.DataFrame(rows, columns=["chapter", "visible_cells", "median_lines", "max_lines"])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``python -m helpers.book cells``."""
    parser.add_argument("--folder", type=Path, default=NOTEBOOKS,
                        help="folder of source notebooks (default: notebooks/)")


def command(args: argparse.Namespace) -> int:
    """Print :func:`cell_size_table` of ``args.folder``."""
    print(cell_size_table(args.folder).to_string(index=False))
    return 0
