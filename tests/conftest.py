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
    from helpers.data.ishii import load_ishii

    return load_ishii()


@pytest.fixture()
def tmp_tables(tmp_path, monkeypatch):
    """Redirect the table writer to a temporary folder."""
    monkeypatch.setenv("MINNBOOK_TABLES", str(tmp_path / "tables"))
    return tmp_path / "tables"


#: e_coli_core (cobra's textbook), anaerobic, glucose 10: the small MOME test case.
CORE_BIOMASS, CORE_PRODUCT = "Biomass_Ecoli_core", "EX_etoh_e"


@pytest.fixture(scope="session")
def _anaerobic_core_shared():
    import cobra

    from helpers.mome.strains import configure, reduce_model

    model = configure(cobra.io.load_model("textbook"), {"EX_glc__D_e": -10, "EX_o2_e": 0})
    return reduce_model(model, use_cache=False)


@pytest.fixture(scope="module")
def anaerobic_core(_anaerobic_core_shared):
    """A fresh copy per test module of the reduced, anaerobic e_coli_core (built once)."""
    return _anaerobic_core_shared.copy()


@pytest.fixture()
def one_chapter_book(tmp_path, monkeypatch):
    """Point the chapter runner at a book of its own under ``tmp_path``: ``notebooks/`` for the
    sources, a ``_toc.yml`` listing the chapters passed to the returned function, and a tables
    folder. Returns ``use(*chapters) -> tmp_path``."""
    from helpers.book import notebooks

    def use(*chapters: str):
        monkeypatch.setattr(notebooks, "SOURCES", tmp_path / "notebooks")
        toc = tmp_path / "_toc.yml"
        toc.write_text("chapters:\n" + "".join(f"  - file: book/executed/{c}\n"
                                               for c in chapters))
        monkeypatch.setattr(notebooks, "TOC", toc)
        monkeypatch.setenv("MINNBOOK_TABLES", str(tmp_path / "tables"))
        return tmp_path
    return use
