"""Chapter ``04_conflicting_losses`` in words: the paper's findings checked, and the practical guide.

The numbers come from :mod:`helpers.minn.loss_conflict` (the strategies, the L2 gap) and the paired
tests of :func:`helpers.evaluation.comparison.paired_wilcoxon`; this module turns them into the
sentences the chapter shows: :func:`check_findings` (the paper's qualitative claims on a Table 3,
one line each, :cite:`tazza2025minn` section 3.2) and :func:`practical_guide` (the book's practical
guide beside what our runs say). Every verdict reads the Holm-adjusted p-value of its test
(``p_holm``, :func:`family`): one family is one table of paired tests.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.evaluation.comparison import holm
from helpers.minn.loss_conflict import FOUR_STRATEGIES, REFERENCE_MODEL

__all__ = ["check_findings", "practical_guide", "family", "PAPER_GUIDE", "ALPHA"]

#: Significance level of every verdict here, read from the Holm-adjusted p-value.
ALPHA = 0.05


def _num(value: float) -> str:
    """``value`` with 3 significant figures (scientific below 1e-3 or above 1e4)."""
    value = float(value)
    if not np.isfinite(value):
        return "–"
    return f"{value:.2e}" if value != 0 and not 1e-3 <= abs(value) < 1e4 else f"{value:.3g}"


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

    Returns one row per finding: ``key`` (a short id), ``finding``, ``measured`` (the model the
    finding is about and its value), ``against`` (the model it is compared with and its value),
    ``means_agree`` (the means say what the finding says), ``p_value`` and ``p_holm`` of the
    test of the two models (NaN where absent) and ``verdict`` (:func:`_finding_verdict`:
    'holds' only when the means agree and the adjusted test is significant at :data:`ALPHA`).
    """
    tests = family(tests)
    row = table.set_index("model")
    four = [m for m in FOUR_STRATEGIES if m in row.index]
    names = ", ".join(_short(m) for m in four)
    l2, rmse = row["L2_mean"], row["RMSE_mean"]
    ref, div, fit = REFERENCE_MODEL, "MINN-divided loss", "MINN-c-balanced FBA fit"
    l2_low, l2_other = _ranked(l2.loc[four], "MINN-scheduler")
    rmse_low, rmse_other = _ranked(rmse.loc[four], ref)
    divided = float(np.log10(l2[div] / l2[ref]))
    fit_l2, fit_rmse = float(l2[fit] / l2[ref]), float(rmse[fit] / rmse[ref])

    def cell(model, series):
        return f"{_short(model)} {_num(series[model])}"

    rows = [
        ("scheduler_l2", f"the scheduler gives the lowest L2 of the four strategies ({names})",
         cell(l2_low, l2), cell(l2_other, l2), l2_low == "MINN-scheduler",
         (l2_low, l2_other, "L2"), False),
        ("rmse", f"c-balanced gives the lowest RMSE of the four strategies ({names})",
         cell(rmse_low, rmse), cell(rmse_other, rmse), rmse_low == ref,
         (rmse_low, rmse_other, "RMSE"), False),
        ("divided_rmse", "c-balanced has a lower RMSE than the divided loss (the paper's Table 3; "
         "its text calls the divided loss's gain marginal)", cell(ref, rmse),
         cell(div, rmse), bool(rmse[ref] < rmse[div]), (ref, div, "RMSE"), False),
        ("divided", "divided loss raises L2 by orders of magnitude (log10 ratio to c-balanced)",
         f"{divided:.2f}", cell(ref, l2), divided >= 2.0, (div, ref, "L2"), False),
        ("fba_fit", "FBA-fit data lower L2 (ratio to c-balanced)", f"{fit_l2:.3g}",
         cell(ref, l2), fit_l2 < 1.0, (fit, ref, "L2"), False),
        ("fba_fit_rmse", "FBA-fit data keep the accuracy of c-balanced (RMSE ratio ≤ 1.05)",
         f"{fit_rmse:.3g}", cell(ref, rmse), fit_rmse <= 1.05, (fit, ref, "RMSE"), True),
    ]
    out = []
    for key, finding, measured, against, agree, pair, margin in rows:
        test = _pair_test(tests, *pair)
        out.append({"key": key, "finding": finding, "measured": measured, "against": against,
                    "means_agree": bool(agree),
                    "p_value": float(test["p_value"]) if test else float("nan"),
                    "p_holm": float(test.get("p_holm", np.nan)) if test else float("nan"),
                    "verdict": _finding_verdict(bool(agree), test, margin)})
    return pd.DataFrame(out)


def _test_text(test: dict | None) -> str:
    """' (p = 0.012, Holm 0.036, helps)' for a paired-test row, '' without one."""
    if test is None:
        return ""
    return (f" (p = {float(test['p_value']):.2g}, Holm {float(test.get('p_holm', np.nan)):.2g}, "
            f"{test['verdict']})")


def _store_text(store_tests: pd.DataFrame | None, model: str, reference: str,
                metric: str = "NE") -> str:
    """What the paper-protocol test of ``model`` against ``reference`` on ``metric`` says, as
    one clause (means, wins, raw and Holm-adjusted p, verdict)."""
    if store_tests is None:
        return ""
    row = store_tests[(store_tests["a"] == model) & (store_tests["b"] == reference)
                      & (store_tests["metric"] == metric)]
    if row.empty or not np.isfinite(float(row.iloc[0].get("p_value", np.nan))):
        return "; paper protocol: not enough folds in the store yet"
    r = row.iloc[0]
    return (f"; paper protocol: {r['metric']} {_num(r['mean_a'])} vs {_num(r['mean_b'])}, "
            f"better in {int(r['wins_a'])} of {int(r['n_pairs'])} folds, p = "
            f"{float(r['p_value']):.2g}, Holm {float(r['p_holm']):.2g} ({r['verdict']})")


#: The paper's own practical guide (:cite:`tazza2025minn`, Conclusion), quoted: goal -> advice.
PAPER_GUIDE = (
    ("only high predictive performance", "the standard MINN configuration is sufficient"),
    ("improve the quality of the predicted flux distribution",
     "the optimization strategies presented here can reduce the mechanistic constraints "
     "violation"),
    ("enrich mechanistic models with additional inputs",
     "the MINN-reservoir offers a viable solution to generate constraints in a data-driven way"),
)

def _agrees(holds: bool, test: dict | None) -> str:
    """'unclear' when the deciding test is given and not significant after Holm's adjustment
    (``p_holm`` >= :data:`ALPHA`), whichever way the means point; otherwise 'yes' / 'no' from
    the means."""
    if test is not None and not _significant(test):
        return "unclear"
    return "yes" if holds else "no"


def practical_guide(table: pd.DataFrame, tests: pd.DataFrame | None = None,
                    store_tests: pd.DataFrame | None = None, *, bound: float,
                    label: str = "ours") -> pd.DataFrame:
    """The book's practical guide, drawn from the paper's section 3.2 results, row by row beside
    what our runs say (chapter 04).

    The paper's own guide (:data:`PAPER_GUIDE`) has three items and does not name these
    configurations; the rows here are the book's reading of the paper's Table 3 and section 3.2
    text, and the ``paper`` column says which result each row rests on.

    ``table`` is a Table 3 of ours (``model``, ``RMSE_mean``, ``NE_mean``, ``L2_mean``);
    ``tests`` one family of paired-test rows between its rows on RMSE, NE and L2 over the same
    folds (``a, b, metric, p_value, verdict``, either order); ``store_tests`` one family of
    paper-protocol tests (:func:`helpers.book.paper.paired_tests`; its NE tests against
    :data:`~helpers.minn.loss_conflict.REFERENCE_MODEL` add their verdict where a row is in the
    store, and the scheduler's row adds its L2 test; ``mean_a, mean_b, wins_a, n_pairs`` too;
    rows without a ``p_value`` count as too few folds); both go through :func:`family`, so
    every verdict reads the Holm-adjusted ``p_holm``. ``bound`` is the threshold ``b`` of the
    bound variants; ``label`` names ``table``'s profile.

    Returns ``goal``, ``configuration``, ``paper`` (the result the row rests on), ``our runs``
    (the numbers) and ``agrees``, by one rule: the means say "yes" or "no" to what the row rests
    on (c-balanced the lowest RMSE of :data:`~helpers.minn.loss_conflict.FOUR_STRATEGIES`; the
    scheduler the lowest L2 of the four; FBA fit a lower L2 than c-balanced; bound a lower L2
    than c-balanced; divided loss an L2 two or more orders higher), and "unclear" replaces it
    when the test of the deciding pair (winner against runner-up, or the winner against the
    row's configuration, or the row against c-balanced) is given with adjusted p >= 0.05. The
    FBA-fit row is "no" whenever a test given finds its NE on the measured fluxes significantly
    worse after adjustment.
    """
    row = table.set_index("model")
    tests = family(tests)
    if store_tests is not None:
        store_tests = family(store_tests.reindex(columns=list(dict.fromkeys(
            [*store_tests.columns, "a", "b", "metric", "p_value", "verdict"]))))
    rows = [_accuracy_row(row, tests, label),
            _steady_state_row(row, tests, store_tests, label),
            _fba_fit_row(row, tests, store_tests, label),
            _bound_row(row, tests, store_tests, label, bound),
            _divided_row(row, tests, store_tests, label)]
    return pd.DataFrame(rows, columns=["goal", "configuration", "paper", "our runs", "agrees"])


_FIT, _DIVIDED, _SCHEDULER = "MINN-c-balanced FBA fit", "MINN-divided loss", "MINN-scheduler"


def _sorted_four(row: pd.DataFrame, column: str) -> pd.Series:
    """``column`` of the :data:`~helpers.minn.loss_conflict.FOUR_STRATEGIES` present, ascending."""
    return row[column].loc[[m for m in FOUR_STRATEGIES if m in row.index]].sort_values()


def _accuracy_row(row: pd.DataFrame, tests: pd.DataFrame | None, label: str) -> tuple:
    """The guide's row on the best prediction of the measured fluxes (lowest RMSE)."""
    rmse = row["RMSE_mean"]
    best, runner = _ranked(_sorted_four(row, "RMSE_mean"), REFERENCE_MODEL)
    best_test = _pair_test(tests, best, runner, "RMSE")
    return ("best prediction of the measured fluxes", "MINN-c-balanced (c tuned)",
            "Table 3 and text: lowest RMSE of the four strategies (the paper's guide: the standard "
            "MINN is sufficient for predictive performance)",
            f"{label}: lowest RMSE of the four: {_short(best)} {_num(rmse[best])}, tested "
            f"against {_short(runner)} {_num(rmse[runner])}{_test_text(best_test)}",
            _agrees(best == REFERENCE_MODEL, best_test))


def _steady_state_row(row: pd.DataFrame, tests: pd.DataFrame | None,
                      store_tests: pd.DataFrame | None, label: str) -> tuple:
    """The guide's row on flux distributions close to steady state (the scheduler)."""
    ref, sched = REFERENCE_MODEL, _SCHEDULER
    rmse, l2 = row["RMSE_mean"], row["L2_mean"]
    lowest, other = _ranked(_sorted_four(row, "L2_mean"), sched)
    l2_test = _pair_test(tests, lowest, other, "L2")
    return ("flux distributions close to steady state, small loss in accuracy", sched,
            "text: the scheduler reduces L2 substantially for a marginal rise in RMSE; Table 3: "
            "the lowest L2 of the four strategies",
            f"{label}: lowest L2 of the four: {_short(lowest)} {_num(l2[lowest])}, tested against "
            f"{_short(other)} {_num(l2[other])}{_test_text(l2_test)}; scheduler "
            f"L2 {_num(l2[sched])} vs c-balanced {_num(l2[ref])}, RMSE {_num(rmse[sched])} vs "
            f"{_num(rmse[ref])}{_store_text(store_tests, sched, ref, 'L2')}",
            _agrees(lowest == sched, l2_test))


def _fba_fit_row(row: pd.DataFrame, tests: pd.DataFrame | None,
                 store_tests: pd.DataFrame | None, label: str) -> tuple:
    """The guide's row on FBA-fit targets: "no" whenever a test given finds its NE on the
    measured fluxes significantly worse."""
    ref, fit = REFERENCE_MODEL, _FIT
    ne, l2 = row["NE_mean"], row["L2_mean"]
    ne_test = _pair_test(tests, fit, ref, "NE")
    fit_tests = [t for t in (ne_test,) if t]
    if store_tests is not None:
        fit_tests += [r for _, r in store_tests[(store_tests["a"] == fit)
                                                & (store_tests["metric"] == "NE")].iterrows()
                      if np.isfinite(float(r["p_value"]))]
    fit_worse = any(t["verdict"] == "does not help" and _significant(t) for t in fit_tests)
    fit_l2_test = _pair_test(tests, fit, ref, "L2")
    return ("targets that are steady states of the GEM", "FBA-fit targets",
            "text and Table 3: FBA-fit data cut L2 to a third without reducing the quality of the "
            "prediction",
            f"{label}: L2 {_num(l2[fit] / l2[ref])} × c-balanced's{_test_text(fit_l2_test)}; "
            f"NE on the measured fluxes {_num(ne[fit])} vs {_num(ne[ref])}"
            f"{_test_text(ne_test)}{_store_text(store_tests, fit, ref)}",
            "no" if fit_worse else _agrees(bool(l2[fit] < l2[ref]), fit_l2_test))


def _bound_row(row: pd.DataFrame, tests: pd.DataFrame | None, store_tests: pd.DataFrame | None,
               label: str, bound: float) -> tuple:
    """The guide's row on a hard cap on constraint violation (the bound variants)."""
    ref, l2 = REFERENCE_MODEL, row["L2_mean"]
    bound_test = _pair_test(tests, "MINN-bound", ref, "L2")
    active = l2.dropna().min() > bound
    return ("a hard cap on constraint violation", "bound / scheduler-bound",
            "text: better mechanistic fit at a cost in data-driven performance comparable to the "
            "scheduler's",
            f"{label}: b = {bound:g} is "
            + ("below the mean L2 of every row, so the bound is active throughout and acts as a "
               "doubled mechanistic weight" if active else "within the L2 range of our rows")
            + f"; bound L2 {_num(l2['MINN-bound'])} vs c-balanced {_num(l2[ref])}"
            f"{_test_text(bound_test)}{_store_text(store_tests, 'MINN-bound', ref)}",
            _agrees(bool(l2["MINN-bound"] < l2[ref]), bound_test))


def _divided_row(row: pd.DataFrame, tests: pd.DataFrame | None,
                 store_tests: pd.DataFrame | None, label: str) -> tuple:
    """The guide's row on dropping the mechanistic loss (the divided loss)."""
    ref, div = REFERENCE_MODEL, _DIVIDED
    rmse, l2 = row["RMSE_mean"], row["L2_mean"]
    div_test = _pair_test(tests, div, ref, "L2")
    orders = float(np.log10(l2[div] / l2[ref]))
    return ("is dropping the mechanistic loss worth it for accuracy?",
            "no: the standard MINN (c-balanced), not the divided loss",
            "text: the divided loss's gain in prediction is marginal against an L2 four orders "
            "of magnitude higher",
            f"{label}: L2 {orders:.1f} orders above c-balanced{_test_text(div_test)}; RMSE "
            f"{_num(rmse[div])} vs {_num(rmse[ref])}{_test_text(_pair_test(tests, div, ref, 'RMSE'))}"
            f"{_store_text(store_tests, div, ref)}",
            _agrees(orders >= 2, div_test))
