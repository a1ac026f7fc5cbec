"""Enzyme regulation (helpers.mome.redirector)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.mome.evaluation import StrainEvaluator
from helpers.mome.redirector import RedirectorEvaluator

BIOMASS, PRODUCT = "Biomass_Ecoli_core", "EX_etoh_e"


@pytest.fixture(scope="module")
def redirector(anaerobic_core):
    return RedirectorEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT)


def test_beta_zero_equals_wild_type_fba(redirector, anaerobic_core):
    ko = StrainEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT)
    np.testing.assert_allclose(redirector.evaluate({}), ko.reference[[0, 2]], atol=1e-6)
    np.testing.assert_allclose(redirector.evaluate({0: 0.0, 3: 0.0}), redirector.reference)
    assert redirector.reference[0] == pytest.approx(anaerobic_core.slim_optimize(), abs=1e-6)


def test_down_regulating_a_fermentation_enzyme_moves_the_phenotype(redirector):
    # a negative weight on alcohol dehydrogenase (ALCD2x runs backwards, making ethanol) lowers
    # the ethanol flux; a positive one never lowers it
    alcd = next(k for k, rxns in enumerate(redirector._reactions) if "ALCD2x" in rxns)
    down = redirector.evaluate({alcd: -1.0})
    assert down[1] <= redirector.reference[1] + 1e-9
    assert down[1] < redirector.reference[1] - 1e-6
    assert down[0] <= redirector.reference[0] + 1e-9  # growth never beats the wild type's optimum
    up = redirector.evaluate({alcd: 0.5})
    assert up[1] >= redirector.reference[1] - 1e-6


def test_unknown_target_is_an_error(anaerobic_core):
    ev = RedirectorEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT, targets=[0, 1])
    with pytest.raises(ValueError, match="not regulation targets"):
        ev.evaluate({5: 0.5})


def test_regulation_design_runs_in_the_mome_search(anaerobic_core):
    from helpers.mome.redirector import RegulationDesign
    from helpers.mome.search import run_mome

    ev = RedirectorEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT, targets=list(range(12)))
    design = RegulationDesign(ev, levels=(-0.1, 0.1))
    assert len(design.units) == 24
    # two levels of one enzyme add up; cost counts enzymes
    assert design.beta([0, 1]) == {} and design.cost([0, 2]) == 2
    np.testing.assert_allclose(design.evaluate([])[[0, 1]], ev.reference)
    res = run_mome(design, pop_size=8, n_gen=3, dup=2, ukc=3, seed=0)
    assert res.archive.cost.max() <= 3
    assert (res.archive.biomass <= ev.reference[0] + 1e-6).all()
    # no-growth regulations score (0, 0): nothing on the front secretes ethanol without growing
    assert not ((res.archive.biomass == 0) & (res.archive.product_min > 0)).any()
