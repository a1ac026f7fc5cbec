"""The data-vs-mechanism conflict of chapter ``04_conflicting_losses``.

What the chapter needs beyond the harness: the weight each strategy puts on the two losses over
the epochs (:func:`strategy_weights`), the bound penalty (:func:`penalty_curve`), how far the
measured fluxes themselves are from steady state (:func:`data_residual_floor`), and whether one
normalisation factor explains our L2 against the paper's (:func:`l2_gap`). Everything
here returns numbers, tables and one-word verdicts; the verdict tables the chapter shows (the
paper's findings checked on a Table 3, the practical guide) are built from them by
:mod:`helpers.book.loss_conflict_guide`, and the chapter writes the sentences.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import torch

from helpers.minn import MechanisticProblem, MinnConfig, get_variant
from helpers.minn.fba_fit import solve_qp
from helpers.minn.losses import bounded, loss_weights

#: The rows the paper compares in the second section of its Table 3 (its "hybrid optimisation
#: strategies"); divided loss and FBA fit are other sections and are compared separately.
FOUR_STRATEGIES = ("MINN-c-balanced", "MINN-bound", "MINN-scheduler", "MINN-scheduler-bound")
#: The row every other Table 3 row is compared with.
REFERENCE_MODEL = "MINN-c-balanced"

__all__ = ["strategy_weights", "penalty_curve", "data_residual_floor", "l2_gap",
           "FOUR_STRATEGIES", "REFERENCE_MODEL"]


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


def l2_gap(table: pd.DataFrame, *, tolerance: float = 2.0, reference: str = REFERENCE_MODEL,
           scheduler: str = "MINN-scheduler", divided: str = "MINN-divided loss",
           ) -> tuple[pd.DataFrame, dict[str, object]]:
    """Can one normalisation factor explain our L2 against the paper's? (chapter 04)

    If the paper computed L2 with another normalisation than ours, every variant's L2 is off by
    the same factor, so the ratio ours / paper is the same for every variant — equivalently,
    every *within-study* ratio (a variant's L2 over ``reference``'s, e.g. FBA fit / c-balanced)
    is the same in both studies. The verdict is "yes" when all ratios ours / paper lie within a
    factor ``tolerance`` of each other, "no" when they do not, and "undecided" with fewer than
    two rows. All ratios within a factor ``tolerance`` of each other implies every within-study
    ratio within that factor of the paper's (not the converse: that allows up to its square).
    The same criterion serves a quick table and the paper-protocol rows.

    The other explanation, that training gets less close to steady state than the authors' did,
    predicts a ratio that depends on the variant: smallest for ``scheduler`` (the mechanistic
    loss dominates) and largest for ``divided`` (it is absent). ``variant_pattern`` says whether
    that ordering appears ("yes" / "no", "undecided" when either row is missing), and
    ``explains`` names the explanation the numbers fit: "normalisation" (verdict "yes"),
    "training" (verdict "no", pattern "yes"), "neither" (both "no") or "undecided".

    ``table`` has ``model``, ``L2_mean`` and ``paper_L2_mean`` (a comparison table); rows
    without both values are left out. Returns a frame (``model``, ``L2_ratio`` = ours / paper,
    ``L2_vs_ref`` and ``paper_L2_vs_ref`` = the within-study ratios to ``reference``, NaN when
    ``reference`` is absent) and a summary: ``n_models``, ``ratio_min``, ``ratio_max``,
    ``factor`` (max / min), ``tolerance``, ``pairs_same_order`` / ``n_pairs`` (pairs of rows
    whose L2 order agrees between the studies), ``worst`` (the row whose within-study ratio
    differs most from the paper's), ``worst_ours`` / ``worst_paper`` (its two within-study
    ratios), ``verdict``, ``variant_pattern``, ``explains`` and ``ratio_scheduler`` /
    ``ratio_divided`` / ``ratio_reference`` (NaN where the row is missing).
    """
    if tolerance <= 1:
        raise ValueError(f"The 'tolerance' parameter must be a factor above 1; got {tolerance!r}.")
    rows = table.dropna(subset=["L2_mean", "paper_L2_mean"]).set_index("model")
    ours, paper = rows["L2_mean"].astype(float), rows["paper_L2_mean"].astype(float)
    ratio = ours / paper
    has_ref = reference in rows.index
    frame = pd.DataFrame({
        "model": rows.index, "L2_ratio": ratio.to_numpy(),
        "L2_vs_ref": (ours / ours[reference]).to_numpy() if has_ref else np.nan,
        "paper_L2_vs_ref": (paper / paper[reference]).to_numpy() if has_ref else np.nan,
    })
    summary: dict[str, object] = {"n_models": len(rows), "tolerance": tolerance,
                                  "ratio_min": np.nan, "ratio_max": np.nan, "factor": np.nan,
                                  "pairs_same_order": 0, "n_pairs": 0, "worst": None,
                                  "worst_ours": np.nan, "worst_paper": np.nan,
                                  "verdict": "undecided", "variant_pattern": "undecided",
                                  "explains": "undecided"}
    for key, model in (("ratio_scheduler", scheduler), ("ratio_divided", divided),
                       ("ratio_reference", reference)):
        summary[key] = float(ratio[model]) if model in ratio.index else np.nan
    if len(rows) < 2:
        return frame, summary
    models = list(rows.index)
    pairs = [(a, b) for i, a in enumerate(models) for b in models[i + 1:]]
    same = sum(np.sign(ours[a] - ours[b]) == np.sign(paper[a] - paper[b]) for a, b in pairs)
    factor = float(ratio.max() / ratio.min())
    # the row whose ratio is farthest (in log) from the reference's, or from the median
    centre = ratio[reference] if has_ref else float(np.exp(np.median(np.log(ratio))))
    worst = (np.log(ratio) - np.log(centre)).abs().drop(reference, errors="ignore").idxmax()
    summary.update(ratio_min=float(ratio.min()), ratio_max=float(ratio.max()), factor=factor,
                   pairs_same_order=int(same), n_pairs=len(pairs), worst=worst,
                   verdict="yes" if factor <= tolerance else "no")
    if scheduler in ratio.index and divided in ratio.index:
        pattern = ratio.idxmin() == scheduler and ratio.idxmax() == divided
        summary["variant_pattern"] = "yes" if pattern else "no"
        summary["explains"] = ("normalisation" if factor <= tolerance else
                               "training" if pattern else "neither")
    elif factor <= tolerance:
        summary["explains"] = "normalisation"
    if has_ref:
        summary.update(worst_ours=float(ours[worst] / ours[reference]),
                       worst_paper=float(paper[worst] / paper[reference]))
    return frame, summary
