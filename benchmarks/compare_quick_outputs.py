"""Compare two executions of the book: tables (CSV) and glued values, timing aside.

A restructuring of ``helpers/`` must leave every quick-profile table and every number quoted in the
prose unchanged. This script compares the outputs of two executions of all chapters, for example the
starting commit (in a ``git worktree``) and the working tree::

    git worktree add /tmp/base <start-commit>
    (cd /tmp/base && MINNBOOK_TABLES=/tmp/base/_build/tables \\
        ../path/to/repo/.venv/bin/python -m helpers.book chapter --all --profile quick)
    make notebooks                      # the working tree: _build/tables, book/executed
    python benchmarks/compare_quick_outputs.py /tmp/base .

Both runs must read the same results store (``MINNBOOK_PAPER_STORE``), or the paper-profile rows
that chapters 03-05 show from it may differ for that reason alone. (Older commits run chapters with
``python -m helpers.book.notebooks --all --profile quick``.)

Each argument is a folder with ``_build/tables/*.csv`` and ``book/executed/*.ipynb`` (or pass
``--tables`` / ``--executed`` pairs). Columns and glue names that measure time (seconds, minutes,
wall time, run time) or cache use (``from_cache``) are left out. Exit status 0 when everything else is identical, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import pandas as pd

#: Columns and glue names that describe the run, not its results: time, and whether a piece of
#: work came from the on-disk cache (a second run reads what the first one wrote).
TIMING = re.compile(r"(second|seconds|_s$|minute|wall|run_?time|elapsed|duration|timing|speed|"
                    r"from_cache)", re.IGNORECASE)


def _timing_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if TIMING.search(str(c))]


def compare_tables(base: Path, new: Path) -> list[str]:
    """Differences between two folders of CSV tables (timing columns dropped)."""
    problems = []
    base_names = {p.name for p in base.glob("*.csv")}
    new_names = {p.name for p in new.glob("*.csv")}
    for name in sorted(base_names ^ new_names):
        problems.append(f"{name}: only in {'base' if name in base_names else 'new'}")
    for name in sorted(base_names & new_names):
        a_text, b_text = (base / name).read_text(), (new / name).read_text()
        if a_text == b_text:
            continue
        a, b = pd.read_csv(base / name), pd.read_csv(new / name)
        a = a.drop(columns=_timing_columns(a))
        b = b.drop(columns=_timing_columns(b))
        if list(a.columns) != list(b.columns):
            problems.append(f"{name}: columns differ {list(a.columns)} vs {list(b.columns)}")
        elif a.shape != b.shape:
            problems.append(f"{name}: shape {a.shape} vs {b.shape}")
        elif not a.astype(str).equals(b.astype(str)):
            diff = (a.astype(str) != b.astype(str))
            cells = [(r, c) for c in diff.columns for r in diff.index[diff[c]]][:5]
            shown = ", ".join(f"row {r} {c}: {a.at[r, c]!r} vs {b.at[r, c]!r}" for r, c in cells)
            problems.append(f"{name}: {int(diff.values.sum())} cell(s) differ ({shown})")
    return problems


def glued_values(notebook: Path) -> dict[str, str]:
    """Name -> text of every value a chapter glues (myst-nb / scrapbook records)."""
    values = {}
    for cell in json.loads(notebook.read_text())["cells"]:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if not record:
                continue
            data = output.get("data", {})
            text = next((v for k, v in data.items() if k.endswith("text/plain")), None)
            if text is None:  # figures and other rich records: compare their kinds only
                text = "<" + ",".join(sorted(data)) + ">"
            values[record["name"]] = "".join(text) if isinstance(text, list) else str(text)
    return values


def compare_glue(base: Path, new: Path) -> list[str]:
    """Differences between the glued values of two folders of executed chapters."""
    problems = []
    for path in sorted(base.glob("*.ipynb")):
        other = new / path.name
        if not other.exists():
            problems.append(f"{path.name}: not executed in new")
            continue
        a, b = glued_values(path), glued_values(other)
        for name in sorted(set(a) | set(b)):
            if TIMING.search(name):
                continue
            if a.get(name) != b.get(name):
                problems.append(f"{path.stem} glue {name!r}: {a.get(name)!r} vs {b.get(name)!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", type=Path, nargs="?")
    parser.add_argument("new", type=Path, nargs="?")
    parser.add_argument("--tables", type=Path, nargs=2, metavar=("BASE", "NEW"))
    parser.add_argument("--executed", type=Path, nargs=2, metavar=("BASE", "NEW"))
    args = parser.parse_args(argv)
    tables = args.tables or (args.base / "_build" / "tables", args.new / "_build" / "tables")
    executed = args.executed or (args.base / "book" / "executed", args.new / "book" / "executed")
    problems = compare_tables(*tables) + compare_glue(*executed)
    n_tables = len(list(tables[0].glob("*.csv")))
    n_glue = sum(len(glued_values(p)) for p in executed[0].glob("*.ipynb"))
    for line in problems:
        print(line)
    print(f"{n_tables} tables and {n_glue} glued values compared: "
          f"{'identical' if not problems else f'{len(problems)} difference(s)'} (timing aside)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
