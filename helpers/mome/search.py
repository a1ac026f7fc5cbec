"""The MOME run loop: NSGA-II generations, the archive of every strain, the observed front, HV.

Introduced in chapter ``07_mome_ethanol``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pymoo.indicators.hv import HV
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

from helpers.mome.problem import KnockoutProblem, make_nsga2
from helpers.mome.strains import StrainEvaluator

__all__ = ["MomeResult", "run_mome", "pareto_front", "hypervolume", "support_polish"]


@dataclass
class MomeResult:
    """What a MOME run produced.

    Attributes
    ----------
    archive
        Every distinct strain evaluated: ``generation`` (first seen), ``genotype`` (tuple of unit
        indices), ``cost``, ``n_units``, ``biomass``, ``product_lp``, ``product_min``.
    front
        The archive's observed Pareto front on (biomass, ``objective``), all genotypes included.
    history
        Per generation: ``generation``, ``n_strains`` (archive size), ``hv``, ``hv_relative``.
    objective
        Product column the search maximized.
    wall_s
        Wall time of the search.
    n_requests
        Strain evaluations the search asked for (clones and repeats included).
    n_computed
        Distinct strains computed (cache misses): ``n_lp`` of them by solving the LP, the rest by
        an exact shortcut (lethal without an LP, or the wild type's phenotype).
    n_lp
        Strains whose phenotype needed the LP (two simplex solves each).
    n_cache_hits
        Requests answered from the evaluator's cache: ``n_requests - n_computed``. Nothing else
        (the hypervolume bookkeeping reads the phenotypes the search already has) is counted.
    """

    archive: pd.DataFrame
    front: pd.DataFrame
    history: pd.DataFrame
    objective: str
    wall_s: float
    n_requests: int
    n_computed: int
    n_lp: int
    n_cache_hits: int

    @property
    def evaluations_per_s(self) -> float:
        """Distinct strains computed per second of wall time (cache hits not counted)."""
        return self.n_computed / self.wall_s if self.wall_s > 0 else float("nan")

    @property
    def lp_per_s(self) -> float:
        """Strains solved by LP per second of wall time."""
        return self.n_lp / self.wall_s if self.wall_s > 0 else float("nan")


def hypervolume(points: np.ndarray) -> float:
    """Area dominated by ``points`` (rows = (biomass, product), both maximized) above (0, 0).

    pymoo's :class:`~pymoo.indicators.hv.HV` on the negated points with reference point (0, 0).
    """
    pts = np.asarray(points, dtype=float).reshape(-1, 2)
    pts = pts[(pts > 0).all(axis=1)]
    if len(pts) == 0:
        return 0.0
    return float(HV(ref_point=np.zeros(2))(-pts))


def pareto_front(archive: pd.DataFrame, objective: str = "product_min") -> pd.DataFrame:
    """Rows of ``archive`` that no other row dominates on (biomass, ``objective``)."""
    if archive.empty:
        return archive.copy()
    F = -archive[["biomass", objective]].to_numpy(dtype=float)
    idx = NonDominatedSorting().do(F, only_non_dominated_front=True)
    front = archive.iloc[np.sort(idx)]
    return front.sort_values(["biomass", objective, "cost"]).reset_index(drop=True)


def _archive_frame(problem: KnockoutProblem) -> pd.DataFrame:
    ev = problem.evaluator
    seen: dict[tuple[int, ...], tuple[int, np.ndarray]] = {}
    for gen, geno, phen_row in problem.archive:
        seen.setdefault(geno, (gen, phen_row))
    genotypes = list(seen)
    phen = np.array([p for _, p in seen.values()]).reshape(-1, 3)
    return pd.DataFrame({
        "generation": [g for g, _ in seen.values()],
        "genotype": genotypes,
        "cost": [ev.cost(g) for g in genotypes],
        "n_units": [len(g) for g in genotypes],
        "biomass": phen[:, 0],
        "product_lp": phen[:, 1],
        "product_min": phen[:, 2],
    })


def _check_sizes(**sizes: object) -> None:
    """``ValueError`` naming the parameter unless each value is an integer >= 1 (not a bool)."""
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"The {name!r} parameter must be an integer >= 1. "
                             f"Got {value!r} instead.")


def _allowed_units(evaluator: StrainEvaluator, skip_lethal_units: bool,
                   forbidden: np.ndarray | None, lethal_pairs: list[np.ndarray] | None
                   ) -> np.ndarray:
    """Mask of the units sampling and mutation may knock out (checks ``forbidden`` and
    ``lethal_pairs`` against the number of units)."""
    allowed = evaluator.viable_units if skip_lethal_units else np.ones(len(evaluator.units), bool)
    if forbidden is not None:
        forbidden = np.asarray(forbidden, dtype=bool)
        if forbidden.shape != allowed.shape:
            raise ValueError(f"The 'forbidden' mask must have length {len(allowed)} (the number of "
                             f"units). Got shape {forbidden.shape} instead.")
        allowed = allowed & ~forbidden
    if lethal_pairs is not None and len(lethal_pairs) != len(allowed):
        raise ValueError(f"The 'lethal_pairs' list must have one entry per unit ({len(allowed)}). "
                         f"Got {len(lethal_pairs)} instead.")
    return allowed


def _generations(algorithm, problem: KnockoutProblem, *, objective: str,
                 min_biomass: float | None, envelope_hv: float | None, verbose: bool
                 ) -> list[dict]:
    """Run ``algorithm`` to its end; one history row per generation (archive size, HV of the
    observed front, HV relative to the envelope's)."""
    rows = []
    best = np.zeros((0, 2))
    n_seen = 0
    distinct: set[tuple[int, ...]] = set()
    while algorithm.has_next():
        problem.generation = algorithm.n_gen if algorithm.n_gen is not None else 1
        pop = algorithm.ask()
        algorithm.evaluator.eval(problem, pop, algorithm=algorithm)
        algorithm.tell(infills=pop)
        new = problem.archive[n_seen:]
        n_seen = len(problem.archive)
        distinct.update(g for _, g, _ in new)
        if min_biomass is not None:
            new = [item for item in new if item[2][0] >= min_biomass]
        if new:
            phen = np.array([p for _, _, p in new]).reshape(-1, 3)
            col = 2 if objective == "product_min" else 1
            pts = np.vstack([best, phen[:, [0, col]]])
            keep = NonDominatedSorting().do(-pts, only_non_dominated_front=True)
            best = np.unique(pts[keep], axis=0)
        hv = hypervolume(best)
        rows.append({"generation": problem.generation, "n_strains": len(distinct),
                     "hv": hv, "hv_relative": hv / envelope_hv if envelope_hv else np.nan})
        if verbose:
            print(rows[-1], flush=True)
    return rows


def _polish_children(evaluator: StrainEvaluator, parent: tuple[int, ...], allowed: np.ndarray,
                     unit_reactions: list[np.ndarray], max_cost: int) -> list[tuple[int, ...]]:
    """Genotypes ``parent + one allowed unit`` that disable a reaction carrying flux in the
    parent's product-minimal optimum (only those can change its phenotype) and cost at most
    ``max_cost``."""
    _, support = evaluator.flux_support(parent)
    members = set(parent)
    out = []
    for u in np.flatnonzero(allowed):
        if int(u) in members or not support[unit_reactions[u]].any():
            continue
        child = tuple(sorted(members | {int(u)}))
        if evaluator.cost(child) <= max_cost:
            out.append(child)
    return out


def support_polish(problem: KnockoutProblem, max_cost: int, *, beam: int = 3,
                   allowed: np.ndarray | None = None, min_biomass: float | None = None) -> int:
    """Local improvement of a finished search by exact one-unit extensions on the flux support.

    For each cost ``c = 0 .. max_cost - 1`` in turn, the ``beam`` best growing strains of exact
    cost ``c`` in ``problem.archive`` (most objective, then biomass; at least ``min_biomass``) are
    extended by every allowed unit that disables a reaction carrying flux in their
    product-minimal optimum (a unit off that support cannot change the phenotype, the argument
    of :mod:`helpers.mome.exact`), keeping children of cost ``<= max_cost``. The children are
    evaluated (one LP each, cached) and appended to the archive with generation
    ``problem.generation + 1``, so a better child of cost ``c + 1`` is a parent at the next
    level: a beam search along the support, the enumeration's move with a bounded width.
    Returns the number of strains evaluated.
    """
    ev = problem.evaluator
    allowed = np.ones(len(ev.units), bool) if allowed is None else np.asarray(allowed, bool)
    unit_reactions = [ev.knocked_reactions([u]) for u in range(len(ev.units))]
    col = 2 if problem.objective == "product_min" else 1
    floor = min_biomass or 0.0
    generation, n_new = problem.generation + 1, 0
    for c in range(int(max_cost)):
        best: dict[tuple[int, ...], np.ndarray] = {}
        for _, geno, phen in problem.archive:
            if phen[0] > 0 and phen[0] >= floor and ev.cost(geno) == c:
                best.setdefault(geno, phen)
        parents = sorted(best, key=lambda g: (-best[g][col], -best[g][0], g))[:beam]
        children = sorted({ch for p in parents
                           for ch in _polish_children(ev, p, allowed, unit_reactions, max_cost)})
        if not children:
            continue
        phen = ev.evaluate_many(children, n_jobs=problem.n_jobs)
        problem.archive.extend((generation, ch, p) for ch, p in zip(children, phen, strict=True))
        n_new += len(children)
    return n_new


def run_mome(evaluator: StrainEvaluator, *, pop_size: int, n_gen: int, dup: int, ukc: int,
             seed: int = 0, objective: str = "product_min", n_jobs: int = 1,
             max_initial_mutations: int = 3, skip_lethal_units: bool = True,
             prefer_support: float = 0.0, envelope_hv: float | None = None,
             cost_objective: bool = False, elite_cost: int = 0,
             forbidden: np.ndarray | None = None, min_biomass: float | None = None,
             lethal_pairs: list[np.ndarray] | None = None,
             groups: list[np.ndarray] | None = None, group_prob: float = 0.0,
             seeds: Sequence[Iterable[int]] | None = None, polish_cost: int = 0,
             polish_beam: int = 3, verbose: bool = False) -> MomeResult:
    """Run MOME (NSGA-II with cloning and cost repair) for ``n_gen`` generations.

    Parameters
    ----------
    evaluator
        Strain evaluator of the (reduced) model; its cache is reused and grows.
    pop_size, n_gen, dup, ukc
        The paper's ``pop``, ``maxGen``, ``dup`` and ``uKC``.
    seed
        Seed of pymoo's random generator: same seed, same archive and front.
    objective
        ``"product_min"`` (guaranteed, default) or ``"product_lp"``.
    skip_lethal_units
        Never knock out a unit that is lethal on its own (prunes only lethal strains).
    prefer_support
        Probability that a knock-out is drawn among the units that carry wild-type flux.
    envelope_hv
        Hypervolume of the production envelope; when given, ``history.hv_relative`` is HV / it.
    cost_objective
        Minimize the exact knock-out cost as a third objective, so that cheap strains survive
        (best strain per cost); the front and HV stay two-objective.
    elite_cost
        Keep in the population the best strain of each knock-out cost ``1 .. elite_cost``
        (:class:`~helpers.mome.problem.CostEliteSurvival`); 0: plain rank and crowding.
    forbidden
        Boolean mask of units never knocked out (e.g. essential genes): sampling and mutation
        never draw them, so no evaluated strain contains them (chapter 08).
    lethal_pairs
        For each unit, the units it must never be knocked out with
        (:func:`helpers.mome.constraints.pair_partners`): no evaluated strain holds both genes
        of a lethal pair (chapter 08).
    groups, group_prob
        Unit sets that one mutation knocks out together with probability ``group_prob``
        (:func:`helpers.mome.constraints.isozyme_cuts`; chapter 08): see
        :func:`helpers.mome.problem.make_nsga2`. ``forbidden`` and ``lethal_pairs`` still hold.
    min_biomass
        Growth every returned strain must reach (e.g. 90 % of the wild type's): a constraint of
        the search, a clone breaking it is mutated again up to 10 times, and the archive, front
        and hypervolume keep only the strains that satisfy it.
    seeds
        Genotypes (unit indices, e.g. MILP designs through
        :meth:`~helpers.mome.strains.StrainEvaluator.gene_strain`) put in the initial population.
    polish_cost, polish_beam
        After the last generation, :func:`support_polish` up to cost ``polish_cost`` (0: none).

    Returns
    -------
    MomeResult
    """
    _check_sizes(pop_size=pop_size, n_gen=n_gen)
    problem = KnockoutProblem(evaluator, objective=objective, n_jobs=n_jobs,
                              cost_objective=cost_objective, min_biomass=min_biomass)
    allowed = _allowed_units(evaluator, skip_lethal_units, forbidden, lethal_pairs)
    algorithm = make_nsga2(evaluator.costs, pop_size=pop_size, dup=dup, ukc=ukc,
                           max_initial_mutations=max_initial_mutations,
                           allowed=allowed,
                           preferred=evaluator.support_units if prefer_support > 0 else None,
                           prefer_prob=prefer_support, elite_cost=elite_cost,
                           partners=lethal_pairs, groups=groups, group_prob=group_prob,
                           seeds=[evaluator.normalize(g) for g in seeds] if seeds else None)
    algorithm.setup(problem, termination=("n_gen", n_gen), seed=seed, verbose=False)
    hits0, computed0, lp0 = evaluator.hits, evaluator.n_computed, evaluator.n_lp
    start = time.perf_counter()
    rows = _generations(algorithm, problem, objective=objective, min_biomass=min_biomass,
                        envelope_hv=envelope_hv, verbose=verbose)
    if polish_cost:
        support_polish(problem, polish_cost, beam=polish_beam, allowed=allowed,
                       min_biomass=min_biomass)
    return _result(problem, rows, time.perf_counter() - start, (hits0, computed0, lp0),
                   min_biomass)


def _result(problem: KnockoutProblem, rows: list[dict], wall: float,
            counters: tuple[int, int, int], min_biomass: float | None) -> MomeResult:
    """The :class:`MomeResult` of a finished run; ``counters``: the evaluator's
    ``(hits, n_computed, n_lp)`` before it."""
    evaluator, objective = problem.evaluator, problem.objective
    hits, computed = evaluator.hits - counters[0], evaluator.n_computed - counters[1]
    archive = _archive_frame(problem)
    if min_biomass is not None:
        archive = archive[archive.biomass >= min_biomass].reset_index(drop=True)
    return MomeResult(archive=archive, front=pareto_front(archive, objective),
                      history=pd.DataFrame(rows), objective=objective, wall_s=wall,
                      n_requests=int(hits + computed), n_computed=int(computed),
                      n_lp=int(evaluator.n_lp - counters[2]), n_cache_hits=int(hits))
