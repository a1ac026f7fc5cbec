"""Constrained MOME (helpers.mome.constraints and run_mome's forbidden / lethal_pairs / min_biomass)."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.mome.constraints import (
    HEAVNER_DROPPED,
    cached_lethal_pairs,
    essential_genes_screen,
    forbidden_mask,
    insilico_essential_genes,
    keio_essential_genes,
    lethal_pairs_screen,
    pair_partners,
    yeast_essential_genes,
    yeast_lethal_pairs,
)
from helpers.mome.search import run_mome
from helpers.mome.strains import StrainEvaluator

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


# -- lethal pairs, the screen on the evaluator, the yeast lists (issue #16)

@pytest.fixture(scope="module")
def pair_screen(genes_evaluator, essential):
    return lethal_pairs_screen(genes_evaluator, essential=essential)


def test_evaluator_screen_equals_cobra_single_deletions(genes_evaluator, essential):
    assert essential_genes_screen(genes_evaluator) == essential


def test_genes_mode_reactions_follow_the_gpr(anaerobic_core, genes_evaluator):
    from helpers.mome.gpr import evaluate_gpr

    rng = np.random.default_rng(0)
    for _ in range(30):
        g = sorted(rng.choice(len(genes_evaluator.units), size=3, replace=False).tolist())
        off = {genes_evaluator.units[u] for u in g}
        expected = [j for j, r in enumerate(anaerobic_core.reactions)
                    if r.gene_reaction_rule and not evaluate_gpr(r.gene_reaction_rule, off)]
        assert genes_evaluator.knocked_reactions(g).tolist() == expected


def test_lethal_pair_screen_equals_brute_force(genes_evaluator, essential, pair_screen):
    """Every pair of non-essential genes, solved: the restricted screen misses none."""
    floor = 0.01 * genes_evaluator.reference[0]
    ok = [u for u, g in enumerate(genes_evaluator.units) if g not in essential]
    brute = {tuple(sorted((genes_evaluator.units[a], genes_evaluator.units[b])))
             for i, a in enumerate(ok) for b in ok[i + 1:]
             if genes_evaluator.growth([a, b]) < floor}
    assert brute, "e_coli_core anaerobic has lethal pairs; the test needs some"
    assert pair_screen.pairs == brute
    assert pair_screen.complete and pair_screen.n_tested < pair_screen.n_possible
    for a, b in pair_screen.pairs:
        assert a not in essential and b not in essential


def test_partial_screen_is_marked_and_a_subset(genes_evaluator, essential, pair_screen):
    part = lethal_pairs_screen(genes_evaluator, essential=essential, max_first=2)
    assert not part.complete and part.n_first == 2
    assert part.pairs <= pair_screen.pairs


def test_cached_screen_is_read_back(anaerobic_core, essential, pair_screen, tmp_path, monkeypatch):
    monkeypatch.setenv("MINNBOOK_CACHE", str(tmp_path))
    first = cached_lethal_pairs(anaerobic_core, biomass=BIOMASS, product=PRODUCT,
                                essential=essential)
    second = cached_lethal_pairs(anaerobic_core, biomass=BIOMASS, product=PRODUCT,
                                 essential=essential)
    assert not first.from_cache and second.from_cache
    assert first.pairs == second.pairs == pair_screen.pairs
    assert any(tmp_path.rglob("meta.json"))


def test_lethal_pairs_never_together_and_biomass_floor_holds(anaerobic_core, essential,
                                                              pair_screen):
    ev = StrainEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT, mode="genes")
    partners = pair_partners(ev.units, pair_screen.pairs)
    floor = 0.9 * ev.reference[0]
    res = run_mome(ev, pop_size=16, n_gen=5, dup=3, ukc=6, seed=1, skip_lethal_units=False,
                   forbidden=forbidden_mask(ev.units, essential), lethal_pairs=partners,
                   min_biomass=floor)
    index = {g: k for k, g in enumerate(ev.units)}
    pairs = [(index[a], index[b]) for a, b in pair_screen.pairs]
    assert len(ev.cache) > 10
    for g in ev.cache:  # every strain the search evaluated
        s = set(g)
        assert not any(a in s and b in s for a, b in pairs)
    assert (res.archive.biomass >= floor).all()


def test_pair_partners_are_symmetric_and_skip_unknown_genes():
    partners = pair_partners(["a", "b", "c"], [("a", "c"), ("b", "zz")])
    assert [p.tolist() for p in partners] == [[2], [], [0]]


def test_lethal_pairs_mask_must_match_units(genes_evaluator):
    with pytest.raises(ValueError, match="'lethal_pairs' list must have one entry per unit"):
        run_mome(genes_evaluator, pop_size=4, n_gen=1, dup=1, ukc=2, lethal_pairs=[])


def test_screens_need_genes_mode(anaerobic_core):
    ev = StrainEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT)
    with pytest.raises(ValueError, match="mode='genes'"):
        essential_genes_screen(ev)


def test_yeast_lists_have_the_provenance_counts():
    genes = yeast_essential_genes()
    assert len(genes) == 1120 and not genes & HEAVNER_DROPPED
    assert len(yeast_essential_genes(drop=())) == 1122
    pairs = yeast_lethal_pairs()
    assert len(pairs) == 13262
    assert all(a < b for a, b in pairs)


def test_bad_yeast_files_name_the_file(tmp_path, monkeypatch):
    import helpers.mome.constraints as c

    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not a workbook")
    monkeypatch.setattr(c, "fetch", lambda key: bad)
    with pytest.raises(ValueError, match="yeast_essential_genes_heavner.xls"):
        c.yeast_essential_genes()
    with pytest.raises(ValueError, match="yeast_sgd_synthetic_lethals_heavner2013.mat"):
        c.yeast_lethal_pairs()


def test_isozyme_cuts_are_admissible_and_need_every_gene(genes_evaluator, essential,
                                                         pair_screen):
    from helpers.mome.constraints import isozyme_cuts

    forbidden = forbidden_mask(genes_evaluator.units, essential)
    partners = pair_partners(genes_evaluator.units, pair_screen.pairs)
    cuts = isozyme_cuts(genes_evaluator, forbidden=forbidden, partners=partners)
    assert cuts, "e_coli_core has flux-carrying reactions catalysed by isozymes"
    carrying = ~genes_evaluator._zero_min
    for cut in cuts:
        assert 2 <= len(cut) <= 4 and not forbidden[cut].any()
        assert not any(set(partners[u].tolist()) & set(cut.tolist()) for u in cut)
        together = set(genes_evaluator.knocked_reactions(cut).tolist())
        hit = {j for j in together if carrying[j]}
        assert hit, "a cut disables a reaction that carries wild-type flux"
        # no gene of the cut is superfluous: without it, one of those reactions survives
        for u in cut:
            rest = [v for v in cut if v != u]
            assert hit - set(genes_evaluator.knocked_reactions(rest).tolist())


def test_search_with_isozyme_cuts_keeps_every_constraint(anaerobic_core, essential, pair_screen):
    from helpers.mome.constraints import isozyme_cuts

    ev = StrainEvaluator(anaerobic_core, biomass=BIOMASS, product=PRODUCT, mode="genes")
    forbidden = forbidden_mask(ev.units, essential)
    partners = pair_partners(ev.units, pair_screen.pairs)
    cuts = isozyme_cuts(ev, forbidden=forbidden, partners=partners)
    floor = 0.9 * ev.reference[0]
    res = run_mome(ev, pop_size=16, n_gen=5, dup=3, ukc=6, seed=2, skip_lethal_units=False,
                   forbidden=forbidden, lethal_pairs=partners, min_biomass=floor,
                   groups=cuts, group_prob=0.5)
    index = {g: k for k, g in enumerate(ev.units)}
    pairs = [(index[a], index[b]) for a, b in pair_screen.pairs]
    banned = set(np.flatnonzero(forbidden).tolist())
    for g in ev.cache:
        s = set(g)
        assert not s & banned and not any(a in s and b in s for a, b in pairs)
    assert (res.archive.biomass >= floor).all()
    # whole cuts are drawn: some evaluated strain holds every gene of one
    assert any(set(c.tolist()) <= set(g) for g in ev.cache for c in cuts)


def test_group_probability_is_checked():
    from helpers.mome.problem import make_nsga2

    with pytest.raises(ValueError, match="group_prob"):
        make_nsga2(np.ones(4, int), pop_size=4, dup=2, ukc=2, groups=[np.array([0, 1])],
                   group_prob=1.5)
