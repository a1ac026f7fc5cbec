"""Comparison tables and tests across models evaluated on the same leave-one-out folds.

Introduced in chapter ``03_minn_vs_ml`` (Table 2 and the paired Wilcoxon test of MINN against
RF); ``04_conflicting_losses`` adds the ratios to the paper (:func:`ratio_to_paper`; its
L2-gap verdict is :func:`helpers.minn.loss_conflict.l2_gap`), ``06_reservoir_pfba`` builds
Table 4 with the table and ``10_beyond`` reuses the paired test.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

from helpers.evaluation.metrics import summarize
from helpers.evaluation.paper_results import paper_table

__all__ = ["comparison_table", "paired_wilcoxon", "verdict", "MIN_PAIRS", "ratio_to_paper", "holm",
           "adjust_family"]


def comparison_table(per_sample: pd.DataFrame, paper: str, *, metrics: list[str],
                     paper_names: dict[str, str] | None = None) -> pd.DataFrame:
    """Our mean ± sd per model beside the paper's values of table ``paper``.

    ``paper_names`` maps our model labels onto the paper's (default: identical labels).
    """
    ours = summarize(per_sample, metrics)
    names = paper_names or {}
    ours["paper_model"] = [names.get(m, m) for m in ours["model"]]
    published = paper_table(paper).rename(columns={"model": "paper_model"})
    keep = ["paper_model"] + [f"paper_{m}_{s}" for m in metrics for s in ("mean", "sd")
                              if f"paper_{m}_mean" in published.columns]
    return ours.merge(published[keep], on="paper_model", how="left")


#: Fewest pairs :func:`paired_wilcoxon` accepts: with 5 pairs the smallest two-sided p-value of
#: the signed-rank test is 0.0625, so no difference could ever be significant at 5 %.
MIN_PAIRS = 6


def verdict(p_value: float, a_better: bool, alpha: float = 0.05) -> str:
    """'helps' (a better, p < alpha), 'does not help' (a worse, p < alpha) or 'inconclusive'."""
    if not np.isfinite(p_value) or p_value >= alpha:
        return "inconclusive"
    return "helps" if a_better else "does not help"


def paired_wilcoxon(table: pd.DataFrame, model_a: str, model_b: str, metric: str, *,
                    keys: Sequence[str] = ("sample",), by: str = "model",
                    alpha: float = 0.05, higher_is_better: bool | None = None,
                    tie_tol: float = 0.0, min_pairs: int = MIN_PAIRS) -> dict:
    """Two-sided Wilcoxon signed-rank test of ``metric``, ``model_a`` against ``model_b``.

    Introduced in chapter ``03_minn_vs_ml`` (MINN against RF over the 29 folds); chapters
    ``05_gem_choice``, ``06_reservoir_pfba`` and ``10_beyond`` use it too. The rows of ``table``
    whose ``by`` column is ``model_a`` are paired with those of ``model_b`` on ``keys`` (default:
    the held-out sample; chapter 10 pairs by split and sample, or by learning-curve draw). Lower
    ``metric`` is better, unless ``higher_is_better`` (None: True for the R² metrics, whose
    names start with 'R2'). Pairs whose difference is within ``tie_tol`` are ties: counted, and
    left out of the test (0.0 leaves out exact ties only, scipy's default).

    Returns ``a``, ``b``, ``metric``, ``n_pairs``, both means over the pairs, the median of
    ``a - b``, ``wins_a`` (pairs where ``a`` is better), ``ties``, ``p_value`` (1.0 when every
    pair ties) and :func:`verdict`. Raises :class:`ValueError` for fewer than ``min_pairs``
    pairs (default :data:`MIN_PAIRS`).
    """
    higher = metric.startswith("R2") if higher_is_better is None else bool(higher_is_better)
    a = table[table[by] == model_a].set_index(list(keys))[metric]
    b = table[table[by] == model_b].set_index(list(keys))[metric]
    common = a.index.intersection(b.index)
    if len(common) < min_pairs:
        raise ValueError(f"{model_a!r} and {model_b!r} share only {len(common)} paired rows "
                         f"on {list(keys)}; a Wilcoxon test needs at least {min_pairs}.")
    diff = (a[common] - b[common]).to_numpy(dtype=float)
    tie = np.abs(diff) <= tie_tol
    p = float(wilcoxon(diff[~tie]).pvalue) if np.any(~tie) else 1.0
    median = float(np.median(diff))
    better = (diff > 0) if higher else (diff < 0)
    return {"a": model_a, "b": model_b, "metric": metric, "n_pairs": int(len(common)),
            "mean_a": float(a[common].mean()), "mean_b": float(b[common].mean()),
            "median_difference": median, "wins_a": int((better & ~tie).sum()),
            "ties": int(tie.sum()), "p_value": p,
            "verdict": verdict(p, median > 0 if higher else median < 0, alpha)}


def ratio_to_paper(table: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Per model, ours / paper's mean of each metric (chapter ``04_conflicting_losses``).

    ``table`` is a :func:`comparison_table`; models without a paper value get NaN.
    """
    out = pd.DataFrame({"model": table["model"]})
    for metric in metrics:
        paper = table.get(f"paper_{metric}_mean")
        out[f"{metric}_ratio"] = (table[f"{metric}_mean"] / paper) if paper is not None else np.nan
    return out


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values of one family of tests (NaN stays NaN).

    The k-th smallest of m finite p-values is multiplied by ``m - k + 1``; a running maximum keeps
    the order, and values are capped at 1. A test is significant at level alpha after correction
    exactly when Holm's procedure rejects it.
    """
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    finite = np.isfinite(p)
    q = p[finite]
    order = np.argsort(q, kind="stable")
    steps = (len(q) - np.arange(len(q))) * q[order]
    adjusted = np.empty(len(q))
    adjusted[order] = np.minimum(1.0, np.maximum.accumulate(steps)) if len(q) else steps
    out[finite] = adjusted
    return out


def adjust_family(tests: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """One family of :func:`paired_wilcoxon` results with Holm-adjusted p-values.

    Adds ``p_holm`` (:func:`holm` over the family's ``p_value``), ``mean_better_a`` (whether
    ``a``'s mean over the pairs is better than ``b``'s, in the metric's direction) and recomputes
    ``verdict`` on ``p_holm``; the raw ``p_value`` is kept. ``tests`` needs the columns of
    :func:`paired_wilcoxon` (``metric``, ``mean_a``, ``mean_b``, ``median_difference``,
    ``p_value``).
    """
    out = tests.copy()
    out["p_holm"] = holm(out["p_value"].to_numpy(dtype=float))
    higher = out["metric"].astype(str).str.startswith("R2").to_numpy()
    diff_mean = (out["mean_a"] - out["mean_b"]).to_numpy(dtype=float)
    out["mean_better_a"] = np.where(higher, diff_mean > 0, diff_mean < 0)
    median = out["median_difference"].to_numpy(dtype=float)
    median_better = np.where(higher, median > 0, median < 0)
    out["verdict"] = [verdict(p, better, alpha) for p, better in zip(out["p_holm"], median_better,
                                                                      strict=True)]
    return out
