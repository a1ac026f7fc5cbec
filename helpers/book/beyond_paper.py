"""Chapter ``10_beyond``'s headline at the paper profile: the nested leave-one-out search, its
MINN rows read from the results store (:mod:`helpers.book.paper`), each with the box checks of its
held-out flux distributions.

The store holds the three MINN rows as units (one per outer fold): chapter 03's
``c-balanced``, and chapter 10's ``exact-layer`` (the exact steady-state layer) and
``network-only`` (MINN's network alone); :func:`stored_headline` reads them with each fold's whole
flux distribution (:func:`helpers.book.paper.fluxes.held_out_fluxes`), so the violation table of
the chapter has its flux checks at this profile too. RF's nested search and pFBA are computed here.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import pandas as pd

#: Chapter 10's headline label -> study key of the store.
HEADLINE_STUDIES = {"MINN-c-balanced": "c-balanced",
                    "MINN-c-balanced-exact": "exact-layer", "network-only": "network-only"}


def stored_headline(seed: int = 0, *, device: str = "cpu") -> tuple[dict, dict[str, str]]:
    """The headline's MINN rows from the store, by label (results with ``extra["fluxes"]``),
    and the message of each study whose training diverged
    (:func:`helpers.book.paper.loo_results`). A missing unit is a
    :class:`~helpers.book.paper.units.StoreError` naming it."""
    from helpers.book.paper import loo_results
    from helpers.book.paper.fluxes import held_out_fluxes

    results, diverged = loo_results("10_beyond", seed)
    for label, result in results.items():
        fluxes = held_out_fluxes(HEADLINE_STUDIES[label], seed, device=device)
        result.extra["fluxes"] = fluxes.loc[result.predictions.index]
    return results, diverged


def _with_checks(problem, Y: pd.DataFrame, result, feasible: bool) -> list[tuple[str, pd.DataFrame]]:
    """Per-sample metrics of one LOO result (``split`` = the held-out sample) with the flux
    checks of its held-out flux distributions when it has them, and its feasible-QP row."""
    from helpers.book.beyond import FEASIBLE_SUFFIX, split_metrics
    from helpers.minn.feasible import flux_checks, project_feasible

    frame = result.per_sample(Y)
    frame.insert(1, "split", frame["sample"])
    fluxes = result.extra.get("fluxes")
    if fluxes is None:
        return [(result.model, frame)]
    fluxes = fluxes.loc[frame["sample"]]
    checks = flux_checks(problem, fluxes).drop(columns="L2")
    frame = frame.join(checks, on="sample")
    out = [(result.model, frame)]
    if feasible:
        V, _ = project_feasible(fluxes.to_numpy(dtype=float), problem)
        index = pd.MultiIndex.from_arrays([fluxes.index, fluxes.index], names=["split", "sample"])
        projected = pd.DataFrame(V, index=index, columns=fluxes.columns)
        predictions = projected.iloc[:, problem.reference_idx].set_axis(Y.columns, axis=1)
        label = result.model + FEASIBLE_SUFFIX
        out.append((label, split_metrics(Y, predictions, model=label,
                                         checks=flux_checks(problem, projected))))
    return out


def nested_headline(problem, X: pd.DataFrame, Y: pd.DataFrame, pfba: pd.DataFrame,
                    labels: Mapping, search_settings: Mapping, *, seed: int = 0,
                    device: str = "cpu", stored: Mapping | None = None,
                    feasible: Sequence[str] = ()) -> tuple[pd.DataFrame, dict[str, float]]:
    """The paper-profile headline of :func:`helpers.book.beyond.headline_comparison`: every MINN
    of ``labels`` and ``network-only`` by the nested search (``stored`` results used as they
    are, e.g. :func:`stored_headline`; the others computed by
    :func:`helpers.evaluation.minn_loo.evaluate_variants`), RF by its nested search, pFBA.
    MINN rows carry the box checks of their held-out flux distributions; ``feasible`` labels
    add ``<label> + feasible QP``. Returns per-sample metrics and wall times (a feasible-QP
    row's: the projection's)."""
    from helpers.book.beyond import fixed_split_predictions, split_metrics
    from helpers.evaluation.baselines import run_baseline
    from helpers.evaluation.minn_loo import evaluate_variants
    from helpers.evaluation.splits import loo_splits

    wanted = {**labels, "network-only": "network-only"}
    results = {label: result for label, result in dict(stored or {}).items() if label in wanted}
    todo = {label: v for label, v in wanted.items() if label not in results}
    if todo:
        results.update(evaluate_variants(problem, X, Y, todo, dict(search_settings), seed=seed,
                                         device=device))
    seconds = {label: float(r.extra["seconds"]) for label, r in results.items()}
    start = time.perf_counter()
    results["RF"] = run_baseline("RF", X, Y, n_trials=search_settings["baseline_trials"],
                                 seed=seed, n_jobs=search_settings["n_jobs"])
    seconds["RF"] = time.perf_counter() - start
    tables = []
    for label, result in results.items():
        start = time.perf_counter()
        for name, frame in _with_checks(problem, Y, result, label in feasible):
            tables.append(frame)
            if name != label:
                seconds[name] = time.perf_counter() - start
    loo = loo_splits(list(X.index))
    tables.append(split_metrics(Y, fixed_split_predictions(pfba, loo, X.index), model="pFBA"))
    seconds["pFBA"] = 0.0
    keep = ["model", "split", "sample", "R2", "R2_cod", "MAE", "RMSE", "NE", "L2", "below_lb",
            "below_lb_max", "above_ub", "above_ub_max", "max_abs_SV"]
    table = pd.concat(tables, ignore_index=True)
    return table[[c for c in keep if c in table.columns]], seconds
