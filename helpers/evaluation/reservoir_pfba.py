"""MINN-reservoir + pFBA (Table 4 of the MINN paper): block check, nested LOO, pFBA rows, scores.

Chapter ``06_reservoir_pfba``. The mechanistic model is the MINN authors' FBA-reduced iAF1260
(:func:`helpers.gem.authors.authors_fba_reduced`), whose own objective (biomass) is maximised and
then the total flux minimised (pFBA, :cite:`lewis2010pfba`, via cobra) for each held-out sample:

- **baseline** ("pFBA (FBA-reduced GEM)"): the sample's glucose and O2 uptakes (FBA-fit data) as
  upper bounds of ``R_EX_glc__D_e_rev`` / ``R_EX_o2_e_rev``; no knock-out;
- **reservoir** ("MINN-reservoir + pFBA"): the same plus the omics network's predicted
  ``R_EX_co2_e_fwd``, ``R_EX_etoh_e``, ``R_EX_ac_e`` (clipped at 0) as upper bounds. A sample
  whose extra bounds make the LP infeasible falls back to its baseline solution, flagged and
  named in the report, never dropped.

A predicted bound *binds* exactly when the baseline solution violates it: otherwise the baseline
optimum stays feasible and optimal, and pFBA returns it unchanged (:func:`reservoir_pfba`).

Metrics (:mod:`helpers.evaluation.metrics`) are computed per sample over the 47 fluxes of the
FBA-fit table (45 reference fluxes + the two uptakes), then mean ± population sd over the folds.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import cobra
import numpy as np
import pandas as pd
from cobra.exceptions import OptimizationError

from helpers.data.ishii import UPTAKES
from helpers.evaluation.comparison import comparison_table, paired_wilcoxon
from helpers.evaluation.metrics import per_sample_table
from helpers.evaluation.protocol import best_candidate, check_same_samples
from helpers.evaluation.splits import kfold_splits, loo_splits
from helpers.gem.ids import strip_prefix, to_flux_id
from helpers.minn.reservoir import BLOCK_INPUTS, OmicsMember, ReservoirBlock, train_omics_members
from helpers.minn.scaling import minmax_scale_members

__all__ = [
    "RESERVOIR_BOUNDS",
    "BASELINE",
    "RESERVOIR",
    "TABLE4_METRICS",
    "pfba_with_bounds",
    "reservoir_pfba",
    "block_check",
    "omics_candidates",
    "omics_block_loo",
    "table4",
    "wilcoxon_table",
]

#: The three exchanges whose predicted values become extra pFBA upper bounds (paper §3.3).
RESERVOIR_BOUNDS = ["R_EX_co2_e_fwd", "R_EX_etoh_e", "R_EX_ac_e"]
BASELINE = "pFBA (FBA-reduced GEM)"
RESERVOIR = "MINN-reservoir + pFBA"
TABLE4_METRICS = ["R2", "MAE", "RMSE", "NE"]

#: The release's search grid (method notes): hidden, dropout, lr, weight decay.
GRID = {"hidden": [200, 250, 300], "dropout": [0.1, 0.25, 0.5], "lr": [2e-4, 5e-4, 7e-4],
        "weight_decay": [0.0, 1e-4, 1e-3]}


def pfba_with_bounds(model: cobra.Model, bounds: Mapping[str, float]
                     ) -> tuple[pd.Series | None, str]:
    """pFBA of ``model`` with the given upper bounds (flux ids, with or without ``R_``).

    Returns the split fluxes (index ``R_<id>``) and ``"optimal"``, or ``None`` and the failure
    status (``"infeasible (Infeasible)"`` when cobra's LP fails: an
    :class:`cobra.exceptions.OptimizationError`; any other exception propagates). ``model`` is
    left unchanged.
    """
    from cobra.flux_analysis import pfba

    with model, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for flux_id, value in bounds.items():
            rid = strip_prefix(flux_id)
            if rid not in model.reactions:
                raise KeyError(f"pfba_with_bounds: bound on {flux_id!r}, but reaction {rid!r} is "
                               f"not in model {model.id!r}.")
            model.reactions.get_by_id(rid).upper_bound = float(value)
        try:
            solution = pfba(model)
        except OptimizationError as exc:  # cobra raises when the growth LP is infeasible
            return None, f"infeasible ({exc.__class__.__name__})"
    if solution.status != "optimal":
        return None, str(solution.status)
    fluxes = solution.fluxes.copy()
    fluxes.index = [to_flux_id(r) for r in fluxes.index]
    return fluxes, "optimal"


def reservoir_pfba(model: cobra.Model, uptakes: pd.DataFrame, extra: pd.DataFrame | None,
                   flux_ids: Sequence[str], *, tol: float = 1e-6,
                   baseline: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """pFBA predictions of ``flux_ids`` per sample, baseline or with extra upper bounds.

    Parameters
    ----------
    model
        The split GEM (:func:`helpers.gem.authors.authors_fba_reduced`); left unchanged.
    uptakes
        Samples x :data:`helpers.data.ishii.UPTAKES`: upper bounds of the two uptakes.
    extra
        Samples x extra bound ids (e.g. :data:`RESERVOIR_BOUNDS`), clipped at 0 here; ``None``
        for the baseline.
    flux_ids
        The fluxes to return (the 47 of the FBA-fit table).
    baseline
        Optional: this function's baseline predictions (``extra=None``) for the same samples and
        ``flux_ids``, reused instead of solving the baseline pFBA again (the controls of chapter
        ``06`` score several bound sets against one baseline). It must hold the objective and
        every extra bound id among its columns.

    Returns
    -------
    predictions : DataFrame, samples x ``flux_ids``
    report : DataFrame per sample: ``status``, ``fallback`` (True when the extra bounds made pFBA
        infeasible and the baseline solution is used), ``growth``, and per extra bound its value
        (``<id>_ub``), the baseline flux (``<id>_baseline``) and ``<id>_binds`` (baseline flux
        above the bound: the bound changes the solution).
    """
    flux_ids = list(flux_ids)
    objectives = [r.id for r in model.reactions if r.objective_coefficient]
    if not objectives:
        raise ValueError(f"reservoir_pfba: model {model.id!r} has no objective reaction (pFBA "
                         "maximises it first, and its flux is the reported growth).")
    objective = to_flux_id(objectives[0])
    _check_baseline(baseline, uptakes, flux_ids, objective, extra)
    rows, report = {}, []
    for sample in uptakes.index:
        base_bounds = uptakes.loc[sample, UPTAKES].to_dict()
        if baseline is None:
            base, base_status = pfba_with_bounds(model, base_bounds)
            if base is None:
                raise RuntimeError(f"baseline pFBA of sample {sample!r} is {base_status}: check the "
                                   "uptakes")
        else:
            base, base_status = baseline.loc[sample], "optimal"
        entry = {"sample": sample}
        fluxes, status, fallback = base, base_status, False
        if extra is not None:
            bounds = extra.loc[sample].clip(lower=0.0)
            fluxes, status = pfba_with_bounds(model, {**base_bounds, **bounds.to_dict()})
            if fluxes is None:
                fluxes, fallback = base, True
            for flux_id, value in bounds.items():
                entry[f"{flux_id}_ub"] = float(value)
                entry[f"{flux_id}_baseline"] = float(base[flux_id])
                entry[f"{flux_id}_binds"] = bool(base[flux_id] > value + tol)
        entry.update(status=status, fallback=fallback, growth=float(fluxes[objective]))
        rows[sample] = fluxes[flux_ids]
        report.append(entry)
    predictions = pd.DataFrame(rows).T.loc[list(uptakes.index), flux_ids]
    return predictions.astype(float), pd.DataFrame(report).set_index("sample")


def _check_baseline(baseline: pd.DataFrame | None, uptakes: pd.DataFrame, flux_ids: Sequence[str],
                    objective: str, extra: pd.DataFrame | None) -> None:
    """Raise a :class:`ValueError` naming what a reused ``baseline`` of :func:`reservoir_pfba`
    lacks (samples of ``uptakes``; ``flux_ids``, the objective and the extra bound ids)."""
    if baseline is None:
        return
    missing_samples = [s for s in uptakes.index if s not in baseline.index]
    needed = list(flux_ids) + [objective] + (list(extra.columns) if extra is not None else [])
    missing = [c for c in dict.fromkeys(needed) if c not in baseline.columns]
    if missing_samples or missing:
        raise ValueError(f"reservoir_pfba: the baseline given lacks sample(s) {missing_samples} "
                         f"and column(s) {missing}; pass the baseline predictions of the same "
                         "samples with these fluxes, or baseline=None.")


def _q2(y: np.ndarray, pred: np.ndarray, min_var: float = 1e-10) -> np.ndarray:
    """Coefficient of determination per column across rows (NaN for constant columns)."""
    ss = ((y - y.mean(0)) ** 2).sum(0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ss > min_var, 1.0 - ((y - pred) ** 2).sum(0) / ss, np.nan)


def block_check(block: ReservoirBlock, simulations: Mapping[str, pd.DataFrame]) -> dict:
    """The block's fluxes against FBA and pFBA on the same simulated upper bounds.

    Returns ``fluxes`` (per flux: Q² vs pFBA and vs FBA, and whether it varies), ``residual``
    (``||S V||²/m`` of ``V0`` and of ``V_K`` per simulation; also of the pFBA solutions), and the
    block's ``V``/``V0`` frames. ``simulations`` is
    :func:`helpers.minn.reservoir.simulate_exchanges`'s result (``inputs``, ``fba``, ``pfba``).
    """
    columns = list(simulations["pfba"].columns)
    V, V0 = block.predict(simulations["inputs"].to_numpy())
    P, F = simulations["pfba"].to_numpy(), simulations["fba"].to_numpy()
    fluxes = pd.DataFrame({"flux": columns, "Q2_pfba": _q2(P, V), "Q2_fba": _q2(F, V),
                           "varies": ((P - P.mean(0)) ** 2).sum(0) > 1e-10})
    residual = pd.DataFrame({"V0": block.residual(V0), "V_K": block.residual(V),
                             "pFBA": block.residual(P)})
    return {"fluxes": fluxes, "residual": residual,
            "V": pd.DataFrame(V, columns=columns), "V0": pd.DataFrame(V0, columns=columns)}


def omics_candidates(n_trials: int, seed: int) -> list[dict]:
    """``n_trials`` distinct random hyper-parameter sets from the release's grid (:data:`GRID`)."""
    rng = np.random.default_rng(seed)
    grid = [dict(zip(GRID, values, strict=True)) for values in
            np.array(np.meshgrid(*GRID.values(), indexing="ij"), dtype=object).reshape(len(GRID), -1).T]
    picks = rng.choice(len(grid), size=min(n_trials, len(grid)), replace=False)
    return [{k: (int(v) if k == "hidden" else float(v)) for k, v in grid[i].items()} for i in picks]


def _members(rows_list: Sequence[Sequence[int]], params_list: Sequence[dict], seed: int,
             tags: Sequence[dict]) -> list[OmicsMember]:
    """One :class:`OmicsMember` per (rows, hyper-parameters, tag); member ``e`` gets seed
    ``seed + e``."""
    return [OmicsMember(rows=tuple(int(r) for r in rows), seed=seed + e, tag=tag, **params)
            for e, (rows, params, tag) in enumerate(zip(rows_list, params_list, tags, strict=True))]


def _search_fold(block: ReservoirBlock, Xv: np.ndarray, Yv: np.ndarray, train: np.ndarray,
                 fold: int, *, n_trials: int, inner_folds: int, epochs: int,
                 block_dropout: bool, seed: int) -> dict:
    """The inner search of outer fold ``fold`` of :func:`omics_block_loo`: ``n_trials``
    candidates (seed ``seed + fold``) x ``inner_folds`` folds of ``train`` trained as one
    ensemble; the candidate with the lowest summed mean validation NE wins."""
    candidates = omics_candidates(n_trials, seed + fold)
    folds = kfold_splits(train, inner_folds, seed + fold)
    rows, params, tags = [], [], []
    for c, cand in enumerate(candidates):
        for k, f in enumerate(folds):
            rows.append(train[f.train_rows])
            params.append(cand)
            tags.append({"candidate": c, "fold": k, "valid": train[f.test_rows]})
    members = _members(rows, params, seed, tags)
    fit = train_omics_members(block, minmax_scale_members(Xv, rows), Yv, members,
                              epochs=epochs, block_dropout=block_dropout)
    _, V = fit.predict(minmax_scale_members(Xv, rows))
    ref = block.problem.reference_idx
    scores = np.zeros(len(candidates))
    for e, member in enumerate(members):
        valid = member.tag["valid"]
        y, p = Yv[valid], V[e][valid][:, ref]
        scores[member.tag["candidate"]] += np.mean(
            np.linalg.norm(y - p, axis=1) / np.maximum(np.linalg.norm(y, axis=1), 1e-12))
    return candidates[best_candidate(scores, f"candidate of fold {fold}")]


def omics_block_loo(block: ReservoirBlock, X: pd.DataFrame, Y: pd.DataFrame, *,
                    fixed: dict | None,
                    n_trials: int = 15, inner_folds: int = 5, epochs: int = 100,
                    block_dropout: bool = True, seed: int = 0) -> dict:
    """Nested leave-one-out of the omics -> block network (step 2 of the reservoir).

    Parameters
    ----------
    block
        The frozen block (:func:`helpers.minn.reservoir.load_block`).
    X
        Samples x inputs (79 transcripts, 60 proteins, glucose and O2 uptakes of the fit data);
        min-max scaled per training fold.
    Y
        Samples x the block's reference fluxes (FBA-fit data of the five exchanges).
    fixed
        Hyper-parameters (``hidden``, ``dropout``, ``lr``, ``weight_decay``) for every fold (the
        quick profile), or ``None`` for the release's inner search: ``n_trials`` candidates from
        the grid, ``inner_folds``-fold CV on the training samples, the lowest mean validation NE
        wins.

    Returns
    -------
    dict
        ``u`` (samples x 5: the held-out sample's predicted block inputs), ``V`` (samples x n: the
        block's fluxes for it), ``chosen`` (hyper-parameters per fold), ``history`` (training NE
        per fold and epoch).
    """
    check_same_samples(X, Y)
    Xv, Yv = X.to_numpy(float), Y.to_numpy(float)
    N = len(X)
    outer = [s.train_rows for s in loo_splits(X.index)]
    if fixed is not None:
        chosen = [dict(fixed)] * N
    else:
        chosen = [_search_fold(block, Xv, Yv, train, i, n_trials=n_trials, inner_folds=inner_folds,
                               epochs=epochs, block_dropout=block_dropout, seed=seed)
                  for i, train in enumerate(outer)]
    members = _members(outer, chosen, seed, [{"fold": i} for i in range(N)])
    Xs = minmax_scale_members(Xv, outer)
    fit = train_omics_members(block, Xs, Yv, members, epochs=epochs, block_dropout=block_dropout)
    u, V = fit.predict(Xs)
    held = np.arange(N)
    columns = list(block.problem.reaction_ids)
    return {"u": pd.DataFrame(u[held, held], index=X.index, columns=BLOCK_INPUTS),
            "V": pd.DataFrame(V[held, held], index=X.index, columns=columns),
            "chosen": pd.DataFrame(chosen, index=X.index),
            "history": pd.DataFrame(fit.history, index=X.index)}


def table4(truth: pd.DataFrame, predictions: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-sample metrics and the Table 4 comparison (ours beside the paper's) for ``predictions``.

    ``truth`` and every prediction are samples x the same fluxes (47 for Table 4). Rows whose
    label is not in the paper's Table 4 get NaN paper columns.
    """
    per_sample = pd.concat([per_sample_table(truth, pred, model=name)
                            for name, pred in predictions.items()], ignore_index=True)
    return per_sample, comparison_table(per_sample, "table4", metrics=TABLE4_METRICS)


def wilcoxon_table(per_sample: pd.DataFrame, model_a: str, model_b: str,
                   metrics: Sequence[str] = TABLE4_METRICS) -> pd.DataFrame:
    """Two-sided Wilcoxon signed-rank test per metric of ``model_a`` vs ``model_b`` over the folds
    (:func:`helpers.evaluation.comparison.paired_wilcoxon`, one row per metric).

    Columns: ``a``, ``b``, ``metric``, ``n_folds``, ``ties`` (folds within 1e-12: a bound that
    does not bind leaves pFBA's solution unchanged; left out of the test), ``better_a`` /
    ``better_b`` (folds where each model is better: higher R², lower errors), ``mean_a`` /
    ``mean_b`` (means over the folds), ``median_difference`` (of ``a - b``) and ``p_value`` (1.0
    when every fold ties). Several such tables concatenated are one family for
    :func:`helpers.evaluation.comparison.adjust_family`.
    """
    rows = []
    for metric in metrics:
        test = paired_wilcoxon(per_sample, model_a, model_b, metric, tie_tol=1e-12,
                               min_pairs=1)
        untied = test["n_pairs"] - test["ties"]
        rows.append({"a": model_a, "b": model_b, "metric": metric, "n_folds": test["n_pairs"],
                     "ties": test["ties"], "better_a": test["wins_a"],
                     "better_b": untied - test["wins_a"], "mean_a": test["mean_a"],
                     "mean_b": test["mean_b"], "median_difference": test["median_difference"],
                     "p_value": test["p_value"]})
    return pd.DataFrame(rows)
