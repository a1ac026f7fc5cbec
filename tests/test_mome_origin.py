"""Product origin at a strain's guaranteed point (helpers.mome.origin) on the E. coli core model."""

from __future__ import annotations

import cobra
import pytest

from helpers.mome import origin

BIOMASS, PRODUCT = "Biomass_Ecoli_core", "EX_etoh_e"


@pytest.fixture(scope="module")
def anaerobic():
    model = cobra.io.load_model("textbook")
    model.reactions.EX_o2_e.lower_bound = 0.0
    return model


def test_ethanol_comes_from_glucose_through_acetaldehyde(anaerobic):
    before = {r.id: r.bounds for r in anaerobic.reactions}
    res = origin.product_origin(anaerobic, biomass=BIOMASS, product=PRODUCT)
    assert {r.id: r.bounds for r in anaerobic.reactions} == before  # model left unchanged
    t = res.table
    producers = t[t.kind == "producer"]
    assert list(producers.reaction) == ["ALCD2x"] and producers.share.iloc[0] == pytest.approx(1)
    assert producers.flux.iloc[0] == pytest.approx(res.product_min, rel=1e-4)
    assert "ACALD" in set(t[t.kind == "precursor"].reaction)
    top = origin.top_carbon_source(t)
    assert top.reaction == "EX_glc__D_e" and top.product_without == pytest.approx(0.0)
    assert top.share > 0.99  # almost all carbon taken up (CO2 the rest)
    assert top.carbon_flux == pytest.approx(60.0, rel=1e-6)  # 10 glucose x 6 C


def test_guaranteed_point_and_gene_deletion(anaerobic):
    mu, low, fluxes = origin.guaranteed_fluxes(anaerobic, biomass=BIOMASS, product=PRODUCT)
    assert fluxes[BIOMASS] == pytest.approx(mu, rel=1e-5)
    assert fluxes[PRODUCT] == pytest.approx(low, abs=1e-6)
    # ALCD2x is 'frmA or adhP or adhE': deleting the three genes disables it
    mu2, low2, _ = origin.guaranteed_fluxes(anaerobic, biomass=BIOMASS, product=PRODUCT,
                                             genes=["b0356", "b1241", "b1478"])
    assert low2 == pytest.approx(0.0, abs=1e-6) and 0 < mu2 < mu


def test_closing_uptakes_and_names(anaerobic):
    growth, product = origin.product_without(anaerobic, ["EX_glc__D_e"], biomass=BIOMASS,
                                             product=PRODUCT)
    assert growth == 0.0 and product == 0.0
    with pytest.raises(KeyError, match="EX_xyz_e"):
        origin.product_without(anaerobic, ["EX_xyz_e"], biomass=BIOMASS, product=PRODUCT)
    assert origin.genes_from_names(anaerobic, ["adhE", "b1478"]) == ["b1241", "b1478"]
    assert origin.genes_from_names(anaerobic, ["x1"], {"b1241": "x1"}) == ["b1241"]
    with pytest.raises(ValueError, match=r"Gene names not in model .*\['nope'\]"):
        origin.genes_from_names(anaerobic, ["nope"])
    with pytest.raises(ValueError, match="Gene ids not in model"):
        origin.product_origin(anaerobic, biomass=BIOMASS, product=PRODUCT, genes=["nope"])


def test_book_summary_names_producer_precursor_and_source(anaerobic):
    from helpers.book.mome_origin import origin_summary

    res = origin.product_origin(anaerobic, biomass=BIOMASS, product=PRODUCT)
    table = res.table.assign(model="e_coli_core", medium="anaerobic", strain_genes="",
                             growth=res.growth, product_guaranteed=res.product_min)
    row = origin_summary(table).iloc[0]
    assert (row.producer, row.precursor, row.top_source_reaction) == (
        "ALCD2x", "ACALD", "EX_glc__D_e")
    assert row.ethanol_without_top == pytest.approx(0.0) and row.growth_without_top == 0.0
    with pytest.raises(ValueError, match="no carbon source checked"):
        origin.top_carbon_source(table[table.kind != "carbon source"])
