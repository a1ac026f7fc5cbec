"""The MINN authors' 587-reaction FBA-reduced iAF1260, rebuilt (chapter 06_reservoir_pfba)."""

from __future__ import annotations

import pytest

from helpers.gem.authors import (
    AUTHORS_COUNTS,
    ID_SUBSTITUTES,
    authors_fba_reduced,
    authors_reaction_ids,
    dead_end_metabolites,
    gem_checks,
    split_iaf1260_o2_open,
    substitute_candidates,
    unmatched_ids,
)


@pytest.fixture(scope="module")
def ids():
    return authors_reaction_ids()


@pytest.fixture(scope="module")
def split_iaf():
    return split_iaf1260_o2_open()


@pytest.fixture(scope="module")
def authors(ids):
    return authors_fba_reduced(ids)


def test_notebook_cell_lists_587_distinct_ids(ids):
    assert len(ids) == 587 == len(set(ids))
    assert ids[0] == "R_3OAS100" and ids[-1] == "R_UMPK_fwd"


def test_one_id_has_no_counterpart_and_its_substitute_is_found(ids, split_iaf):
    assert unmatched_ids(ids, split_iaf) == ["R_ACACT9"]
    candidates = substitute_candidates(ids, split_iaf)
    assert candidates[0]["reaction"] == ID_SUBSTITUTES["ACACT9"] == "ACACT6r_rev"
    assert candidates[0]["joins_dead_ends"] == ["3otdcoa_c", "ddcacoa_c"]


def test_counts_and_growth_match_the_authors_notebook(authors):
    checks = gem_checks(authors)
    assert checks["reactions"] == 587
    assert checks["metabolites"] == 493
    assert checks["nonzeros"] == 2539
    assert checks["max_growth"] == pytest.approx(AUTHORS_COUNTS["max_growth"], abs=1e-9)
    assert checks["max_growth"] == pytest.approx(0.7367009388649, abs=1e-9)


def test_reaction_order_is_the_notebook_order(ids, authors):
    expected = [ID_SUBSTITUTES.get(i[2:], i[2:]) for i in ids]
    assert [r.id for r in authors.reactions] == expected
    assert all(r.lower_bound >= 0 for r in authors.reactions)
    assert authors.reactions.EX_glc__D_e_rev.upper_bound == 8.0


def test_unknown_id_is_a_clear_error(ids):
    with pytest.raises(ValueError, match=r"no counterpart in split iAF1260: \['R_ACACT9'\]"):
        authors_fba_reduced(ids, substitutes={})


def test_ethanol_exchange_is_a_dead_end(authors):
    dead = dead_end_metabolites(authors)
    assert {"etoh_e", "succ_e", "pyr_e", "lac__D_e"} <= set(dead)
    with authors:
        authors.objective = "EX_etoh_e"
        assert authors.slim_optimize() == pytest.approx(0.0, abs=1e-9)
