"""Effect-size (forest) figures: many paired comparisons, each a difference with its interval.

A chapter that runs a family of paired Wilcoxon tests
(:func:`helpers.evaluation.comparison.paired_wilcoxon`, Holm-adjusted by
:func:`helpers.evaluation.comparison.adjust_family`) reports p-values; a reader also wants to see
*how large* each difference is and how uncertain. This module pairs the rows exactly as the test
does and gives each comparison an interval:

- :func:`paired_differences` — ``a - b`` per pair (the pairing of ``paired_wilcoxon``);
- :func:`paired_interval` — the mean paired difference with its t-interval, or, with
  ``ratio=True``, the geometric mean of ``a / b`` with the interval of the mean log ratio (for
  positive metrics that span orders of magnitude, such as ``||S V||²``);
- :func:`family_intervals` — one interval per row of a test family, each row's paired data found
  by a function the chapter gives;
- :func:`forest_plot` — one horizontal line per comparison, filled where the Holm-adjusted test
  is significant, grouped into panels.

The Wilcoxon test asks whether the paired differences are centred on zero; the interval shows
their mean and its spread. The two can disagree near the 5 % level (the test is on ranks), which
is why the figure marks the test's verdict and does not replace the table.

Introduced in chapter ``05_gem_choice`` (the GEMs against iAF1260); used by ``10_beyond`` (its 48
tests).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, NullFormatter
from scipy import stats

from helpers.book.tables import require_columns

__all__ = ["paired_differences", "paired_interval", "family_intervals", "forest_plot"]


def paired_differences(table: pd.DataFrame, a: str, b: str, metric: str, *,
                       keys: Sequence[str] = ("sample",), by: str = "model") -> pd.Series:
    """``metric`` of the rows with ``table[by] == a`` minus those with ``== b``, paired on ``keys``
    (the pairs :func:`~helpers.evaluation.comparison.paired_wilcoxon` tests).

    Raises a :class:`ValueError` naming ``a``, ``b`` and ``keys`` when no row pairs."""
    require_columns(table, [by, metric, *keys], "paired_differences")
    left = table[table[by] == a].set_index(list(keys))[metric]
    right = table[table[by] == b].set_index(list(keys))[metric]
    common = left.index.intersection(right.index)
    if len(common) == 0:
        raise ValueError(f"paired_differences: no row of {by}={a!r} pairs with one of "
                         f"{by}={b!r} on {list(keys)}.")
    return (left[common] - right[common]).astype(float).rename(f"{metric}: {a} - {b}")


def _t_interval(values: np.ndarray, level: float) -> tuple[float, float, float]:
    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, np.nan, np.nan
    half = float(stats.t.ppf(0.5 + level / 2, len(values) - 1) * stats.sem(values))
    return mean, mean - half, mean + half


def paired_interval(table: pd.DataFrame, a: str, b: str, metric: str, *,
                    keys: Sequence[str] = ("sample",), by: str = "model", ratio: bool = False,
                    level: float = 0.95) -> dict[str, float]:
    """The paired effect of ``a`` against ``b`` on ``metric``: ``estimate``, ``lo``, ``hi``,
    ``n_pairs``.

    Default: the mean of ``a - b`` and its Student-t interval at ``level``. ``ratio=True``: the
    geometric mean of ``a / b`` and the interval of the mean log ratio, back-transformed (both
    sides must be positive; a :class:`ValueError` names the pairs that are not).
    """
    if not 0 < level < 1:
        raise ValueError(f"The 'level' parameter must be in (0, 1). Got {level!r} instead.")
    if not ratio:
        diff = paired_differences(table, a, b, metric, keys=keys, by=by).to_numpy()
        estimate, lo, hi = _t_interval(diff, level)
        return {"estimate": estimate, "lo": lo, "hi": hi, "n_pairs": len(diff)}
    left = table[table[by] == a].set_index(list(keys))[metric]
    right = table[table[by] == b].set_index(list(keys))[metric]
    common = left.index.intersection(right.index)
    pairs = pd.DataFrame({"a": left[common], "b": right[common]}).astype(float)
    bad = pairs.index[(pairs <= 0).any(axis=1)].tolist()
    if bad or pairs.empty:
        raise ValueError(f"paired_interval(ratio=True): {metric} of {a!r} / {b!r} needs positive "
                         f"values in paired rows; non-positive at {bad[:5]}, {len(pairs)} pairs.")
    estimate, lo, hi = _t_interval(np.log(pairs["a"] / pairs["b"]).to_numpy(), level)
    return {"estimate": float(np.exp(estimate)), "lo": float(np.exp(lo)),
            "hi": float(np.exp(hi)), "n_pairs": len(pairs)}


def family_intervals(family: pd.DataFrame,
                     source: Callable[[pd.Series], tuple[pd.DataFrame, str, Sequence[str]]], *,
                     ratio: bool = False, level: float = 0.95) -> pd.DataFrame:
    """One :func:`paired_interval` per row of a test ``family`` (columns ``a``, ``b``,
    ``metric``), in the family's order, its columns kept.

    ``source(row)`` returns the per-pair table that row's test was run on, the column that names
    ``a`` and ``b`` in it, and the pairing keys. Where the family has ``n_pairs`` (the test's
    count), each interval must pair as many rows, else a :class:`ValueError` names the row.
    """
    rows = []
    for position, (_, row) in enumerate(family.iterrows()):
        table, by, keys = source(row)
        effect = paired_interval(table, row["a"], row["b"], row["metric"], keys=keys, by=by,
                                 ratio=ratio, level=level)
        if "n_pairs" in family and effect["n_pairs"] != row["n_pairs"]:
            raise ValueError(f"family_intervals: row {position} ({row['a']!r} against "
                             f"{row['b']!r}, {row['metric']}) was tested on {row['n_pairs']} "
                             f"pairs, but source() gives {effect['n_pairs']}.")
        rows.append(effect)
    out = family.reset_index(drop=True).drop(columns=["estimate", "lo", "hi", "n_pairs"],
                                             errors="ignore")
    return pd.concat([out, pd.DataFrame(rows)], axis=1)


def forest_plot(rows: pd.DataFrame, *, label: str = "label", group: str | None = None,
                significant: str = "significant", nominal: str | None = None,
                xlabel: str = "difference a − b",
                null: float = 0.0, log: bool = False, sharex: bool = True,
                width: float = 8.0, row_height: float = 0.22) -> plt.Figure:
    """A forest plot: per row of ``rows`` a point at ``estimate`` and a line from ``lo`` to ``hi``.

    Points are filled red where ``rows[significant]`` is true (the Holm-adjusted test), grey
    where only ``rows[nominal]`` is (say, raw p < 0.05), open otherwise; a dashed line marks
    ``null`` (no difference: 0, or 1 for ratios with ``log``).
    With ``group``, one panel per group (in order of appearance), stacked, sharing the x axis
    unless ``sharex`` is False (panels of different metrics or scales).
    """
    require_columns(rows, [label, significant, "estimate", "lo", "hi", group, nominal],
                    "forest_plot")
    groups = list(dict.fromkeys(rows[group])) if group else [None]
    sizes = [int((rows[group] == g).sum()) if group else len(rows) for g in groups]
    fig, axes = plt.subplots(len(groups), 1, sharex=sharex, squeeze=False,
                             figsize=(width, 0.9 + row_height * (sum(sizes) + 2 * len(groups))),
                             gridspec_kw={"height_ratios": [s + 1.5 for s in sizes]})
    for ax, g in zip(axes[:, 0], groups, strict=True):
        part = rows if g is None else rows[rows[group] == g]
        y = np.arange(len(part))[::-1]
        sig = part[significant].astype(bool).to_numpy()
        nom = part[nominal].astype(bool).to_numpy() & ~sig if nominal else np.zeros_like(sig)
        ax.hlines(y, part["lo"], part["hi"], color="#555555", lw=1.2)
        est = part["estimate"].to_numpy()
        ax.scatter(est[sig], y[sig], color="crimson", zorder=3, s=28,
                   label="significant after Holm")
        if nominal:
            ax.scatter(est[nom], y[nom], color="#888888", zorder=3, s=28,
                       label="raw p < 0.05 only")
        rest = ~sig & ~nom
        ax.scatter(est[rest], y[rest], facecolor="white", edgecolor="#333333", zorder=3, s=28,
                   label="not significant")
        ax.axvline(null, color="k", ls="--", lw=0.8)
        ax.set_yticks(y, part[label], fontsize=8)
        ax.set_ylim(-0.75, len(part) - 0.25)
        if g is not None:
            ax.set_title(str(g), fontsize=9, loc="left")
        if log:  # plain numbers; within a decade the minor ticks are labelled too
            ax.set_xscale("log")
            plain = FuncFormatter(lambda value, _: f"{value:.3g}")
            ax.xaxis.set_major_formatter(plain)
            lo, hi = ax.get_xlim()
            ax.xaxis.set_minor_formatter(plain if hi / lo < 10 else NullFormatter())
            ax.tick_params(axis="x", which="minor", labelsize=8)
    axes[-1, 0].set_xlabel(xlabel)
    handles, names = axes[0, 0].get_legend_handles_labels()
    by_name = dict(zip(names, handles, strict=True))
    fig.legend(by_name.values(), by_name.keys(), loc="lower center", ncol=3, frameon=False,
               fontsize=8, bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig
