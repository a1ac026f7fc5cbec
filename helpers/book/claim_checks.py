"""The readers behind the claims ledger (:mod:`helpers.book.claims`): a table, a row, a verdict.

Every check reads the CSV tables the chapters wrote (:func:`helpers.book.tables.read_table`) and
returns ``(verdict, evidence)``. A paired test's verdict uses its Holm-adjusted p (``p_holm``)
where the table has one, its raw p otherwise, and the evidence says which; a comparison the tables
hold only as means is judged on the means, and the evidence says so.
"""

from __future__ import annotations

import math

import pandas as pd

from helpers.book.tables import read_table
from helpers.evaluation.comparison import adjust_family

CONFIRMED = "confirmed"
CONTRADICTED = "contradicted"
NOT_SIGNIFICANT = "not significant"
NOT_TESTABLE = "not testable"
NOT_RUN = "not run"
#: Every verdict the ledger gives, in the order its count is shown.
VERDICTS = (CONFIRMED, CONTRADICTED, NOT_SIGNIFICANT, NOT_TESTABLE, NOT_RUN)
ALPHA = 0.05
#: Metrics where a larger value is better (all others: lower is better).
HIGHER_IS_BETTER = ("R2",)


class MissingTable(Exception):
    """A table a claim reads was never written (its chapter has not run)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class ClaimTableError(ValueError):
    """A table exists but lacks the row or column a claim reads."""


def table(name: str) -> pd.DataFrame:
    """The chapter table ``name``; :class:`MissingTable` if it was never written."""
    try:
        return read_table(name)
    except FileNotFoundError as exc:
        raise MissingTable(name) from exc


def first_table(*names: str) -> tuple[str, pd.DataFrame]:
    """The first of ``names`` that exists, with its name; :class:`MissingTable` (the last) if none."""
    for name in names:
        try:
            return name, table(name)
        except MissingTable:
            continue
    raise MissingTable(names[-1])


def row(frame: pd.DataFrame, name: str, **match) -> pd.Series:
    """The one row of table ``name`` whose columns equal ``match``; a clear error otherwise."""
    missing = [c for c in match if c not in frame.columns]
    if missing:
        raise ClaimTableError(f"Table {name!r} has no column(s) {missing}; "
                              f"columns: {list(frame.columns)}.")
    mask = pd.Series(True, index=frame.index)
    for column, value in match.items():
        mask &= frame[column].astype(str) == str(value)
    if not mask.any():
        raise ClaimTableError(f"Table {name!r} has no row with {match}.")
    return frame[mask].iloc[0]


def value(frame: pd.DataFrame, name: str, column: str, **match) -> float:
    """``column`` of the row :func:`row` finds, as a float."""
    found = row(frame, name, **match)
    if column not in found.index:
        raise ClaimTableError(f"Table {name!r} has no column {column!r}.")
    return float(found[column])


def adjusted_p(test: pd.Series) -> tuple[float, str]:
    """``(p, label)``: the Holm-adjusted p where the row has one, else the raw p ('raw p')."""
    if "p_holm" in test.index and pd.notna(test["p_holm"]):
        return float(test["p_holm"]), "Holm-adjusted p"
    return float(test["p_value"]), "raw p (no Holm column)"


def fmt(x: float) -> str:
    """A number for the evidence text: 3 significant figures, p-values in short form."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:.3g}"


def better_verdict(a_better: bool, p: float, alpha: float = ALPHA) -> str:
    """Confirmed (a better, p < alpha), contradicted (a worse, p < alpha), else not significant."""
    if not math.isfinite(p) or p >= alpha:
        return NOT_SIGNIFICANT
    return CONFIRMED if a_better else CONTRADICTED


def paired(name: str, a: str, b: str, metric: str, **extra) -> tuple[str, str]:
    """Claim 'a is better than b on metric', read from the paired-test table ``name``.

    The row may list the pair either way round (``a``/``b`` swapped); the direction is read from
    the means. ``extra`` narrows the row (e.g. ``model=...``, ``setting=...``).
    """
    frame = table(name)
    try:
        test, swapped = row(frame, name, a=a, b=b, metric=metric, **extra), False
    except ClaimTableError:
        test, swapped = row(frame, name, a=b, b=a, metric=metric, **extra), True
    mean_a, mean_b = float(test["mean_a"]), float(test["mean_b"])
    if swapped:
        mean_a, mean_b = mean_b, mean_a
    higher = metric in HIGHER_IS_BETTER
    a_better = mean_a > mean_b if higher else mean_a < mean_b
    p, label = adjusted_p(test)
    evidence = (f"{metric}: {a} {fmt(mean_a)} vs {b} {fmt(mean_b)} (means); paired Wilcoxon "
                f"over {int(test.get('n_pairs', test.get('n_folds', 0)))} folds, {label} "
                f"{fmt(p)} [{name}]")
    return better_verdict(a_better, p), evidence


def means_verdict(holds: bool, evidence: str, name: str) -> tuple[str, str]:
    """A comparison the tables hold only as means: confirmed if it holds, else contradicted."""
    return (CONFIRMED if holds else CONTRADICTED), f"{evidence} (means only, no test) [{name}]"


def ranking(name: str, model: str, others: list[str], metrics: list[str]) -> tuple[str, str]:
    """Claim '``model`` has the best mean of ``others`` on every metric' (means of table ``name``)."""
    frame = table(name)
    lost = []
    for metric in metrics:
        ours = value(frame, name, f"{metric}_mean", model=model)
        for other in others:
            theirs = value(frame, name, f"{metric}_mean", model=other)
            worse = ours < theirs if metric in HIGHER_IS_BETTER else ours > theirs
            if worse:
                lost.append(f"{metric} {other} {fmt(theirs)} vs {fmt(ours)}")
    text = "best on every metric" if not lost else "beaten on " + "; ".join(lost)
    return means_verdict(not lost, f"{model}: {text}", name)


def finding(keys: tuple[str, ...], key: str) -> tuple[str, str]:
    """A row of chapter 04's findings table (``means_agree``, or ``holds`` in older tables, and
    the p of its test), by ``key``.

    ``keys`` are the tables to try in order (the paper-protocol table before the quick one).
    """
    name, frame = first_table(*keys)
    found = row(frame, name, key=key)
    p, label = adjusted_p(found)
    column = next((c for c in ("means_agree", "holds") if c in found.index), None)
    if column is None:
        raise ClaimTableError(f"Table {name!r} has neither a 'means_agree' nor a 'holds' column.")
    holds = str(found[column]).strip().lower() == "true"
    verdict = better_verdict(holds, p)
    if "model" in found.index:  # the findings as data: model, value, against, against_value
        pair = (f"{found['model']} {fmt(float(found['value']))} vs {found['against']} "
                f"{fmt(float(found['against_value']))}")
    else:  # older tables: "model value" strings
        pair = f"{found['measured']} vs {found['against']}"
    evidence = (f"{pair}; holds on the means: {holds}; "
                f"paired Wilcoxon, {label} {fmt(p)} [{name}]")
    return verdict, evidence


def family(name: str, question: str, a_contains: str,
           fallback: str | None = None) -> tuple[str, str]:
    """A family of tests in ``name`` (rows of ``question``, ``a`` containing ``a_contains``).

    Confirmed if some test 'helps' and none 'does not help'; contradicted the other way round;
    otherwise not significant. Uses the table's own ``verdict`` column where the table has
    ``p_holm``; a table without it is adjusted here, as one family
    (:func:`helpers.evaluation.comparison.adjust_family`), and the evidence says so. Without ``name``, the question's own test table ``fallback`` (all its
    rows) is read instead.
    """
    try:
        frame = table(name)
    except MissingTable:
        if fallback is None:
            raise
        name, frame = fallback, table(fallback)
        frame = frame.assign(question=question)
    for column in ("question", "verdict", "a", "metric", "mean_a", "mean_b", "p_value"):
        if column not in frame.columns:
            raise ClaimTableError(f"Table {name!r} has no column {column!r}.")
    adjusted_here = "p_holm" not in frame.columns
    if adjusted_here:  # a table from before the Holm columns: adjust over the whole table
        frame = adjust_family(frame.assign(median_difference=frame.get(
            "median_difference", frame["mean_a"] - frame["mean_b"])))
    rows = frame[(frame["question"] == question)
                 & frame["a"].astype(str).str.contains(a_contains, regex=False)]
    if rows.empty:
        raise ClaimTableError(f"Table {name!r} has no rows for question {question!r}.")
    counts = rows["verdict"].value_counts()
    helps, hurts = int(counts.get("helps", 0)), int(counts.get("does not help", 0))
    verdict = (CONFIRMED if helps and not hurts else CONTRADICTED if hurts and not helps
               else NOT_SIGNIFICANT)
    label = (f"Holm-adjusted here over the table's {len(frame)} tests" if adjusted_here
             else "Holm-adjusted")
    evidence = (f"{len(rows)} paired tests: {helps} helps, {hurts} does not help, "
                f"{len(rows) - helps - hurts} inconclusive; smallest raw p "
                f"{fmt(float(rows['p_value'].min()))}, smallest {label} p "
                f"{fmt(float(rows['p_holm'].min()))} [{name}]")
    return verdict, evidence
