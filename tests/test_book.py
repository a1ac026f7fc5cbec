"""Every chapter executes at the quick profile, then the HTML book builds with no warnings.

Chapters go through the same runner and execution cache as ``make book``: a chapter whose inputs
are unchanged since its last good execution is restored, not executed again (``make test`` after
``make book`` does not retrain); a clean clone, or ``CI`` set, executes every chapter.

Kept in one module so that the build runs after the chapters (pytest keeps file order).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from helpers.book.notebooks import EXECUTED, ROOT, chapters_in_toc, run_chapter

CHAPTERS = chapters_in_toc()


@pytest.mark.notebooks
@pytest.mark.parametrize("name", CHAPTERS)
def test_chapter_executes_at_quick_profile(name):
    path = run_chapter(name, {"profile": "quick"})
    assert path.is_file()


@pytest.mark.book
def test_book_builds_without_warnings():
    missing = [n for n in CHAPTERS if not (EXECUTED / f"{n}.ipynb").is_file()]
    for name in missing:
        run_chapter(name, {"profile": "quick"})
    jb = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run([str(jb), "build", str(ROOT), "-W", "-n", "--keep-going"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert (ROOT / "_build" / "html" / "index.html").is_file()
