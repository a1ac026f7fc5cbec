"""One GLPK problem ``max c'v  s.t.  S v = 0, lb <= v <= ub`` driven through ``swiglpk`` directly.

cobra's solver interface re-reads and re-writes the whole problem on many calls; the searches that
solve thousands of closely related LPs (the fast blocked-reaction search of
:func:`helpers.gem.blocked.blocked_reactions`, MOME's strain evaluations) keep one raw GLPK
problem alive instead, change a few bounds or objective coefficients between solves and let the
primal simplex warm-start from the previous basis. :class:`GlpkProblem` is that problem: built once
(scaled, solved from an advanced basis), with a :meth:`~GlpkProblem.simplex` that retries from
scratch when a warm start ends in a wrong "infeasible" or stalls (an iteration limit).

Introduced in chapter ``07_mome_ethanol``.
"""

from __future__ import annotations

import numpy as np
import swiglpk as glp

__all__ = ["GlpkProblem", "ITERATIONS_PER_DIMENSION"]

#: One simplex attempt's iteration limit, per row and column of the problem.
ITERATIONS_PER_DIMENSION = 10


class GlpkProblem:
    """One GLPK problem ``max v_objective s.t. S v = 0, lb <= v <= ub``, solved once on creation.

    Parameters
    ----------
    S
        Stoichiometric matrix (scipy sparse, metabolites x reactions).
    lb, ub
        Flux bounds, one per column.
    objective
        Column index of the flux maximized (e.g. the biomass reaction).

    Attributes
    ----------
    lp
        The ``swiglpk`` problem (1-based rows and columns, as in GLPK).
    parm
        Its simplex parameters (primal simplex, presolve off, silent).
    """

    def __init__(self, S, lb: np.ndarray, ub: np.ndarray, objective: int) -> None:
        self.lb, self.ub = lb.astype(float), ub.astype(float)
        self.objective = objective
        n_rows, n_cols = S.shape
        lp = glp.glp_create_prob()
        glp.glp_set_obj_dir(lp, glp.GLP_MAX)
        glp.glp_add_rows(lp, n_rows)
        glp.glp_add_cols(lp, n_cols)
        for i in range(n_rows):
            glp.glp_set_row_bnds(lp, i + 1, glp.GLP_FX, 0.0, 0.0)
        for j in range(n_cols):
            self.restore(lp, j)
        coo = S.tocoo()
        n = len(coo.data)
        ia, ja, ar = glp.intArray(n + 1), glp.intArray(n + 1), glp.doubleArray(n + 1)
        for k, (i, j, v) in enumerate(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(),
                                          strict=True)):
            ia[k + 1], ja[k + 1], ar[k + 1] = i + 1, j + 1, v
        glp.glp_load_matrix(lp, n, ia, ja, ar)
        glp.glp_set_obj_coef(lp, objective + 1, 1.0)
        parm = glp.glp_smcp()
        glp.glp_init_smcp(parm)
        parm.msg_lev = glp.GLP_MSG_OFF
        parm.presolve = glp.GLP_OFF
        parm.meth = glp.GLP_PRIMAL
        self.lp, self.parm = lp, parm
        self.n_rows, self.n_cols = n_rows, n_cols
        #: Simplex iterations one attempt may take: far more than any solve needs (a warm
        #: start takes tens, a cold one a few thousand), so only a stalled solve reaches it.
        self.iteration_limit = ITERATIONS_PER_DIMENSION * (n_rows + n_cols)
        #: The same for the warm start of :meth:`simplex` (a test lowers it to force restarts).
        self.warm_iteration_limit = self.iteration_limit
        self.n_restarts = 0
        glp.glp_term_out(glp.GLP_OFF)
        glp.glp_scale_prob(lp, glp.GLP_SF_AUTO)
        glp.glp_adv_basis(lp, 0)
        self.simplex()

    def __del__(self) -> None:
        lp = getattr(self, "lp", None)
        if lp is not None:
            glp.glp_delete_prob(lp)

    def restore(self, lp, j: int) -> None:
        """Give column ``j`` of ``lp`` its original bounds back (fixed when ``lb == ub``)."""
        lo, up = self.lb[j], self.ub[j]
        kind = glp.GLP_FX if lo == up else glp.GLP_DB
        glp.glp_set_col_bnds(lp, j + 1, kind, lo, up)

    def simplex(self) -> bool:
        """Solve from the current basis; ``True`` when an optimum was found.

        The warm start stops after :attr:`warm_iteration_limit` simplex iterations, each fresh
        start after :attr:`iteration_limit` (deterministic, unlike a time limit): a warm start
        that stalls on a degenerate vertex (GLPK's primal simplex has no anti-cycling rule;
        seen on iPC815 strains, where one solve never ended) is cut off and re-solved from
        scratch. ``n_restarts`` counts the solves that needed a fresh start.
        """
        lp = self.lp
        self.parm.it_lim = self.warm_iteration_limit
        if glp.glp_simplex(lp, self.parm) == 0 and glp.glp_get_status(lp) == glp.GLP_OPT:
            return True
        self.n_restarts += 1
        self.parm.it_lim = self.iteration_limit
        # GLPK's warm-started primal simplex can end in a wrong "infeasible" (seen on iJO1366)
        # or stall: re-solve from scratch (presolve on, advanced basis), then from the standard
        # basis with the dual simplex, before calling a problem infeasible.
        self.parm.presolve = glp.GLP_ON
        try:
            glp.glp_adv_basis(lp, 0)
            rc = glp.glp_simplex(lp, self.parm)
        finally:
            self.parm.presolve = glp.GLP_OFF
        if rc != 0:
            glp.glp_std_basis(lp)
            self.parm.meth = glp.GLP_DUALP
            try:
                rc = glp.glp_simplex(lp, self.parm)
            finally:
                self.parm.meth = glp.GLP_PRIMAL
        return rc == 0 and glp.glp_get_status(lp) == glp.GLP_OPT

    def primal(self) -> np.ndarray:
        """The current solution's fluxes, one per column."""
        return np.array([glp.glp_get_col_prim(self.lp, j + 1) for j in range(self.n_cols)])
