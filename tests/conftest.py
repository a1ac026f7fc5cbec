"""Shared fixtures: tests read the offline mirror when MINNBOOK_DATA is set (CI sets it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MIRROR = ROOT.parent / "shared" / "data"

if "MINNBOOK_DATA" not in os.environ and DEFAULT_MIRROR.is_dir():
    os.environ["MINNBOOK_DATA"] = str(DEFAULT_MIRROR)
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def ishii():
    """The Ishii dataset, loaded once per test session."""
    from helpers.ishii import load_ishii

    return load_ishii()


@pytest.fixture()
def tmp_tables(tmp_path, monkeypatch):
    """Redirect the table writer to a temporary folder."""
    monkeypatch.setenv("MINNBOOK_TABLES", str(tmp_path / "tables"))
    return tmp_path / "tables"
