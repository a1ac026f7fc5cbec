"""The RobustKnock MILP (helpers.mome.milp) and its kept results (helpers.book.mome_milp)."""

from __future__ import annotations

import json

import cobra
import numpy as np
import pandas as pd
import pytest

from helpers.book import mome_milp
from helpers.mome import exact, milp, strains

BIOMASS = "Biomass_Ecoli_core"


@pytest.fixture(scope="module")
def core():
    """e_coli_core, anaerobic glucose: model, gene-level evaluator for succinate, its genes."""
    model = cobra.io.load_model("textbook")
    model = strains.configure(model, {"EX_glc__D_e": -10.0, "EX_o2_e": 0.0})
    ev = strains.StrainEvaluator(model, biomass=BIOMASS, product="EX_succ_e", mode="genes")
    genes = [g.id for g in model.genes if ev.gene_phenotype([g.id])[0][0] > 0]
    return model, ev, genes


def test_milp_reaches_the_exact_optimum_on_the_core_model(core):
    """RobustKnock over every viable gene equals the exact support enumeration (budget 2,
    same growth floor), and its phenotype is the evaluator's."""
    model, ev, genes = core
    floor = 0.05 * ev.reference[0]
    design = milp.robust_knockout(model, ev, max_cost=2, min_growth=floor, candidates=genes,
                                  time_limit_s=120)
    table, _ = exact.exact_best_constrained(ev, 2, min_biomass=floor)
    assert design.status == "optimal" and len(design.genes) <= 2
    assert design.product_min == pytest.approx(table.product_min.iloc[2], abs=1e-4)
    assert design.biomass >= floor
    phen = ev.gene_phenotype(design.genes)[0]
    assert design.product_min == pytest.approx(phen[2])


def test_bad_inputs_name_the_parameter(core):
    model, ev, genes = core
    with pytest.raises(ValueError, match="'max_cost'"):
        milp.robust_knockout(model, ev, max_cost=0, min_growth=0.01, candidates=genes)
    with pytest.raises(ValueError, match="'candidates'.*nope"):
        milp.robust_knockout(model, ev, max_cost=1, min_growth=0.01, candidates=["nope"])
    with pytest.raises(ValueError, match="'subsystems'"):
        milp.candidate_genes(model, ev, subsystems=["No Such Subsystem"])


def test_candidates_are_central_and_viable(core):
    model, ev, _ = core
    model = model.copy()
    for rid in ("PFK", "PTAr", "LDH_D", "ACKr"):
        model.reactions.get_by_id(rid).subsystem = "Central"
    genes = milp.candidate_genes(model, ev, subsystems=["Central"])
    assert genes == sorted(genes) and genes
    assert set(genes) <= {g.id for rid in ("PFK", "PTAr", "LDH_D", "ACKr")
                          for g in model.reactions.get_by_id(rid).genes}
    assert all(ev.gene_phenotype([g])[0][0] > 0 for g in genes)
    assert milp.candidates_hash(genes) == milp.candidates_hash(reversed(genes))


def _fake_entry(product, k, status="optimal", genes="b1 b2", value=1.0, limit=60.0):
    return {"setup": {"product": product, "model": "m", "candidates": "c", "n_candidates": 3,
                      "min_growth_fraction": 0.05, "min_growth": 0.01},
            "time_limit_s": limit,
            "design": {"product": product, "max_cost": k, "status": status, "genes": genes,
                       "biomass": 0.1, "product_lp": value, "product_min": value,
                       "wall_s": 1.0},
            "provenance": {"git_commit": "abc", "straindesign": "x", "pyscipopt": "y",
                           "scip": "z", "cores": 2}}


def test_store_resumes_and_builds_the_comparison(tmp_path, monkeypatch):
    """Entries with the current set-up are skipped (a time-limited one only when its limit is
    no smaller); the comparison joins kept searches and MILP designs per budget."""
    calls = []
    key = _fake_entry("P", 1)["setup"]
    monkeypatch.setattr(mome_milp, "setup_key", lambda product, fraction=0.05: dict(key))

    def solve(product, k, *, time_limit_s, min_growth_fraction):
        calls.append((product, k, time_limit_s))
        return _fake_entry(product, k, value=float(k), limit=time_limit_s,
                           status="optimal" if k == 1 else "time_limit")

    monkeypatch.setattr(mome_milp, "solve_entry", solve)
    mome_milp.run(["P"], 2, time_limit_s=60, folder=tmp_path, verbose=False)
    mome_milp.run(["P"], 2, time_limit_s=60, folder=tmp_path, verbose=False)
    assert calls == [("P", 1, 60), ("P", 2, 60)]
    mome_milp.run(["P"], 2, time_limit_s=120, folder=tmp_path, verbose=False)
    assert calls[-1] == ("P", 2, 120) and len(calls) == 3
    designs = mome_milp.load_designs(tmp_path)
    assert list(designs.max_cost) == [1, 2] and designs.git_commit.eq("abc").all()
    search = {"setup": {"product": "P", "variant": "default", "seeds": []}, "wall_s": 1.0,
              "best": {"max_cost": [0, 1, 2], "cost": [0, 1, 1], "biomass": [1, 1, 1],
                       "product_min": [0.0, 0.5, 0.5], "genes": ["", "b1", "b1"]}}
    path = mome_milp.search_path("P", "default", tmp_path)
    path.parent.mkdir()
    path.write_text(json.dumps(search))
    table = mome_milp.comparison_table(tmp_path)
    assert list(table.max_cost) == [1, 2]
    assert table.search_default.tolist() == [0.5, 0.5] and table.milp.tolist() == [1.0, 2.0]


def test_a_file_missing_a_field_is_named(tmp_path):
    entry = _fake_entry("P", 1)
    del entry["provenance"]
    (tmp_path / "P_c1.json").write_text(json.dumps(entry))
    with pytest.raises(ValueError, match="P_c1.json.*provenance"):
        mome_milp.load_designs(tmp_path)


def test_kept_designs_are_the_mutants_they_name():
    """Every kept MILP design's phenotype is what the evaluator computes for its genes today."""
    designs = mome_milp.load_designs()
    assert not designs.empty, "no kept MILP design: run `python -m helpers.book mome-milp`"
    for product, part in designs.groupby("product"):
        _, ev, _ = mome_milp.setup(product)
        for row in part.itertuples():
            if row.genes == "" and row.status != "optimal":
                continue
            phen = ev.gene_phenotype(row.genes.split())[0]
            np.testing.assert_allclose(phen, [row.biomass, row.product_lp, row.product_min],
                                       atol=1e-5)


def test_cheapest_kept_entry_still_matches_the_code():
    """CI spot check: re-solve the cheapest kept optimal MILP entry; same guaranteed product."""
    designs = mome_milp.load_designs()
    done = designs[designs.status == "optimal"]
    assert not done.empty, "no optimal kept MILP entry: run `python -m helpers.book mome-milp`"
    row = done.loc[done.wall_s.idxmin()]
    key = mome_milp.setup_key(row["product"])
    assert key["model"] == row["model"] and key["candidates"] == row["candidates"]
    fresh = mome_milp.solve_entry(row["product"], int(row.max_cost),
                                  time_limit_s=float(row.time_limit_s))
    assert fresh["design"]["status"] == "optimal"
    assert fresh["design"]["product_min"] == pytest.approx(row.product_min, abs=1e-5)
    assert isinstance(mome_milp.comparison_table(), pd.DataFrame)
