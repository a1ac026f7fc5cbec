"""The data-vs-mechanism conflict of chapter ``04_conflicting_losses``.

What the chapter needs beyond the harness: the weight each strategy puts on the two losses over
the epochs (:func:`strategy_weights`), the bound penalty (:func:`penalty_curve`), how far the
measured fluxes themselves are from steady state (:func:`data_residual_floor`), and the paper's
qualitative claims checked on a Table 3 (:func:`check_findings`), whether one normalisation factor
explains our L2 against the paper's (:func:`l2_gap`), and the paper's practical advice beside what
our runs say (:func:`practical_guide`).
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

__all__ = ["strategy_weights", "penalty_curve", "data_residual_floor", "check_findings", "l2_gap",
           "practical_guide", "FOUR_STRATEGIES", "REFERENCE_MODEL"]


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


def _num(value: float) -> str:
    """``value`` with 3 significant figures (scientific below 1e-3 or above 1e4)."""
    value = float(value)
    if not np.isfinite(value):
        return "–"
    return f"{value:.2e}" if value != 0 and not 1e-3 <= abs(value) < 1e4 else f"{value:.3g}"


def _short(model: str) -> str:
    return model.removeprefix("MINN-")


_FLIPPED = {"helps": "does not help", "does not help": "helps"}


def _pair_test(tests: pd.DataFrame | None, a: str, b: str, metric: str) -> dict | None:
    """The row of ``tests`` (paired-test rows: ``a, b, metric, p_value, verdict``) for ``a``
    against ``b``, found in either order (the verdict then read from ``a``'s side), or None."""
    if tests is None or tests.empty:
        return None
    for first, second, flip in ((a, b, False), (b, a, True)):
        pair = tests[(tests["metric"] == metric) & (tests["a"] == first) & (tests["b"] == second)]
        if not pair.empty and np.isfinite(float(pair["p_value"].iloc[0])):
            row = pair.iloc[0].to_dict()
            if flip:
                row.update(a=a, b=b, verdict=_FLIPPED.get(row["verdict"], row["verdict"]))
            return row
    return None


def check_findings(table: pd.DataFrame, tests: pd.DataFrame | None = None) -> pd.DataFrame:
    """The paper's qualitative findings on Table 3, checked on a table of ours.

    Chapter ``04_conflicting_losses``. ``table`` has a ``model`` column and ``RMSE_mean`` /
    ``L2_mean`` (paper names: MINN-c-balanced, MINN-c-balanced FBA fit, MINN-bound,
    MINN-scheduler, MINN-scheduler-bound, MINN-divided loss). The findings are those of the
    paper's text (Tazza et al. 2025, section 3.2): among the :data:`FOUR_STRATEGIES` the scheduler
    has the lowest L2 and c-balanced the lowest RMSE; c-balanced is more accurate than the
    divided loss, whose L2 is orders of magnitude higher; FBA-fit data lower L2 and keep the
    accuracy of c-balanced (RMSE within 5 %, the paper's own gap being 4 %).

    ``tests`` (optional) holds paired-test rows (``a, b, metric, p_value``, as
    ``helpers.evaluation.comparison.paired_wilcoxon`` returns) on per-sample RMSE and L2; the
    ``p_value`` column then gives the test of each finding's two models (NaN where absent).

    Returns one row per finding: ``key`` (a short id), ``finding``, ``measured`` (the model the
    finding is about and its value), ``against`` (the model it is compared with and its value),
    ``holds`` (on the means) and ``p_value``.
    """
    row = table.set_index("model")
    four = [m for m in FOUR_STRATEGIES if m in row.index]
    names = ", ".join(_short(m) for m in four)
    l2, rmse = row["L2_mean"], row["RMSE_mean"]
    ref, div, fit = REFERENCE_MODEL, "MINN-divided loss", "MINN-c-balanced FBA fit"
    by_l2, by_rmse = l2.loc[four].sort_values(), rmse.loc[four].sort_values()
    divided = float(np.log10(l2[div] / l2[ref]))
    fit_l2, fit_rmse = float(l2[fit] / l2[ref]), float(rmse[fit] / rmse[ref])

    def cell(model, series):
        return f"{_short(model)} {_num(series[model])}"

    rows = [
        ("scheduler_l2", f"the scheduler gives the lowest L2 of the four strategies ({names})",
         cell(by_l2.index[0], l2), cell(by_l2.index[1], l2), by_l2.index[0] == "MINN-scheduler",
         (by_l2.index[0], by_l2.index[1], "L2")),
        ("rmse", f"c-balanced gives the lowest RMSE of the four strategies ({names})",
         cell(by_rmse.index[0], rmse), cell(by_rmse.index[1], rmse), by_rmse.index[0] == ref,
         (by_rmse.index[0], by_rmse.index[1], "RMSE")),
        ("divided_rmse", "c-balanced has a lower RMSE than the divided loss", cell(ref, rmse),
         cell(div, rmse), bool(rmse[ref] < rmse[div]), (ref, div, "RMSE")),
        ("divided", "divided loss raises L2 by orders of magnitude (log10 ratio to c-balanced)",
         f"{divided:.2f}", cell(ref, l2), divided >= 2.0, (div, ref, "L2")),
        ("fba_fit", "FBA-fit data lower L2 (ratio to c-balanced)", f"{fit_l2:.3g}",
         cell(ref, l2), fit_l2 < 1.0, (fit, ref, "L2")),
        ("fba_fit_rmse", "FBA-fit data keep the accuracy of c-balanced (RMSE ratio ≤ 1.05)",
         f"{fit_rmse:.3g}", cell(ref, rmse), fit_rmse <= 1.05, (fit, ref, "RMSE")),
    ]
    out = []
    for key, finding, measured, against, holds, pair in rows:
        test = _pair_test(tests, *pair)
        out.append({"key": key, "finding": finding, "measured": measured, "against": against,
                    "holds": bool(holds),
                    "p_value": float(test["p_value"]) if test else float("nan")})
    return pd.DataFrame(out)


def l2_gap(table: pd.DataFrame, *, tolerance: float = 2.0,
           reference: str = REFERENCE_MODEL) -> tuple[pd.DataFrame, dict[str, object]]:
    """Can one normalisation factor explain our L2 against the paper's? (chapter 04)

    If the paper computed L2 with another normalisation than ours, every variant's L2 is off by
    the same factor, so the ratio ours / paper is the same for every variant — equivalently,
    every *within-study* ratio (a variant's L2 over ``reference``'s, e.g. FBA fit / c-balanced)
    is the same in both studies. The verdict is "yes" when all ratios ours / paper lie within a
    factor ``tolerance`` of each other, "no" when they do not, and "undecided" with fewer than
    two rows. The same criterion serves a quick table and the paper-protocol rows.

    ``table`` has ``model``, ``L2_mean`` and ``paper_L2_mean`` (a comparison table); rows
    without both values are left out. Returns a frame (``model``, ``L2_ratio`` = ours / paper,
    ``L2_vs_ref`` and ``paper_L2_vs_ref`` = the within-study ratios to ``reference``, NaN when
    ``reference`` is absent) and a summary: ``n_models``, ``ratio_min``, ``ratio_max``,
    ``factor`` (max / min), ``tolerance``, ``pairs_same_order`` / ``n_pairs`` (pairs of rows
    whose L2 order agrees between the studies), ``worst`` (the row whose within-study ratio
    differs most from the paper's), ``worst_ours`` / ``worst_paper`` (its two within-study
    ratios) and ``verdict``.
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
                                  "verdict": "undecided"}
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
    if has_ref:
        summary.update(worst_ours=float(ours[worst] / ours[reference]),
                       worst_paper=float(paper[worst] / paper[reference]))
    return frame, summary


def _test_text(test: dict | None) -> str:
    """' (p = 0.012, 'helps')' for a paired-test row, '' without one."""
    if test is None:
        return ""
    return f" (p = {float(test['p_value']):.2g}, {test['verdict']})"


def _store_text(store_tests: pd.DataFrame | None, model: str, reference: str) -> str:
    """What the paper-protocol test of ``model`` against ``reference`` says, as one clause."""
    if store_tests is None:
        return ""
    row = store_tests[(store_tests["a"] == model) & (store_tests["b"] == reference)]
    if row.empty or not np.isfinite(float(row["p_value"].iloc[0])):
        return "; paper protocol: not enough folds in the store yet"
    r = row.iloc[0]
    return (f"; paper protocol: {r['metric']} {_num(r['mean_a'])} vs {_num(r['mean_b'])}, "
            f"better in {int(r['wins_a'])} of {int(r['n_pairs'])} folds, p = "
            f"{float(r['p_value']):.2g} ({r['verdict']})")


def practical_guide(table: pd.DataFrame, tests: pd.DataFrame | None = None,
                    store_tests: pd.DataFrame | None = None, *, bound: float,
                    label: str = "ours") -> pd.DataFrame:
    """The paper's practical advice on Table 3, row by row beside what our runs say (chapter 04).

    ``table`` is a Table 3 of ours (``model``, ``RMSE_mean``, ``NE_mean``, ``L2_mean``);
    ``tests`` paired-test rows of every other row against :data:`REFERENCE_MODEL` on RMSE, NE
    and L2 over the same folds (``a, b, metric, p_value, verdict``); ``store_tests`` the
    paper-protocol NE tests against :data:`REFERENCE_MODEL` (adds their verdict where a row is
    in the store; ``mean_a, mean_b, wins_a, n_pairs`` too); ``bound`` the threshold ``b`` of
    the bound variants; ``label`` names ``table``'s profile in the text.

    Returns ``goal``, ``configuration``, ``paper`` (the paper's reason), ``our runs`` (the
    numbers) and ``agrees``: "yes" when our means show what the paper's advice rests on (c-balanced
    the lowest RMSE of all rows; the scheduler the lowest L2 of :data:`FOUR_STRATEGIES`; FBA fit
    a lower L2 than c-balanced and no significantly worse NE in any test given; bound a lower
    L2 than c-balanced; divided loss an L2 two or more orders higher), "no" when they do not, and
    "unclear" when another row beats c-balanced's RMSE on the mean but not significantly.
    """
    ref, div, fit = REFERENCE_MODEL, "MINN-divided loss", "MINN-c-balanced FBA fit"
    row = table.set_index("model")
    rmse, ne, l2 = row["RMSE_mean"], row["NE_mean"], row["L2_mean"]
    four = [m for m in FOUR_STRATEGIES if m in row.index]

    def test(model, metric):
        return _pair_test(tests, model, ref, metric)

    best = rmse.dropna().idxmin()
    best_test = test(best, "RMSE") if best != ref else None
    agrees_1 = ("yes" if best == ref else "no" if best_test and best_test["p_value"] < 0.05
                else "unclear")
    sched, lowest = "MINN-scheduler", l2.loc[four].idxmin()
    fit_tests = [t for t in (test(fit, "NE"),) if t]
    if store_tests is not None:
        fit_tests += [r for _, r in store_tests[(store_tests["a"] == fit)].iterrows()
                      if np.isfinite(float(r["p_value"]))]
    fit_worse = any(t["verdict"] == "does not help" for t in fit_tests)
    orders = float(np.log10(l2[div] / l2[ref]))
    active = l2.dropna().min() > bound
    rows = [
        ("best prediction of the measured fluxes", "MINN-c-balanced (c tuned)",
         "lowest RMSE / MAE of the four strategies; c compensates the small scale of NE",
         f"{label}: lowest RMSE of all rows: {_short(best)} {_num(rmse[best])}, c-balanced "
         f"{_num(rmse[ref])}{_test_text(best_test)}", agrees_1),
        ("flux distributions close to steady state, small loss in accuracy", sched,
         "mechanism first, data later: the lowest L2 of the four strategies for a moderate "
         "RMSE cost",
         f"{label}: lowest L2 of the four: {_short(lowest)} {_num(l2[lowest])}; scheduler L2 "
         f"{_num(l2[sched])} vs c-balanced {_num(l2[ref])}{_test_text(test(sched, 'L2'))}, RMSE "
         f"{_num(rmse[sched])} vs {_num(rmse[ref])}{_store_text(store_tests, sched, ref)}",
         "yes" if lowest == sched else "no"),
        ("data you trust less than the GEM", "FBA-fit targets",
         "the targets are steady states, so the two losses stop disagreeing: L2 falls to a "
         "third at no cost in accuracy",
         f"{label}: L2 {_num(l2[fit] / l2[ref])} × c-balanced's{_test_text(test(fit, 'L2'))}; "
         f"NE on the measured fluxes {_num(ne[fit])} vs {_num(ne[ref])}"
         f"{_test_text(test(fit, 'NE'))}{_store_text(store_tests, fit, ref)}",
         "yes" if l2[fit] < l2[ref] and not fit_worse else "no"),
        ("a hard cap on constraint violation", "bound / scheduler-bound",
         "penalises only violations above b: a modest L2 reduction for a small RMSE cost",
         f"{label}: b = {bound:g} is "
         + ("below the mean L2 of every row, so the bound is active throughout and acts as a "
            "doubled mechanistic weight" if active else "within the L2 range of our rows")
         + f"; bound L2 {_num(l2['MINN-bound'])} vs c-balanced {_num(l2[ref])}"
         f"{_test_text(test('MINN-bound', 'L2'))}{_store_text(store_tests, 'MINN-bound', ref)}",
         "yes" if l2["MINN-bound"] < l2[ref] else "no"),
        ("pure accuracy, no interest in the flux distribution",
         "divided loss, or simply a random forest",
         "the flux distribution loses its meaning (L2 orders of magnitude higher) for a "
         "marginal gain in accuracy",
         f"{label}: L2 {orders:.1f} orders above c-balanced; RMSE {_num(rmse[div])} vs "
         f"{_num(rmse[ref])}{_test_text(test(div, 'RMSE'))}{_store_text(store_tests, div, ref)}",
         "yes" if orders >= 2 else "no"),
    ]
    return pd.DataFrame(rows, columns=["goal", "configuration", "paper", "our runs", "agrees"])
