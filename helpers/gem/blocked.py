"""Blocked reactions: the reactions that cannot carry flux under a model's bounds (its medium).

A reaction is *blocked* when flux variability analysis at ``fraction_of_optimum = 0`` finds both its
largest and its smallest flux within a tolerance of zero. :func:`blocked_reactions` answers that
question with two back-ends that share one idea ("harvest"): rather than two LPs per reaction,
every LP solution found is read whole, and each reaction it shows carrying flux needs no LP of its
own; a reaction still undecided is maximized (if it can be positive), then minimized (if it can be
negative).

* ``method="cobra"`` runs through cobra's solver interface (any solver, the model's own).
  FVA-reduction (:func:`helpers.gem.fva_reduce`, chapter ``02_gem_preparation``) uses it.
* ``method="fast"`` drives one raw GLPK problem (:class:`helpers.gem.glpk.GlpkProblem`),
  warm-started from solve to solve: seconds on iJO1366 where cobra's
  :func:`~cobra.flux_analysis.find_blocked_reactions` takes over a minute. MOME's model reduction
  (:func:`helpers.mome.strains.reduce_model`, chapter ``07_mome_ethanol``) uses it.

The two back-ends keep their own tolerance rules (documented on :func:`blocked_reactions`), so
each caller gets exactly the reactions it got before they were merged here.
"""

from __future__ import annotations

from collections.abc import Callable

import cobra
import numpy as np
import swiglpk as glp
from cobra.util.array import create_stoichiometric_matrix
from optlang.symbolics import Zero

from helpers.gem.glpk import GlpkProblem

__all__ = ["blocked_reactions", "net_flux_reader", "BLOCKED_METHODS"]

BLOCKED_METHODS = ("cobra", "fast")


def blocked_reactions(model: cobra.Model, *, method: str = "cobra",
                      tol: float | None = None) -> list[str]:
    """Ids of the reactions of ``model`` that cannot carry flux under its bounds, in model order.

    Parameters
    ----------
    model
        A cobra model; its bounds (the medium) are used as they are. It is not modified.
    method
        ``"cobra"``: through cobra's solver interface; a reaction carries flux when some LP finds
        ``|v| > tol``. ``"fast"``: on a raw GLPK problem; a reaction carries flux when its own
        maximum or minimum reaches ``|v| >= tol``, or when any solution found shows
        ``|v| >= max(10 tol, 1e-6)`` (well above the solver's feasibility tolerance, so no
        rounding noise unblocks a reaction).
    tol
        The zero tolerance; ``None``: cobra's default, the solver's tolerance (1e-7 for GLPK).
        ``"fast"`` refuses a tolerance below the solver's (cobra's ``normalize_cutoff``); ``"cobra"``
        takes any (FVA-reduction uses 1e-9). Trace pathways (biotin, lipoate) carry fluxes of
        1e-7 to 1e-6, so a coarser tolerance blocks them.

    Raises
    ------
    ValueError
        Unknown ``method``; or (``"fast"``) the model has no feasible flux at all (check the
        medium) or ``tol`` is below the solver's tolerance.
    """
    if method not in BLOCKED_METHODS:
        raise ValueError(f"The 'method' parameter must be one of {list(BLOCKED_METHODS)}. "
                         f"Got {method!r} instead.")
    if method == "cobra":
        carrying = _carrying_cobra(model, model.tolerance if tol is None else tol)
    else:
        from cobra.flux_analysis.helpers import normalize_cutoff

        carrying = _carrying_fast(model, normalize_cutoff(model, tol))
    return [r.id for r, c in zip(model.reactions, carrying, strict=True) if not c]


def net_flux_reader(model: cobra.Model) -> Callable[[], np.ndarray]:
    """A function that reads the net flux of every reaction (forward minus reverse variable) from
    the model's last solution, in model order, without building a cobra ``Solution``."""
    names = [(r.forward_variable.name, r.reverse_variable.name) for r in model.reactions]

    def read() -> np.ndarray:
        primal = model.solver.primal_values
        return np.fromiter((primal[f] - primal[b] for f, b in names), float, len(names))

    return read


def _carrying_cobra(model: cobra.Model, tol: float) -> np.ndarray:
    """Whether each reaction can carry a flux > ``tol`` in absolute value (same set as FVA)."""
    read = net_flux_reader(model)
    carrying = np.zeros(len(model.reactions), bool)
    with model:
        # a fresh objective through cobra, so that leaving the block restores the original one
        model.objective = model.problem.Objective(Zero, direction="max")
        objective = model.solver.objective
        if not np.isnan(model.slim_optimize(error_value=float("nan"))):
            carrying |= np.abs(read()) > tol  # any feasible point already marks many reactions
        for j, reaction in enumerate(model.reactions):
            if carrying[j]:
                continue
            coefficients = {reaction.forward_variable: 1.0, reaction.reverse_variable: -1.0}
            objective.set_linear_coefficients(coefficients)
            # an irreversible reaction (lb >= 0) can only be non-zero upwards: one LP suffices
            directions = [d for d, ok in (("max", reaction.upper_bound > 0),
                                          ("min", reaction.lower_bound < 0)) if ok]
            for direction in directions:
                objective.direction = direction
                value = model.slim_optimize(error_value=float("nan"))
                if not np.isnan(value) and abs(value) > tol:
                    carrying |= np.abs(read()) > tol
                    carrying[j] = True
                    break
            objective.set_linear_coefficients({reaction.forward_variable: 0.0,
                                               reaction.reverse_variable: 0.0})
    return carrying


def _carrying_fast(model: cobra.Model, cutoff: float) -> np.ndarray:
    """Whether each reaction can carry flux (``"fast"`` rule of :func:`blocked_reactions`)."""
    strong = max(10 * cutoff, 1e-6)
    S = create_stoichiometric_matrix(model, array_type="lil").tocsc()
    lb = np.array([r.lower_bound for r in model.reactions], dtype=float)
    ub = np.array([r.upper_bound for r in model.reactions], dtype=float)
    engine = GlpkProblem(S, lb, ub, 0)
    lp = engine.lp
    glp.glp_set_obj_coef(lp, 1, 0.0)
    if glp.glp_get_status(lp) not in (glp.GLP_OPT, glp.GLP_FEAS, glp.GLP_UNBND):
        raise ValueError(f"Model {model.id!r} has no feasible flux under its bounds; check the "
                         "medium.")
    carries = np.abs(engine.primal()) >= strong
    undecided = [int(k) for k in np.flatnonzero(~carries)]
    for j in range(len(lb)):
        directions = ((glp.GLP_MAX, ub[j] >= cutoff), (glp.GLP_MIN, lb[j] <= -cutoff))
        for direction, possible in directions:
            if carries[j] or not possible:
                continue
            glp.glp_set_obj_dir(lp, direction)
            glp.glp_set_obj_coef(lp, j + 1, 1.0)
            ok = engine.simplex()
            glp.glp_set_obj_coef(lp, j + 1, 0.0)
            if ok:
                carries[j] |= abs(glp.glp_get_obj_val(lp)) >= cutoff
                # read only the columns still undecided (the list shrinks as flux is found)
                for k in undecided:
                    if abs(glp.glp_get_col_prim(lp, k + 1)) >= strong:
                        carries[k] = True
                undecided = [k for k in undecided if not carries[k]]
    return carries
