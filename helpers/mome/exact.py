"""Exact best strain per knock-out cost, by enumeration on the flux support.

For a small cost budget the design problem can be solved exactly with the fast evaluator. The key
fact (used by :class:`~helpers.mome.strains.StrainEvaluator`'s wild-type shortcut too): if a
strain's product-minimal optimal flux vector ``v`` carries no flux through the reactions of a
unit, knocking that unit out leaves ``v`` feasible and optimal, so neither the maximal growth nor
the guaranteed product changes. Hence every strain ``T`` has a sub-strain with the same phenotype
that is reached from the wild type by adding, one at a time, a unit of ``T`` on the *current*
strain's flux support. Enumerating only those extensions (breadth first, cost budget checked with
the exact strain cost, lethal strains not extended, units lethal on their own skipped) visits a
strain with every phenotype any strain of cost ``<= max_cost`` has: its best is the exact optimum.

Introduced in chapter ``07_mome_ethanol`` (how good is the evolutionary search?).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.mome.strains import StrainEvaluator

__all__ = ["exact_best_per_cost", "exact_best_constrained", "best_per_cost", "compare_with_exact",
           "SearchVsExact"]

_COLUMNS = {"product_lp": 1, "product_min": 2}



def _new_children(members: set, candidates: np.ndarray, seen, nxt):
    """``(unit, child genotype)`` for each candidate unit that extends ``members`` to a genotype
    seen in neither ``seen`` nor ``nxt`` (read as the caller's loop fills ``nxt``)."""
    for u in np.flatnonzero(candidates):
        u = int(u)
        if u in members:
            continue
        child = tuple(sorted(members | {u}))
        if child not in seen and child not in nxt:
            yield u, child

def _check_objective(objective: str) -> int:
    if objective not in _COLUMNS:
        raise ValueError(f"The 'objective' parameter must be one of {list(_COLUMNS)}. "
                         f"Got {objective!r} instead.")
    return _COLUMNS[objective]


def best_per_cost(archive: pd.DataFrame, max_cost: int, *, objective: str = "product_min"
                  ) -> pd.DataFrame:
    """Best strain of ``archive`` with knock-out cost ``<= c`` for ``c = 0 .. max_cost``.

    "Best" = most ``objective`` among growing strains, then most biomass, then lowest cost.
    Columns: ``max_cost``, ``cost``, ``biomass``, ``objective``'s column, ``genotype``.
    The archive needs ``cost``, ``biomass``, ``genotype`` and the objective's column.
    """
    _check_objective(objective)
    live = archive[archive["biomass"] > 0]
    rows = []
    for c in range(max_cost + 1):
        part = live[live["cost"] <= c]
        if part.empty:
            rows.append({"max_cost": c, "cost": np.nan, "biomass": np.nan, objective: np.nan,
                         "genotype": None})
            continue
        top = part.sort_values([objective, "biomass", "cost"], ascending=[False, False, True]).iloc[0]
        rows.append({"max_cost": c, "cost": int(top["cost"]), "biomass": float(top["biomass"]),
                     objective: float(top[objective]), "genotype": tuple(top["genotype"])})
    return pd.DataFrame(rows)


def exact_best_per_cost(evaluator: StrainEvaluator, max_cost: int, *,
                        objective: str = "product_min", skip_lethal_units: bool = True,
                        time_limit_s: float | None = None) -> tuple[pd.DataFrame, dict]:
    """Exact best strain per knock-out cost ``0 .. max_cost`` (see the module docstring).

    Parameters
    ----------
    evaluator
        The strain evaluator (its cache is filled; its counters count the LPs).
    max_cost
        Largest knock-out cost (exact strain cost, :meth:`StrainEvaluator.cost`) enumerated.
    objective
        ``"product_min"`` (exact) or ``"product_lp"`` (the LP's own value: not covered by the
        support argument, so the result is then only a lower bound).
    skip_lethal_units
        Skip units whose knock-out alone is lethal (every strain containing them is lethal).
    time_limit_s
        Stop after this much wall time; ``stats["complete"]`` then says False and the table is a
        lower bound.

    Returns
    -------
    (table, stats)
        ``table`` as :func:`best_per_cost`; ``stats``: ``n_strains`` (distinct strains visited),
        ``n_lp``, ``wall_s``, ``complete``, ``levels`` (strains visited per number of units).
    """
    col = _check_objective(objective)
    allowed = evaluator.viable_units if skip_lethal_units else np.ones(len(evaluator.units), bool)
    from scipy.sparse import csr_matrix

    n_units, n_rxn = len(evaluator.units), len(evaluator.reaction_ids)
    rows = [(u, j) for u in range(n_units) for j in evaluator.knocked_reactions([u])]
    incidence = csr_matrix((np.ones(len(rows)), ([r[0] for r in rows], [r[1] for r in rows])),
                           shape=(n_units, n_rxn))
    lp0, start = evaluator.n_lp, time.perf_counter()
    seen: dict[tuple[int, ...], np.ndarray] = {}
    frontier: list[tuple[int, ...]] = [()]
    complete, levels = True, []
    while frontier and complete:
        levels.append(len(frontier))
        nxt: set[tuple[int, ...]] = set()
        for geno in frontier:
            if time_limit_s is not None and time.perf_counter() - start > time_limit_s:
                complete = False
                break
            phen, support = evaluator.flux_support(geno)
            seen[geno] = phen
            if phen[0] <= 0:
                continue  # lethal: every extension is lethal too
            members = set(geno)
            base = evaluator.cost(geno)
            genes = evaluator.cut(geno) | frozenset().union(
                *(evaluator._genes[v] for v in geno)) if evaluator.mode == "gene_sets" else None
            on_support = allowed & (incidence @ support.astype(float) > 0)
            for u, child in _new_children(members, on_support, seen, nxt):
                if base + evaluator.costs[u] > max_cost and (
                        genes is None or not (evaluator._genes[u] & genes)
                        or evaluator.cost(child) > max_cost):
                    continue
                nxt.add(child)
        frontier = sorted(nxt)
    genotypes = list(seen)
    phen = np.array([seen[g] for g in genotypes]).reshape(-1, 3)
    archive = pd.DataFrame({"genotype": genotypes, "cost": [evaluator.cost(g) for g in genotypes],
                            "biomass": phen[:, 0], objective: phen[:, col]})
    stats = {"n_strains": len(seen), "n_lp": evaluator.n_lp - lp0,
             "wall_s": time.perf_counter() - start, "complete": complete, "levels": levels}
    return best_per_cost(archive, max_cost, objective=objective), stats


@dataclass
class SearchVsExact:
    """The search's best strain per knock-out cost beside the exact optimum (chapter 07).

    Attributes
    ----------
    per_cost
        One row per cost budget ``0 .. table_max_cost``: the search's best (ethanol, biomass,
        cost, genes) and, up to ``exact_max_cost``, the exact optimum's (ethanol, biomass, genes).
    post
        The front after superfluous knock-outs were dropped
        (:func:`helpers.mome.analysis.postprocess_front`).
    search_best, exact_best
        :func:`best_per_cost` of archive + ``post``, and :func:`exact_best_per_cost`.
    exact_stats
        The enumeration's statistics (strains, LPs, wall time).
    """

    per_cost: pd.DataFrame
    post: pd.DataFrame
    search_best: pd.DataFrame
    exact_best: pd.DataFrame
    exact_stats: dict


def compare_with_exact(evaluator: StrainEvaluator, archive: pd.DataFrame, front: pd.DataFrame, *,
                       table_max_cost: int, exact_max_cost: int, objective: str = "product_min",
                       names: Mapping[str, str] | None = None) -> SearchVsExact:
    """Best strain per knock-out cost of a search (archive plus the post-processed front) beside
    the exact optimum by support enumeration; genes are written by ``names`` (one smallest gene
    list per strain, :meth:`StrainEvaluator.cut`)."""
    from helpers.mome.analysis import postprocess_front

    names = dict(names or {})

    def gene_list(genotype) -> str:
        if not isinstance(genotype, tuple):
            return ""
        return ", ".join(sorted(names.get(g, g) for g in evaluator.cut(genotype)))

    post = postprocess_front(evaluator, front, objective=objective)
    pool = pd.concat([archive, post.drop(columns="raw_cost", errors="ignore")], ignore_index=True)
    search_best = best_per_cost(pool, table_max_cost, objective=objective)
    exact_best, stats = exact_best_per_cost(evaluator, exact_max_cost, objective=objective)
    per_cost = pd.DataFrame({
        "max_cost": search_best.max_cost,
        "search_ethanol": search_best[objective], "search_biomass": search_best.biomass,
        "search_cost": search_best.cost, "search_genes": search_best.genotype.map(gene_list),
        "exact_ethanol": exact_best[objective].reindex(search_best.index),
        "exact_biomass": exact_best.biomass.reindex(search_best.index),
        "exact_genes": exact_best.genotype.reindex(search_best.index).map(gene_list),
    })
    return SearchVsExact(per_cost, post, search_best, exact_best, stats)


def _named_matrix(evaluator: StrainEvaluator):
    """Sparse ``named[u, j]``: gene ``u`` is named in the rule of reaction ``j``."""
    from scipy.sparse import csr_matrix

    n_units, n_rxn = len(evaluator.units), len(evaluator.reaction_ids)
    rows = [(u, int(j)) for u in range(n_units) for j in evaluator._unit_cols[u]]
    return csr_matrix((np.ones(len(rows)), ([r[0] for r in rows], [r[1] for r in rows])),
                      shape=(n_units, n_rxn))


def _candidates(geno: tuple[int, ...], support: np.ndarray, allowed: np.ndarray,
                partners: list[np.ndarray] | None, named) -> np.ndarray:
    """Genes that may extend ``geno``: allowed, no lethal-pair partner in it, and named in the
    rule of a reaction carrying flux in its ``support``."""
    blocked = np.zeros(len(allowed), bool)
    if partners is not None:
        for u in geno:
            blocked[partners[u]] = True
    return allowed & ~blocked & (named @ support.astype(float) > 0)


def exact_best_constrained(evaluator: StrainEvaluator, max_cost: int, *,
                           forbidden: np.ndarray | None = None,
                           partners: list[np.ndarray] | None = None,
                           min_biomass: float | None = None, objective: str = "product_min",
                           time_limit_s: float | None = None) -> tuple[pd.DataFrame, dict]:
    """Exact best strain per number of knocked-out genes ``0 .. max_cost`` under chapter 08's
    constraints, for a single-gene evaluator (``mode="genes"``).

    The support argument of the module docstring, for genes: let ``v`` be a strain ``S``'s
    product-minimal optimal flux vector and ``T`` a larger strain. If ``T`` disables no reaction
    carrying flux in ``v``, ``v`` stays feasible and optimal and ``T`` has ``S``'s phenotype.
    Otherwise ``T`` disables such a reaction, whose rule is true under ``S`` and false under
    ``T``: a gene of ``T`` not in ``S`` is *named in* that rule (with isozymes, no single gene
    need disable it alone). So extending each strain only by the genes named in the rules of its
    flux-carrying reactions visits a strain with every phenotype of cost ``<= max_cost``. A child
    that disables none of its parent's flux-carrying reactions has the parent's phenotype and
    support (no LP); at the last level it is not even kept.

    The constraints only prune: ``forbidden`` genes (e.g. essential) are never added, nor a gene
    whose lethal-pair partner (``partners[u]``, :func:`helpers.mome.constraints.pair_partners`)
    is in the strain, and a strain below ``min_biomass`` is neither counted nor extended (a
    larger strain grows no faster). Every subset of an admissible strain is admissible, so the
    chain above stays inside the constraints and the result is the exact constrained optimum.

    Returns ``(table, stats)`` as :func:`exact_best_per_cost`; ``stats`` also has ``n_inherited``
    (strains answered from their parent without an LP). ``time_limit_s``: stop early
    (``stats["complete"]`` False, the table a lower bound).
    """
    col = _check_objective(objective)
    if evaluator.mode != "genes":
        raise ValueError("exact_best_constrained needs a StrainEvaluator with mode='genes'. "
                         f"Got mode={evaluator.mode!r}.")
    n_units = len(evaluator.units)
    allowed = np.ones(n_units, bool) if forbidden is None else ~np.asarray(forbidden, bool)
    floor = 0.0 if min_biomass is None else float(min_biomass)
    named = _named_matrix(evaluator)
    lp0, start = evaluator.n_lp, time.perf_counter()
    phen0, support0 = evaluator.flux_support(())
    seen: dict[tuple[int, ...], np.ndarray] = {(): phen0}
    frontier: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {(): (phen0, support0)}
    complete, levels, inherited = True, [], 0
    for level in range(1, max_cost + 1):
        if not frontier or not complete:
            break
        levels.append(len(frontier))
        last = level == max_cost
        nxt: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}
        for geno, (phen, support) in frontier.items():
            if time_limit_s is not None and time.perf_counter() - start > time_limit_s:
                complete = False
                break
            candidates = _candidates(geno, support, allowed, partners, named)
            for _u, child in _new_children(set(geno), candidates, seen, nxt):
                cols = evaluator.knocked_reactions(child)
                if not support[cols].any():  # the parent's flux vector survives
                    inherited += 1
                    if not last:
                        nxt[child] = (phen, support)
                    continue
                child_phen, child_support = evaluator.flux_support(child)
                if child_phen[0] < floor or child_phen[0] <= 0:
                    continue  # below the floor: neither counted nor extended
                seen[child] = child_phen
                if not last:
                    nxt[child] = (child_phen, child_support)
        frontier = nxt
    genotypes = list(seen)
    phen = np.array([seen[g] for g in genotypes]).reshape(-1, 3)
    archive = pd.DataFrame({"genotype": genotypes, "cost": [len(g) for g in genotypes],
                            "biomass": phen[:, 0], objective: phen[:, col]})
    stats = {"n_strains": len(seen), "n_inherited": inherited, "n_lp": evaluator.n_lp - lp0,
             "wall_s": time.perf_counter() - start, "complete": complete, "levels": levels}
    return best_per_cost(archive, max_cost, objective=objective), stats
