"""Reaction overlap of two GEM versions (helpers.gem.overlap, chapter 06)."""

from __future__ import annotations

from helpers.gem import load_gem
from helpers.gem.overlap import reaction_overlap


def test_reaction_overlap_counts_and_lists_what_only_one_has():
    core = load_gem("e_coli_core")
    smaller = core.copy()
    smaller.remove_reactions([smaller.reactions.PGI, smaller.reactions.FUM])
    overlap = reaction_overlap(core, smaller, names=("full", "reduced"))
    assert overlap.only_first == ["FUM", "PGI"] and overlap.only_second == []
    counts = overlap.counts()
    assert counts.to_dict() == {"full": 95, "reduced": 93, "only in full": 2,
                                "only in reduced": 0}
    assert counts.name == "reactions" and counts.index.name == "model"
    assert reaction_overlap(smaller, core).only_second == ["FUM", "PGI"]
