"""Table 1 helpers (helpers.gem.summary)."""

from __future__ import annotations

import pytest

from helpers.gem import (
    compare_reactions,
    flux_coverage,
    gem_size,
    load_gem,
    removed_by_subsystem,
    split_count,
    split_reversible,
    table_row,
)


@pytest.fixture(scope="module")
def core():
    return load_gem("e_coli_core_minn")


def test_split_count_matches_split_model(core):
    assert split_count(core) == len(split_reversible(core).reactions) == 141


def test_split_count_rules_and_boundary(core):
    n_boundary = len(core.boundary)
    n_lb_negative = sum(r.lower_bound < 0 for r in core.reactions)
    assert split_count(core, rule="lower_bound") == len(core.reactions) + n_lb_negative
    internal = [r for r in core.reactions if r not in core.boundary]
    expected = len(internal) + sum(r.lower_bound < 0 for r in internal)
    assert split_count(core, rule="lower_bound", exclude_boundary=True) == expected
    assert n_boundary == 20
    with pytest.raises(ValueError, match=r"'rule' parameter must be one of \['bounds', 'lower_bound'\]"):
        split_count(core, rule="cbmpy")


def test_gem_size_counts_active_metabolites(core):
    size = gem_size(core)
    assert size["reactions"] == 95 and size["metabolites"] == 72
    reduced = split_reversible(core, reactions=["PGI", "PFK"])
    assert gem_size(reduced)["metabolites"] == 72
    assert gem_size(reduced)["active_metabolites"] == len(
        {m.id for r in reduced.reactions for m in r.metabolites}
    )


def test_removed_by_subsystem_and_compare():
    textbook = load_gem("e_coli_core")
    table = removed_by_subsystem(textbook, {"A": ["PGI", "PFK"], "B": []})
    assert table["A"].sum() == 2 and table["B"].sum() == 0
    assert table["reactions"].sum() == len(textbook.reactions)
    diff = compare_reactions(["R_PGI_fwd", "R_PGI_rev", "PFK"], ["PGI", "TPI_rev"])
    assert diff == {"common": ["PGI"], "only_ours": ["PFK"], "only_theirs": ["TPI"]}


def test_table_row_and_flux_coverage(core):
    split = split_reversible(core)
    row = table_row("e_coli_core", split, 115, "why", extra_col=1)
    assert row["reactions"] == 141 and row["difference"] == 26 and row["note"] == "why"
    assert row["max_growth"] == pytest.approx(0.8739, abs=1e-4) and row["extra_col"] == 1
    assert table_row("count only", None, None, "n", reactions=5)["difference"] is None
    cover = flux_coverage(split, ["R_PGI_fwd", "PFK", "R_GLCptspp"])
    assert cover == {"present": 2, "total": 3, "missing": ["R_GLCptspp"]}
