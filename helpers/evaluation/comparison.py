"""Comparison tables and tests across models evaluated on the same leave-one-out folds."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

from helpers.evaluation.metrics import summarize
from helpers.evaluation.paper_results import paper_table

__all__ = ["comparison_table", "paired_wilcoxon", "ratio_to_paper", "l2_ratio_verdict"]


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


def paired_wilcoxon(per_sample: pd.DataFrame, model_a: str, model_b: str,
                    metric: str) -> dict[str, float]:
    """Two-sided Wilcoxon signed-rank test of ``metric`` between two models over the same folds."""
    a = per_sample[per_sample.model == model_a].set_index("sample")[metric]
    b = per_sample[per_sample.model == model_b].set_index("sample")[metric]
    common = a.index.intersection(b.index)
    if len(common) < 5:
        raise ValueError(f"{model_a!r} and {model_b!r} share only {len(common)} folds")
    diff = a[common] - b[common]
    test = wilcoxon(a[common], b[common])
    return {"n_folds": int(len(common)), "median_difference": float(np.median(diff)),
            "wins_a": int((diff < 0).sum()), "statistic": float(test.statistic),
            "p_value": float(test.pvalue)}


def ratio_to_paper(table: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """Per model, ours / paper's mean of each metric (chapter ``04_conflicting_losses``).

    ``table`` is a :func:`comparison_table`; models without a paper value get NaN.
    """
    out = pd.DataFrame({"model": table["model"]})
    for metric in metrics:
        paper = table.get(f"paper_{metric}_mean")
        out[f"{metric}_ratio"] = (table[f"{metric}_mean"] / paper) if paper is not None else np.nan
    return out


def l2_ratio_verdict(ratios: pd.DataFrame, paper_l2: pd.Series,
                     factors: dict[str, float]) -> dict[str, object]:
    """Is the L2 gap to the paper a constant factor (a normalisation) or does it vary?

    ``ratios`` holds ``L2_ratio`` per model (:func:`ratio_to_paper`); ``paper_l2`` the paper's
    L2 means of the same models. The gap counts as constant when the ratios' spread (in orders
    of magnitude, max - min of log10) is less than a third of the spread of the paper's own L2
    values, and at most one order of magnitude. ``factors`` are candidate normalisations
    (e.g. ``{"m": 1668, "n": 1873}``); the closest to the median ratio (in log10) is named.
    """
    log_ratio = np.log10(ratios["L2_ratio"].dropna().to_numpy(dtype=float))
    log_paper = np.log10(paper_l2.dropna().to_numpy(dtype=float))
    if log_ratio.size < 2:
        raise ValueError("Need the L2 ratio of at least two models.")
    spread = float(log_ratio.max() - log_ratio.min())
    paper_spread = float(log_paper.max() - log_paper.min())
    median = float(np.median(log_ratio))
    closest = min(factors, key=lambda k: abs(np.log10(factors[k]) - median)) if factors else None
    return {
        "ratio_spread_orders": spread,
        "paper_spread_orders": paper_spread,
        "median_ratio": float(10 ** median),
        "constant": bool(spread <= 1.0 and spread < paper_spread / 3),
        "closest_factor": closest,
        "closest_factor_value": factors.get(closest) if closest else None,
        "residual_orders": float(median - np.log10(factors[closest])) if closest else None,
    }
