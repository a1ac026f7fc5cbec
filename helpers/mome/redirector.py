"""Enzyme regulation (Redirector, Rockwell et al. 2013) as a MOME phenotype.

A *regulation* is a vector of weights β, one per targeted enzyme (a gene set of
:func:`helpers.mome.gpr.gene_sets`: the reactions that share one GPR rule). The cell is assumed to
maximize ``biomass + Σ_k β_k Σ_{r in enzyme k} s_r v_r``, where ``s_r`` is the sign of the
reaction's wild-type flux (+1 where it carries none): β > 0 pulls flux through the enzyme in its
wild-type direction (up-regulation), β < 0 pushes it away (down-regulation). Without ``s_r`` a
negative weight on a reaction that runs backwards (e.g. alcohol dehydrogenase making ethanol)
would *increase* its flux. The strain's phenotype is read from
that re-optimized FBA: the biomass flux of the optimum (the most biomass among the optima of the
regulated objective, so that alternative optima cannot make it solver-dependent) and the
*guaranteed* product (the least product flux among those optima at that biomass), as in chapter 07.

With every β = 0 the objective is the wild type's, so the phenotype is wild-type FBA's.

Speed: every regulation is solved on chapter 07's warm-started GLPK problem
(:class:`helpers.mome._engine.lp.StrainLP`, one extra row for the regulated objective), not through
cobra's model interface; :func:`cobra_phenotype` is the plain cobra re-optimization it equals
(tested), and ``benchmarks/bench_mome.py`` gives the speed ratio.

The search: :class:`RegulationDesign` turns regulations into the binary genotypes of chapter 07's
search, one unit per (enzyme, β level); an enzyme's β is the sum of its selected levels, and the
knock-out cost becomes the number of regulated enzymes, which the search's repair bounds by
``uKC`` (two levels of one enzyme count once). So
:func:`helpers.mome.search.run_mome` runs unchanged (NSGA-II, cloning, cost repair, per-cost elite).

Introduced in chapter ``09_mome_redirector``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import cobra
import numpy as np
import swiglpk as glp
from cobra.util.array import create_stoichiometric_matrix

from helpers.mome._engine.lp import StrainLP
from helpers.mome.gpr import gene_sets

__all__ = ["RedirectorEvaluator", "RegulationDesign", "DEFAULT_LEVELS", "cobra_phenotype"]

#: β levels (relative to the biomass coefficient 1): enzyme fluxes are ~10-100 times the biomass
#: flux, so weights above ~0.1 make the enzyme term dominate growth.
DEFAULT_LEVELS = (-0.1, -0.01, 0.01, 0.1)


class _RegulationLP(StrainLP):
    """Chapter 07's warm-started GLPK problem (:class:`helpers.mome._engine.lp.StrainLP`) with one
    extra row, empty in the wild type, that holds the regulated objective at its optimum."""

    def __init__(self, S, lb: np.ndarray, ub: np.ndarray, objective: int, product: int) -> None:
        from scipy.sparse import csc_matrix, vstack

        super().__init__(vstack([S, csc_matrix((1, S.shape[1]))]).tocsc(), lb, ub, objective,
                         product)
        self.keep_row = self.n_rows  # 1-based index of the extra row
        self.wild_type = self.primal()

    def regulated(self, coefficients: Mapping[int, float], lethal_threshold: float
                  ) -> tuple[float, float]:
        """``(mu, guaranteed product)`` under the objective ``biomass + sum_j c_j v_j``.

        Three warm-started solves from the wild type's basis: the regulated optimum ``z``;
        the most biomass among its optima (``mu``); the least product with the regulated
        objective at ``z`` and biomass at ``mu``. Infeasible or ``mu < lethal_threshold``:
        ``(0, 0)``. The problem is back to the wild type's at the next call (:meth:`reset_basis`).
        """
        lp, obj, prod = self.lp, self.objective, self.product
        self.reset_basis()
        terms = {obj: 1.0}
        for j, c in coefficients.items():
            terms[int(j)] = terms.get(int(j), 0.0) + float(c)
        for j, c in terms.items():
            glp.glp_set_obj_coef(lp, j + 1, c)
        if not self.simplex():
            return 0.0, 0.0
        z = glp.glp_get_obj_val(lp)
        # the regulated objective stays at its optimum: z - tol <= sum_j c_j v_j
        cols = [j for j, c in terms.items() if c != 0.0]
        ind, val = glp.intArray(len(cols) + 1), glp.doubleArray(len(cols) + 1)
        for k, j in enumerate(cols):
            ind[k + 1], val[k + 1] = j + 1, terms[j]
        glp.glp_set_mat_row(lp, self.keep_row, len(cols), ind, val)
        glp.glp_set_row_bnds(lp, self.keep_row, glp.GLP_LO, z - 1e-9 * max(1.0, abs(z)), 0.0)
        for j in terms:
            glp.glp_set_obj_coef(lp, j + 1, 0.0)
        glp.glp_set_obj_coef(lp, obj + 1, 1.0)
        if not self.simplex():
            return 0.0, 0.0
        mu = glp.glp_get_obj_val(lp)
        if mu < lethal_threshold:
            return 0.0, 0.0
        glp.glp_set_col_bnds(lp, obj + 1, glp.GLP_DB, mu * (1 - 1e-9), self.ub[obj])
        glp.glp_set_obj_coef(lp, obj + 1, 0.0)
        glp.glp_set_obj_coef(lp, prod + 1, 1.0)
        glp.glp_set_obj_dir(lp, glp.GLP_MIN)
        guaranteed = glp.glp_get_obj_val(lp) if self.simplex() else 0.0
        return float(mu), float(guaranteed)


class RedirectorEvaluator:
    """Phenotypes ``(biomass, guaranteed product)`` of enzyme regulations of one model.

    Every regulation is solved on ONE GLPK problem kept alive between regulations, the engine of
    chapter 07's :class:`~helpers.mome.strains.StrainEvaluator` (simplex warm-started from the
    wild type's optimal basis; one extra row holds the regulated objective at its optimum), with
    a cache keyed by β. :func:`cobra_phenotype` computes the same phenotype with plain cobra (the
    reference the tests compare with).

    Parameters
    ----------
    model
        The (reduced) model; only read.
    biomass, product
        Reaction ids of the growth objective and of the product exchange.
    targets
        Indices into :attr:`enzymes` that may be regulated (default: all).
    lethal_threshold
        Growth below this scores ``(0, 0)``.
    """

    def __init__(self, model: cobra.Model, *, biomass: str, product: str,
                 targets: list[int] | None = None, lethal_threshold: float = 1e-6) -> None:
        for name, rid in (("biomass", biomass), ("product", product)):
            if rid not in model.reactions:
                raise KeyError(f"The {name!r} reaction {rid!r} is not in model {model.id!r}.")
        self.model_id, self.biomass, self.product = model.id, biomass, product
        self.lethal_threshold = lethal_threshold
        self.reaction_ids = [r.id for r in model.reactions]
        index = {rid: j for j, rid in enumerate(self.reaction_ids)}
        sets = gene_sets(model)
        self.enzymes = list(sets.rules)
        self._reactions = [list(r) for r in sets.reactions]
        self._columns = [[index[rid] for rid in rxns] for rxns in self._reactions]
        self.targets = list(range(len(self.enzymes))) if targets is None else list(targets)
        self._target_set = set(self.targets)
        self.cache: dict[tuple, np.ndarray] = {}
        self.n_lp = 0
        S = create_stoichiometric_matrix(model, array_type="lil").tocsc()
        lb = np.array([r.lower_bound for r in model.reactions], dtype=float)
        ub = np.array([r.upper_bound for r in model.reactions], dtype=float)
        self._lp = _RegulationLP(S, lb, ub, index[biomass], index[product])
        if glp.glp_get_status(self._lp.lp) != glp.GLP_OPT:
            raise ValueError(f"The wild type of model {model.id!r} has no optimum; check the "
                             "medium.")
        fluxes = self._lp.wild_type  # the wild type's optimal flux vector (growth LP)
        #: sign of each reaction's wild-type flux (+1 where it carries none), by reaction id
        self.direction = {self.reaction_ids[j]: (-1.0 if fluxes[j] < -1e-9 else 1.0)
                          for cols in self._columns for j in cols}
        self.reference = self.evaluate({})

    def _key(self, beta: Mapping[int, float]) -> tuple:
        return tuple(sorted((int(k), float(v)) for k, v in beta.items() if v != 0))

    def coefficients(self, beta: Mapping[int, float]) -> dict[str, float]:
        """The objective terms a regulation adds to the biomass flux: reaction id ->
        ``Σ β_k s_r`` over the regulated enzymes ``k`` that catalyse it."""
        out: dict[str, float] = {}
        for k, weight in self._key(beta):
            for rid in self._reactions[k]:
                out[rid] = out.get(rid, 0.0) + weight * self.direction[rid]
        return out

    def evaluate(self, beta: Mapping[int, float]) -> np.ndarray:
        """Phenotype ``(biomass, guaranteed product)`` of regulation ``beta`` (enzyme index ->
        weight; enzymes not named have β = 0), rounded to 6 decimals. Infeasible or not
        growing: ``(0, 0)``."""
        key = self._key(beta)
        if key in self.cache:
            return self.cache[key]
        unknown = [k for k, _ in key if k not in self._target_set]
        if unknown:
            raise ValueError(f"Enzymes {unknown} are not regulation targets of this evaluator.")
        index = {rid: j for k, _ in key for rid, j in zip(self._reactions[k], self._columns[k],
                                                          strict=True)}
        terms = {index[rid]: c for rid, c in self.coefficients(dict(key)).items()}
        self.n_lp += 1
        out = np.round(np.array(self._lp.regulated(terms, self.lethal_threshold)), 6)
        self.cache[key] = out
        return out


def cobra_phenotype(model: cobra.Model, *, biomass: str, product: str,
                    coefficients: Mapping[str, float], lethal_threshold: float = 1e-6
                    ) -> np.ndarray:
    """The phenotype of :meth:`RedirectorEvaluator.evaluate` computed with plain cobra: the
    reference implementation (three re-optimizations of a ``with model:`` copy).

    ``coefficients``: reaction id -> weight added to the biomass flux in the objective
    (:meth:`RedirectorEvaluator.coefficients`). Returns ``(mu, guaranteed product)``, rounded to
    6 decimals: ``mu`` the most biomass among the optima of the regulated objective, the product
    the least among them at that biomass.
    """
    with model:
        terms = {model.reactions.get_by_id(biomass): 1.0}
        for rid, c in coefficients.items():
            r = model.reactions.get_by_id(rid)
            terms[r] = terms.get(r, 0.0) + c
        model.objective = terms
        z = model.slim_optimize(error_value=np.nan)
        if not np.isfinite(z):
            return np.zeros(2)
        keep = model.problem.Constraint(model.objective.expression,
                                        lb=z - 1e-9 * max(1.0, abs(z)))
        model.add_cons_vars(keep)
        model.objective = biomass
        mu = model.slim_optimize(error_value=np.nan)
        if not np.isfinite(mu) or mu < lethal_threshold:
            return np.zeros(2)
        model.reactions.get_by_id(biomass).lower_bound = mu * (1 - 1e-9)
        model.objective = product
        model.objective_direction = "min"
        guaranteed = model.slim_optimize(error_value=np.nan)
    return np.round(np.array([mu, guaranteed if np.isfinite(guaranteed) else 0.0]), 6)


class RegulationDesign:
    """A :class:`RedirectorEvaluator` seen as a binary design space for
    :func:`helpers.mome.search.run_mome` (chapter ``09_mome_redirector``).

    Units are ``(enzyme, level)`` pairs over the evaluator's targets; a genotype's β for an enzyme
    is the sum of its selected levels; its cost (:meth:`cost`) is the number of distinct regulated
    enzymes (levels summing to 0 regulate nothing). The search's repair bounds that cost by
    ``uKC`` (``repair_by_cost``, read by :class:`helpers.mome.problem.CostRepair`), not the
    number of selected units: two levels of one enzyme count once. :attr:`costs` (one per unit)
    is only the additive upper bound that the search's other operators expect.
    Phenotypes are ``(biomass, guaranteed product, guaranteed product)`` (the evaluator has no
    separate LP value), cached by genotype and, in the evaluator, by β. A regulation under
    which the cell does not grow (biomass < ``lethal_threshold``) scores ``(0, 0, 0)``, as a
    lethal knock-out does: a strong weight can make the optimum secrete ethanol at zero growth,
    which is no strain.
    """

    mode = "regulation"
    #: the search's cost repair bounds :meth:`cost` (distinct enzymes), not the sum of ``costs``
    repair_by_cost = True

    def __init__(self, evaluator: RedirectorEvaluator, levels: tuple[float, ...] = DEFAULT_LEVELS,
                 lethal_threshold: float = 1e-6) -> None:
        self.lethal_threshold = lethal_threshold
        if not levels or any(v == 0 for v in levels):
            raise ValueError(f"The 'levels' parameter must be non-zero weights. Got {levels} instead.")
        self.evaluator, self.levels = evaluator, tuple(levels)
        self.pairs = [(k, v) for k in evaluator.targets for v in self.levels]
        self.units = [f"{evaluator.enzymes[k]} @ {v:+g}" for k, v in self.pairs]
        self.costs = np.ones(len(self.units), dtype=int)
        mu, guaranteed = evaluator.reference
        self.reference = np.array([mu, guaranteed, guaranteed])
        self.cache: dict[tuple[int, ...], np.ndarray] = {}
        #: genotype-cache hits; genotypes computed (misses); LPs solved for them (a miss whose β
        #: the evaluator has already solved costs no LP)
        self.hits = self.n_computed = self.n_lp = 0

    @property
    def viable_units(self) -> np.ndarray:
        """Boolean mask of units the search may select: all of them (no regulation is lethal on
        its own by construction; a non-growing one scores ``(0, 0, 0)``)."""
        return np.ones(len(self.units), dtype=bool)

    @property
    def support_units(self) -> np.ndarray:
        """Boolean mask of preferred units: all of them (every target enzyme can move the
        optimum, whether or not it carries wild-type flux)."""
        return np.ones(len(self.units), dtype=bool)

    def normalize(self, genotype: Iterable[int] | np.ndarray) -> tuple[int, ...]:
        """A genotype as a sorted tuple of unit indices (accepts a boolean vector too)."""
        arr = np.asarray(genotype)
        if arr.dtype == bool:
            return tuple(int(i) for i in np.flatnonzero(arr))
        return tuple(sorted({int(i) for i in arr.ravel()}))

    def beta(self, genotype: Iterable[int] | np.ndarray) -> dict[int, float]:
        """Enzyme index -> summed β of a genotype (enzymes whose levels cancel are left out)."""
        out: dict[int, float] = {}
        for u in self.normalize(genotype):
            k, v = self.pairs[u]
            out[k] = out.get(k, 0.0) + v
        return {k: v for k, v in out.items() if abs(v) > 1e-12}

    def cost(self, genotype: Iterable[int] | np.ndarray) -> int:
        """Number of regulated enzymes (distinct enzymes with a non-zero summed β)."""
        return len(self.beta(genotype))

    def evaluate_many(self, genotypes: Sequence[Iterable[int] | np.ndarray], n_jobs: int = 1
                      ) -> np.ndarray:
        """Phenotypes ``(biomass, guaranteed product, guaranteed product)`` of many genotypes, an
        ``(n, 3)`` array, cached by genotype. ``n_jobs`` is accepted for the search's interface
        and ignored (regulations are solved serially on one warm-started problem)."""
        keys = [self.normalize(g) for g in genotypes]
        rows = []
        for key in keys:
            if key in self.cache:
                self.hits += 1
            else:
                before = self.evaluator.n_lp
                mu, guaranteed = self.evaluator.evaluate(self.beta(key))
                if mu < self.lethal_threshold:  # no growth: scored like a lethal knock-out
                    mu = guaranteed = 0.0
                self.cache[key] = np.array([mu, guaranteed, guaranteed])
                self.n_computed += 1
                self.n_lp += self.evaluator.n_lp - before
            rows.append(self.cache[key])
        return np.array(rows).reshape(-1, 3)

    def evaluate(self, genotype: Iterable[int] | np.ndarray) -> np.ndarray:
        """Phenotype ``(biomass, guaranteed product, guaranteed product)`` of one genotype."""
        return self.evaluate_many([genotype])[0]

    def describe(self, genotype: Iterable[int] | np.ndarray,
                 names: Mapping[str, str] | None = None) -> list[str]:
        """One ``"<enzyme rule>: β=<summed weight>"`` per regulated enzyme. ``names`` is accepted
        for the interface of :meth:`helpers.mome.strains.StrainEvaluator.describe` and
        ignored (enzymes are shown by their GPR rule)."""
        return [f"{self.evaluator.enzymes[k]}: β={v:+g}" for k, v in self.beta(genotype).items()]
