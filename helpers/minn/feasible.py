"""Box violations of predicted fluxes, and a fully feasible projection (a per-sample QP).

The MINN layers meet the constraints of the split GEM to different degrees: the paper's unrolled
descent (:mod:`helpers.minn.mechanistic`) only lowers ``L_mech``; the exact layer
(:mod:`helpers.minn.projection`) ends on ``S V = 0`` but only approaches the box. The box is
the one the layers' loss penalises (:cite:`tazza2025minn`)::

    lb = 0 <= V,        P_in V <= V_in   (ub = +inf for the fluxes outside P_in)

:func:`box_violations` counts, per flux distribution, how many fluxes leave that box and by how
much, beside ``max |S V|`` (:func:`flux_checks` adds the book's L2;
:func:`violation_table` sums them per model). :func:`project_feasible` is a fully feasible option (our addition,
chapter ``10_beyond``): the weighted projection of each ``V_0`` onto the feasible set,

    min_V  || w * (V - V_0) ||^2     s.t.   S V = 0,   V >= 0,   P_in V <= V_in,

a convex QP solved per sample through cvxpy (CLARABEL, :func:`helpers.minn.fba_fit.solve_qp`);
the set always holds ``V = 0``, so the QP is always feasible. It is a post-processing step, not a
layer the network trains through.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .fba_fit import solve_qp
from .problem import MechanisticProblem

__all__ = ["VIOLATION_TOLERANCE", "box_bounds", "box_violations", "flux_checks", "flux_weights",
           "project_feasible", "violation_table"]

#: A flux counts as outside the box when it leaves it by more than this (mmol/gDW/h).
VIOLATION_TOLERANCE = 1e-3


def box_bounds(problem: MechanisticProblem, v_in: Sequence[float] | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """``(lb, ub)`` of every flux (n,): 0 below; ``V_in`` above the bounded fluxes, else +inf.

    ``v_in`` overrides the problem's upper bounds (shape ``(n_in,)``).
    """
    vin = problem.v_in if v_in is None else np.asarray(v_in, dtype=np.float64)
    if vin.shape != (problem.n_in,):
        raise ValueError(f"The 'v_in' parameter must have shape (n_in={problem.n_in},); got "
                         f"{vin.shape}.")
    lb = np.zeros(problem.n)
    ub = np.full(problem.n, np.inf)
    ub[np.asarray(problem.bounded_idx, dtype=int)] = vin
    return lb, ub


def box_violations(V: np.ndarray, problem: MechanisticProblem, v_in: Sequence[float] | None = None,
                   *, tol: float = VIOLATION_TOLERANCE) -> pd.DataFrame:
    """Per flux distribution (row of ``V``, shape (N, n)): how far it is from feasible.

    Columns: ``below_lb`` (number of fluxes below ``lb - tol``), ``below_lb_max`` (largest
    ``lb - V``, 0 if none is below), ``above_ub`` / ``above_ub_max`` (the same above ``ub``),
    ``max_abs_SV`` (largest ``|S V|``) and ``SV_sq`` (``||S V||^2``; the book's L2 is this over m).
    """
    V = np.atleast_2d(np.asarray(V, dtype=np.float64))
    if V.shape[-1] != problem.n:
        raise ValueError(f"V must have n={problem.n} fluxes per row; got shape {V.shape}.")
    if tol < 0:
        raise ValueError(f"The 'tol' parameter must be >= 0. Got {tol!r}.")
    lb, ub = box_bounds(problem, v_in)
    below = lb - V
    with np.errstate(invalid="ignore"):
        above = np.where(np.isfinite(ub), V - ub, -np.inf)
    SV = np.asarray(problem.S @ V.T).T
    return pd.DataFrame({
        "below_lb": (below > tol).sum(axis=1),
        "below_lb_max": np.maximum(below.max(axis=1), 0.0),
        "above_ub": (above > tol).sum(axis=1),
        "above_ub_max": np.maximum(above.max(axis=1), 0.0),
        "max_abs_SV": np.abs(SV).max(axis=1),
        "SV_sq": np.square(SV).sum(axis=1),
    })


def flux_weights(problem: MechanisticProblem, reference_weight: float = 100.0) -> np.ndarray:
    """The weights ``w`` of :func:`project_feasible`: ``reference_weight`` on the reference
    (measured) fluxes, 1 elsewhere, so the projection moves the predicted reference fluxes less
    than the others (our choice, not cross-validated: chapter ``10_beyond`` says how the
    held-out error depends on it)."""
    if not reference_weight > 0:
        raise ValueError(f"The 'reference_weight' parameter must be > 0. Got {reference_weight!r}.")
    w = np.ones(problem.n)
    w[np.asarray(problem.reference_idx, dtype=int)] = reference_weight
    return w


def _compile(problem: MechanisticProblem, weights: np.ndarray, lb: np.ndarray, ub: np.ndarray):
    """The QP of :func:`project_feasible` with ``V_0`` as a cvxpy parameter (compiled once)."""
    import cvxpy as cp

    v, v0 = cp.Variable(problem.n), cp.Parameter(problem.n)
    bounded = np.flatnonzero(np.isfinite(ub))
    constraints = [problem.S @ v == 0, v >= lb]
    if bounded.size:
        constraints.append(v[bounded] <= ub[bounded])
    # the same minimiser with the weights scaled to at most 1: CLARABEL reports large-weight
    # QPs (1e6 on the squares) as infeasible, although V = 0 is always feasible
    objective = cp.Minimize(cp.sum_squares(cp.multiply(weights / weights.max(), v - v0)))
    return cp.Problem(objective, constraints), v, v0


def project_feasible(V0: np.ndarray, problem: MechanisticProblem, *,
                     weights: np.ndarray | None = None, v_in: Sequence[float] | None = None,
                     solver: str = "CLARABEL") -> tuple[np.ndarray, list[str]]:
    """The weighted projection of each row of ``V0`` (N, n) onto the feasible set (a QP each).

    ``weights`` (n,) are the ``w`` of the objective (default :func:`flux_weights`); ``v_in`` the
    upper bounds of the bounded fluxes (default the problem's, as the layers use them).
    Returns ``(V, statuses)``: the projected fluxes (N, n) and cvxpy's status per row.

    Raises
    ------
    ValueError
        ``V0`` of the wrong width or not finite, ``weights`` of the wrong shape or not > 0.
    RuntimeError
        A row the solver could not solve (the message names the row and the status).
    """
    V0 = np.atleast_2d(np.asarray(V0, dtype=np.float64))
    if V0.shape[-1] != problem.n:
        raise ValueError(f"V0 must have n={problem.n} fluxes per row; got shape {V0.shape}.")
    if not np.isfinite(V0).all():
        row = int(np.argwhere(~np.isfinite(V0))[0, 0])
        raise ValueError(f"V0 holds a NaN or infinite flux in row {row}.")
    w = flux_weights(problem) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (problem.n,) or not (w > 0).all():
        raise ValueError(f"The 'weights' parameter must be {problem.n} positive numbers; got "
                         f"shape {w.shape}.")
    lb, ub = box_bounds(problem, v_in)
    qp, v, v0 = _compile(problem, w, lb, ub)
    out, statuses = np.empty_like(V0), []
    for i, row in enumerate(V0):
        v0.value = row
        status = solve_qp(qp, solver)
        if status not in ("optimal", "optimal_inaccurate") or v.value is None:
            raise RuntimeError(f"The feasible projection of row {i} failed: status {status!r}.")
        out[i] = v.value
        statuses.append(status)
    return out, statuses


def flux_checks(problem: MechanisticProblem, fluxes: pd.DataFrame, *,
                tol: float = VIOLATION_TOLERANCE) -> pd.DataFrame:
    """``L2`` (``||S V||^2 / m``) and the box violations (:func:`box_violations`) of each row of
    ``fluxes`` (flux distributions, one per row), indexed like ``fluxes``."""
    checks = box_violations(fluxes.to_numpy(dtype=float), problem, tol=tol).set_index(fluxes.index)
    checks.insert(0, "L2", checks.pop("SV_sq") / problem.m)
    return checks


def violation_table(per_sample: pd.DataFrame, *, tol: float = VIOLATION_TOLERANCE) -> pd.DataFrame:
    """Per model with flux checks (the :func:`flux_checks` columns of ``per_sample``,
    one row per prediction, a ``model`` column; rows without checks are left out): the number of
    predictions, the mean and largest number of fluxes below ``lb`` / above ``ub`` per
    prediction, the largest violation of each, the largest ``|S V|``, the mean L2 and how many
    predictions are feasible (no flux outside the box and ``max |S V| <= tol``)."""
    needed = {"below_lb", "below_lb_max", "above_ub", "above_ub_max", "max_abs_SV", "L2"}
    missing = needed - set(per_sample.columns)
    if missing:
        raise ValueError(f"violation_table needs the column(s) {sorted(missing)} ("
                         "flux_checks).")
    rows = per_sample.dropna(subset=sorted(needed)).copy()
    rows["feasible"] = ((rows.below_lb == 0) & (rows.above_ub == 0) & (rows.max_abs_SV <= tol))
    return rows.groupby("model", sort=False).agg(
        predictions=("L2", "size"), below_lb_mean=("below_lb", "mean"),
        below_lb_most=("below_lb", "max"), below_lb_max=("below_lb_max", "max"),
        above_ub_mean=("above_ub", "mean"), above_ub_max=("above_ub_max", "max"),
        max_abs_SV=("max_abs_SV", "max"), L2_mean=("L2", "mean"),
        feasible=("feasible", "sum")).reset_index()

