"""Comparison tables and tests across models evaluated on the same leave-one-out folds."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

from helpers.evaluation.metrics import summarize
from helpers.evaluation.paper_results import paper_table

__all__ = ["comparison_table", "paired_wilcoxon"]


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
