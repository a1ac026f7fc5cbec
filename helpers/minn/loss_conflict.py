"""The data-vs-mechanism conflict of chapter ``04_conflicting_losses``.

What the chapter needs beyond the harness: the weight each strategy puts on the two losses over
the epochs (:func:`strategy_weights`), the bound penalty (:func:`penalty_curve`), how far the
measured fluxes themselves are from steady state (:func:`data_residual_floor`), and the paper's
qualitative claims checked on a Table 3 (:func:`check_findings`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import torch

from helpers.minn import MechanisticProblem, MinnConfig, get_variant
from helpers.minn.fba_fit import solve_qp
from helpers.minn.losses import bounded, loss_weights

__all__ = ["strategy_weights", "penalty_curve", "data_residual_floor", "check_findings"]


def strategy_weights(variants: Mapping[str, str | MinnConfig], *, c: float | None = None,
                     data_weight: float | None = None) -> pd.DataFrame:
    """Scheduled weights of L1 and L_mech per epoch for each variant (long format).

    ``c`` replaces the variant's ``c`` where it tunes it; ``data_weight`` the scheduler's final
    data weight. Loss balancing is not a schedule (it depends on the losses met in training); its
    effective weights are in the training history (``weight_data`` / ``weight_mech``).

    Returns columns ``variant, epoch, data, mechanistic`` (``data`` includes ``c``).
    """
    frames = []
    for label, variant in variants.items():
        config = get_variant(variant)
        c_value = c if (c is not None and "c" in config.tuned) else config.c
        w_data, w_mech = loss_weights(config, data_weight)
        frames.append(pd.DataFrame({"variant": label, "epoch": np.arange(config.epochs),
                                    "data": c_value * w_data, "mechanistic": w_mech}))
    return pd.concat(frames, ignore_index=True)


def penalty_curve(variant: str | MinnConfig, l_mech: np.ndarray) -> np.ndarray:
    """What the training loss charges for a mechanistic loss ``l_mech`` (bound applied if any)."""
    config = get_variant(variant)
    threshold = np.inf if config.bound is None else config.bound
    values = torch.as_tensor(np.asarray(l_mech, dtype=float))
    return bounded(values, threshold, config.bound_slope).numpy()


def data_residual_floor(problem: MechanisticProblem, reference: pd.DataFrame, *,
                        solver: str = "CLARABEL") -> pd.Series:
    """Per sample, the smallest ``||S V||² / m`` of any ``V >= 0`` that matches the data exactly.

    A quadratic program (cvxpy): minimise ``||S V||² / m`` subject to ``P_ref V = v_ref`` and
    ``V >= 0``. A value above 0 says the measured fluxes lie outside the steady-state space: no
    model, however trained, can fit them perfectly *and* reach L2 = 0. ``inf`` when no ``V >= 0``
    matches at all (a negative value on a split, non-negative flux).

    Raises ``ValueError`` naming the columns when ``reference`` does not hold the problem's
    reference fluxes, or the sample and column of a missing value.
    """
    import cvxpy as cp

    missing = [r for r in problem.reference_ids if r not in reference.columns]
    if missing:
        raise ValueError(f"reference table lacks the problem's reference fluxes: {missing}")
    values = reference[list(problem.reference_ids)]
    if values.isna().any().any():
        sample, column = values.isna().stack().loc[lambda s: s].index[0]
        raise ValueError(f"reference table: missing value for sample {sample!r}, column {column!r}")
    S = problem.S.tocsr()
    S = S[S.getnnz(axis=1) > 0]  # rows no reaction touches add 0 to ||SV||² (and stall Clarabel)
    v = cp.Variable(problem.n, nonneg=True)
    target = cp.Parameter(len(problem.reference_ids))
    ref_idx = np.asarray(problem.reference_idx)
    qp = cp.Problem(cp.Minimize(cp.sum_squares(S @ v) / problem.m), [v[ref_idx] == target])
    floor = {}
    for sample, row in values.iterrows():
        target.value = row.to_numpy(dtype=float)
        status = solve_qp(qp, solver)
        floor[sample] = float(qp.value) if status in ("optimal", "infeasible") else np.nan
    return pd.Series(floor, name="L2_floor")


def check_findings(table: pd.DataFrame) -> pd.DataFrame:
    """The paper's qualitative findings on Table 3, checked on a table of ours.

    ``table`` has a ``model`` column and ``RMSE_mean`` / ``L2_mean`` (paper names: MINN-c-balanced,
    MINN-c-balanced FBA fit, MINN-scheduler, MINN-divided loss, ...). Returns one row per finding
    with the measured quantity and whether it holds.
    """
    row = table.set_index("model")
    strategies = [m for m in ("MINN-c-balanced", "MINN-bound", "MINN-scheduler",
                              "MINN-scheduler-bound") if m in row.index]
    l2 = row["L2_mean"]
    rmse = row["RMSE_mean"]
    lowest_l2 = l2.loc[strategies].idxmin()
    lowest_rmse = rmse.loc[strategies].idxmin()
    divided = float(np.log10(l2["MINN-divided loss"] / l2["MINN-c-balanced"]))
    fba_fit = float(l2["MINN-c-balanced FBA fit"] / l2["MINN-c-balanced"])
    findings = [
        ("the scheduler gives the lowest L2 of the four strategies", lowest_l2,
         lowest_l2 == "MINN-scheduler"),
        ("c-balanced gives the lowest RMSE of the four strategies", lowest_rmse,
         lowest_rmse == "MINN-c-balanced"),
        ("divided loss raises L2 by orders of magnitude (log10 ratio to c-balanced)",
         round(divided, 2), divided >= 2.0),
        ("FBA-fit data lowers L2 (ratio to c-balanced)", round(fba_fit, 3), fba_fit < 1.0),
    ]
    return pd.DataFrame(findings, columns=["finding", "measured", "holds"])
