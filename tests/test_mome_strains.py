"""Strain evaluation (helpers.mome.strains and its engine), on e_coli_core for speed."""

from __future__ import annotations

import cobra
import numpy as np
import pytest

from helpers.mome.strains import StrainEvaluator, configure, model_fingerprint, reduce_model

BIOMASS, PRODUCT = "Biomass_Ecoli_core", "EX_etoh_e"


@pytest.fixture(scope="module")
def core_reduced(anaerobic_core):
    return anaerobic_core


@pytest.fixture()
def evaluator(core_reduced):
    return StrainEvaluator(core_reduced, biomass=BIOMASS, product=PRODUCT)


def _random_strains(n_units, n, seed=0, max_size=6):
    rng = np.random.default_rng(seed)
    return [tuple(rng.choice(n_units, size=rng.integers(1, max_size + 1), replace=False))
            for _ in range(n)]


def test_configure_and_reduce_leave_the_input_model_alone():
    model = cobra.io.load_model("textbook")
    before = model_fingerprint(model)
    medium = configure(model, {"EX_o2_e": 0})
    reduce_model(medium, use_cache=False)
    assert model_fingerprint(model) == before
    assert medium.reactions.EX_o2_e.lower_bound == 0
    assert model.reactions.EX_o2_e.lower_bound != 0


def test_reduced_model_keeps_growth(core_reduced):
    full = configure(cobra.io.load_model("textbook"), {"EX_glc__D_e": -10, "EX_o2_e": 0})
    assert len(core_reduced.reactions) < len(full.reactions)
    assert core_reduced.slim_optimize() == pytest.approx(full.slim_optimize(), abs=1e-9)


def test_cache_hits_return_identical_results(evaluator):
    strains = _random_strains(len(evaluator.units), 40)
    first = evaluator.evaluate_many(strains)
    hits = evaluator.hits
    again = evaluator.evaluate_many(strains[::-1])[::-1]
    assert evaluator.hits == hits + len(strains)
    np.testing.assert_array_equal(first, again)
    # boolean vectors and index tuples are the same genotype
    mask = np.zeros(len(evaluator.units), dtype=bool)
    mask[list(strains[0])] = True
    np.testing.assert_array_equal(evaluator.evaluate(mask), first[0])


def test_guaranteed_product_is_at_most_the_lp_product(evaluator):
    phen = evaluator.evaluate_many(_random_strains(len(evaluator.units), 200, seed=1))
    assert (phen[:, 2] <= phen[:, 1] + 1e-6).all()
    assert (phen[:, 0] > 0).any() and (phen[:, 0] == 0).any()


def test_phenotypes_match_cobra_fva(core_reduced, evaluator):
    from cobra.flux_analysis import flux_variability_analysis

    for strain in _random_strains(len(evaluator.units), 15, seed=2):
        with core_reduced as model:
            for j in evaluator.knocked_reactions(strain):
                model.reactions[int(j)].knock_out()
            mu = model.slim_optimize(error_value=0.0)
            mine = evaluator.evaluate(strain)
            if mu < evaluator.lethal_threshold:
                np.testing.assert_array_equal(mine, 0.0)
                continue
            fva = flux_variability_analysis(model, [PRODUCT], fraction_of_optimum=1.0)
        assert mine[0] == pytest.approx(mu, abs=1e-6)
        assert mine[2] == pytest.approx(fva.loc[PRODUCT, "minimum"], abs=1e-5)


def test_shortcuts_agree_with_the_lp(evaluator):
    for strain in _random_strains(len(evaluator.units), 100, seed=3, max_size=3):
        cols = evaluator.knocked_reactions(strain).tolist()
        mu, p_lp, p_min, _ = evaluator._lp.solve(cols, evaluator.lethal_threshold)
        got = evaluator.evaluate(strain)
        assert got[0] == pytest.approx(mu, abs=1e-6)
        assert got[2] == pytest.approx(p_min, abs=1e-6)


def test_parallel_evaluation_equals_serial(core_reduced):
    serial = StrainEvaluator(core_reduced, biomass=BIOMASS, product=PRODUCT)
    parallel = StrainEvaluator(core_reduced, biomass=BIOMASS, product=PRODUCT)
    strains = _random_strains(len(serial.units), 60, seed=4)
    np.testing.assert_array_equal(serial.evaluate_many(strains),
                                  parallel.evaluate_many(strains, n_jobs=2))


def test_lethal_strain_is_dominated_not_an_error(evaluator):
    everything = np.ones(len(evaluator.units), dtype=bool)
    np.testing.assert_array_equal(evaluator.evaluate(everything), 0.0)


def test_wild_type_is_the_reference(evaluator, core_reduced):
    np.testing.assert_array_equal(evaluator.evaluate([]), evaluator.reference)
    assert evaluator.reference[0] == pytest.approx(core_reduced.slim_optimize(), abs=1e-6)


def test_gene_mode_evaluates_the_rules(core_reduced):
    ev = StrainEvaluator(core_reduced, biomass=BIOMASS, product=PRODUCT, mode="genes")
    rxn = next(r for r in core_reduced.reactions if " or " in r.gene_reaction_rule
               and " and " not in r.gene_reaction_rule)
    genes = sorted(g.id for g in rxn.genes)
    j = ev.reaction_ids.index(rxn.id)
    one = [ev.units.index(genes[0])]
    assert j not in ev.knocked_reactions(one)
    assert j in ev.knocked_reactions([ev.units.index(g) for g in genes])
    assert ev.cost([ev.units.index(g) for g in genes]) == len(genes)


def test_errors_name_the_parameter(core_reduced):
    with pytest.raises(ValueError, match=r"'mode' parameter must be one of \['gene_sets', 'genes'\]. Got 'x'"):
        StrainEvaluator(core_reduced, biomass=BIOMASS, product=PRODUCT, mode="x")
    with pytest.raises(KeyError, match="'product' reaction 'EX_nope' is not in model"):
        StrainEvaluator(core_reduced, biomass=BIOMASS, product="EX_nope")
    ev = StrainEvaluator(core_reduced, biomass=BIOMASS, product=PRODUCT)
    with pytest.raises(ValueError, match=r"Unit indices must lie in \[0, "):
        ev.evaluate([10_000])


def test_strain_cost_is_the_exact_minimal_gene_cut(evaluator):
    from itertools import combinations

    from helpers.mome.gpr import evaluate_gpr, genes_of

    rng = np.random.default_rng(5)
    for _ in range(60):
        g = evaluator.normalize(rng.choice(len(evaluator.units), size=rng.integers(1, 4), replace=False))
        cut = evaluator.cut(g)
        assert evaluator.cost(g) == len(cut) <= evaluator.costs[list(g)].sum()
        # the cut disables every gene set of the strain ...
        assert all(not evaluate_gpr(evaluator.units[u], cut) for u in g)
        assert set(g) <= set(evaluator.gene_strain(cut))
        # ... and no smaller gene set does (brute force over the strain's genes)
        genes = sorted(set().union(*(genes_of(evaluator.units[u]) for u in g)))
        if len(cut) > 1 and len(genes) <= 14:
            for combo in combinations(genes, len(cut) - 1):
                assert any(evaluate_gpr(evaluator.units[u], set(combo)) for u in g)


def test_atp_synthase_strain_costs_one_gene(evaluator):
    # e_coli_core's ATP synthase has two variants sharing atpC: one gene disables it
    from helpers.mome.gpr import paper_knockout_cost

    atp = [u for u, rule in enumerate(evaluator.units) if "b3731" in rule and "b3739" in rule]
    assert atp, "ATP synthase gene set missing"
    assert paper_knockout_cost(evaluator.units[atp[0]]) == 2
    assert evaluator.cost(atp) == 1


def test_flux_support_matches_evaluate_and_counts_lps(evaluator):
    strains = _random_strains(len(evaluator.units), 20, seed=9, max_size=2)
    for g in strains:
        phen, support = evaluator.flux_support(g)
        np.testing.assert_array_equal(phen, evaluator.evaluate(g))
        if phen[0] == 0:
            assert not support.any()
        else:
            assert not support[evaluator.knocked_reactions(g)].any()
    assert evaluator.n_lp <= evaluator.n_computed


def test_dropping_reactions_equals_cobra_remove_reactions():
    import warnings

    from helpers.mome.strains import _without_reactions

    model = cobra.io.load_model("textbook")
    model.add_groups([cobra.core.Group("glycolysis", members=[model.reactions.PFK,
                                                              model.reactions.FBA,
                                                              model.genes.b3916])])
    drop = ["PFK", "FBP", "ME1", "ME2", "ACALD", "EX_fru_e", "FRUpts2"]
    ours = _without_reactions(model, drop)
    theirs = model.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs.remove_reactions([theirs.reactions.get_by_id(r) for r in drop],
                                remove_orphans=True)
    for attr in ("reactions", "metabolites", "genes"):
        assert {x.id for x in getattr(ours, attr)} == {x.id for x in getattr(theirs, attr)}
    assert "fru_e" not in ours.metabolites and "b3916" not in ours.genes  # orphans go too
    assert model_fingerprint(ours) == model_fingerprint(theirs)
    assert ours.slim_optimize() == pytest.approx(theirs.slim_optimize())
    assert {m.id for m in ours.groups.glycolysis.members} == {"FBA"}


def test_each_evaluator_holds_and_frees_its_own_lp(core_reduced):
    """The GLPK problem lives with its evaluator (no module-level registry keeps it alive)."""
    import gc
    import weakref

    from helpers.mome._engine import lp as engine_lp

    before = dict(engine_lp.WORKER_LPS)
    ev = StrainEvaluator(core_reduced, biomass=BIOMASS, product=PRODUCT)
    engine = weakref.ref(ev._lp)
    assert dict(engine_lp.WORKER_LPS) == before
    del ev
    gc.collect()
    assert engine() is None


def test_unpickled_evaluator_gives_identical_phenotypes(evaluator):
    import pickle

    from helpers.mome._engine import lp as engine_lp

    strains = _random_strains(len(evaluator.units), 30, seed=3)
    serial = evaluator.evaluate_many(strains)
    copies = [pickle.loads(pickle.dumps(evaluator)) for _ in range(engine_lp.WORKER_LPS_MAX + 2)]
    for copy in copies:
        assert copy.cache == {}
        np.testing.assert_array_equal(copy.evaluate_many(strains), serial)
    # copies of one evaluator share one rebuilt problem per process; the cache stays bounded
    assert copies[0]._lp is copies[1]._lp
    assert len(engine_lp.WORKER_LPS) <= engine_lp.WORKER_LPS_MAX



def test_a_model_without_gene_rules_is_refused_by_name(core_reduced):
    model = core_reduced.copy()
    for reaction in model.reactions:
        reaction.gene_reaction_rule = ""
    for mode in ("gene_sets", "genes"):
        with pytest.raises(ValueError, match=f"Model {model.id!r} has no gene rules"):
            StrainEvaluator(model, biomass=BIOMASS, product=PRODUCT, mode=mode)


def test_gene_strain_refuses_unknown_genes_and_suggests_ids(evaluator, core_reduced):
    ldh = core_reduced.genes.get_by_id("b1380")  # ldhA
    with pytest.raises(ValueError, match=r"'ldhA' is the name of gene 'b1380'"):
        evaluator.gene_strain(["b2133", ldh.name])
    with pytest.raises(ValueError, match=r"\['b13800'\] are not genes of model .*did you mean "
                                         r"'b1380'"):
        evaluator.gene_strain(["b13800"])
    with pytest.raises(ValueError, match="'zzzz': no gene id or name is close"):
        evaluator.gene_strain(["zzzz"])
    assert evaluator.gene_strain(["b1380"]) == evaluator.gene_strain({"b1380"})
