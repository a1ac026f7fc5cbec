"""Chapter 08's LB set-up: the wild type grows at LB's measured rate, and the ethanol of the mhpF +
adhE strain comes from deoxyribose (helpers.book.mome_designs.lb_medium, helpers.mome.origin)."""

from __future__ import annotations

import pytest

from helpers.book.mome_designs import LB_UPTAKE, lb_medium
from helpers.gem.media import lb_growth_range
from helpers.gem.organisms import ORGANISMS, load_organism
from helpers.mome import origin
from helpers.mome.strains import configure

DEOXYNUCLEOSIDES = ["EX_dad_2_e", "EX_dcyt_e", "EX_thymd_e"]
MHPF_ADHE = ["b0351", "b1241"]


@pytest.fixture(scope="module")
def ijo():
    return load_organism("iJO1366")


@pytest.mark.parametrize("name", ["iJO1366", "iZ_1308"])
def test_lb_wild_type_grows_at_the_measured_rate_and_the_uniform_setup_does_not(name, ijo):
    model = ijo if name == "iJO1366" else load_organism(name)
    low, high = lb_growth_range()  # 0.7 x 1.87 /h (liquid LB) .. 1.3 x 2.30 /h (LB agar)
    cited = configure(model, lb_medium(model)[0]).slim_optimize()
    assert low <= cited <= high, (cited, low, high)
    uniform = configure(model, lb_medium(model, uptake=LB_UPTAKE)[0]).slim_optimize()
    assert uniform > high  # the earlier set-up: about 5 /h, a 8-min doubling


def test_mhpf_adhe_ethanol_is_deoxyribose_in_both_lb_setups(ijo):
    org = ORGANISMS["iJO1366"]
    for uptake in (None, LB_UPTAKE):
        model = configure(ijo, lb_medium(ijo, uptake=uptake)[0])
        res = origin.product_origin(model, biomass=org.biomass, product=org.product,
                                    genes=MHPF_ADHE, min_share=1.0)
        pre = res.table[res.table.kind == "precursor"]
        assert pre.sort_values("share").reaction.iloc[-1] == "DRPA"  # deoC
        assert res.product_min > 0.1
        _, left = origin.product_without(model, DEOXYNUCLEOSIDES, biomass=org.biomass,
                                         product=org.product, genes=MHPF_ADHE)
        assert left == pytest.approx(0.0, abs=1e-6)
    assert res.product_min == pytest.approx(29.87, abs=0.01)  # uniform: every uptake at 10
