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

Status: the evaluator only. The NSGA-II search over β (discrete levels, a bound on the number of
regulated enzymes) and chapter ``09_mome_redirector`` are not written yet.
"""

from __future__ import annotations

from collections.abc import Mapping

import cobra
import numpy as np

from helpers.mome.gpr import gene_sets

__all__ = ["RedirectorEvaluator"]


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
