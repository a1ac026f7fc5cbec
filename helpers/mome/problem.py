"""The knock-out design problem and MOME's operators, on pymoo's NSGA-II.

* :class:`KnockoutProblem` — binary genotype (one bit per design unit), two objectives to
  maximize (biomass, product); pymoo minimizes, so ``F = -(biomass, product)``. With
  ``cost_objective=True`` the exact knock-out cost is a third objective (minimized), so that the
  population keeps the best cheap strains instead of only the two-objective front. Every strain it
  evaluates goes to :attr:`KnockoutProblem.archive` with its phenotype.
* :class:`FewMutationSampling` — the wild type plus strains with a few random knock-outs (and,
  optionally, given seed strains such as MILP designs).
* :class:`KnockoutMutation` — binary mutation: knock a random unit out (or, sometimes, back in).
* :class:`CostRepair` — random knock-ins until the knock-out cost is at most ``ukc``.
* :class:`CostEliteSurvival` — pymoo's rank-and-crowding survival that also keeps, for every
  knock-out cost ``c <= elite_cost``, the best growing strain of cost ``<= c`` (a per-cost
  archive inside the population, so cheap strains keep breeding).
* :class:`CloningMating` — binary tournament picks ``n_offsprings`` parents; each parent gets
  ``dup`` mutated, repaired, evaluated clones and only the best clone (pymoo's rank and crowding)
  becomes a child (the cloning operator of {cite}`patane2019mome`, Algorithm 1).

Non-dominated sorting, crowding distance, tournament and survival are pymoo's own.

Introduced in chapter ``07_mome_ethanol``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from pymoo.algorithms.moo.nsga2 import NSGA2, binary_tournament
from pymoo.core.infill import InfillCriterion
from pymoo.core.mutation import Mutation
from pymoo.core.population import Population
from pymoo.core.problem import Problem
from pymoo.core.repair import Repair
from pymoo.core.sampling import Sampling
from pymoo.operators.selection.tournament import TournamentSelection
from pymoo.operators.survival.rank_and_crowding import RankAndCrowding

from helpers.mome.strains import StrainEvaluator

__all__ = [
    "KnockoutProblem",
    "FewMutationSampling",
    "KnockoutMutation",
    "CostRepair",
    "CloningMating",
    "CostEliteSurvival",
    "make_nsga2",
    "OBJECTIVES",
]

OBJECTIVES = ("product_min", "product_lp")


class KnockoutProblem(Problem):
    """Maximize biomass and product over knock-out genotypes of ``evaluator``'s model.

    Parameters
    ----------
    evaluator
        The strain evaluator (its cache is shared across generations).
    objective
        ``"product_min"`` (guaranteed production at maximal growth, default) or ``"product_lp"``
        (the product flux of whatever optimum the LP returned).
    n_jobs
        Processes for evaluating a batch (joblib).
    cost_objective
        Add the strain's exact knock-out cost as a third objective (minimized). Lethal strains get
        a cost above any real one, so that a lethal strain never survives for being cheap.
    min_biomass
        When given, growth must be at least this (a pymoo inequality constraint; feasible strains
        always beat infeasible ones in NSGA-II's comparisons).
    """

    def __init__(self, evaluator: StrainEvaluator, *, objective: str = "product_min",
                 n_jobs: int = 1, cost_objective: bool = False,
                 min_biomass: float | None = None) -> None:
        if objective not in OBJECTIVES:
            raise ValueError(f"The 'objective' parameter must be one of {list(OBJECTIVES)}. "
                             f"Got {objective!r} instead.")
        n_obj = 3 if cost_objective else 2
        super().__init__(n_var=len(evaluator.units), n_obj=n_obj, xl=0, xu=1, vtype=bool,
                         n_ieq_constr=0 if min_biomass is None else 1)
        self.min_biomass = min_biomass
        self.evaluator, self.objective, self.n_jobs = evaluator, objective, n_jobs
        self.cost_objective = cost_objective
        self.generation = 0
        #: (generation, genotype, phenotype row) of every strain evaluated, in order
        self.archive: list[tuple[int, tuple[int, ...], np.ndarray]] = []

    def _evaluate(self, X, out, *args, **kwargs):
        X = np.asarray(X, dtype=bool)
        phen = self.evaluator.evaluate_many(list(X), n_jobs=self.n_jobs)
        column = 2 if self.objective == "product_min" else 1
        F = [phen[:, 0], phen[:, column]]
        if self.cost_objective:
            worst = float(self.evaluator.costs.sum() + 1)
            F.append(np.array([self.evaluator.cost(x) if p[0] > 0 else worst
                               for x, p in zip(X, phen, strict=True)], dtype=float))
            out["F"] = np.column_stack([-F[0], -F[1], F[2]])
        else:
            out["F"] = -np.column_stack(F)
        if self.min_biomass is not None:  # biomass >= min_biomass, as pymoo's G <= 0
            out["G"] = (self.min_biomass - phen[:, 0]).reshape(-1, 1)
        self.archive.extend((self.generation, self.evaluator.normalize(x), p)
                            for x, p in zip(X, phen, strict=True))


class _KnockoutPicker:
    """Draws the unit to knock out: among ``allowed`` units (default all), from ``preferred`` ones
    with probability ``prefer_prob``; never a unit whose lethal-pair partner (``partners[u]``) is
    already knocked out in the row."""

    def __init__(self, allowed: np.ndarray | None, preferred: np.ndarray | None,
                 prefer_prob: float, partners: list[np.ndarray] | None = None,
                 groups: list[np.ndarray] | None = None, group_prob: float = 0.0) -> None:
        if not 0.0 <= prefer_prob <= 1.0:
            raise ValueError(f"The 'prefer_prob' parameter must be in [0, 1]. Got {prefer_prob} instead.")
        if not 0.0 <= group_prob <= 1.0:
            raise ValueError(f"The 'group_prob' parameter must be in [0, 1]. Got {group_prob} instead.")
        self.allowed, self.preferred, self.prefer_prob = allowed, preferred, prefer_prob
        self.partners = partners if partners and any(p.size for p in partners) else None
        self.groups = [np.asarray(g, dtype=int) for g in groups or [] if len(g)]
        self.group_prob = group_prob if self.groups else 0.0

    def _free(self, row: np.ndarray) -> np.ndarray:
        free = ~row if self.allowed is None else (~row & self.allowed)
        if self.partners is not None:
            free = free.copy()
            for u in np.flatnonzero(row):
                free[self.partners[u]] = False
        return free

    def pick_many(self, row: np.ndarray, rng: np.random.Generator) -> list[int]:
        """Units of one knock-out: with probability ``group_prob`` a whole group (e.g. the gene
        cut of a reaction catalysed by isozymes) whose units are all free in the row, otherwise
        one unit (:meth:`pick`). No random number is drawn for groups when there are none, so a
        search without groups draws exactly what it drew before groups existed."""
        if self.group_prob > 0 and rng.random() < self.group_prob:
            free = self._free(row)
            ok = [g for g in self.groups if free[g].all()]
            if ok:
                return [int(u) for u in ok[int(rng.integers(len(ok)))]]
        unit = self.pick(row, rng)
        return [] if unit is None else [unit]

    def pick(self, row: np.ndarray, rng: np.random.Generator) -> int | None:
        free = self._free(row)
        if self.preferred is not None and rng.random() < self.prefer_prob:
            pool = np.flatnonzero(free & self.preferred)
            if pool.size:
                return int(rng.choice(pool))
        pool = np.flatnonzero(free)
        return int(rng.choice(pool)) if pool.size else None


class FewMutationSampling(Sampling):
    """Initial population: the wild type and strains with 1..``max_mutations`` random knock-outs.

    ``allowed``/``preferred``/``prefer_prob`` restrict and bias the units drawn (see
    :func:`make_nsga2`). ``seeds`` (genotypes as unit-index tuples, e.g. MILP designs) replace
    the last random strains, after every random draw, so the other strains are those an unseeded
    run draws.
    """

    def __init__(self, max_mutations: int = 3, *, allowed: np.ndarray | None = None,
                 preferred: np.ndarray | None = None, prefer_prob: float = 0.0,
                 partners: list[np.ndarray] | None = None,
                 groups: list[np.ndarray] | None = None, group_prob: float = 0.0,
                 seeds: list[tuple[int, ...]] | None = None) -> None:
        super().__init__()
        if max_mutations < 1:
            raise ValueError(f"The 'max_mutations' parameter must be >= 1. Got {max_mutations} instead.")
        self.max_mutations = max_mutations
        self.picker = _KnockoutPicker(allowed, preferred, prefer_prob, partners, groups,
                                      group_prob)
        self.seeds = [tuple(int(u) for u in s) for s in seeds or []]

    def _do(self, problem, n_samples, *args, random_state=None, **kwargs):
        X = np.zeros((n_samples, problem.n_var), dtype=bool)
        for i in range(1, n_samples):
            for _ in range(random_state.integers(1, self.max_mutations + 1)):
                X[i, self.picker.pick_many(X[i], random_state)] = True
        if self.seeds:
            if len(self.seeds) > n_samples - 1:
                raise ValueError(f"The 'seeds' list has {len(self.seeds)} strains; the population "
                                 f"holds at most {n_samples - 1} besides the wild type.")
            for i, seed in enumerate(self.seeds, start=n_samples - len(self.seeds)):
                X[i] = False
                X[i, list(seed)] = True
        return X


class KnockoutMutation(Mutation):
    """Flip 1..``max_flips`` random units; each flip is a knock-in with ``knock_in_prob``
    (when the strain has a knock-out), otherwise a knock-out of a random intact unit (drawn as in
    :class:`FewMutationSampling`)."""

    def __init__(self, max_flips: int = 2, knock_in_prob: float = 0.3, *,
                 allowed: np.ndarray | None = None, preferred: np.ndarray | None = None,
                 prefer_prob: float = 0.0, partners: list[np.ndarray] | None = None,
                 groups: list[np.ndarray] | None = None, group_prob: float = 0.0) -> None:
        super().__init__(prob=1.0)
        if not 0.0 <= knock_in_prob <= 1.0:
            raise ValueError(f"The 'knock_in_prob' parameter must be in [0, 1]. Got {knock_in_prob} instead.")
        self.max_flips, self.knock_in_prob = max_flips, knock_in_prob
        self.picker = _KnockoutPicker(allowed, preferred, prefer_prob, partners, groups,
                                      group_prob)

    def _do(self, problem, X, *args, random_state=None, **kwargs):
        X = np.asarray(X, dtype=bool).copy()
        for row in X:
            for _ in range(random_state.integers(1, self.max_flips + 1)):
                on = np.flatnonzero(row)
                if on.size and random_state.random() < self.knock_in_prob:
                    row[random_state.choice(on)] = False
                else:
                    row[self.picker.pick_many(row, random_state)] = True
        return X


class CostRepair(Repair):
    """Knock random units back in until the knock-out cost is at most ``ukc``.

    Without ``cost`` a row's cost is the sum of its units' ``costs``: for gene-set knock-outs an
    upper bound of the exact cost (:meth:`helpers.mome.strains.StrainEvaluator.cost`, lower
    only when two units share a gene), so a repaired strain never exceeds ``ukc``. ``cost``
    (a callable on a boolean row) replaces that sum by the design's own cost, e.g.
    :meth:`helpers.mome.redirector.RegulationDesign.cost`, the number of distinct regulated
    enzymes (chapter ``09_mome_redirector``). A design whose ``repair_by_cost`` attribute is
    true (:class:`~helpers.mome.redirector.RegulationDesign`) has its own ``cost`` used when
    ``cost`` is not given (read from ``problem.evaluator``, so :func:`helpers.mome.search.run_mome`
    needs no argument for it).
    """

    def __init__(self, costs: np.ndarray, ukc: int,
                 cost: Callable[[np.ndarray], int] | None = None) -> None:
        super().__init__()
        if ukc < 1:
            raise ValueError(f"The 'ukc' parameter must be >= 1. Got {ukc} instead.")
        self.costs, self.ukc = np.asarray(costs, dtype=int), int(ukc)
        self.cost = cost

    def _cost_of(self, problem) -> Callable[[np.ndarray], int]:
        if self.cost is not None:
            return self.cost
        design = getattr(problem, "evaluator", None)
        if getattr(design, "repair_by_cost", False):
            return design.cost  # type: ignore[union-attr]
        return lambda row: int(self.costs[row].sum())

    def _do(self, problem, X, random_state=None, **kwargs):
        rng = random_state if random_state is not None else np.random.default_rng()
        X = np.asarray(X, dtype=bool).copy()
        cost = self._cost_of(problem)
        for row in X:
            while cost(row) > self.ukc:
                row[rng.choice(np.flatnonzero(row))] = False
        return X


class CloningMating(InfillCriterion):
    """Binary tournament, then ``dup`` clones per parent (mutate, repair, evaluate); keep the best.

    The best clone of a parent is the one pymoo's :class:`RankAndCrowding` survival keeps when
    asked for one survivor among the ``dup`` siblings (lowest rank, then largest crowding).
    """

    def __init__(self, mutation: Mutation, repair: Repair, dup: int, retries: int = 10) -> None:
        super().__init__(repair=None, eliminate_duplicates=None)
        self.retries = retries
        if dup < 1:
            raise ValueError(f"The 'dup' parameter must be >= 1. Got {dup} instead.")
        self.selection = TournamentSelection(func_comp=binary_tournament)
        self.mutation, self.clone_repair, self.dup = mutation, repair, dup
        self.survival = RankAndCrowding()

    def _do(self, problem, pop, n_offsprings, random_state=None, algorithm=None, **kwargs):
        parents = self.selection.do(problem, pop, n_offsprings, 1, to_pop=False,
                                    random_state=random_state, algorithm=algorithm)[:, 0]
        X = np.repeat(np.asarray(pop[parents].get("X"), dtype=bool), self.dup, axis=0)
        clones = Population.new(X=X)
        clones = self.mutation(problem, clones, random_state=random_state)
        clones = self.clone_repair(problem, clones, random_state=random_state)
        algorithm.evaluator.eval(problem, clones, algorithm=algorithm)
        if getattr(problem, "n_ieq_constr", 0):
            # a clone that breaks the constraint (e.g. biomass >= 90 % of the wild type) is mutated
            # again from its parent, up to `retries` times ({cite}`patane2019mome`, constrained runs)
            for _ in range(self.retries):
                bad = np.flatnonzero(clones.get("G")[:, 0] > 0)
                if bad.size == 0:
                    break
                redo = self.mutation(problem, Population.new(X=X[bad]), random_state=random_state)
                redo = self.clone_repair(problem, redo, random_state=random_state)
                algorithm.evaluator.eval(problem, redo, algorithm=algorithm)
                for k, i in enumerate(bad):
                    clones[i] = redo[k]
        best = [self.survival.do(problem, clones[i * self.dup:(i + 1) * self.dup], n_survive=1,
                                 random_state=random_state)
                for i in range(len(parents))]
        return best[0] if len(best) == 1 else Population.merge(*best)


class CostEliteSurvival(RankAndCrowding):
    """Rank and crowding survival plus a per-cost elite (chapter ``07_mome_ethanol``).

    For each ``c = 1 .. elite_cost`` the strain with the most product (then biomass) among the
    growing strains of exact knock-out cost ``<= c`` survives, whatever its rank; the other places
    go by rank and crowding. Elites that rank-and-crowding would drop keep their non-dominated
    rank and get crowding 0. Needs a :class:`KnockoutProblem` (its evaluator gives the cost).
    """

    def __init__(self, elite_cost: int) -> None:
        super().__init__()
        if elite_cost < 0:
            raise ValueError(f"The 'elite_cost' parameter must be >= 0. Got {elite_cost} instead.")
        self.elite_cost = int(elite_cost)

    def _elites(self, problem, pop) -> list[int]:
        F, X = pop.get("F"), np.asarray(pop.get("X"), dtype=bool)
        cost = np.array([problem.evaluator.cost(x) for x in X])
        alive = -F[:, 0] > 0
        chosen: list[int] = []
        for c in range(1, self.elite_cost + 1):
            idx = np.flatnonzero(alive & (cost <= c))
            if idx.size:
                best = idx[np.lexsort((F[idx, 0], F[idx, 1]))[0]]
                if best not in chosen:
                    chosen.append(int(best))
        return chosen

    def _do(self, problem, pop, *args, n_survive=None, **kwargs):
        n_survive = len(pop) if n_survive is None else n_survive
        if self.elite_cost == 0 or not hasattr(problem, "evaluator"):
            return super()._do(problem, pop, *args, n_survive=n_survive, **kwargs)
        elites = self._elites(problem, pop)
        survivors = super()._do(problem, pop, *args, n_survive=n_survive, **kwargs)
        kept = {np.asarray(x, dtype=bool).tobytes() for x in survivors.get("X")}
        X = np.asarray(pop.get("X"), dtype=bool)
        missing = [i for i in elites if X[i].tobytes() not in kept][:n_survive]
        if not missing:
            return survivors
        from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

        ranks = np.empty(len(pop), dtype=int)
        for r, front in enumerate(NonDominatedSorting().do(pop.get("F"))):
            ranks[front] = r
        rest = super()._do(problem, pop, *args, n_survive=n_survive - len(missing), **kwargs)
        extra = pop[missing]
        extra.set("rank", ranks[missing], "crowding", np.zeros(len(missing)))
        return Population.merge(rest, extra)


def make_nsga2(costs: np.ndarray, *, pop_size: int, dup: int, ukc: int,
               max_initial_mutations: int = 3, max_flips: int = 2, knock_in_prob: float = 0.3,
               allowed: np.ndarray | None = None, preferred: np.ndarray | None = None,
               prefer_prob: float = 0.0, elite_cost: int = 0,
               partners: list[np.ndarray] | None = None,
               groups: list[np.ndarray] | None = None, group_prob: float = 0.0,
               cost: Callable[[np.ndarray], int] | None = None,
               seeds: list[tuple[int, ...]] | None = None) -> NSGA2:
    """NSGA-II configured as MOME: few-mutation start, cloning mating, cost repair.

    ``pop_size // 2`` parents are selected per generation (the paper's mating pool) and each yields
    one child, the best of its ``dup`` clones. Knock-outs are drawn among ``allowed`` units (e.g.
    :attr:`StrainEvaluator.viable_units`: a unit lethal on its own can only make lethal strains),
    from the ``preferred`` ones (e.g. :attr:`StrainEvaluator.support_units`) with probability
    ``prefer_prob``. ``elite_cost > 0`` keeps the best strain per cost up to it
    (:class:`CostEliteSurvival`). ``partners[u]``: units never knocked out together with ``u``
    (lethal pairs, :func:`helpers.mome.constraints.pair_partners`); sampling and mutation only
    add allowed knock-outs and repair only removes knock-outs, so no strain ever holds a pair.
    ``groups``: unit sets knocked out together by one mutation with probability ``group_prob``
    (e.g. :func:`helpers.mome.constraints.isozyme_cuts`: a reaction that only a pair of genes
    disables is invisible to single-gene mutations, since neither knock-out alone changes the
    strain); a group is drawn only when all its units are allowed and partner-free in the row.
    ``cost``: the cost the repair bounds by ``ukc`` (:class:`CostRepair`; default the sum of the
    units' ``costs``). ``seeds``: genotypes placed in the initial population
    (:class:`FewMutationSampling`).
    """
    repair = CostRepair(costs, ukc, cost=cost)
    mutation = KnockoutMutation(max_flips, knock_in_prob, allowed=allowed, preferred=preferred,
                                prefer_prob=prefer_prob, partners=partners, groups=groups,
                                group_prob=group_prob)
    sampling = FewMutationSampling(max_initial_mutations, allowed=allowed, preferred=preferred,
                                   prefer_prob=prefer_prob, partners=partners, groups=groups,
                                   group_prob=group_prob, seeds=seeds)
    return NSGA2(pop_size=pop_size, n_offsprings=max(1, pop_size // 2), sampling=sampling,
                 mating=CloningMating(mutation, repair, dup), repair=repair,
                 survival=CostEliteSurvival(elite_cost), eliminate_duplicates=False)
