"""Chapter ``10_beyond``'s family of paired tests as effects, for its forest figure.

The chapter's 48 tests (one Holm family, ``table_beyond_verdicts``) were each run on a different
per-pair table: the headline leave-one-out, the omics and fusion experiments (pairs within a
model, by split and sample), leave-group-out and its NE increase, and the learning-curve draws.
:func:`family_source` maps a row of the family back to the table, the naming column and the keys
its test paired on, so that :func:`helpers.book.forest.family_intervals` can give every test its
effect and interval; :func:`effect_labels` names each row for the figure's axis.

Introduced in chapter ``10_beyond``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

__all__ = ["SHORT_NAMES", "family_source", "effect_labels"]

#: Short names of the chapter's models on the figure's axis.
SHORT_NAMES = {"MINN-c-balanced-exact": "exact", "MINN-c-balanced": "c-balanced",
               "network-only": "network", "intermediate": "interm."}


def family_source(*, headline: pd.DataFrame, omics: pd.DataFrame, fusion: pd.DataFrame,
                  ood: pd.DataFrame, ood_increase: pd.DataFrame, draws: pd.DataFrame
                  ) -> Callable[[pd.Series], tuple[pd.DataFrame, str, Sequence[str]]]:
    """``row -> (table, by, keys)`` for the rows of chapter 10's family (column ``question``).

    'exact layer': ``headline`` by model and sample; 'which omics' / 'integration': ``omics`` /
    ``fusion`` restricted to the row's ``model``, by omics / fusion, split and sample; 'out of
    distribution': ``ood`` (setting 'group out') or ``ood_increase`` (the NE increase), by model
    and sample; 'label scarcity': ``draws`` at the row's ``k``, by model and draw. Any other
    question is a :class:`ValueError` naming it.
    """
    def source(row: pd.Series) -> tuple[pd.DataFrame, str, Sequence[str]]:
        if row["question"] == "exact layer":
            return headline, "model", ("sample",)
        if row["question"] in ("which omics", "integration"):
            table, by = (omics, "omics") if row["question"] == "which omics" else (fusion, "fusion")
            return table[table["model"] == row["model"]], by, ("split", "sample")
        if row["question"] == "out of distribution":
            table = ood if row["setting"] == "group out" else ood_increase
            return table, "model", ("sample",)
        if row["question"] == "label scarcity":
            return draws[draws["k"] == row["k"]], "model", ("draw",)
        raise ValueError(f"family_source: unknown question {row['question']!r}; known: 'exact "
                         "layer', 'which omics', 'integration', 'out of distribution', "
                         "'label scarcity'.")

    return source


def effect_labels(family: pd.DataFrame, short: dict[str, str] | None = None) -> pd.Series:
    """One axis label per row: ``[model: ]a − b[, k=K][, setting][ (metric)]`` with
    :data:`SHORT_NAMES` (or ``short``); the metric is left out where it repeats the setting."""
    short = SHORT_NAMES if short is None else short
    labels = []
    for _, r in family.iterrows():
        model, k, setting = r.get("model"), r.get("k"), r.get("setting")
        text = f"{model}: " if isinstance(model, str) else ""
        text += f"{short.get(r['a'], r['a'])} − {short.get(r['b'], r['b'])}"
        text += f", k={int(k)}" if k is not None and pd.notna(k) else ""
        text += f", {setting}" if isinstance(setting, str) else ""
        text += f" ({r['metric']})" if r["metric"] != setting else ""
        labels.append(text)
    return pd.Series(labels, index=family.index, name="label")
