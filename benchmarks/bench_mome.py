"""Strain evaluations per second: MOME's one-LP evaluator vs cobra's plain knock-out loop.

Same strains (random gene-set knock-outs of 1-5 units, like MOME's initial population), same
process, iJO1366 anaerobic on 10 mmol/gDW/h glucose. cobra's loop is the textbook one::

    with model:
        for reaction in knocked: reaction.knock_out()
        model.optimize()

It computes only the growth LP on the whole model; ours computes growth AND the guaranteed
ethanol (a second LP) with two exact shortcuts. The like-for-like baseline is a lean cobra loop
doing what the evaluator does: the same two LPs (``slim_optimize``: maximal growth, then the least
ethanol with growth held there) on the same reduced model, with the same shortcuts (a strain that
hits an essential reaction is lethal, one that only touches reactions without flux in the wild
type's optimum is the wild type; both masks computed once, as the evaluator does). The ratio
against it is what the warm-started GLPK engine itself buys.

Also measured, in the same process (chapter 08 and 09's modes):

* single-gene mode: random 1-5 gene knock-outs against cobra's ``gene.knock_out`` loop;
* constrained mode: a constrained search (single genes, essential genes forbidden, lethal pairs
  never together, biomass >= 90 %) — its distinct strains per second against cobra's
  ``gene.knock_out`` loop on the same strains; and the exact lethal-pair screen against the time
  cobra's loop would need for every pair of non-essential genes (estimated from its rate);
* Redirector: enzyme regulations (objective weights, growth + guaranteed ethanol, on chapter 07's
  GLPK engine) against cobra's plain loop ``with model: model.objective = {...}; model.optimize()``
  (growth only), and the largest deviation of its phenotypes from plain cobra's
  (:func:`helpers.mome.redirector.cobra_phenotype`).

Run: ``MINNBOOK_DATA=/work/shared/data .venv/bin/python benchmarks/bench_mome.py [n_strains]``.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import time

import cobra
import numpy as np

from helpers.mome.constraints import (
    essential_genes_screen,
    forbidden_mask,
    lethal_pairs_screen,
    pair_partners,
)
from helpers.mome.redirector import DEFAULT_LEVELS, RedirectorEvaluator, cobra_phenotype
from helpers.mome.search import run_mome
from helpers.mome.strains import StrainEvaluator, configure, reduce_model

BIOMASS, PRODUCT = "BIOMASS_Ec_iJO1366_core_53p95M", "EX_etoh_e"
MEDIUM = {"EX_glc__D_e": -10.0, "EX_o2_e": 0.0}


def strains(n_units: int, n: int, seed: int = 0) -> list[tuple[int, ...]]:
    rng = np.random.default_rng(seed)
    return [tuple(int(i) for i in rng.choice(n_units, size=rng.integers(1, 6), replace=False))
            for _ in range(n)]


def cobra_loop(model: cobra.Model, reactions: list[list[str]]) -> float:
    start = time.perf_counter()
    for knocked in reactions:
        with model:
            for rid in knocked:
                model.reactions.get_by_id(rid).knock_out()
            model.optimize()
    return len(reactions) / (time.perf_counter() - start)


def lean_cobra_loop(model: cobra.Model, ev: StrainEvaluator, columns: list[np.ndarray]) -> float:
    """Strains per second of plain cobra doing the evaluator's work: the same shortcuts, then
    maximal growth and the least product at it (two ``slim_optimize`` calls) inside
    ``with model:``. ``model`` is the evaluator's (reduced) model, ``columns`` the reactions each
    strain disables (indices into ``ev.reaction_ids``)."""
    growth, product = model.reactions.get_by_id(BIOMASS), model.reactions.get_by_id(PRODUCT)
    reactions = model.reactions
    start = time.perf_counter()
    for cols in columns:
        if cols.size and ev._essential[cols].any():
            continue  # lethal without an LP
        if ev._zero_min[cols].all():
            continue  # the wild type's optimum survives
        with model:
            for j in cols:
                reactions[int(j)].bounds = (0.0, 0.0)
            mu = model.slim_optimize(error_value=0.0)
            if mu >= ev.lethal_threshold:
                growth.lower_bound = mu * (1 - 1e-9)
                model.objective = product
                model.objective_direction = "min"
                model.slim_optimize(error_value=float("nan"))
    return len(columns) / (time.perf_counter() - start)


def main(n: int = 2000) -> None:
    model = configure(cobra.io.load_model("iJO1366"), MEDIUM)
    t0 = time.perf_counter()
    reduced = reduce_model(model)
    print(f"reduced model: {len(reduced.reactions)} of {len(model.reactions)} reactions "
          f"({time.perf_counter() - t0:.1f} s, disk cache)")
    t0 = time.perf_counter()
    ev = StrainEvaluator(reduced, biomass=BIOMASS, product=PRODUCT)
    print(f"evaluator set-up (LP, wild type, essential-reaction screen): {time.perf_counter() - t0:.1f} s")
    genotypes = strains(len(ev.units), n)
    knocked = [[ev.reaction_ids[j] for j in ev.knocked_reactions(g)] for g in genotypes]

    n_cobra = min(n, 500)
    cobra_full = cobra_loop(model, knocked[:n_cobra])
    cobra_reduced = cobra_loop(reduced, knocked[:n_cobra])
    assert [r.id for r in reduced.reactions] == ev.reaction_ids
    cobra_lean = lean_cobra_loop(reduced, ev, [ev.knocked_reactions(g) for g in genotypes])

    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    phen = ev.evaluate_many(genotypes)
    profiler.disable()
    ours = n / (time.perf_counter() - start)
    n_lp = n - sum(ev.shortcuts.values())

    ev2 = StrainEvaluator(reduced, biomass=BIOMASS, product=PRODUCT)
    ev2.evaluate_many(strains(len(ev.units), 50, seed=99), n_jobs=2)  # start the workers
    start = time.perf_counter()
    ev2.evaluate_many(genotypes, n_jobs=2)
    ours_par = n / (time.perf_counter() - start)

    start = time.perf_counter()
    ev.evaluate_many(genotypes)
    cached = n / (time.perf_counter() - start)

    ev3 = StrainEvaluator(reduced, biomass=BIOMASS, product=PRODUCT)
    start = time.perf_counter()
    for g in genotypes:  # no cache, no shortcut: every strain solved on the LP
        ev3._lp.solve(ev3.knocked_reactions(g).tolist(), ev3.lethal_threshold)
    lp_only = n / (time.perf_counter() - start)

    print(f"strains: {n} (lethal {np.mean(phen[:, 0] == 0):.0%}); shortcuts: {ev.shortcuts}, "
          f"LP-evaluated: {n_lp}")
    print(f"cobra with-model/knock_out/optimize, full model:    {cobra_full:8.1f} evals/s (growth LP only)")
    print(f"cobra with-model/knock_out/optimize, reduced model: {cobra_reduced:8.1f} evals/s (growth LP only)")
    print(f"lean cobra loop, same 2 LPs + shortcuts, reduced:   {cobra_lean:8.1f} evals/s (growth + guaranteed ethanol)")
    print(f"MOME evaluator, 1 process, cold cache:              {ours:8.1f} evals/s (growth + guaranteed ethanol)")
    print(f"MOME evaluator, 2 processes (joblib), cold cache:   {ours_par:8.1f} evals/s")
    print(f"MOME LP alone (no cache, no shortcuts), 1 process: {lp_only:8.1f} evals/s")
    print(f"MOME evaluator, cache hits:                         {cached:8.1f} evals/s")
    print(f"ratio (ours 1 process / cobra full model, growth only): {ours / cobra_full:.1f}x; "
          f"like for like (ours / lean cobra loop, same LPs and shortcuts): "
          f"{ours / cobra_lean:.1f}x")
    print(f"target >= 600 evals/s: {'met' if max(ours, ours_par) >= 600 else 'NOT met'}")
    genes_mode(reduced, min(n, 300))
    constrained_mode(reduced, min(n, 300))
    redirector_mode(reduced, min(n, 100))
    stream = io.StringIO()
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(8)
    print("where the time goes (1 process, cold cache, by own time):")
    print("\n".join(stream.getvalue().splitlines()[6:20]))


def genes_mode(reduced: cobra.Model, n: int) -> None:
    """Single-gene mode (chapter 08's constrained designs): random 1-5 gene knock-outs, GPRs
    evaluated per strain; cobra's loop is ``with model: gene.knock_out(); optimize()``."""
    ev = StrainEvaluator(reduced, biomass=BIOMASS, product=PRODUCT, mode="genes")
    genotypes = strains(len(ev.units), n, seed=7)
    start = time.perf_counter()
    for g in genotypes:
        with reduced:
            for u in g:
                reduced.genes.get_by_id(ev.units[u]).knock_out()
            reduced.optimize()
    cobra_rate = n / (time.perf_counter() - start)
    start = time.perf_counter()
    ev.evaluate_many(genotypes)
    ours = n / (time.perf_counter() - start)
    print(f"single-gene mode, {n} strains: cobra gene.knock_out loop {cobra_rate:8.1f} evals/s; "
          f"MOME evaluator {ours:8.1f} evals/s (ratio {ours / cobra_rate:.1f}x)")


def cobra_gene_loop(model: cobra.Model, units: list[str], genotypes: list[tuple[int, ...]]) -> float:
    start = time.perf_counter()
    for g in genotypes:
        with model:
            for u in g:
                model.genes.get_by_id(units[u]).knock_out()
            model.optimize()
    return len(genotypes) / (time.perf_counter() - start)


def constrained_mode(reduced: cobra.Model, n_cobra: int) -> None:
    """Chapter 08's constrained search (quick size) and lethal-pair screen (partial, 10 first
    genes) against cobra's gene loop."""
    ev = StrainEvaluator(reduced, biomass=BIOMASS, product=PRODUCT, mode="genes")
    start = time.perf_counter()
    essential = essential_genes_screen(ev)
    t_essential = time.perf_counter() - start
    screen = lethal_pairs_screen(ev, essential=essential, max_first=10)
    res = run_mome(ev, pop_size=24, n_gen=8, dup=3, ukc=10, seed=0, skip_lethal_units=False,
                   forbidden=forbidden_mask(ev.units, essential),
                   lethal_pairs=pair_partners(ev.units, screen.pairs),
                   min_biomass=0.9 * ev.reference[0], elite_cost=10)
    strains_seen = list(ev.cache)[:n_cobra]
    cobra_rate = cobra_gene_loop(reduced, ev.units, strains_seen)
    ours = res.evaluations_per_s
    print(f"constrained mode: {res.n_computed} distinct strains, {ours:8.1f} strains/s "
          f"(search wall, growth + guaranteed ethanol); cobra gene.knock_out loop on "
          f"{len(strains_seen)} of them {cobra_rate:8.1f} evals/s (ratio {ours / cobra_rate:.1f}x)")
    naive = screen.n_possible / cobra_rate
    per_first = screen.seconds / max(screen.n_first, 1)
    print(f"essential-gene screen: {len(essential)} genes in {t_essential:.2f} s; lethal-pair "
          f"screen, {screen.n_first} first genes: {screen.n_tested} pairs solved in "
          f"{screen.seconds:.1f} s ({per_first:.2f} s per first gene); cobra's loop over all "
          f"{screen.n_possible} pairs of non-essential genes: ~{naive:.0f} s (estimated)")


def redirector_mode(reduced: cobra.Model, n: int) -> None:
    """Enzyme regulations of 1-3 flux-carrying enzymes at the default beta levels: cobra's plain
    loop (growth only) against the RedirectorEvaluator (chapter 07's GLPK engine; growth, the most
    biomass among the regulated optima and the guaranteed ethanol); the evaluator's phenotypes are
    checked against :func:`cobra_phenotype` (plain cobra, same three re-optimizations)."""
    start = time.perf_counter()
    ev = RedirectorEvaluator(reduced, biomass=BIOMASS, product=PRODUCT)
    t_setup = time.perf_counter() - start
    fluxes = reduced.optimize().fluxes
    active = [k for k, rxns in enumerate(ev._reactions) if any(abs(fluxes[r]) > 1e-9 for r in rxns)]
    rng = np.random.default_rng(3)
    regulations = []
    for _ in range(n):
        enzymes = rng.choice(active, size=rng.integers(1, 4), replace=False)
        regulations.append({int(k): float(rng.choice(DEFAULT_LEVELS)) for k in enzymes})
    terms = [ev.coefficients(beta) for beta in regulations]
    start = time.perf_counter()
    for coefficients in terms:
        with reduced:
            objective = {reduced.reactions.get_by_id(BIOMASS): 1.0}
            for rid, c in coefficients.items():
                objective[reduced.reactions.get_by_id(rid)] = c
            reduced.objective = objective
            reduced.optimize()
    cobra_rate = n / (time.perf_counter() - start)
    start = time.perf_counter()
    phen = np.array([ev.evaluate(beta) for beta in regulations])
    ours = n / (time.perf_counter() - start)
    n_check = min(n, 50)
    reference = np.array([cobra_phenotype(reduced, biomass=BIOMASS, product=PRODUCT,
                                          coefficients=c) for c in terms[:n_check]])
    deviation = float(np.abs(phen[:n_check] - reference).max())
    print(f"Redirector, {n} regulations: cobra objective/optimize loop {cobra_rate:8.1f} evals/s "
          f"(growth only); RedirectorEvaluator {ours:8.1f} evals/s (growth + guaranteed ethanol; "
          f"ratio {ours / cobra_rate:.2f}x; set-up {t_setup:.1f} s); largest deviation from plain "
          f"cobra on {n_check} regulations: {deviation:.1e}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
