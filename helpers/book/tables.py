"""One writer and one reader for every table the book shows.

Tables are CSV files under ``_build/tables/<name>.csv`` (``$MINNBOOK_TABLES`` overrides the
folder). One row per method / model; metric columns are ``<metric>_mean`` / ``<metric>_sd`` where
there are folds; every table carries ``profile`` and ``seed`` columns so a reader knows what
produced it.

Introduced in chapter ``00_toy_example`` (its c-sweep table); every chapter writes and reads its
tables through :func:`write_table` / :func:`read_table`.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from helpers.book.profiles import PROFILE_NAMES
from helpers.data.files import read_csv
from helpers.evaluation.metrics import summarize

#: Columns :func:`write_table` adds; a frame that already has one is an error, not overwritten.
ADDED_COLUMNS = ("profile", "seed")
_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")
ROOT = Path(__file__).resolve().parents[2]
#: Set by the chapter runner: a file :func:`write_table` appends each written table's path to.
TABLES_LOG = "MINNBOOK_TABLES_LOG"


def require_columns(table: pd.DataFrame, columns: Iterable[str | None], who: str,
                    expected: str = "") -> None:
    """Raise a :class:`ValueError` naming ``who``, the missing ``columns`` (``None`` entries are
    skipped) and the columns ``table`` has, plus ``expected`` (say, which function's output was
    meant), when ``table`` lacks any of ``columns``."""
    missing = [c for c in dict.fromkeys(columns) if c is not None and c not in table.columns]
    if missing:
        raise ValueError(f"{who}: the table lacks the column(s) {missing}; it has "
                         f"{list(table.columns)}." + (f" Expected {expected}." if expected else ""))


def tables_dir() -> Path:
    """Folder the tables are written to (``$MINNBOOK_TABLES`` or ``<repo>/_build/tables``)."""
    override = os.environ.get("MINNBOOK_TABLES")
    return Path(override) if override else ROOT / "_build" / "tables"


def write_table(frame: pd.DataFrame, name: str, *, profile: str, seed: int | None) -> Path:
    """Write ``frame`` to ``<tables_dir>/<name>.csv`` with ``profile`` and ``seed`` columns.

    The file is replaced atomically (written to a temporary file in the same folder, then
    renamed), so a failure mid-write leaves the previous table intact. A meaningful index (named,
    or not plain integers) is written as column(s); a plain unnamed integer index is dropped.
    A frame that already has a ``profile`` or ``seed`` column and an unknown ``profile`` are
    errors. Returns the path. The frame given is not modified.
    """
    if not _NAME.match(name):
        raise ValueError(f"Table name {name!r} must use letters, digits, '_' or '-' only.")
    if profile not in PROFILE_NAMES:
        raise ValueError(f"Table {name!r}: unknown profile {profile!r}; known profiles: "
                         f"{list(PROFILE_NAMES)}.")
    out = _with_index_columns(frame)
    clash = [c for c in ADDED_COLUMNS if c in out.columns]
    if clash:
        raise ValueError(f"Table {name!r}: the frame already has column(s) {clash}, which "
                         "write_table adds; rename or drop them first.")
    out["profile"] = profile
    out["seed"] = seed
    folder = tables_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    _atomic_csv(out, path)
    log = os.environ.get(TABLES_LOG)
    if log:  # the chapter runner's list of the tables a chapter wrote (its execution cache)
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{path}\n")
    return path


def _with_index_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose meaningful index (named or non-integer) became column(s)."""
    index = frame.index
    named = any(n is not None for n in index.names)
    if named or not pd.api.types.is_integer_dtype(index.dtype):
        if not named and len(frame) == 0:
            return frame.reset_index(drop=True)
        return frame.reset_index()
    return frame.reset_index(drop=True)


def _umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _atomic_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to a temporary file beside ``path``, then rename it over ``path``."""
    handle, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".csv.tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", newline="") as stream:
            frame.to_csv(stream, index=False)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; a table is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_table(name: str) -> pd.DataFrame:
    """Read a table written by :func:`write_table`; a clear error if it was never built."""
    path = tables_dir() / f"{name}.csv"
    if not path.is_file():
        raise FileNotFoundError(
            f"Table {name!r} not found at {path}; run the chapter that writes it first "
            "(e.g. `make notebook NB=...`)."
        )
    return read_csv(path, label=f"table {name!r}")


def summarize_folds(per_fold: pd.DataFrame, by: str, metrics: list[str]) -> pd.DataFrame:
    """Collapse per-fold metrics into one row per ``by`` with ``<metric>_mean`` / ``_sd`` columns.

    :func:`helpers.evaluation.metrics.summarize` (the book's one summary-table builder) under
    the name chapter ``00_toy_example`` uses, with ``strict=True``: a metric or ``by`` column
    missing from ``per_fold`` is an error rather than skipped. Every table of the book thus has
    the same spread: the population sd (``ddof=0``), which is what the MINN paper's "mean ± sd"
    is (its Table 2 baseline sds are reproduced with ``ddof=0`` from the published predictions,
    not with ``ddof=1``).
    """
    return summarize(per_fold, list(metrics), by=by, strict=True)
