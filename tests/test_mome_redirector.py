"""Enzyme regulation (helpers.mome.redirector)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.mome.redirector import RedirectorEvaluator, cobra_phenotype
from helpers.mome.strains import StrainEvaluator

BIOMASS, PRODUCT = "Biomass_Ecoli_core", "EX_etoh_e"


@pytest.fixture(scope="module")
def redirector(anaerobic_core):
    return RedirectorEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT)


def test_beta_zero_equals_wild_type_fba(redirector, anaerobic_core):
    ko = StrainEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT)
    np.testing.assert_allclose(redirector.evaluate({}), ko.reference[[0, 2]], atol=1e-6)
    np.testing.assert_allclose(redirector.evaluate({0: 0.0, 3: 0.0}), redirector.reference)
    assert redirector.reference[0] == pytest.approx(anaerobic_core.slim_optimize(), abs=1e-6)


def test_beta_zero_is_the_wild_type_by_plain_cobra_too(redirector, anaerobic_core):
    fba = anaerobic_core.optimize()
    np.testing.assert_allclose(
        redirector.evaluate({}),
        cobra_phenotype(anaerobic_core, biomass=BIOMASS, product=PRODUCT, coefficients={}))
    assert redirector.evaluate({})[0] == pytest.approx(fba.objective_value, abs=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_regulations_equal_plain_cobra(redirector, anaerobic_core, seed):
    # the warm-started GLPK engine against cobra's re-optimization, same objective terms
    rng = np.random.default_rng(seed)
    active = [k for k, cols in enumerate(redirector._columns)
              if any(abs(redirector._lp.wild_type[j]) > 1e-9 for j in cols)]
    moved = 0
    for _ in range(15):
        enzymes = rng.choice(active, size=int(rng.integers(1, 4)), replace=False)
        beta = {int(k): float(rng.choice([-1.0, -0.1, -0.01, 0.01, 0.1, 0.5])) for k in enzymes}
        ours = redirector.evaluate(beta)
        plain = cobra_phenotype(anaerobic_core, biomass=BIOMASS, product=PRODUCT,
                                coefficients=redirector.coefficients(beta))
        np.testing.assert_allclose(ours, plain, atol=1e-6, err_msg=str(beta))
        moved += not np.allclose(ours, redirector.reference, atol=1e-6)
    assert moved > 0  # the draws do move the phenotype: the comparison is not all wild types
    assert anaerobic_core.objective.expression.as_coefficients_dict()  # model left as it was
    assert anaerobic_core.slim_optimize() == pytest.approx(redirector.reference[0], abs=1e-6)


def test_down_regulating_a_fermentation_enzyme_moves_the_phenotype(redirector):
    # a negative weight on alcohol dehydrogenase (ALCD2x runs backwards, making ethanol) lowers
    # the ethanol flux; a positive one raises it
    alcd = next(k for k, rxns in enumerate(redirector._reactions) if "ALCD2x" in rxns)
    down = redirector.evaluate({alcd: -1.0})
    assert down[1] <= redirector.reference[1] + 1e-9
    assert down[1] < redirector.reference[1] - 1e-6
    assert down[0] <= redirector.reference[0] + 1e-9  # growth never beats the wild type's optimum
    up = redirector.evaluate({alcd: 0.01})  # a mild weight: the cell still grows
    assert up[0] > 0 and up[1] > redirector.reference[1] + 1e-6
    # a strong one makes the optimum secrete ethanol at zero growth: no strain, scored (0, 0)
    np.testing.assert_array_equal(redirector.evaluate({alcd: 0.5}), [0.0, 0.0])


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


def test_repair_bounds_regulated_enzymes_not_units(anaerobic_core):
    from helpers.mome.problem import CostRepair, KnockoutProblem
    from helpers.mome.redirector import RegulationDesign

    ev = RedirectorEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT, targets=list(range(6)))
    design = RegulationDesign(ev, levels=(-0.1, -0.01))
    # units 0 and 1 are two levels of enzyme 0, units 2 and 3 of enzyme 1: two enzymes, four units
    row = np.zeros(len(design.units), dtype=bool)
    row[[0, 1, 2, 3]] = True
    assert design.cost(row) == 2
    repaired = CostRepair(design.costs, 2)._do(KnockoutProblem(design), row[None, :],
                                               random_state=np.random.default_rng(0))
    np.testing.assert_array_equal(repaired[0], row)  # within uKC = 2 enzymes: untouched
    repaired = CostRepair(design.costs, 1)._do(KnockoutProblem(design), row[None, :],
                                               random_state=np.random.default_rng(0))
    assert design.cost(repaired[0]) == 1


def test_beta_cache_hits_cost_no_lp(anaerobic_core):
    from helpers.mome.redirector import RegulationDesign

    ev = RedirectorEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT, targets=list(range(6)))
    design = RegulationDesign(ev, levels=(-0.1, 0.1))
    design.evaluate([0])  # enzyme 0 down-regulated: one LP
    assert (design.n_computed, design.n_lp) == (1, 1)
    design.evaluate([0, 2, 3])  # the same β (enzyme 1's levels cancel): a new genotype, no LP
    assert (design.n_computed, design.n_lp) == (2, 1)
