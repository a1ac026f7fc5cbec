"""The shown tables of chapters 07 and 09 (helpers.book.mome_shown_tables), on tiny synthetic frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.book import mome_shown_tables
from helpers.mome.strains import StrainEvaluator
from tests.conftest import CORE_BIOMASS, CORE_PRODUCT


def test_milp_comparison_shown_names_genes_and_marks_the_wild_type():
    table = pd.DataFrame({
        "product": ["EX_etoh_e", "EX_etoh_e", "EX_succ_e"],
        "max_cost": [1, 2, 1],
        "milp_status": ["optimal", "optimal", "time_limit"],
        "milp_genes": ["b2", "b1 b9", None],
    })
    shown = mome_shown_tables.milp_comparison_shown(table, {"b1": "zwf", "b2": "ackA"},
                                             {"EX_etoh_e": "ethanol", "EX_succ_e": "succinate"})
    assert list(shown["product"]) == ["ethanol", "ethanol", "succinate"]
    assert list(shown.milp_genes) == ["ackA", "b9, zwf", ""]  # sorted names, ids without one
    table.loc[0, "milp_genes"] = ""
    shown = mome_shown_tables.milp_comparison_shown(table, {}, {})
    assert shown.milp_genes[0] == "none (wild type)"  # optimal and empty: the wild type
    assert table.milp_genes[0] == ""  # the input is left as it was
    with pytest.raises(ValueError, match="milp_status"):
        mome_shown_tables.milp_comparison_shown(table.drop(columns="milp_status"), {}, {})


def _per_cost():
    return pd.DataFrame({"exact_product": [1.0, 3.0, np.nan], "exact_biomass": [0.2, 0.1, np.nan],
                         "exact_genes": ["", "adhE, pta", np.nan]})


def test_best_known_table_one_row_per_source_with_a_product():
    top = pd.Series({"genes": "ldhA", "knockout_cost": 1, "biomass": 0.3,
                     "product_guaranteed": 2.0})
    table = mome_shown_tables.best_known_table(top, _per_cost(), ["atpC", "ldhA", "dld"],
                                        np.array([0.05, 4.0, 3.5]))
    assert list(table.source) == ["search", "enumeration", "hand-check"]
    assert list(table.knockout_cost) == [1, 2, 3]
    assert list(table.genes) == ["ldhA", "adhE, pta", "atpC, ldhA, dld"]
    assert list(table.product_guaranteed) == [2.0, 3.0, 3.5]  # the guaranteed, not the LP's
    no_hand = mome_shown_tables.best_known_table(top, _per_cost(), [], np.full(3, np.nan))
    assert list(no_hand.source) == ["search", "enumeration"]


def test_paper_strains_table_rebuilds_strains_in_each_medium(anaerobic_core):
    ev = StrainEvaluator(anaerobic_core, biomass=CORE_BIOMASS, product=CORE_PRODUCT)
    unit = next(u for u, rule in enumerate(ev.units) if " " not in rule.strip("() "))
    gene = ev.units[unit].strip("() ")
    rows = {"wild type": ((), 0.9, 1.0), "one gene": (([gene], ["no_such_gene"]), 0.5, 2.0)}
    table = mome_shown_tables.paper_strains_table({"a": ev, "b": ev}, rows, {})
    assert list(zip(table.medium, table.strain, strict=True)) == [
        ("a", "wild type"), ("a", "one gene"), ("b", "wild type"), ("b", "one gene")]
    assert list(table.gene_sets_found) == ["0/0", "1/2"] * 2  # an unknown gene set: not found
    assert "knockouts" not in table.columns
    assert list(table.paper_ethanol) == [1.0, 2.0] * 2
    assert table.biomass[0] == pytest.approx(ev.reference[0])


def test_evenness_readings_three_verdicts():
    readings = mome_shown_tables.evenness_readings([40.0, 60.0], [30.0, 20.0], 90)
    assert list(readings.reading) == ["feasible, vs knock-outs", "feasible, vs 90 %",
                                      "fronts, vs knock-outs"]
    assert list(readings.holds) == [True, False, False]
    assert list(readings.against_pct) == [40.0, 90, 30.0]
    with pytest.raises(ValueError, match="two shares"):
        mome_shown_tables.evenness_readings([1.0], [1.0, 2.0], 90)


def test_regulated_strains_table_labels_change_and_regulation():
    best = pd.DataFrame({"biomass": [0.1, 0.0], "product_min": [3.0, 4.0], "cost": [1, 2],
                         "genotype": [(0,), (0, 1)]})
    describe = {(0,): ["e0: β=+1"], (0, 1): ["e0: β=+1", "e1: β=-1"]}.__getitem__
    table = mome_shown_tables.regulated_strains_table(best, 2.0, describe)
    assert list(table.strain) == ["R1", "R2"]
    assert list(table.product_change_pct) == [50.0, 100.0]
    assert list(table.regulation) == ["e0: β=+1", "e0: β=+1; e1: β=-1"]
    assert mome_shown_tables.regulated_strains_table(best, 0.0, describe).product_change_pct.isna().all()
