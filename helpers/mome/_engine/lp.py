"""MOME's warm-started GLPK problem for strain phenotypes, and the joblib workers' cache of them.

:class:`StrainLP` is the readable recipe of :func:`helpers.mome.core.strain_phenotype` (knock
out, maximize growth, then minimize the product at that growth) on one raw GLPK problem that stays
alive between strains: every solve starts from the wild type's optimal basis, so a strain's
phenotype does not depend on which strains were solved before, and the warm start keeps each
solve to a few pivots.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
import swiglpk as glp

from helpers.gem.glpk import GlpkProblem

__all__ = ["StrainLP", "worker_lp", "WORKER_LPS", "WORKER_LPS_MAX"]


class StrainLP(GlpkProblem):
    """:class:`~helpers.gem.glpk.GlpkProblem` maximizing growth (column ``objective``), with the
    product's column and fast knock-outs: bounds set to ``[0, 0]``, solved, restored."""

    def __init__(self, S, lb: np.ndarray, ub: np.ndarray, objective: int, product: int) -> None:
        self.product = product
        super().__init__(S, lb, ub, objective)
        lp, n_rows, n_cols = self.lp, self.n_rows, self.n_cols
        self.row_stat = [glp.glp_get_row_stat(lp, i + 1) for i in range(n_rows)]
        self.col_stat = [glp.glp_get_col_stat(lp, j + 1) for j in range(n_cols)]
        # a copy of the wild type's problem with its optimal basis: copying it back (one C call)
        # resets the basis far faster than setting ~3000 row and column statuses one by one
        self.template = glp.glp_create_prob()
        glp.glp_copy_prob(self.template, lp, glp.GLP_OFF)

    def __del__(self) -> None:
        template = getattr(self, "template", None)
        if template is not None:
            glp.glp_delete_prob(template)
        super().__del__()

    def reset_basis(self) -> None:
        """Back to the wild type's problem and optimal basis (bounds, objective, statuses)."""
        glp.glp_copy_prob(self.lp, self.template, glp.GLP_OFF)

    def max_growth(self, knocked: Sequence[int]) -> float:
        """Maximal objective (growth) with ``knocked`` columns at zero; 0.0 when infeasible."""
        lp = self.lp
        self.reset_basis()
        for j in knocked:
            glp.glp_set_col_bnds(lp, j + 1, glp.GLP_FX, 0.0, 0.0)
        try:
            return float(glp.glp_get_obj_val(lp)) if self.simplex() else 0.0
        finally:
            for j in knocked:
                self.restore(lp, j)

    def solve(self, knocked: Sequence[int], lethal_threshold: float,
              keep_fluxes: bool | str = False, reset: bool = True
              ) -> tuple[float, float, float, np.ndarray | None]:
        """(mu, product of the LP solution, guaranteed product at mu[, fluxes]).

        ``keep_fluxes=True``: rows = fluxes of the growth LP and of the product-min LP;
        ``"min"``: only the product-min LP's fluxes are read (both rows hold them)."""
        lp = self.lp
        if reset:
            self.reset_basis()
        for j in knocked:
            glp.glp_set_col_bnds(lp, j + 1, glp.GLP_FX, 0.0, 0.0)
        result: tuple[float, float, float, np.ndarray | None] = (0.0, 0.0, 0.0, None)
        try:
            if self.simplex() and glp.glp_get_obj_val(lp) >= lethal_threshold:
                mu = glp.glp_get_obj_val(lp)
                product_lp = glp.glp_get_col_prim(lp, self.product + 1)
                fluxes_lp = self.primal() if keep_fluxes is True else None
                product_min, fluxes = self._min_product(mu, product_lp, keep_fluxes)
                if keep_fluxes is True:
                    fluxes = np.vstack([fluxes_lp, fluxes])  # type: ignore[list-item]
                elif keep_fluxes == "min":
                    fluxes = np.vstack([fluxes, fluxes])  # type: ignore[list-item]
                result = (mu, product_lp, product_min, fluxes)
        finally:
            for j in knocked:
                self.restore(lp, j)
        return result

    def _min_product(self, mu: float, product_lp: float, keep_fluxes: bool | str
                     ) -> tuple[float, np.ndarray | None]:
        """The least product with growth held at ``mu`` (``product_lp`` if that LP fails), and
        its fluxes when ``keep_fluxes``; the growth objective is restored afterwards."""
        lp, obj, prod = self.lp, self.objective, self.product
        glp.glp_set_col_bnds(lp, obj + 1, glp.GLP_DB, mu * (1 - 1e-9), self.ub[obj])
        glp.glp_set_obj_coef(lp, obj + 1, 0.0)
        glp.glp_set_obj_coef(lp, prod + 1, 1.0)
        glp.glp_set_obj_dir(lp, glp.GLP_MIN)
        try:
            ok = self.simplex()
            product_min = glp.glp_get_obj_val(lp) if ok else product_lp
            fluxes = self.primal() if keep_fluxes else None
        finally:
            glp.glp_set_obj_coef(lp, obj + 1, 1.0)
            glp.glp_set_obj_coef(lp, prod + 1, 0.0)
            glp.glp_set_obj_dir(lp, glp.GLP_MAX)
            self.restore(lp, obj)
        return product_min, fluxes


#: GLPK problems rebuilt in this process for unpickled evaluators (joblib workers), by the
#: evaluator's ``token``; bounded, so a long-lived worker keeps at most this many problems.
#: The evaluator that built a problem holds it itself: it is freed with the evaluator, never
#: kept here.
WORKER_LPS: OrderedDict[str, StrainLP] = OrderedDict()
WORKER_LPS_MAX = 4


def worker_lp(token: str, build: Callable[[], StrainLP]) -> StrainLP:
    """The problem of evaluator ``token`` in this process, rebuilt with ``build`` at most once
    while it stays among the :data:`WORKER_LPS_MAX` most recently used."""
    lp = WORKER_LPS.pop(token, None)
    if lp is None:
        lp = build()
    WORKER_LPS[token] = lp
    while len(WORKER_LPS) > WORKER_LPS_MAX:
        WORKER_LPS.popitem(last=False)
    return lp
