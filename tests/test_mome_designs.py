"""Constrained designs of chapter 08 (helpers.book.mome_designs): media, Table 4 analogue, set-ups."""

from __future__ import annotations

import cobra
import numpy as np
import pandas as pd
import pytest

from helpers.book import mome_designs as designs
from helpers.book import mome_wild_type
from helpers.gem.media import lb_uptakes
from helpers.mome.analysis import remove_superfluous
from helpers.mome.constraints import essential_genes_screen, forbidden_mask
from helpers.mome.search import run_mome
from helpers.mome.strains import StrainEvaluator

BIOMASS, PRODUCT = "Biomass_Ecoli_core", "EX_etoh_e"


def test_carveme_lists_have_the_provenance_counts():
    assert len(designs.carveme_compounds("LB")) == 65
    assert len(designs.carveme_compounds("LB[-O2]")) == 64
    assert "o2" in designs.carveme_compounds("LB") and "o2" not in designs.carveme_compounds("LB[-O2]")


def test_unknown_medium_names_the_file():
    with pytest.raises(ValueError, match=r"carveme_media_db.tsv: no medium 'XX'"):
        designs.carveme_compounds("XX")
    with pytest.raises(ValueError, match="must be one of"):
        designs.setup_medium(cobra.Model("m"), "iJO1366", "YPD")


def test_lb_medium_closes_every_other_uptake_and_grows():
    model = cobra.io.load_model("textbook")
    bounds, text, missing = designs.lb_medium(model)
    assert set(bounds) == {r.id for r in model.exchanges}
    open_ = {rid for rid, v in bounds.items() if v < 0}
    cited = lb_uptakes(rid.removeprefix("EX_").removesuffix("_e") for rid in open_)
    assert open_ and all(bounds[f"EX_{c}_e"] == -v for c, v in cited.items())
    uniform = designs.lb_medium(model, uptake=designs.LB_UPTAKE)[0]
    assert all(uniform[rid] == -designs.LB_UPTAKE for rid in open_)
    assert all(rid.removeprefix("EX_").removesuffix("_e") in designs.carveme_compounds("LB")
               for rid in open_)
    assert "EX_ac_e" not in open_ and missing  # acetate is not in LB; the core lacks most compounds
    with model:
        for rid, v in bounds.items():
            model.reactions.get_by_id(rid).lower_bound = v
        assert model.slim_optimize(error_value=0.0) > 0.1


def test_exchange_bounds_rejects_unknown_reactions():
    with pytest.raises(KeyError, match="EX_nothing"):
        designs.exchange_bounds(cobra.io.load_model("textbook"), {"EX_nothing": 1.0})


@pytest.fixture(scope="module")
def constrained(anaerobic_core):
    ev = StrainEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT, mode="genes")
    essential = essential_genes_screen(ev)
    floor = 0.9 * ev.reference[0]
    res = run_mome(ev, pop_size=16, n_gen=6, dup=3, ukc=6, seed=0, skip_lethal_units=False,
                   forbidden=forbidden_mask(ev.units, essential), min_biomass=floor)
    return ev, res, floor, essential


def test_table4_strains_keep_the_floor_and_are_minimal(constrained):
    ev, res, floor, essential = constrained
    table = designs.best_per_count_table(ev, res, 10)
    assert len(table) >= 1
    assert (table.biomass >= floor - 1e-9).all()
    assert table.knockouts.is_monotonic_increasing and table.knockouts.is_unique
    assert table.product_guaranteed.is_monotonic_increasing
    for genes in table.genes:
        assert not set(filter(None, genes.split(", "))) & essential
    ref = ev.reference
    expected = 100 * (table.product_guaranteed / ref[2] - 1)
    np.testing.assert_allclose(table.change_vs_wt_guaranteed_pct, expected)


def test_superfluous_removal_keeps_both_objectives_on_the_front(constrained):
    ev, res, _, _ = constrained
    for geno in res.front.genotype:
        before = ev.evaluate(geno)
        after = ev.evaluate(remove_superfluous(ev, geno))
        assert after[0] >= before[0] - 1e-9 and after[2] >= before[2] - 1e-9


def test_table4_comparison_puts_the_paper_beside_ours(constrained):
    ev, res, _, _ = constrained
    run = designs.ConstrainedRun("iJO1366", "anaerobic", "test", ev, res,
                                 designs.best_per_count_table(ev, res, 10),
                                 {"wt_biomass": 0.2, "wt_ethanol_fba": 8.0,
                                  "wt_product_guaranteed": 8.0})
    row = designs.table4_comparison([run]).iloc[0]
    assert row.paper_change_pct == 195.24 and row.paper_wt_biomass == 1.0334
    assert row.best_ethanol == run.table.product_guaranteed.max()


def test_bisection_finds_the_threshold():
    x = mome_wild_type._bisect(lambda v: 2 * v, 3.0, 0.0, 10.0, 30)
    assert abs(x - 1.5) < 1e-6
    assert mome_wild_type._bisect(lambda v: v, 20.0, 0.0, 10.0, 30) is None


def test_paper_table4_has_the_four_setups():
    assert set(designs.PAPER_TABLE4) == set(designs.CONSTRAINED_SETUPS)
    changes = pd.Series({k: v["change_pct"] for k, v in designs.PAPER_TABLE4.items()})
    assert changes.round().tolist() == [195, 228, 269, 8]
