"""Chapter ``06_reservoir_pfba``: omics-free controls of Table 4 and where its gain comes from.

The reservoir row of Table 4 adds three upper bounds (CO₂, ethanol, acetate secretion) predicted
from omics to pFBA. Whether the *omics* help is a separate question from whether *a bound* helps;
the controls here give pFBA the same kind of bounds without the omics:

- **constant caps** (:func:`constant_caps`): one exchange capped at a constant for every sample;
- **training means** (:func:`loo_mean_caps`): each held-out sample gets the mean of the other
  samples' values (leave-one-out, as the reservoir's own predictions);
- **shuffled omics** (:func:`shuffled_omics_loo`): the same omics -> block network, fed omics rows
  permuted among the samples (a derangement: no sample keeps its own), the uptakes left in place,
  so the marginal distribution of every omics feature is kept and only its link to the sample
  is broken.

:func:`predict_controls` turns each set of bounds into pFBA predictions exactly as the reservoir's
(:func:`helpers.evaluation.reservoir_pfba.reservoir_pfba`), :func:`paired_family` tests the chapter's
pairs metric by metric (Wilcoxon, Holm-adjusted as one family) and :func:`metric_changes` /
:func:`largest_contributor` say which samples carry a row's change against the baseline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cobra
import numpy as np
import pandas as pd

from helpers.evaluation.comparison import adjust_family
from helpers.evaluation.reservoir_pfba import (
    TABLE4_METRICS,
    omics_block_loo,
    reservoir_pfba,
    wilcoxon_table,
)
from helpers.minn.reservoir import ReservoirBlock

__all__ = [
    "EXCHANGE_NAMES",
    "SHUFFLED",
    "cap_label",
    "mean_label",
    "control_bounds",
    "constant_caps",
    "loo_mean_caps",
    "derangement",
    "shuffle_rows",
    "shuffled_omics_loo",
    "predict_controls",
    "paired_family",
    "metric_changes",
    "largest_contributor",
    "no_worse",
    "kept_gain",
    "binding_counts",
    "family_view",
]


#: Plain names of the reservoir's three bounded exchanges, for row labels.
EXCHANGE_NAMES = {"R_EX_co2_e_fwd": "CO₂", "R_EX_etoh_e": "ethanol", "R_EX_ac_e": "acetate"}
#: Row label of the shuffled-omics control.
SHUFFLED = "MINN-reservoir + pFBA, shuffled omics"


def cap_label(flux_id: str, value: float = 0.0) -> str:
    """Row label of a constant cap, e.g. ``"pFBA + acetate cap 0"``."""
    return f"pFBA + {EXCHANGE_NAMES.get(flux_id, flux_id)} cap {value:g}"


def mean_label(flux_ids: Sequence[str]) -> str:
    """Row label of a training-mean cap, e.g. ``"pFBA + training mean (acetate)"``."""
    names = [EXCHANGE_NAMES.get(f, f) for f in flux_ids]
    return "pFBA + training mean (" + (", ".join(names) if len(names) < 3 else
                                       f"{len(names)} exchanges") + ")"


def control_bounds(fluxes: pd.DataFrame, bound_ids: Sequence[str],
                   mean_subsets: Sequence[Sequence[str]]) -> dict[str, pd.DataFrame]:
    """The omics-free controls' upper bounds, by row label (samples of ``fluxes``).

    One constant cap of 0 per id of ``bound_ids`` (:func:`constant_caps`, one exchange at a
    time), then one training-mean cap per subset of ``mean_subsets`` (:func:`loo_mean_caps` of
    ``fluxes``, e.g. the three exchanges together and acetate alone).
    """
    out = {cap_label(b): constant_caps(fluxes.index, {b: 0.0}) for b in bound_ids}
    for subset in mean_subsets:
        out[mean_label(subset)] = loo_mean_caps(fluxes, subset)
    return out


def constant_caps(samples: Sequence[str], caps: Mapping[str, float]) -> pd.DataFrame:
    """Samples x bound ids, every sample capped at the same constant per bound id.

    ``caps`` maps flux ids (e.g. ``"R_EX_ac_e"``) onto a finite value >= 0 (pFBA upper bounds).
    """
    if not caps:
        raise ValueError("constant_caps: give at least one flux id and its cap.")
    bad = {k: v for k, v in caps.items() if not np.isfinite(float(v)) or float(v) < 0}
    if bad:
        raise ValueError(f"constant_caps: cap(s) {bad} must be finite and >= 0 (upper bounds of "
                         "secretion).")
    return pd.DataFrame({k: float(v) for k, v in caps.items()}, index=pd.Index(list(samples)))


def loo_mean_caps(fluxes: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Per sample, the mean of ``columns`` over the *other* samples (leave-one-out).

    The held-out sample's own value never enters its cap, as in the reservoir's nested
    leave-one-out. Needs at least two samples and no NaN in ``columns``.
    """
    missing = [c for c in columns if c not in fluxes.columns]
    if missing:
        raise KeyError(f"loo_mean_caps: column(s) {missing} not in the flux table (has "
                       f"{len(fluxes.columns)} columns).")
    values = fluxes[list(columns)].astype(float)
    if len(values) < 2:
        raise ValueError(f"loo_mean_caps: needs at least 2 samples, got {len(values)}.")
    nan = values.columns[values.isna().any()].tolist()
    if nan:
        raise ValueError(f"loo_mean_caps: NaN in column(s) {nan}.")
    n = len(values)
    return (values.sum() - values) / (n - 1)


def derangement(n: int, seed: int) -> np.ndarray:
    """A random permutation of ``range(n)`` with no fixed point, drawn from ``seed``.

    Permutations are drawn until one moves every element (about e ≈ 2.7 draws on average), so
    the same seed always gives the same derangement. Needs ``n >= 2``.
    """
    if n < 2:
        raise ValueError(f"derangement: needs n >= 2 (got {n}): one element cannot move.")
    rng = np.random.default_rng(seed)
    while True:
        perm = rng.permutation(n)
        if not np.any(perm == np.arange(n)):
            return perm


def shuffle_rows(frame: pd.DataFrame, columns: Sequence[str], seed: int
                 ) -> tuple[pd.DataFrame, np.ndarray]:
    """``frame`` with the rows of ``columns`` permuted among samples (:func:`derangement`).

    Sample ``i`` gets the values of sample ``perm[i]`` in ``columns``; other columns (e.g. the
    uptakes) and the index stay in place. Returns the shuffled copy and ``perm``.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"shuffle_rows: column(s) {missing[:5]} ({len(missing)} in all) not in "
                       "the frame.")
    perm = derangement(len(frame), seed)
    out = frame.copy()
    out[list(columns)] = frame[list(columns)].to_numpy()[perm]
    return out, perm


def shuffled_omics_loo(block: ReservoirBlock, X: pd.DataFrame, Y: pd.DataFrame,
                       omics_columns: Sequence[str], *, seed: int, **loo_options) -> dict:
    """:func:`helpers.evaluation.reservoir_pfba.omics_block_loo` on ``X`` with its omics rows
    shuffled (:func:`shuffle_rows` with ``seed``); ``loo_options`` as for the real run.

    The held-out sample's shuffled omics never appear in its training fold (a derangement sends
    them to one other row, whose label is the held-out sample's own). Returns the LOO result plus
    ``permutation`` (sample -> the sample whose omics it was given).
    """
    shuffled, perm = shuffle_rows(X, omics_columns, seed)
    result = omics_block_loo(block, shuffled, Y, seed=seed, **loo_options)
    result["permutation"] = pd.Series(X.index[perm], index=X.index, name="omics of")
    return result


def predict_controls(model: cobra.Model, uptakes: pd.DataFrame,
                     bounds: Mapping[str, pd.DataFrame], flux_ids: Sequence[str],
                     baseline: pd.DataFrame) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """pFBA predictions and reports per control, each bound set used exactly as the reservoir's.

    ``bounds`` maps a row label onto samples x extra bound ids (upper bounds, clipped at 0);
    ``baseline`` is :func:`~helpers.evaluation.reservoir_pfba.reservoir_pfba`'s baseline for the
    same samples and ``flux_ids`` (reused, not solved again).
    """
    predictions, reports = {}, {}
    for label, extra in bounds.items():
        predictions[label], reports[label] = reservoir_pfba(model, uptakes, extra, flux_ids,
                                                            baseline=baseline)
    return predictions, reports


def paired_family(per_sample: pd.DataFrame, pairs: Sequence[tuple[str, str]],
                metrics: Sequence[str] = TABLE4_METRICS, *, alpha: float = 0.05) -> pd.DataFrame:
    """Wilcoxon tests of every ``(a, b)`` pair and metric, Holm-adjusted as one family.

    One row per pair and metric (:func:`~helpers.evaluation.reservoir_pfba.wilcoxon_table`), with
    ``p_holm``, ``mean_better_a`` and the verdict on the adjusted p
    (:func:`~helpers.evaluation.comparison.adjust_family`).
    """
    if not pairs:
        raise ValueError("paired_family: give at least one (a, b) pair of models.")
    known = set(per_sample["model"])
    unknown = sorted({m for pair in pairs for m in pair} - known)
    if unknown:
        raise KeyError(f"paired_family: model(s) {unknown} not in the per-sample table "
                       f"(has {sorted(known)}).")
    tests = pd.concat([wilcoxon_table(per_sample, a, b, metrics) for a, b in pairs],
                      ignore_index=True)
    return adjust_family(tests, alpha=alpha)


def metric_changes(per_sample: pd.DataFrame, models: Sequence[str], baseline: str,
                   metric: str = "NE") -> pd.DataFrame:
    """Samples x ``models``: each sample's ``metric`` minus the baseline's (negative NE = gain)."""
    table = per_sample.pivot(index="sample", columns="model", values=metric)
    missing = [m for m in [baseline, *models] if m not in table.columns]
    if missing:
        raise KeyError(f"metric_changes: model(s) {missing} not in the per-sample table.")
    return table[list(models)].sub(table[baseline], axis=0)


def largest_contributor(changes: pd.Series, *, tol: float = 1e-9) -> dict:
    """The sample that carries most of a row's total change, and its share of that total.

    ``changes`` is one column of :func:`metric_changes`. Returns ``sample``, ``change`` (its own),
    ``total`` (the sum over samples) and ``share`` (``change / total``). The sample is the one
    whose change has the total's sign and the largest size. A total within ``tol`` of 0 (a row
    that equals the baseline up to solver noise) gives ``sample`` None and NaN share.
    """
    if changes.isna().any():
        raise ValueError(f"largest_contributor: NaN change for sample(s) "
                         f"{changes.index[changes.isna()].tolist()}.")
    total = float(changes.sum())
    if abs(total) <= tol:
        return {"sample": None, "change": float("nan"), "total": total, "share": float("nan")}
    sample = (changes * np.sign(total)).idxmax()
    change = float(changes[sample])
    return {"sample": sample, "change": change, "total": total, "share": change / total}


def no_worse(table: pd.DataFrame, a: str, b: str, metrics: Sequence[str] = TABLE4_METRICS, *,
             tol: float = 1e-12) -> bool:
    """Whether row ``a`` of a Table 4 comparison (``model`` column, ``<metric>_mean``) is at least
    as good as row ``b`` on every metric mean (higher R², lower errors; within ``tol``)."""
    means = table.set_index("model")
    for model in (a, b):
        if model not in means.index:
            raise KeyError(f"no_worse: no row {model!r} in the table.")
    for metric in metrics:
        diff = float(means.loc[a, f"{metric}_mean"] - means.loc[b, f"{metric}_mean"])
        if (-diff if metric.startswith("R2") else diff) > tol:
            return False
    return True


def kept_gain(table: pd.DataFrame, label: str, reference: str, baseline: str,
              metric: str = "NE") -> float:
    """The share of ``reference``'s gain over ``baseline`` (in ``metric``'s mean, lower is better)
    that row ``label`` keeps: 1 = the same gain, 0 = none, negative = worse than the baseline."""
    means = table.set_index("model")[f"{metric}_mean"]
    gain = float(means[baseline] - means[reference])
    if gain == 0:
        raise ValueError(f"kept_gain: {reference!r} has the baseline's {metric}; no gain to share.")
    return float(means[baseline] - means[label]) / gain


def binding_counts(reports: Mapping[str, pd.DataFrame], flux_id: str) -> dict[str, int]:
    """Per row label, the samples where the bound on ``flux_id`` binds (rows that bound it)."""
    column = f"{flux_id}_binds"
    return {label: int(report[column].sum()) for label, report in reports.items()
            if column in report.columns}


def family_view(family: pd.DataFrame) -> pd.DataFrame:
    """The columns of a :func:`paired_family` the chapter shows, with readable names.

    Beside the win counts it shows both means and which one is better (``better mean``: ``a`` or
    ``b``), the raw and Holm-adjusted p and the verdict on the adjusted p.
    """
    view = family.assign(better_mean=np.where(family["mean_better_a"], "a", "b"))
    columns = {"a": "a", "b": "b", "metric": "metric", "mean_a": "mean a", "mean_b": "mean b",
               "better_mean": "better mean", "better_a": "folds a better",
               "better_b": "folds b better", "ties": "ties", "p_value": "p (raw)",
               "p_holm": "p (Holm)", "verdict": "verdict (Holm)"}
    return view[list(columns)].rename(columns=columns)
