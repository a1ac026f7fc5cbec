"""Constrained MOME (helpers.mome.constraints and run_mome's forbidden / min_biomass)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.mome.constraints import forbidden_mask, insilico_essential_genes, keio_essential_genes
from helpers.mome.evaluation import StrainEvaluator
from helpers.mome.search import run_mome

BIOMASS, PRODUCT = "Biomass_Ecoli_core", "EX_etoh_e"


@pytest.fixture(scope="module")
def genes_evaluator(anaerobic_core):
    return StrainEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT, mode="genes")


@pytest.fixture(scope="module")
def essential(anaerobic_core):
    return insilico_essential_genes(anaerobic_core)


def test_insilico_essential_genes_are_lethal_alone(genes_evaluator, essential):
    assert essential
    for gene in essential:
        phen = genes_evaluator.evaluate([genes_evaluator.units.index(gene)])
        assert phen[0] < 0.01 * genes_evaluator.reference[0] + 1e-9


def test_keio_list_has_the_provenance_count():
    assert len(keio_essential_genes()) == 234


def test_essential_genes_never_appear_and_biomass_constraint_holds(anaerobic_core, essential):
    genes_evaluator = StrainEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT, mode="genes")
    forbidden = forbidden_mask(genes_evaluator.units, essential)
    floor = 0.9 * genes_evaluator.reference[0]
    res = run_mome(genes_evaluator, pop_size=16, n_gen=5, dup=3, ukc=6, seed=0,
                   forbidden=forbidden, min_biomass=floor, skip_lethal_units=False)
    idx = set(np.flatnonzero(forbidden))
    # no evaluated strain (the whole cache of this fresh evaluator) knocks out an essential gene
    for g in genes_evaluator.cache:
        assert not idx & set(g)
    assert (res.archive.biomass >= floor).all()
    assert (res.front.biomass >= floor).all()
    assert len(res.archive) > 1


def test_forbidden_mask_must_match_units(genes_evaluator):
    with pytest.raises(ValueError, match="'forbidden' mask must have length"):
        run_mome(genes_evaluator, pop_size=4, n_gen=1, dup=1, ukc=2, forbidden=np.zeros(3, bool))
