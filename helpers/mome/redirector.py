"""Enzyme regulation (Redirector, Rockwell et al. 2013) as a MOME phenotype.

A *regulation* is a vector of weights β, one per targeted enzyme (a gene set of
:func:`helpers.mome.gpr.gene_sets`: the reactions that share one GPR rule). The cell is assumed to
maximize ``biomass + Σ_k β_k Σ_{r in enzyme k} s_r v_r``, where ``s_r`` is the sign of the
reaction's wild-type flux (+1 where it carries none): β > 0 pulls flux through the enzyme in its
wild-type direction (up-regulation), β < 0 pushes it away (down-regulation). Without ``s_r`` a
negative weight on a reaction that runs backwards (e.g. alcohol dehydrogenase making ethanol)
would *increase* its flux. The strain's phenotype is read from
that re-optimized FBA: the biomass flux of the optimum and the *guaranteed* ethanol (the minimum
ethanol flux among the optima of the regulated objective), as in chapter 07.

With every β = 0 the objective is the wild type's, so the phenotype is wild-type FBA's.

The search: :class:`RegulationDesign` turns regulations into the binary genotypes of chapter 07's
search, one unit per (enzyme, β level); an enzyme's β is the sum of its selected levels, and the
knock-out cost becomes the number of regulated enzymes, bounded by ``uKC``. So
:func:`helpers.mome.search.run_mome` runs unchanged (NSGA-II, cloning, cost repair, per-cost elite).

Introduced in chapter ``09_mome_redirector``.
"""

from __future__ import annotations

from collections.abc import Mapping

import cobra
import numpy as np

from helpers.mome.gpr import gene_sets

__all__ = ["RedirectorEvaluator", "RegulationDesign", "DEFAULT_LEVELS"]

#: β levels (relative to the biomass coefficient 1): enzyme fluxes are ~10-100 times the biomass
#: flux, so weights above ~0.1 make the enzyme term dominate growth.
DEFAULT_LEVELS = (-0.1, -0.01, 0.01, 0.1)


class RedirectorEvaluator:
    """Phenotypes ``(biomass, guaranteed product)`` of enzyme regulations of one model.

    Parameters
    ----------
    model
        The (reduced) model; it is copied, never modified.
    biomass, product
        Reaction ids of the growth objective and of the product exchange.
    targets
        Indices into :attr:`enzymes` that may be regulated (default: all).
    """

    def __init__(self, model: cobra.Model, *, biomass: str, product: str,
                 targets: list[int] | None = None) -> None:
        for name, rid in (("biomass", biomass), ("product", product)):
            if rid not in model.reactions:
                raise KeyError(f"The {name!r} reaction {rid!r} is not in model {model.id!r}.")
        self.model = model.copy()
        self.biomass, self.product = biomass, product
        sets = gene_sets(self.model)
        self.enzymes = list(sets.rules)
        self._reactions = [list(r) for r in sets.reactions]
        self.targets = list(range(len(self.enzymes))) if targets is None else list(targets)
        self.cache: dict[tuple, np.ndarray] = {}
        fluxes = self.model.optimize().fluxes
        self.direction = {rid: (-1.0 if fluxes[rid] < -1e-9 else 1.0)
                          for rxns in self._reactions for rid in rxns}
        self.reference = self.evaluate({})

    def _key(self, beta: Mapping[int, float]) -> tuple:
        return tuple(sorted((int(k), float(v)) for k, v in beta.items() if v != 0))

    def evaluate(self, beta: Mapping[int, float]) -> np.ndarray:
        """Phenotype ``(biomass, guaranteed product)`` of regulation ``beta`` (enzyme index ->
        weight; enzymes not named have β = 0). Infeasible: ``(0, 0)``."""
        key = self._key(beta)
        if key in self.cache:
            return self.cache[key]
        unknown = [k for k, _ in key if k not in self.targets]
        if unknown:
            raise ValueError(f"Enzymes {unknown} are not regulation targets of this evaluator.")
        model = self.model
        with model:
            coefficients = {model.reactions.get_by_id(self.biomass): 1.0}
            for k, weight in key:
                for rid in self._reactions[k]:
                    r = model.reactions.get_by_id(rid)
                    coefficients[r] = coefficients.get(r, 0.0) + weight * self.direction[rid]
            model.objective = coefficients
            optimum = model.slim_optimize(error_value=np.nan)
            if not np.isfinite(optimum):
                out = np.zeros(2)
            else:
                mu = model.reactions.get_by_id(self.biomass).flux
                keep = model.problem.Constraint(model.objective.expression,
                                                lb=optimum - 1e-9 * max(1.0, abs(optimum)))
                model.add_cons_vars(keep)
                model.objective = model.reactions.get_by_id(self.product)
                model.objective_direction = "min"
                guaranteed = model.slim_optimize(error_value=np.nan)
                out = np.round(np.array([mu, guaranteed if np.isfinite(guaranteed) else 0.0]), 6)
        self.cache[key] = out
        return out


class RegulationDesign:
    """A :class:`RedirectorEvaluator` seen as a binary design space for
    :func:`helpers.mome.search.run_mome` (chapter ``09_mome_redirector``).

    Units are ``(enzyme, level)`` pairs over the evaluator's targets; a genotype's β for an enzyme
    is the sum of its selected levels; its cost is the number of distinct regulated enzymes.
    Phenotypes are ``(biomass, guaranteed product, guaranteed product)`` (the evaluator has no
    separate LP value), cached by β. A regulation under which the cell does not grow
    (biomass < ``lethal_threshold``) scores ``(0, 0, 0)``, as a lethal knock-out does: a strong
    weight can make the optimum secrete ethanol at zero growth, which is no strain.
    """

    mode = "regulation"

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
        self.hits = self.n_computed = self.n_lp = 0

    @property
    def viable_units(self) -> np.ndarray:
        return np.ones(len(self.units), dtype=bool)

    @property
    def support_units(self) -> np.ndarray:
        return np.ones(len(self.units), dtype=bool)

    def normalize(self, genotype) -> tuple[int, ...]:
        arr = np.asarray(genotype)
        if arr.dtype == bool:
            return tuple(int(i) for i in np.flatnonzero(arr))
        return tuple(sorted({int(i) for i in arr.ravel()}))

    def beta(self, genotype) -> dict[int, float]:
        """Enzyme index -> summed β of a genotype."""
        out: dict[int, float] = {}
        for u in self.normalize(genotype):
            k, v = self.pairs[u]
            out[k] = out.get(k, 0.0) + v
        return {k: v for k, v in out.items() if abs(v) > 1e-12}

    def cost(self, genotype) -> int:
        """Number of regulated enzymes."""
        return len(self.beta(genotype))

    def evaluate_many(self, genotypes, n_jobs: int = 1) -> np.ndarray:
        keys = [self.normalize(g) for g in genotypes]
        rows = []
        for key in keys:
            if key in self.cache:
                self.hits += 1
            else:
                mu, guaranteed = self.evaluator.evaluate(self.beta(key))
                if mu < self.lethal_threshold:  # no growth: scored like a lethal knock-out
                    mu = guaranteed = 0.0
                self.cache[key] = np.array([mu, guaranteed, guaranteed])
                self.n_computed += 1
                self.n_lp += 1
            rows.append(self.cache[key])
        return np.array(rows).reshape(-1, 3)

    def evaluate(self, genotype) -> np.ndarray:
        return self.evaluate_many([genotype])[0]

    def describe(self, genotype, names=None) -> list[str]:
        return [f"{self.evaluator.enzymes[k]}: β={v:+g}" for k, v in self.beta(genotype).items()]
