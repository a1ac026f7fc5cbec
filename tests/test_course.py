"""Course apparatus of chapters 00-09 (issues #18, #16): objectives, prerequisites, exercises + solutions.

Reads the notebook sources only (no execution): every chapter opens with a "You will learn" box of
3-5 items and a "Before you start" box, and has 3-5 exercises, each with a solution (a
``{solution}`` directive or a gated ``{solution-start}`` / ``{solution-end}`` pair around an
executed cell), solutions folded (``:class: dropdown``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ["00_toy_example", "01_dataset", "02_gem_preparation", "03_minn_vs_ml",
            "04_conflicting_losses", "05_gem_choice", "06_reservoir_pfba", "07_mome_ethanol",
            "08_mome_organisms_and_constraints", "09_mome_redirector"]
EXERCISE = re.compile(r"^:{3,}\{exercise\}.*\n:label: (?P<label>[\w-]+)", re.M)
SOLUTION = re.compile(r"^(?::{3,}|`{3,})\{solution(?:-start)?\} (?P<label>[\w-]+)\n:class: dropdown",
                      re.M)
LEARN = re.compile(r"^:::\{admonition\} You will learn\n(?::class: .*\n)?\n(?P<items>(?:- .*\n(?:  .*\n)*)+):::",
                   re.M)


def _markdown(chapter: str) -> str:
    notebook = nbformat.read(ROOT / "notebooks" / f"{chapter}.ipynb", as_version=4)
    return "\n\n".join(c.source + "\n" for c in notebook.cells if c.cell_type == "markdown")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_objectives_and_prerequisites(chapter):
    text = _markdown(chapter)
    boxes = LEARN.findall(text)
    assert len(boxes) == 1, f"{chapter}: expected one 'You will learn' box, found {len(boxes)}"
    items = [line for line in boxes[0].splitlines() if line.startswith("- ")]
    assert 3 <= len(items) <= 5, f"{chapter}: 'You will learn' has {len(items)} items (3-5)"
    assert text.count(":::{admonition} Before you start") == 1, f"{chapter}: no 'Before you start'"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_exercises_each_with_a_folded_solution(chapter):
    text = _markdown(chapter)
    exercises = [m["label"] for m in EXERCISE.finditer(text)]
    solutions = [m["label"] for m in SOLUTION.finditer(text)]
    assert 3 <= len(exercises) <= 5, f"{chapter}: {len(exercises)} exercises (3-5)"
    assert len(set(exercises)) == len(exercises), f"{chapter}: duplicated exercise labels"
    missing = sorted(set(exercises) - set(solutions))
    assert not missing, f"{chapter}: exercises without a folded solution: {missing}"
    assert text.count("{solution-start}") == text.count("{solution-end}") >= 1, \
        f"{chapter}: needs one executed-code solution (solution-start / solution-end)"


def test_the_another_seed_exercise_is_not_repeated_in_every_chapter():
    """A re-run with another seed is an exercise of one or two chapters; the others' exercises are
    about their own content (parameters and re-runs are explained in "Using this book")."""
    seed_rerun = re.compile(r'^:{3,}\{exercise\}[^\n]*\n(?:.*\n)*?.*ARGS="-p seed', re.M)
    with_seed = [c for c in CHAPTERS
                 if any(seed_rerun.search(cell) for cell in _markdown(c).split("\n\n\n"))]
    assert 1 <= len(with_seed) <= 2, f"the another-seed exercise is in {with_seed}"
    assert 'ARGS="-p ' in (ROOT / "book" / "using_this_book.md").read_text()


def test_exercise_labels_unique_across_the_book():
    labels = [m["label"] for c in CHAPTERS for m in EXERCISE.finditer(_markdown(c))]
    assert len(labels) == len(set(labels))


BIB = ROOT / "book" / "references.bib"
CITE = re.compile(r"\{cite(?::[pt])?\}`(?P<keys>[^`]+)`")


def _all_text() -> str:
    pages = [p.read_text() for p in (ROOT / "book").glob("*.md")]
    return "\n".join(pages + [_markdown(c) for c in CHAPTERS])


def test_bibliography_is_complete_and_writes_out_every_author():
    bib = BIB.read_text()
    keys = set(re.findall(r"^@\w+\{([\w-]+),", bib, re.M))
    cited = {k.strip() for m in CITE.finditer(_all_text()) for k in m["keys"].split(",")}
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"
    assert "hu2018balancing" in cited, "the loss balancing of Hu et al. 2018 is not cited"
    authors = re.findall(r"^\s*author\s*=\s*\{(.*)\},?$", bib, re.M)
    assert len(authors) == len(keys)
    assert not [a for a in authors if re.search(r"\bothers\b|et al", a)], "authors cut short"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapters_cite_and_link_instead_of_plain_text(chapter):
    text = _markdown(chapter)
    plain = re.findall(r"(?:Ishii|Gon[cç]alves|Machado|Faure|Hu) \*et al\.\*|Machado & Herrg", text)
    assert not plain, f"{chapter}: cite with {{cite}}, not plain text: {plain}"
    assert not re.search(r"\b[Cc]hapter \d\d\b", text), f"{chapter}: refer to chapters by {{doc}}"
    if chapter != CHAPTERS[0]:
        assert re.search(r"\{doc\}`(?:\.\./executed/)?0\d_\w+`", text), \
            f"{chapter}: links to no other chapter"
