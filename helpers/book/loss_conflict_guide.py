"""Chapter ``04_conflicting_losses``: the paper's findings checked, and the practical guide.

The numbers come from :mod:`helpers.minn.loss_conflict` (the strategies, the L2 gap) and the paired
tests of :func:`helpers.evaluation.comparison.paired_wilcoxon`; this module arranges them into the
two verdict tables the chapter shows: :func:`check_findings` (the paper's qualitative claims on a
Table 3, one row each, :cite:`tazza2025minn` section 3.2) and :func:`practical_guide` (the book's
practical guide beside the tests that decide each of its rows). Both return data — models, means,
p-values and a categorical verdict — never sentences: the chapter writes those. Every verdict
reads the Holm-adjusted p-value of its test (``p_holm``, :func:`family`): one family is one table
of paired tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.evaluation.comparison import holm
from helpers.minn.loss_conflict import FOUR_STRATEGIES, REFERENCE_MODEL

__all__ = ["check_findings", "practical_guide", "family", "FINDINGS", "GUIDE_ROWS",
           "GUIDE_COLUMNS", "PAPER_GUIDE", "ALPHA"]

#: Significance level of every verdict here, read from the Holm-adjusted p-value.
ALPHA = 0.05

#: The paper's findings on Table 3 (section 3.2), one fixed label per key of :func:`check_findings`.
FINDINGS = {
    "scheduler_l2": "the scheduler gives the lowest L2 of the four strategies (c-balanced, bound, "
                    "scheduler, scheduler-bound)",
    "rmse": "c-balanced gives the lowest RMSE of the four strategies (c-balanced, bound, "
            "scheduler, scheduler-bound)",
    "divided_rmse": "c-balanced has a lower RMSE than the divided loss (the paper's Table 3; its "
                    "text calls the divided loss's gain marginal)",
    "divided": "divided loss raises L2 by orders of magnitude (log10 ratio to c-balanced)",
    "fba_fit": "FBA-fit data lower L2 (ratio to c-balanced)",
    "fba_fit_rmse": "FBA-fit data keep the accuracy of c-balanced (RMSE ratio ≤ 1.05)",
}


def _short(model: str) -> str:
    """A model's label without its ``MINN-`` prefix."""
    return model.removeprefix("MINN-")


_FLIPPED = {"helps": "does not help", "does not help": "helps"}


def family(tests: pd.DataFrame | None, alpha: float = ALPHA) -> pd.DataFrame | None:
    """``tests`` (paired-test rows) as one family of tests with Holm-adjusted p-values.

    Rows that already carry ``p_holm`` (from
    :func:`helpers.evaluation.comparison.adjust_family`) are returned as they are. Otherwise
    ``p_holm`` is :func:`~helpers.evaluation.comparison.holm` over the whole table's
    ``p_value`` (rows without one stay NaN) and a 'helps' / 'does not help' verdict whose
    ``p_holm`` is not below ``alpha`` becomes 'inconclusive'. None and empty tables pass through.
    """
    if tests is None or tests.empty or "p_holm" in tests.columns:
        return tests
    out = tests.copy()
    p = out["p_value"] if "p_value" in out.columns else pd.Series(np.nan, index=out.index)
    out["p_holm"] = holm(p.to_numpy(dtype=float))
    if "verdict" in out.columns:
        decided = out["verdict"].isin(["helps", "does not help"]) & ~(out["p_holm"] < alpha)
        out.loc[decided, "verdict"] = "inconclusive"
    return out


def _pair_test(tests: pd.DataFrame | None, a: str, b: str, metric: str) -> dict | None:
    """The row of ``tests`` (paired-test rows: ``a, b, metric, p_value, p_holm, verdict``) for
    ``a`` against ``b``, found in either order (the verdict then read from ``a``'s side), or
    None. ``tests`` should have been through :func:`family`."""
    if tests is None or tests.empty:
        return None
    for first, second, flip in ((a, b, False), (b, a, True)):
        pair = tests[(tests["metric"] == metric) & (tests["a"] == first) & (tests["b"] == second)]
        if not pair.empty and np.isfinite(float(pair.iloc[0].get("p_value", np.nan))):
            row = pair.iloc[0].to_dict()
            if flip:
                row.update(a=a, b=b, verdict=_FLIPPED.get(row["verdict"], row["verdict"]))
            return row
    return None


def _significant(test: dict | None) -> bool:
    """Whether a paired-test row is significant at :data:`ALPHA` after Holm's adjustment."""
    return test is not None and float(test.get("p_holm", np.nan)) < ALPHA


def _finding_verdict(agree: bool, test: dict | None, margin: bool = False) -> str:
    """'holds', 'does not hold' or 'inconclusive' for one finding; 'untested' without a test.

    A finding that one model beats another holds when the means agree with it *and* the
    adjusted test is significant, does not hold when the means disagree and the test is
    significant, and is inconclusive otherwise. A ``margin`` finding (a ratio within a stated
    margin, which a difference test cannot confirm) holds on the means; when the means miss
    the margin, the test decides as above."""
    if test is None:
        return "untested"
    if margin and agree:
        return "holds"
    if _significant(test):
        return "holds" if agree else "does not hold"
    return "inconclusive"


def _ranked(series: pd.Series, claimed: str) -> tuple[str, str]:
    """The lowest of ``series`` and the model it is tested against: the runner-up when the
    lowest is ``claimed``, else ``claimed`` itself."""
    order = series.sort_values()
    winner = order.index[0]
    return winner, (order.index[1] if winner == claimed else claimed)


def check_findings(table: pd.DataFrame, tests: pd.DataFrame | None = None) -> pd.DataFrame:
    """The paper's qualitative findings on Table 3, checked on a table of ours.

    Chapter ``04_conflicting_losses``. ``table`` has a ``model`` column and ``RMSE_mean`` /
    ``L2_mean`` (paper names: MINN-c-balanced, MINN-c-balanced FBA fit, MINN-bound,
    MINN-scheduler, MINN-scheduler-bound, MINN-divided loss). The findings are those of the
    paper's section 3.2 (:cite:`tazza2025minn`). From its text: among the
    :data:`~helpers.minn.loss_conflict.FOUR_STRATEGIES` the
    scheduler has the lowest L2 and c-balanced the lowest RMSE; the divided loss's L2 is orders
    of magnitude higher; FBA-fit data lower L2 and keep the accuracy of c-balanced (RMSE within
    5 %, the paper's own gap being 4 %). From its Table 3 only: c-balanced has a lower RMSE than
    the divided loss (0.678 against 0.703) — the text instead calls the divided loss's gain in
    prediction performance marginal, so this line checks the table's numbers, not a claim of the
    text.

    ``tests`` (optional) is one family of paired-test rows (``a, b, metric, p_value``, as
    ``helpers.evaluation.comparison.paired_wilcoxon`` returns, either order) on per-sample RMSE
    and L2; :func:`family` adds its Holm-adjusted ``p_holm`` when absent. A "lowest of the four"
    finding is tested between the lowest and the runner-up when the claimed model is the lowest,
    else between the lowest and the claimed model.

    Returns one row per finding: ``key`` (a short id), ``finding`` (its fixed label,
    :data:`FINDINGS`), ``model`` and ``value`` (the model the finding is about and its mean —
    for ``divided`` the log10 ratio of its L2 to c-balanced's, for ``fba_fit`` / ``fba_fit_rmse``
    the ratio to c-balanced), ``against`` and ``against_value`` (the model it is compared with and
    its mean), ``means_agree`` (the means say what the finding says), ``p_value`` and ``p_holm``
    of the test of the two models (NaN where absent) and ``verdict`` (:func:`_finding_verdict`:
    'holds' only when the means agree and the adjusted test is significant at :data:`ALPHA`).
    """
    tests = family(tests)
    row = table.set_index("model")
    four = [m for m in FOUR_STRATEGIES if m in row.index]
    l2, rmse = row["L2_mean"], row["RMSE_mean"]
    ref, div, fit = REFERENCE_MODEL, "MINN-divided loss", "MINN-c-balanced FBA fit"
    l2_low, l2_other = _ranked(l2.loc[four], "MINN-scheduler")
    rmse_low, rmse_other = _ranked(rmse.loc[four], ref)
    divided = float(np.log10(l2[div] / l2[ref]))
    fit_l2, fit_rmse = float(l2[fit] / l2[ref]), float(rmse[fit] / rmse[ref])
    # key, measured model and value, compared model and value, means agree, tested pair, margin
    rows = [
        ("scheduler_l2", l2_low, l2[l2_low], l2_other, l2[l2_other], l2_low == "MINN-scheduler",
         (l2_low, l2_other, "L2"), False),
        ("rmse", rmse_low, rmse[rmse_low], rmse_other, rmse[rmse_other], rmse_low == ref,
         (rmse_low, rmse_other, "RMSE"), False),
        ("divided_rmse", ref, rmse[ref], div, rmse[div], bool(rmse[ref] < rmse[div]),
         (ref, div, "RMSE"), False),
        ("divided", div, divided, ref, l2[ref], divided >= 2.0, (div, ref, "L2"), False),
        ("fba_fit", fit, fit_l2, ref, l2[ref], fit_l2 < 1.0, (fit, ref, "L2"), False),
        ("fba_fit_rmse", fit, fit_rmse, ref, rmse[ref], fit_rmse <= 1.05, (fit, ref, "RMSE"),
         True),
    ]
    out = []
    for key, model, value, against, against_value, agree, pair, margin in rows:
        test = _pair_test(tests, *pair)
        out.append({"key": key, "finding": FINDINGS[key], "model": _short(model),
                    "value": float(value), "against": _short(against),
                    "against_value": float(against_value), "means_agree": bool(agree),
                    "p_value": float(test["p_value"]) if test else float("nan"),
                    "p_holm": float(test.get("p_holm", np.nan)) if test else float("nan"),
                    "verdict": _finding_verdict(bool(agree), test, margin)})
    return pd.DataFrame(out)


def _store_test(store_tests: pd.DataFrame | None, model: str, reference: str,
                metric: str) -> dict | None:
    """The paper-protocol test row of ``model`` against ``reference`` on ``metric``, or None
    (absent, or too few folds in the store: no ``p_value``)."""
    if store_tests is None:
        return None
    row = store_tests[(store_tests["a"] == model) & (store_tests["b"] == reference)
                      & (store_tests["metric"] == metric)]
    if row.empty or not np.isfinite(float(row.iloc[0].get("p_value", np.nan))):
        return None
    return row.iloc[0].to_dict()


#: The paper's own practical guide (:cite:`tazza2025minn`, Conclusion), quoted: goal -> advice.
PAPER_GUIDE = (
    ("only high predictive performance", "the standard MINN configuration is sufficient"),
    ("improve the quality of the predicted flux distribution",
     "the optimization strategies presented here can reduce the mechanistic constraints "
     "violation"),
    ("enrich mechanistic models with additional inputs",
     "the MINN-reservoir offers a viable solution to generate constraints in a data-driven way"),
)

#: The book's guide, drawn from the paper's section 3.2 results: (goal, configuration, the result
#: of the paper the row rests on). Fixed labels; :func:`practical_guide` adds the tests.
GUIDE_ROWS = (
    ("best prediction of the measured fluxes", "MINN-c-balanced (c tuned)",
     "Table 3 and text: lowest RMSE of the four strategies (the paper's guide: the standard MINN "
     "is sufficient for predictive performance)"),
    ("flux distributions close to steady state, small loss in accuracy", "MINN-scheduler",
     "text: the scheduler reduces L2 substantially for a marginal rise in RMSE; Table 3: the "
     "lowest L2 of the four strategies"),
    ("targets that are steady states of the GEM", "FBA-fit targets",
     "text and Table 3: FBA-fit data cut L2 to a third without reducing the quality of the "
     "prediction"),
    ("a hard cap on constraint violation", "bound / scheduler-bound",
     "text: better mechanistic fit at a cost in data-driven performance comparable to the "
     "scheduler's"),
    ("is dropping the mechanistic loss worth it for accuracy?",
     "no: the standard MINN (c-balanced), not the divided loss",
     "text: the divided loss's gain in prediction is marginal against an L2 four orders of "
     "magnitude higher"),
)

#: Columns of :func:`practical_guide`.
GUIDE_COLUMNS = ["goal", "configuration", "paper", "metric", "model", "mean", "against",
                 "against_mean", "p_value", "p_holm", "store_metric", "store_mean",
                 "store_against_mean", "store_p_holm", "agrees"]


def _agrees(holds: bool, test: dict | None) -> str:
    """'unclear' when the deciding test is given and not significant after Holm's adjustment
    (``p_holm`` >= :data:`ALPHA`), whichever way the means point; otherwise 'yes' / 'no' from
    the means."""
    if test is not None and not _significant(test):
        return "unclear"
    return "yes" if holds else "no"


def _guide_row(index: int, row: pd.DataFrame, metric: str, model: str, against: str,
               test: dict | None, store: dict | None, store_metric: str, agrees: str) -> dict:
    """One row of :func:`practical_guide`: the fixed labels, the deciding pair's means and
    test, the paper-protocol test (NaN without one) and the verdict."""
    goal, configuration, paper = GUIDE_ROWS[index]
    store = store or {}
    return {"goal": goal, "configuration": configuration, "paper": paper, "metric": metric,
            "model": _short(model), "mean": float(row.loc[model, f"{metric}_mean"]),
            "against": _short(against), "against_mean": float(row.loc[against, f"{metric}_mean"]),
            "p_value": float(test["p_value"]) if test else float("nan"),
            "p_holm": float(test.get("p_holm", np.nan)) if test else float("nan"),
            "store_metric": store_metric, "store_mean": float(store.get("mean_a", np.nan)),
            "store_against_mean": float(store.get("mean_b", np.nan)),
            "store_p_holm": float(store.get("p_holm", np.nan)), "agrees": agrees}


def practical_guide(table: pd.DataFrame, tests: pd.DataFrame | None = None,
                    store_tests: pd.DataFrame | None = None) -> pd.DataFrame:
    """The book's practical guide (:data:`GUIDE_ROWS`), drawn from the paper's section 3.2
    results, row by row beside the test that decides it in our runs (chapter 04).

    The paper's own guide (:data:`PAPER_GUIDE`) has three items and does not name these
    configurations; the rows are the book's reading of the paper's Table 3 and section 3.2
    text, and the ``paper`` column says which result each row rests on.

    ``table`` is a Table 3 of ours (``model``, ``RMSE_mean``, ``NE_mean``, ``L2_mean``);
    ``tests`` one family of paired-test rows between its rows on RMSE, NE and L2 over the same
    folds (``a, b, metric, p_value, verdict``, either order); ``store_tests`` one family of
    paper-protocol tests (:func:`helpers.book.paper.paired_tests`, ``mean_a, mean_b`` too; rows
    without a ``p_value`` count as too few folds); both go through :func:`family`, so every
    verdict reads the Holm-adjusted ``p_holm``.

    Returns the columns :data:`GUIDE_COLUMNS`: the labels, the deciding pair (``model`` against
    ``against`` on ``metric``: their means, the raw and adjusted p of their test, NaN without
    one), the paper-protocol test of the row's configuration against c-balanced on
    ``store_metric`` (the scheduler's on L2, the others' on NE; NaN while the store has too few
    folds) and ``agrees``, by one rule: the means say "yes" or "no" to what the row rests on
    (c-balanced the lowest RMSE of :data:`~helpers.minn.loss_conflict.FOUR_STRATEGIES`; the
    scheduler the lowest L2 of the four; FBA fit a lower L2 than c-balanced; bound a lower L2
    than c-balanced; divided loss an L2 two or more orders higher), and "unclear" replaces it
    when the test of the deciding pair is given with adjusted p >= 0.05. The FBA-fit row is "no"
    whenever a test given (ours or the store's) finds its NE on the measured fluxes significantly
    worse after adjustment.
    """
    row = table.set_index("model")
    tests = family(tests)
    if store_tests is not None:
        store_tests = family(store_tests.reindex(columns=list(dict.fromkeys(
            [*store_tests.columns, "a", "b", "metric", "p_value", "verdict"]))))
    ref = REFERENCE_MODEL
    best, runner = _ranked(_sorted_four(row, "RMSE_mean"), ref)
    best_test = _pair_test(tests, best, runner, "RMSE")
    lowest, other = _ranked(_sorted_four(row, "L2_mean"), _SCHEDULER)
    l2_test = _pair_test(tests, lowest, other, "L2")
    fit_test = _pair_test(tests, _FIT, ref, "L2")
    fit_store = _store_test(store_tests, _FIT, ref, "NE")
    bound_test = _pair_test(tests, "MINN-bound", ref, "L2")
    div_test = _pair_test(tests, _DIVIDED, ref, "L2")
    l2 = row["L2_mean"]
    return pd.DataFrame([
        _guide_row(0, row, "RMSE", best, runner, best_test, None, "", _agrees(best == ref,
                                                                              best_test)),
        _guide_row(1, row, "L2", lowest, other, l2_test,
                   _store_test(store_tests, _SCHEDULER, ref, "L2"), "L2",
                   _agrees(lowest == _SCHEDULER, l2_test)),
        _guide_row(2, row, "L2", _FIT, ref, fit_test, fit_store, "NE",
                   "no" if _fit_worse(tests, fit_store) else _agrees(bool(l2[_FIT] < l2[ref]),
                                                                     fit_test)),
        _guide_row(3, row, "L2", "MINN-bound", ref, bound_test,
                   _store_test(store_tests, "MINN-bound", ref, "NE"), "NE",
                   _agrees(bool(l2["MINN-bound"] < l2[ref]), bound_test)),
        _guide_row(4, row, "L2", _DIVIDED, ref, div_test,
                   _store_test(store_tests, _DIVIDED, ref, "NE"), "NE",
                   _agrees(float(np.log10(l2[_DIVIDED] / l2[ref])) >= 2, div_test)),
    ], columns=GUIDE_COLUMNS)


_FIT, _DIVIDED, _SCHEDULER = "MINN-c-balanced FBA fit", "MINN-divided loss", "MINN-scheduler"


def _sorted_four(row: pd.DataFrame, column: str) -> pd.Series:
    """``column`` of the :data:`~helpers.minn.loss_conflict.FOUR_STRATEGIES` present, ascending."""
    return row[column].loc[[m for m in FOUR_STRATEGIES if m in row.index]].sort_values()


def _fit_worse(tests: pd.DataFrame | None, store: dict | None) -> bool:
    """Whether our NE test of the FBA-fit row against c-balanced, or the store's, finds it
    significantly worse after Holm's adjustment."""
    found = [t for t in (_pair_test(tests, _FIT, REFERENCE_MODEL, "NE"), store) if t]
    return any(t["verdict"] == "does not help" and _significant(t) for t in found)
