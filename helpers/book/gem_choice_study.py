"""Chapter ``05_gem_choice`` step by step: the GEMs' sizes, the training runs, the findings.

Built on :mod:`helpers.evaluation.gem_choice` (the GEMs, their problems, the stability bound and
the paired tests): :func:`gem_sizes` tabulates each GEM's mechanistic problem, :func:`evaluate_gems`
trains one LOO run per (GEM, layer step) and keeps the runs that diverge apart,
:func:`adjust_against` reads one table of paired tests as one family (Holm-adjusted p-values), and
:func:`gem_findings` reduces the comparison to the numbers the chapter's prose quotes and the
booleans its hidden assertions check; the sentences themselves, verdicts included, are written in
the chapter's markdown. :func:`gem_effects` gives each tested GEM its effect (fold-by-fold ratio to
the reference, with an interval) for the chapter's forest figure (:mod:`helpers.book.forest`).

Introduced in chapter ``05_gem_choice``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from helpers.book.forest import paired_interval
from helpers.book.tables import require_columns
from helpers.evaluation.comparison import holm
from helpers.evaluation.gem_choice import (
    GEM_CHOICES,
    GemChoice,
    layer_stability,
    steady_state_freedom,
)
from helpers.evaluation.minn_loo import evaluate_minn_loo
from helpers.evaluation.protocol import LooResult
from helpers.minn import MechanisticProblem, TrainingDivergedError

__all__ = ["SIZE_COLUMNS", "gem_sizes", "evaluate_gems", "total_seconds", "adjust_against",
           "gem_findings", "gem_effects"]

#: The columns of :func:`gem_sizes` the chapter shows.
SIZE_COLUMNS = ["n", "m", "m_active", "rank", "dof", "dof_share", "sigma_max", "step", "ratio",
                "growth"]


def gem_sizes(problems: Mapping[str, MechanisticProblem], *, lr: float, decay: float,
              choices: Sequence[GemChoice] = GEM_CHOICES) -> pd.DataFrame:
    """One row per GEM (``problems``' labels, in order): organism, reduction, the freedom of
    ``S V = 0`` (:func:`~helpers.evaluation.gem_choice.steady_state_freedom`), the layer's
    stability at ``lr`` / ``decay`` (:func:`~helpers.evaluation.gem_choice.layer_stability`)
    and ``dof_share`` = dof / n."""
    by_label = {choice.label: choice for choice in choices}
    unknown = [label for label in problems if label not in by_label]
    if unknown:
        raise KeyError(f"no GEM choice named {unknown}; known: {sorted(by_label)}")
    sizes = {}
    for label, problem in problems.items():
        choice = by_label[label]
        sizes[label] = {"organism": choice.organism, "reduction": choice.reduction,
                        **steady_state_freedom(problem.S),
                        **layer_stability(problem.S, lr=lr, decay=decay)}
    sizes = pd.DataFrame(sizes).T
    sizes["dof_share"] = sizes["dof"] / sizes["n"]
    return sizes


def evaluate_gems(problems: Mapping[str, MechanisticProblem],
                  runs: Mapping[str, tuple[str, float]], X: pd.DataFrame, Y: pd.DataFrame,
                  variant: str = "c-balanced",
                  **loo) -> tuple[dict[str, LooResult], dict[str, str]]:
    """One :func:`~helpers.evaluation.minn_loo.evaluate_minn_loo` per run.

    ``runs`` maps a run's name to (GEM label in ``problems``, the layer's learning rate);
    ``loo`` goes to every call (``fixed``, ``n_trials``, ``seed``, ``device`` ...). Returns the
    results of the runs that trained and, apart, the message of each run whose training
    diverged (:class:`~helpers.minn.TrainingDivergedError`): reported, not hidden. A run naming
    a label not in ``problems`` is a ``ValueError`` before anything trains.
    """
    unknown = {name: label for name, (label, _) in runs.items() if label not in problems}
    if unknown:
        raise ValueError(f"evaluate_gems: run(s) {unknown} name a GEM that is not in "
                         f"'problems'; its labels are {list(problems)}.")
    results, diverged = {}, {}
    for name, (label, lr) in runs.items():
        try:
            results[name] = evaluate_minn_loo(problems[label], X, Y, variant, name=name,
                                              mech_lr=lr, **loo)
        except TrainingDivergedError as error:
            diverged[name] = str(error)
    return results, diverged


def total_seconds(result: LooResult) -> float:
    """A run's wall time in seconds: ``extra["seconds"]`` where it is given and finite (the
    results store keeps only the total), else the harness's ``search_seconds`` +
    ``refit_seconds``."""
    seconds = result.extra.get("seconds")
    if seconds is not None and np.isfinite(seconds):
        return float(seconds)
    return float(result.extra["search_seconds"] + result.extra["refit_seconds"])


def adjust_against(tests: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """One table of :func:`~helpers.evaluation.gem_choice.paired_against` as one family of tests.

    Adds ``p_holm`` (:func:`~helpers.evaluation.comparison.holm` over the table's ``p_value``)
    and ``mean_better`` (the model's mean below the reference's: lower NE and ``||S V||²`` are
    better), and reads ``significant`` from ``p_holm`` < ``alpha``; the raw ``p_value`` is
    kept. Chapter ``05_gem_choice`` adjusts each of its two tables (NE, ``||S V||²``) on its own.
    """
    out = tests.copy()
    out["p_holm"] = holm(out["p_value"].to_numpy(dtype=float))
    out["mean_better"] = out["direction"] == "lower"
    out["significant"] = out["p_holm"] < alpha
    return out


def gem_findings(tests: pd.DataFrame, table: pd.DataFrame, keys: Mapping[str, str], *,
                 reference: str = "iAF1260 FVA-reduced",
                 sv2_tests: pd.DataFrame | None = None) -> dict[str, object]:
    """The numbers chapter 05's prose quotes and the booleans its assertions check, by key.

    ``tests`` is :func:`~helpers.evaluation.gem_choice.paired_against` (index model: direction,
    wins, p_value), Holm-adjusted by :func:`adjust_against` when it has no ``p_holm`` yet;
    ``table`` the comparison indexed by model (``NE_mean``, ``NE_sd``, ``SV2_mean``,
    ``layer_ratio``); ``keys`` maps a model to its short key.

    Per tested model ``<key>_lower`` (True: its mean NE is below the reference's),
    ``<key>_wins``, ``<key>_p``, ``<key>_p_holm`` and ``<key>_significant`` (True: ``p_holm``
    below 0.05);
    per model ``<key>_sv2_lower`` and ``<key>_l2_lower`` (its mean ``||S V||²`` and L2 =
    ``||S V||²`` / m below the reference's; ``table`` needs ``L2_mean`` for the latter); with
    ``sv2_tests`` (the same paired tests on ``SV2``, its own family), per tested model
    ``<key>_sv2_wins``, ``<key>_sv2_p``, ``<key>_sv2_p_holm`` and ``<key>_sv2_significant``;
    over the runs whose
    layer is stable (``layer_ratio`` < 1): the range of the mean NE (``ne_lo``, ``ne_hi``,
    ``ne_gap``) and of the sd over folds (``ne_sd_lo``, ``ne_sd_hi``), ``ne_gap_sd`` = gap / the
    smallest sd, the max / min factors of the mean NE and ``||S V||²`` (``ne_factor``,
    ``sv2_factor``) and ``sv2_varies_more`` (True when ``||S V||²`` varies by the larger factor).
    """
    if reference not in table.index:
        raise ValueError(f"The 'reference' parameter of gem_findings must be a model of 'table' "
                         f"({list(table.index)}). Got {reference!r} instead.")
    tests = tests if "p_holm" in tests.columns else adjust_against(tests)
    if sv2_tests is not None and "p_holm" not in sv2_tests.columns:
        sv2_tests = adjust_against(sv2_tests)
    out: dict[str, object] = {}
    for model, key in keys.items():
        if model in tests.index:
            t = tests.loc[model]
            out |= {f"{key}_lower": t["direction"] == "lower", f"{key}_wins": int(t["wins"]),
                    f"{key}_p": float(t["p_value"]), f"{key}_p_holm": float(t["p_holm"]),
                    f"{key}_significant": bool(t["significant"])}
        if sv2_tests is not None and model in sv2_tests.index:
            t = sv2_tests.loc[model]
            out |= {f"{key}_sv2_wins": int(t["wins"]), f"{key}_sv2_p": float(t["p_value"]),
                    f"{key}_sv2_p_holm": float(t["p_holm"]),
                    f"{key}_sv2_significant": bool(t["significant"])}
        if model in table.index and model != reference:
            out[f"{key}_sv2_lower"] = bool(table.loc[model, "SV2_mean"]
                                           < table.loc[reference, "SV2_mean"])
            if "L2_mean" in table:
                out[f"{key}_l2_lower"] = bool(table.loc[model, "L2_mean"]
                                              < table.loc[reference, "L2_mean"])
    stable = table[table["layer_ratio"] < 1]
    if len(stable) < 2:
        raise ValueError(f"need at least two runs with a stable layer; got {list(stable.index)}")
    ne, ne_sd, sv2 = stable["NE_mean"], stable["NE_sd"], stable["SV2_mean"]
    gap = float(ne.max() - ne.min())
    ne_factor, sv2_factor = float(ne.max() / ne.min()), float(sv2.max() / sv2.min())
    return out | {
        "ne_lo": float(ne.min()), "ne_hi": float(ne.max()), "ne_gap": gap,
        "ne_sd_lo": float(ne_sd.min()), "ne_sd_hi": float(ne_sd.max()),
        "ne_gap_sd": gap / float(ne_sd.min()) if ne_sd.min() > 0 else float(np.inf),
        "ne_factor": ne_factor, "sv2_factor": sv2_factor,
        "sv2_varies_more": sv2_factor > ne_factor,
    }


def gem_effects(tests: pd.DataFrame, per_sample: pd.DataFrame, metric: str, *,
                reference: str = "iAF1260 FVA-reduced", level: float = 0.95) -> pd.DataFrame:
    """Each model of one :func:`adjust_against` table as an effect against ``reference``.

    One row per tested model (``tests``' index): ``model``, the geometric mean over the folds of
    its ``metric`` / the reference's (``estimate``, with ``lo`` / ``hi`` at ``level``:
    :func:`helpers.book.forest.paired_interval` with ``ratio=True``; ``per_sample`` holds
    ``model``, ``sample`` and ``metric``), the test's ``p_value``, ``p_holm``, ``significant``, and
    ``panel`` = "<metric> against <reference>".
    """
    require_columns(tests, ["p_value", "p_holm", "significant"], "gem_effects",
                    expected="the output of adjust_against")
    rows = [{"model": model,
             **paired_interval(per_sample, model, reference, metric, ratio=True, level=level),
             "p_value": float(t["p_value"]), "p_holm": float(t["p_holm"]),
             "significant": bool(t["significant"]), "panel": f"{metric} against {reference}"}
            for model, t in tests.iterrows()]
    return pd.DataFrame(rows)
