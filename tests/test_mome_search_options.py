"""run_mome's options for reaching MILP designs: seeds in the initial population and the
support polish; with neither, the search is the default one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.mome import exact
from helpers.mome.search import run_mome
from helpers.mome.strains import StrainEvaluator

SIZES = dict(pop_size=12, n_gen=3, dup=2, ukc=8, elite_cost=3)


@pytest.fixture(scope="module")
def ev(anaerobic_core):
    return StrainEvaluator(anaerobic_core, biomass="Biomass_Ecoli_core", product="EX_succ_e")


def _first_generation(result) -> list:
    return list(result.archive.loc[result.archive.generation == 1, "genotype"])


def test_no_option_is_the_default_search(ev):
    base = run_mome(ev, seed=3, **SIZES)
    same = run_mome(ev, seed=3, seeds=[], polish_cost=0, **SIZES)
    pd.testing.assert_frame_equal(base.archive, same.archive)


def test_seeds_enter_the_initial_population_and_nothing_else_changes(ev):
    base = run_mome(ev, seed=3, pop_size=12, n_gen=1, dup=2, ukc=8)
    table, _ = exact.exact_best_per_cost(ev, 2)
    design = ev.gene_strain(table.genotype.iloc[2])
    seeded = run_mome(ev, seed=3, pop_size=12, n_gen=1, dup=2, ukc=8, seeds=[design])
    first = _first_generation(seeded)
    assert ev.normalize(design) in first
    # the strains drawn before the seed are the unseeded run's
    assert set(_first_generation(base)) - set(first) <= {_first_generation(base)[-1]}


def test_a_seeded_search_reaches_the_design_at_its_cost(ev):
    table, _ = exact.exact_best_per_cost(ev, 2)
    design = ev.gene_strain(table.genotype.iloc[2])
    result = run_mome(ev, seed=1, seeds=[design], **SIZES)
    best = exact.best_per_cost(result.archive, 2)
    assert best.product_min.iloc[2] >= table.product_min.iloc[2] - 1e-6


def test_too_many_seeds_are_refused(ev):
    with pytest.raises(ValueError, match="'seeds'"):
        run_mome(ev, seed=0, pop_size=3, n_gen=1, dup=1, ukc=8, seeds=[(0,), (1,), (2,)])


def test_polish_adds_support_moves_and_never_loses(ev):
    """The polish evaluates one-unit extensions of the best strains per cost (generation
    ``n_gen + 1``); on e_coli_core it reaches the exact optimum up to cost 2."""
    base = run_mome(ev, seed=2, **SIZES)
    polished = run_mome(ev, seed=2, polish_cost=2, polish_beam=5, **SIZES)
    extra = polished.archive[polished.archive.generation == SIZES["n_gen"] + 1]
    assert len(extra) > 0 and (extra.cost <= 2).all()
    before = exact.best_per_cost(base.archive, 2).product_min.to_numpy()
    after = exact.best_per_cost(polished.archive, 2).product_min.to_numpy()
    assert (after >= before - 1e-9).all()
    table, _ = exact.exact_best_per_cost(ev, 2)
    np.testing.assert_allclose(after, table.product_min.to_numpy(), atol=1e-6)
