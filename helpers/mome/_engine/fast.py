"""The fast path of :class:`helpers.mome.strains.StrainEvaluator`: one GLPK problem, shortcuts,
joblib workers.

:class:`FastPhenotypes` is a base class of the evaluator. It gives the evaluator its
:class:`~helpers.mome._engine.lp.StrainLP` (built on first use; rebuilt once per joblib worker)
and computes phenotypes from the columns a genotype knocks out, with two exact shortcuts that
never change a result:

* a strain that knocks out an *essential* reaction (one whose knock-out alone stops growth) is
  lethal without an LP;
* a strain whose knock-outs only touch reactions with zero flux in the wild type's optimal
  (product-minimal) flux vector has the wild type's phenotype: that vector stays feasible and
  optimal.

The evaluator supplies ``_S``, ``_lb``, ``_ub``, ``_obj``, ``_prod``, ``token``,
``lethal_threshold``, ``model_id``, ``biomass``, ``reaction_ids``, the counters (``n_lp``,
``shortcuts``) and :meth:`knocked_reactions`. Phenotypes are rounded to :data:`DECIMALS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from helpers.mome._engine.lp import StrainLP, worker_lp

if TYPE_CHECKING:
    from helpers.mome.strains import StrainEvaluator

__all__ = ["FastPhenotypes", "evaluate_parallel", "DECIMALS"]

DECIMALS = 6  # phenotypes are rounded so that LP noise (~1e-8) cannot reorder equal strains


class FastPhenotypes:
    """Phenotypes from knocked-out columns on one warm-started GLPK problem (see the module)."""

    # -- pickling for joblib workers: arrays travel, the GLPK problem is rebuilt in the worker
    # (once per worker while it stays in the bounded :data:`~helpers.mome._engine.lp.WORKER_LPS`);
    # every solve starts from the wild type's basis (:meth:`StrainLP.reset_basis`), so a rebuilt
    # problem gives the same phenotypes.
    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["cache"] = {}
        state["_engine"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._unpickled = True

    @property
    def _lp(self) -> StrainLP:
        """This evaluator's GLPK problem: built on first use and held by the evaluator (freed
        with it); an unpickled copy takes it from the worker's bounded cache."""
        engine = self.__dict__.get("_engine")
        if engine is None:
            def build() -> StrainLP:
                return StrainLP(self._S, self._lb, self._ub, self._obj, self._prod)

            engine = build() if not self._unpickled else worker_lp(self.token, build)
            self._engine = engine
        return engine

    def _prepare_shortcuts(self) -> None:
        """The wild type's phenotype (:attr:`reference`), its flux support and the essential
        reactions (one growth solve per reaction carrying flux)."""
        mu, p_lp, p_min, fluxes = self._lp.solve([], self.lethal_threshold, keep_fluxes=True)
        if fluxes is None:
            raise ValueError(f"The wild type of model {self.model_id!r} cannot grow "
                             f"(max {self.biomass} < {self.lethal_threshold}); check the medium.")
        self.reference = np.round(np.array([mu, p_lp, p_min]), DECIMALS)
        tol = 1e-9
        zero_lp, zero_min = np.abs(fluxes[0]) <= tol, np.abs(fluxes[1]) <= tol
        self._zero_lp, self._zero_min = zero_lp, zero_min
        # essential reactions: a knock-out that contains one is lethal without an LP
        self._essential = np.zeros(len(self.reaction_ids), dtype=bool)
        for j in np.flatnonzero(~zero_min):  # growth only: one simplex solve per reaction
            if self._lp.max_growth([int(j)]) < self.lethal_threshold:
                self._essential[j] = True

    def _compute(self, genotype: tuple[int, ...]) -> np.ndarray:
        """Phenotype of one normalized genotype (no cache)."""
        cols = self.knocked_reactions(genotype)
        if cols.size and self._essential[cols].any():
            self.shortcuts["lethal"] += 1
            return np.zeros(3)
        if self._zero_min[cols].all():  # the wild type's optimum survives the knock-out
            self.shortcuts["wild_type"] += 1
            ref = self.reference.copy()
            if not self._zero_lp[cols].all():
                ref[1] = ref[2]
            return ref
        self.n_lp += 1
        mu, p_lp, p_min, _ = self._lp.solve(cols.tolist(), self.lethal_threshold)
        return np.round(np.array([mu, p_lp, p_min]), DECIMALS)

    def _growth_of(self, cols: np.ndarray) -> float:
        """Maximal growth with the columns ``cols`` knocked out (shortcuts first)."""
        if not cols.size or self._zero_min[cols].all():
            return float(self.reference[0])
        if self._essential[cols].any():
            return 0.0
        self.n_lp += 1
        return self._lp.max_growth(cols.tolist())

    def _phenotype_and_support(self, empty: bool, cols: np.ndarray
                               ) -> tuple[np.ndarray, np.ndarray]:
        """Phenotype and flux support (> 1e-9 in the product-minimal optimum) of a strain whose
        knock-outs disable ``cols`` (``empty``: the wild type)."""
        if empty:
            return self.reference.copy(), ~self._zero_min
        if cols.size and self._essential[cols].any():
            return np.zeros(3), np.zeros(len(self.reaction_ids), dtype=bool)
        self.n_lp += 1
        mu, p_lp, p_min, fluxes = self._lp.solve(cols.tolist(), self.lethal_threshold,
                                                  keep_fluxes="min")
        phen = np.round(np.array([mu, p_lp, p_min]), DECIMALS)
        support = (np.abs(fluxes[1]) > 1e-9 if fluxes is not None
                   else np.zeros(len(self.reaction_ids), dtype=bool))
        return phen, support


def _evaluate_chunk(evaluator: StrainEvaluator, genotypes: list[tuple[int, ...]]
                    ) -> tuple[np.ndarray, int]:
    """Joblib worker: evaluate ``genotypes`` without cache (the parent caches); also returns the
    number of LPs solved."""
    before = evaluator.n_lp
    out = np.array([evaluator._compute(g) for g in genotypes]).reshape(-1, 3)
    return out, evaluator.n_lp - before


def evaluate_parallel(evaluator: StrainEvaluator, todo: list[tuple[int, ...]], n_jobs: int
                      ) -> None:
    """Compute the phenotypes of ``todo`` in ``n_jobs`` joblib processes into the evaluator's
    cache (round-robin chunks), adding the workers' LP counts to ``evaluator.n_lp``."""
    from joblib import Parallel, delayed

    chunks = [todo[i::n_jobs] for i in range(n_jobs)]
    parts = Parallel(n_jobs=n_jobs)(delayed(_evaluate_chunk)(evaluator, c) for c in chunks)
    for chunk, (part, n_lp) in zip(chunks, parts, strict=True):
        evaluator.cache.update(zip(chunk, part, strict=True))
        evaluator.n_lp += n_lp
