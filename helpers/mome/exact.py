"""Exact best strain per knock-out cost, by enumeration on the flux support.

A strain is a gene deletion: a set of genes knocked out as cobra does (every reaction whose rule
they make false is disabled), its cost the number of genes. For a small cost budget the design
problem can be solved exactly with the fast evaluator. The key fact (used by
:class:`~helpers.mome.strains.StrainEvaluator`'s wild-type shortcut too): if a strain's
product-minimal optimal flux vector ``v`` carries no flux through the reactions a larger strain
disables, ``v`` stays feasible and optimal, so neither the maximal growth nor the guaranteed
product changes. A larger strain that does change it disables a reaction carrying flux in ``v``,
so one of its extra genes is *named* in that reaction's rule. Genes named in exactly the same
clauses of every rule (the subunits of one complex) are interchangeable, so one of each class is
enumerated. Enumerating, from the wild type,
only extensions by genes named in the rules of the *current* strain's flux-carrying reactions
(breadth first, lethal strains not extended, genes lethal on their own skipped) visits a strain
with every phenotype any strain of ``<= max_cost`` genes has: its best is the exact optimum.

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
    """Exact best gene-deletion strain per number of deleted genes ``0 .. max_cost``.

    A strain is a set of genes knocked out as cobra does (every reaction whose rule they make
    false is disabled); its cost is its number of genes. Every strain a search reports is such a
    deletion (:meth:`StrainEvaluator.cut` with its :meth:`StrainEvaluator.evaluate` phenotype), so
    the search can never beat this table. The enumeration is :func:`exact_best_constrained`'s
    support argument over the model's genes, for either evaluator mode.

    Parameters
    ----------
    evaluator
        The strain evaluator (its counters count the LPs).
    max_cost
        Largest number of deleted genes enumerated.
    objective
        ``"product_min"`` (exact) or ``"product_lp"`` (the LP's own value: not covered by the
        support argument, so the result is then only a lower bound).
    skip_lethal_units
        Skip genes whose knock-out alone is lethal (every strain containing them is lethal).
    time_limit_s
        Stop after this much wall time; ``stats["complete"]`` then says False and the table is a
        lower bound.

    Returns
    -------
    (table, stats)
        ``table`` as :func:`best_per_cost`, its ``genotype`` the strain's gene ids (a tuple of
        str; unit indices for a ``mode="genes"`` evaluator); ``stats``: ``n_strains`` (strains
        evaluated), ``n_inherited``, ``n_lp``, ``wall_s``, ``complete``, ``levels`` (strains
        extended per number of genes).
    """
    col = _check_objective(objective)
    if evaluator.mode == "genes":
        forbidden = ~evaluator.viable_units if skip_lethal_units else None
        return exact_best_constrained(evaluator, max_cost, forbidden=forbidden,
                                      objective=objective, time_limit_s=time_limit_s)
    space = _GeneSpace(evaluator)
    allowed = (np.array([not evaluator._essential[evaluator.gene_reactions([g])].any()
                         for g in space.genes]) if skip_lethal_units
               else np.ones(len(space.genes), bool))
    seen, stats = _enumerate(space, max_cost, allowed, None, 0.0, time_limit_s)
    genotypes = list(seen)
    phen = np.array([seen[g] for g in genotypes]).reshape(-1, 3)
    archive = pd.DataFrame({"genotype": [tuple(space.genes[k] for k in g) for g in genotypes],
                            "cost": [len(g) for g in genotypes],
                            "biomass": phen[:, 0], objective: phen[:, col]})
    return best_per_cost(archive, max_cost, objective=objective), stats


def _representatives(evaluator: StrainEvaluator) -> list[str]:
    """One gene per class of interchangeable genes of a ``"gene_sets"`` evaluator, sorted.

    Two genes named in exactly the same clauses of every rule (e.g. the subunits of one enzyme
    complex) disable the same reactions in every strain, whichever of them is deleted, and
    deleting both does no more than deleting one: enumerating the first gene of each class
    (by id) loses no phenotype of any budget.
    """
    signature: dict[str, set[tuple[int, int]]] = {}
    for u, unit_clauses in enumerate(evaluator._clauses):
        for c, clause in enumerate(sorted(unit_clauses, key=sorted)):
            for gene in clause:
                signature.setdefault(gene, set()).add((u, c))
    first: dict[frozenset[tuple[int, int]], str] = {}
    for gene in sorted(signature):
        first.setdefault(frozenset(signature[gene]), gene)
    return sorted(first.values())


class _GeneSpace:
    """Strains as sets of gene indices (into :attr:`genes`) of ``evaluator``: the reactions they
    disable, their phenotype and flux support, and which genes each reaction's rule names."""

    def __init__(self, evaluator: StrainEvaluator) -> None:
        from scipy.sparse import csr_matrix

        self.evaluator = evaluator
        if evaluator.mode == "genes":
            self.genes = list(evaluator.units)
            pairs = [(u, int(j)) for u in range(len(self.genes)) for j in evaluator._unit_cols[u]]
        else:
            self.genes = _representatives(evaluator)
            index = {g: k for k, g in enumerate(self.genes)}
            pairs = sorted({(index[g], int(j)) for u, genes in enumerate(evaluator._genes)
                            for g in genes if g in index for j in evaluator._unit_cols[u]})
        self.named = csr_matrix((np.ones(len(pairs)), ([p[0] for p in pairs],
                                                       [p[1] for p in pairs])),
                                shape=(len(self.genes), len(evaluator.reaction_ids)))

    def reactions(self, strain: tuple[int, ...]) -> np.ndarray:
        if self.evaluator.mode == "genes":
            return self.evaluator.knocked_reactions(strain)
        return self.evaluator.gene_reactions(self.genes[k] for k in strain)

    def support(self, strain: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
        if self.evaluator.mode == "genes":
            return self.evaluator.flux_support(strain)
        return self.evaluator.gene_phenotype(self.genes[k] for k in strain)


@dataclass
class SearchVsExact:
    """The search's best strain per knock-out cost beside the exact optimum (chapter 07).

    Attributes
    ----------
    per_cost
        One row per cost budget ``0 .. table_max_cost``: the search's best (product, biomass,
        cost, genes) and, up to ``exact_max_cost``, the exact optimum's (product, biomass, genes).
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
    the exact optimum by support enumeration; genes are written by ``names`` (a search strain's
    genes are its :meth:`StrainEvaluator.cut`, the deletion its phenotype is computed for)."""
    from helpers.mome.analysis import postprocess_front

    names = dict(names or {})

    def gene_list(genotype) -> str:
        if not isinstance(genotype, tuple):
            return ""
        genes = genotype if all(isinstance(g, str) for g in genotype) else evaluator.cut(genotype)
        return ", ".join(sorted(names.get(g, g) for g in genes))

    post = postprocess_front(evaluator, front, objective=objective)
    pool = pd.concat([archive, post.drop(columns="raw_cost", errors="ignore")], ignore_index=True)
    search_best = best_per_cost(pool, table_max_cost, objective=objective)
    exact_best, stats = exact_best_per_cost(evaluator, exact_max_cost, objective=objective)
    per_cost = pd.DataFrame({
        "max_cost": search_best.max_cost,
        "search_product": search_best[objective], "search_biomass": search_best.biomass,
        "search_cost": search_best.cost, "search_genes": search_best.genotype.map(gene_list),
        "exact_product": exact_best[objective].reindex(search_best.index),
        "exact_biomass": exact_best.biomass.reindex(search_best.index),
        "exact_genes": exact_best.genotype.reindex(search_best.index).map(gene_list),
    })
    return SearchVsExact(per_cost, post, search_best, exact_best, stats)


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
    seen, stats = _enumerate(_GeneSpace(evaluator), max_cost, allowed, partners, floor,
                             time_limit_s)
    genotypes = list(seen)
    phen = np.array([seen[g] for g in genotypes]).reshape(-1, 3)
    archive = pd.DataFrame({"genotype": genotypes, "cost": [len(g) for g in genotypes],
                            "biomass": phen[:, 0], objective: phen[:, col]})
    return best_per_cost(archive, max_cost, objective=objective), stats


def _enumerate(space: _GeneSpace, max_cost: int, allowed: np.ndarray,
               partners: list[np.ndarray] | None, floor: float, time_limit_s: float | None
               ) -> tuple[dict[tuple[int, ...], np.ndarray], dict]:
    """The support enumeration of :func:`exact_best_constrained` on ``space``: the phenotype of
    every strain visited (gene-index tuples) and the statistics."""
    evaluator = space.evaluator
    lp0, start = evaluator.n_lp, time.perf_counter()
    phen0, support0 = space.support(())
    seen: dict[tuple[int, ...], np.ndarray] = {(): phen0}
    frontier: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {(): (phen0, support0)}
    complete, levels, inherited = True, [], 0
    # a phenotype depends only on the reactions disabled: strains disabling the same ones (a
    # subunit of a complex instead of another, an isozyme gene that disables nothing alone)
    # share one LP
    by_reactions: dict[bytes, tuple[np.ndarray, np.ndarray]] = {}
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
            candidates = _candidates(geno, support, allowed, partners, space.named)
            for _u, child in _new_children(set(geno), candidates, seen, nxt):
                cols = space.reactions(child)
                if not support[cols].any():  # the parent's flux vector survives
                    inherited += 1
                    if not last:
                        nxt[child] = (phen, support)
                    continue
                key = np.sort(cols).tobytes()
                if key in by_reactions:
                    inherited += 1
                    child_phen, child_support = by_reactions[key]
                else:
                    child_phen, child_support = space.support(child)
                    by_reactions[key] = (child_phen, child_support)
                if child_phen[0] < floor or child_phen[0] <= 0:
                    continue  # below the floor: neither counted nor extended
                seen[child] = child_phen
                if not last:
                    nxt[child] = (child_phen, child_support)
        frontier = nxt
    stats = {"n_strains": len(seen), "n_inherited": inherited, "n_lp": evaluator.n_lp - lp0,
             "wall_s": time.perf_counter() - start, "complete": complete, "levels": levels}
    return seen, stats
