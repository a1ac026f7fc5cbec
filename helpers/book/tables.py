"""One writer and one reader for every table the book shows.

Tables are CSV files under ``_build/tables/<name>.csv`` (``$MINNBOOK_TABLES`` overrides the
folder). One row per method / model; metric columns are ``<metric>_mean`` / ``<metric>_sd`` where
there are folds; every table carries ``profile`` and ``seed`` columns so a reader knows what
produced it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

_NAME = re.compile(r"^[A-Za-z0-9_\-]+$")
ROOT = Path(__file__).resolve().parents[2]


def tables_dir() -> Path:
    """Folder the tables are written to (``$MINNBOOK_TABLES`` or ``<repo>/_build/tables``)."""
    override = os.environ.get("MINNBOOK_TABLES")
    return Path(override) if override else ROOT / "_build" / "tables"


def write_table(frame: pd.DataFrame, name: str, *, profile: str, seed: int | None) -> Path:
    """Write ``frame`` to ``<tables_dir>/<name>.csv`` with ``profile`` and ``seed`` columns.

    Returns the path. The frame given is not modified.
    """
    if not _NAME.match(name):
        raise ValueError(f"Table name {name!r} must use letters, digits, '_' or '-' only.")
    out = frame.copy()
    out["profile"] = profile
    out["seed"] = seed
    folder = tables_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.csv"
    out.to_csv(path, index=False)
    return path


def read_table(name: str) -> pd.DataFrame:
    """Read a table written by :func:`write_table`; a clear error if it was never built."""
    path = tables_dir() / f"{name}.csv"
    if not path.is_file():
        raise FileNotFoundError(
            f"Table {name!r} not found at {path}; run the chapter that writes it first "
            "(e.g. `make notebook NB=...`)."
        )
    return pd.read_csv(path)


def summarize_folds(per_fold: pd.DataFrame, by: str, metrics: list[str]) -> pd.DataFrame:
    """Collapse per-fold metrics into one row per ``by`` with ``<metric>_mean`` / ``_sd`` columns.

    The standard deviation is the sample sd (ddof=1), as in the papers' "mean ± sd".
    """
    grouped = per_fold.groupby(by, sort=False)[metrics]
    mean = grouped.mean().add_suffix("_mean")
    sd = grouped.std(ddof=1).add_suffix("_sd")
    columns = [c for m in metrics for c in (f"{m}_mean", f"{m}_sd")]
    return pd.concat([mean, sd], axis=1)[columns].reset_index()
