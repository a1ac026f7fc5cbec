"""Nested leave-one-out evaluation of MINN variants, batched: many runs as one tensor program.

The protocol is the one of :mod:`helpers.evaluation.protocol` (outer LOO over the 29 samples, inner
5-fold CV for hyper-parameters, min-max scaling fitted on each run's training rows only), but the
runs are not trained one at a time. For each outer fold, all ``n_trials`` candidates x 5 inner
folds become *members* of one ensemble (:func:`helpers.minn.train_ensemble`); the refits of all
29 outer folds are a second ensemble. With fixed hyper-parameters (``n_trials=0``, the quick
profile) the 29 outer folds are one ensemble.

Deviation from the release, said in the book: the release searched with optuna's sequential TPE;
a batched search needs its candidates up front, so we draw ``n_trials`` candidates at random from
the same grid (:func:`sample_candidates`; independent draws, so a candidate may repeat).

Used by chapters ``03_minn_vs_ml``, ``04_conflicting_losses``, ``05_gem_choice`` and
``10_beyond``, and by the paper-protocol results store (:mod:`helpers.book.paper`), whose
unit is one outer fold (:func:`evaluate_minn_fold`). Inputs and targets are paired by row
position, so every entry point first checks that ``X`` and ``Y`` (and any ``targets`` frame)
have the same samples in the same order
(:func:`helpers.evaluation.protocol.check_same_samples`). The outer and inner folds are
:class:`~helpers.evaluation.splits.Split` objects (:func:`~helpers.evaluation.splits.loo_splits`,
:func:`~helpers.evaluation.splits.kfold_splits`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from helpers.evaluation.metrics import sample_metrics
from helpers.evaluation.protocol import LooResult, check_same_samples
from helpers.evaluation.splits import kfold_splits, loo_splits
from helpers.minn import (
    EnsembleFit,
    MechanisticProblem,
    Member,
    MinnConfig,
    TrainingDivergedError,
    cv_members,
    get_variant,
    minmax_scale_members,
    train_ensemble,
)

__all__ = ["SEARCH_SPACE", "sample_candidates", "evaluate_minn_loo", "evaluate_variants",
           "outer_fold_members", "ishii_problem", "protocol_for", "search_one_fold",
           "evaluate_minn_fold", "fold_params", "refit_fold", "refit_histories"]

#: A variant: a name of :data:`helpers.minn.VARIANTS` or a :class:`~helpers.minn.MinnConfig`.
VariantLike = str | MinnConfig

#: The release's search space (method notes); ``c`` / ``data_weight`` come from the variant.
SEARCH_SPACE: dict[str, list] = {
    "hidden": [200, 250, 300],
    "dropout": [0.1, 0.25, 0.5],
    "lr": [2e-4, 5e-4, 7e-4],
    "weight_decay": [0.0, 1e-4, 1e-3],
}


def ishii_problem(reference_ids: Sequence[str], gem: str = "iAF1260",
                  reduction: str = "fva", **reduce_kwargs) -> MechanisticProblem:
    """The mechanistic problem of a reduced, split GEM for the given reference fluxes.

    ``reduction`` is 'fva' or 'fba' (:func:`helpers.gem.fva_reduce` / ``fba_reduce``, cached on
    disk); ``reduce_kwargs`` go to the reducer (e.g. ``glucose_range`` for 'fba').
    """
    from helpers.gem import fba_reduce, fva_reduce, load_gem, minn_matrices

    reducers = {"fva": fva_reduce, "fba": fba_reduce}
    if reduction not in reducers:
        raise ValueError(f"The 'reduction' parameter must be one of {list(reducers)}. "
                         f"Got {reduction!r} instead.")
    model = reducers[reduction](load_gem(gem), **reduce_kwargs).model
    return MechanisticProblem.from_gem(minn_matrices(model, list(reference_ids)))


def protocol_for(variant: VariantLike, settings: dict) -> tuple[dict, int]:
    """Fixed hyper-parameters and number of search trials of ``variant`` under a profile section.

    ``settings`` is ``get_profile(profile, "evaluation")``: with ``minn_fixed`` and no trials
    (quick), ``c`` is fixed to ``minn_c`` where the variant tunes it; otherwise the variant's
    tuned knobs are searched (``minn_trials_tuned_c`` / ``minn_trials`` candidates).
    """
    config = get_variant(variant)
    n_trials = settings["minn_trials_tuned_c"] if "c" in config.tuned else settings["minn_trials"]
    fixed = dict(settings["minn_fixed"])
    if not n_trials and "c" in config.tuned:
        fixed["c"] = float(settings["minn_c"])
    return fixed, int(n_trials)


def sample_candidates(variant: VariantLike, n_trials: int, seed: int) -> list[dict]:
    """``n_trials`` random hyper-parameter candidates for ``variant`` (grid + its tuned loss knobs).

    Each candidate is an independent draw (each grid value uniformly, ``c`` from the variant's
    list, ``data_weight`` uniformly in its range), *with replacement*: two trials can draw the
    same combination. "``n_trials`` trials" therefore means *up to* ``n_trials`` distinct
    candidates. At the paper profile (seed 0) 14 of the 29 outer folds of a variant that tunes
    ``c`` have a repeated candidate among their 25 trials, and 17 of 29 for the 15-trial
    variants on the 81-point grid; the scheduler variants, whose ``data_weight`` is continuous,
    have none. A repeat is trained and scored again with its own seeds, and the lowest
    inner-CV score wins as usual. The release's optuna TPE sampler can also
    propose a categorical combination it has already tried. Kept as it is: the paper-protocol
    results store's units were computed with these draws.
    """
    config = get_variant(variant)
    rng = np.random.default_rng(seed)
    candidates = []
    for _ in range(n_trials):
        candidate = {key: values[rng.integers(len(values))] for key, values in SEARCH_SPACE.items()}
        for key, space in config.tuned.items():
            if key == "c":
                candidate["c"] = float(space[rng.integers(len(space))])
            elif key == "data_weight":
                low, high = space
                candidate["data_weight"] = float(rng.uniform(low, high))
        candidates.append({k: (v.item() if hasattr(v, "item") else v) for k, v in candidate.items()})
    return candidates


def outer_fold_members(variant: VariantLike, train: np.ndarray, candidates: Sequence[dict], *,
                       inner_folds: int, seed: int) -> tuple[list[Member], list[tuple[int, np.ndarray]]]:
    """Members for the inner search of one outer fold: every candidate x every inner fold
    (:func:`helpers.minn.cv_members`, trial-major).

    Returns the members and, per member, ``(candidate index, validation rows)``.
    """
    folds = kfold_splits(train, inner_folds, seed)
    members = cv_members(candidates, [train[f.train_rows] for f in folds], config=variant, seed=seed)
    validation = [(k, train[f.test_rows]) for k in range(len(candidates)) for f in folds]
    return members, validation


def _train_in_chunks(problem, Xs, Y, members, max_members, train_kwargs):
    """Predictions and L2 of ``members`` trained ``max_members`` at a time (None: all at once).

    Members are independent, so chunking changes only speed: on a CPU a few members per
    program keep the weights in cache; on a GPU one program with all of them is fastest.
    """
    size = len(members) if not max_members else int(max_members)
    predictions, residuals = [], []
    for start in range(0, len(members), size):
        part = list(range(start, min(start + size, len(members))))
        try:
            fit = train_ensemble(problem, Xs[part], Y, [members[e] for e in part],
                                 progress=False, **train_kwargs)
            predictions.append(fit.predict(Xs[part]))
            residuals.append(fit.mechanistic_residual(Xs[part]))
        except TrainingDivergedError:
            if len(part) == 1:  # a diverging candidate scores NaN (-> inf): never chosen
                predictions.append(np.full((1, Xs.shape[1], problem.n_ref), np.nan))
                residuals.append(np.full((1, Xs.shape[1]), np.nan))
                continue
            p, r = _train_in_chunks(problem, Xs[part], Y, [members[e] for e in part], 1,
                                    train_kwargs)
            predictions.append(p)
            residuals.append(r)
    return np.concatenate(predictions), np.concatenate(residuals)


def search_one_fold(problem: MechanisticProblem, X: np.ndarray, Y: np.ndarray, variant: VariantLike,
                    train: np.ndarray, *, n_trials: int, inner_folds: int, seed: int,
                    selection: str = "NE", fixed: dict | None = None,
                    max_members: int | None = None, **train_kwargs) -> tuple[dict, float, list]:
    """The inner search of one outer fold: ``n_trials`` candidates x ``inner_folds`` folds.

    Returns the chosen candidate, its inner-CV score and every candidate with its score.
    """
    candidates = [{**(fixed or {}), **c} for c in sample_candidates(variant, n_trials, seed)]
    members, validation = outer_fold_members(variant, train, candidates, inner_folds=inner_folds,
                                             seed=seed)
    Xs = minmax_scale_members(X, [m.rows for m in members])
    predictions, _ = _train_in_chunks(problem, Xs, Y, members, max_members, train_kwargs)
    scores = np.zeros(len(candidates))
    for e, (k, rows) in enumerate(validation):
        pred = predictions[e, rows]
        score = sample_metrics(Y[rows], pred)[selection].mean() if np.isfinite(pred).all() else np.inf
        scores[k] += score / inner_folds  # a diverged run makes its candidate inf
    if not np.isfinite(scores).any():
        raise TrainingDivergedError(f"Every candidate of variant {variant!r} diverged in the "
                                    f"inner search (seed {seed}).")
    best = int(np.argmin(scores))
    scored = [{**c, f"inner_cv_{selection}": float(s)} for c, s in zip(candidates, scores,
                                                                        strict=True)]
    return candidates[best], float(scores[best]), scored


def evaluate_minn_fold(problem: MechanisticProblem, X: pd.DataFrame, Y: pd.DataFrame,
                       variant: VariantLike, fold: int, *, fixed: dict | None = None,
                       n_trials: int = 0, inner_folds: int = 5, seed: int = 0, selection: str = "NE",
                       max_members: int | None = None, **train_kwargs) -> dict:
    """One outer fold of :func:`evaluate_minn_loo` on its own: inner search, refit, prediction.

    The same seeds and members as the batched harness (fold ``i`` searches with seed
    ``seed + 100 i`` and refits with seed ``seed + i``), so a fold computed alone equals that
    fold of the full run. This is the unit of the paper-protocol results store
    (:mod:`helpers.book.paper`).

    Returns a dict: ``sample``, ``prediction`` (reference fluxes, a Series), ``fluxes`` (all
    fluxes), ``L2``, ``chosen`` (hyper-parameters), ``inner_cv`` (every candidate with its score),
    ``seconds``.
    """
    check_same_samples(X, Y)
    Xv, Yv = X.to_numpy(dtype=float), Y.to_numpy(dtype=float)
    N = len(Xv)
    if not 0 <= fold < N:
        raise ValueError(f"The 'fold' parameter must be in [0, {N}). Got {fold!r} instead.")
    start = time.perf_counter()
    train = loo_splits(X.index)[fold].train_rows
    if n_trials:
        params, score, scored = search_one_fold(
            problem, Xv, Yv, variant, train, n_trials=n_trials, inner_folds=inner_folds,
            seed=seed + 100 * fold, selection=selection, fixed=fixed, max_members=max_members,
            **train_kwargs)
    else:
        params, score, scored = dict(fixed or {}), float("nan"), []
    fit, Xs = _refit(problem, Xv, Yv, variant, params, fold, seed, train_kwargs)
    fluxes = fit.predict_fluxes(Xs)[0, fold]
    return {
        "sample": X.index[fold],
        "prediction": pd.Series(fluxes[problem.reference_idx], index=Y.columns),
        "fluxes": pd.Series(fluxes, index=list(problem.reaction_ids)),
        "L2": float(fit.mechanistic_residual(Xs)[0, fold]),
        "chosen": {**params, f"inner_cv_{selection}": score},
        "inner_cv": scored,
        "seconds": time.perf_counter() - start,
    }


def evaluate_minn_loo(problem: MechanisticProblem, X: pd.DataFrame, Y: pd.DataFrame,
                      variant: VariantLike, *, name: str | None = None, fixed: dict | None = None,
                      n_trials: int = 0, inner_folds: int = 5, seed: int = 0,
                      selection: str = "NE", n_jobs: int = 1, progress: bool = False,
                      max_members: int | None = None, **train_kwargs) -> LooResult:
    """Nested LOO of one MINN variant; every run batched.

    Parameters
    ----------
    problem
        The mechanistic problem; its reference fluxes are ``Y``'s columns, in order.
    X, Y
        Inputs (unscaled) and reference fluxes, one row per sample.
    variant
        A name of :data:`helpers.minn.VARIANTS` or a :class:`~helpers.minn.MinnConfig`.
    fixed
        Hyper-parameters used as they are (all of them when ``n_trials=0``).
    n_trials
        Random candidates per outer fold (0: no inner search, the quick profile).
    selection
        Inner-CV metric minimised to choose a candidate ('NE' or 'MAE').
    n_jobs
        Outer folds searched in parallel (joblib); each search is one batched program.
    max_members
        Train at most this many runs per batched program in the inner search (None: all).
    train_kwargs
        Passed to :func:`helpers.minn.train_ensemble` (e.g. ``device="cuda"``).

    Returns
    -------
    LooResult
        ``predictions`` (held-out reference fluxes), ``chosen`` hyper-parameters per fold, and
        ``extra`` with ``L2`` per sample, the full flux distributions and the wall times.
    """
    fixed = dict(fixed or {})
    check_same_samples(X, Y)
    Xv, Yv = X.to_numpy(dtype=float), Y.to_numpy(dtype=float)
    N = len(Xv)
    outer = [s.train_rows for s in loo_splits(X.index)]
    start = time.perf_counter()
    if n_trials:
        searched = Parallel(n_jobs=n_jobs)(
            delayed(search_one_fold)(problem, Xv, Yv, variant, train, n_trials=n_trials,
                                     inner_folds=inner_folds, seed=seed + 100 * i,
                                     selection=selection, fixed=fixed, max_members=max_members,
                                     **train_kwargs)
            for i, train in enumerate(outer))
        searched = [(params, score) for params, score, _ in searched]
    else:
        searched = [(fixed, float("nan"))] * N
    search_time = time.perf_counter() - start
    members = [Member(config=variant, rows=tuple(int(r) for r in train), seed=seed + i, **params)
               for i, (train, (params, _)) in enumerate(zip(outer, searched, strict=True))]
    Xs = minmax_scale_members(Xv, [m.rows for m in members])
    fit = train_ensemble(problem, Xs, Yv, members, progress=progress, desc=name or variant,
                         **train_kwargs)
    refit_time = time.perf_counter() - start - search_time
    preds = fit.predict(Xs)
    fluxes = fit.predict_fluxes(Xs)
    residual = fit.mechanistic_residual(Xs)
    held_out = np.vstack([preds[i, i] for i in range(N)])
    frame = pd.DataFrame(held_out, index=X.index, columns=Y.columns)
    chosen = [{"sample": X.index[i], **params, f"inner_cv_{selection}": score}
              for i, (params, score) in enumerate(searched)]
    extra = {
        "L2": pd.Series([residual[i, i] for i in range(N)], index=X.index, name="L2"),
        "fluxes": pd.DataFrame(np.vstack([fluxes[i, i] for i in range(N)]), index=X.index,
                               columns=list(problem.reaction_ids)),
        "search_seconds": search_time,
        "refit_seconds": refit_time,
        "n_runs": N * (1 + n_trials * inner_folds),
        "history": fit.history,
    }
    return LooResult(name or f"MINN-{variant}", frame, chosen, extra)


def evaluate_variants(problem: MechanisticProblem, X: pd.DataFrame, Y: pd.DataFrame,
                      variants: Mapping[str, VariantLike], settings: dict, *, seed: int = 0,
                      targets: Mapping[str, pd.DataFrame] | None = None,
                      progress: bool = False, device: str = "cpu",
                      mech_lr: float | None = None) -> dict[str, LooResult]:
    """:func:`evaluate_minn_loo` of several variants under one profile section.

    ``variants`` maps a label (the table's model name) to a variant of
    :data:`helpers.minn.VARIANTS` (or a :class:`~helpers.minn.MinnConfig`); ``settings`` is
    ``get_profile(profile, "evaluation")``;
    ``targets`` gives a label its own training targets (e.g. FBA-fit fluxes) instead of ``Y``.
    Each result's ``extra["seconds"]`` is its wall time. ``device`` ('cpu', 'cuda', ...) is where
    the runs train; on a GPU each outer fold's search is one batched program (``max_members`` of
    the profile applies to the CPU only). ``settings["n_jobs"]`` joblib workers search the outer
    folds in parallel; without a search (quick profile, on a CPU) they train the variants side by
    side instead — each variant has its own seeds, so the results do not depend on ``n_jobs``.
    ``mech_lr`` (None: the release's step) is the mechanistic layer's step on another GEM
    (:func:`helpers.minn.dataset.stable_layer_lr`).
    """
    layer = {} if mech_lr is None else {"mech_lr": mech_lr}
    targets = dict(targets or {})
    max_members = settings.get("max_members") if str(device) == "cpu" else None
    unknown = sorted(set(targets) - set(variants))
    if unknown:
        raise ValueError(f"targets given for labels that are not among the variants: {unknown}")
    check_same_samples(X, Y)
    for label, frame in targets.items():
        check_same_samples(X, frame, "X", f"targets[{label!r}]")
    protocols = {label: protocol_for(variant, settings) for label, variant in variants.items()}
    searching = any(n_trials for _, n_trials in protocols.values())

    def one(label: str, variant: VariantLike, n_jobs: int) -> LooResult:
        fixed, n_trials = protocols[label]
        start = time.perf_counter()
        result = evaluate_minn_loo(problem, X, targets.get(label, Y), variant, name=label,
                                   fixed=fixed, n_trials=n_trials,
                                   inner_folds=settings["inner_folds"], seed=seed,
                                   n_jobs=n_jobs, progress=progress,
                                   max_members=max_members, device=device, **layer)
        result.extra["seconds"] = time.perf_counter() - start
        return result

    if searching or str(device) != "cpu":  # the workers go to the outer folds' searches
        return {label: one(label, variant, settings["n_jobs"])
                for label, variant in variants.items()}
    # fixed hyper-parameters: each variant is one ensemble; variants train side by side
    results = Parallel(n_jobs=settings["n_jobs"])(
        delayed(one)(label, variant, 1) for label, variant in variants.items())
    return dict(zip(variants, results, strict=True))


#: Keys of a fold's ``chosen`` that :func:`refit_fold` passes on to :class:`~helpers.minn.Member`.
REFIT_KEYS = ("hidden", "dropout", "lr", "weight_decay", "c", "data_weight", "epochs")


def fold_params(chosen: Mapping) -> dict:
    """The hyper-parameters in one fold's ``chosen`` (its scores and sample label left out).

    ``chosen`` is an entry of :attr:`LooResult.chosen` (the harness's, or a stored unit's read by
    :func:`helpers.book.paper.loo_result`); an unknown key is an error, not dropped.
    """
    params = {k: v for k, v in chosen.items() if k != "sample" and not k.startswith("inner_cv_")}
    unknown = sorted(set(params) - set(REFIT_KEYS))
    if unknown:
        raise ValueError(f"Unknown hyper-parameter(s) {unknown} in a fold's choice; known: "
                         f"{list(REFIT_KEYS)}.")
    return params


def refit_fold(problem: MechanisticProblem, X: pd.DataFrame, Y: pd.DataFrame, variant: VariantLike,
               params: Mapping, fold: int, *, seed: int = 0, **train_kwargs) -> EnsembleFit:
    """The refit of outer fold ``fold`` alone, with hyper-parameters ``params``.

    The same run as the refit of :func:`evaluate_minn_fold` (rows: all but ``fold``; seed
    ``seed + fold``; scaling fitted on those rows), so with the hyper-parameters a stored unit
    chose it retrains that unit's refit, and its ``history`` holds the per-epoch losses the unit
    does not keep. ``train_kwargs`` go to :func:`helpers.minn.train_ensemble`.
    """
    check_same_samples(X, Y)
    N = len(X)
    if not 0 <= fold < N:
        raise ValueError(f"The 'fold' parameter must be in [0, {N}). Got {fold!r} instead.")
    fit, _ = _refit(problem, X.to_numpy(dtype=float), Y.to_numpy(dtype=float), variant,
                    fold_params(params), fold, seed, train_kwargs)
    return fit


def _refit(problem: MechanisticProblem, Xv: np.ndarray, Yv: np.ndarray, variant: VariantLike,
           params: Mapping, fold: int, seed: int, train_kwargs: Mapping
           ) -> tuple[EnsembleFit, np.ndarray]:
    """The one refit of outer fold ``fold`` (all other rows, seed ``seed + fold``, scaling
    fitted on those rows): the fit and the scaled inputs. Shared by :func:`evaluate_minn_fold`
    and :func:`refit_fold`."""
    train = loo_splits(range(len(Xv)))[fold].train_rows
    member = Member(config=variant, rows=tuple(int(r) for r in train), seed=seed + fold, **params)
    Xs = minmax_scale_members(Xv, [member.rows])
    return train_ensemble(problem, Xs, Yv, [member], progress=False, **train_kwargs), Xs


def refit_histories(problem: MechanisticProblem, X: pd.DataFrame, Y: pd.DataFrame,
                    results: Mapping[str, LooResult], variants: Mapping[str, str], *,
                    sample: str | None = None, targets: Mapping[str, pd.DataFrame] | None = None,
                    seed: int = 0, n_jobs: int = 1,
                    **train_kwargs) -> dict[str, dict[str, np.ndarray]]:
    """Per-epoch training histories of one outer fold's refit per variant, with the
    hyper-parameters that fold chose (chapter ``04_conflicting_losses``, ``paper`` profile).

    At the paper profile the chapter reads its results from the results store
    (:func:`helpers.book.paper.loo_results`), whose units keep no per-epoch history; its
    training-curve figure instead retrains, for each label of ``variants`` (label -> variant),
    the refit of the fold that holds out ``sample`` (default: the first sample of ``X`` that
    every result holds out; a fold whose refit diverged holds none) with the hyper-parameters
    ``results[label]`` chose for that fold (:func:`refit_fold`) — one run per variant instead of
    the whole nested protocol. ``targets`` gives a label its own training targets instead of
    ``Y`` (as in :func:`evaluate_variants`); labels without a result (a study whose training
    diverged in every fold) are left out, as the chapter's table leaves them out.
    ``n_jobs`` refits train side by side (joblib).

    Returns label -> history (term -> array of shape (1, epochs), as ``result.extra["history"]``
    of the harness, with one run instead of 29).
    """
    targets = dict(targets or {})
    if sample is None:  # the first sample that every result holds out (a diverged fold has none)
        held = [set(results[label].predictions.index) for label in variants if label in results]
        sample = next((s for s in X.index if all(s in h for h in held)), X.index[0])
    if sample not in X.index:
        raise ValueError(f"Sample {sample!r} is not in X; known: {list(X.index)}.")
    fold = list(X.index).index(sample)
    jobs = {}
    for label, variant in variants.items():
        if label not in results:
            continue
        result = results[label]
        if sample not in result.predictions.index:
            raise ValueError(f"{label}: no outer fold holds out {sample!r}.")
        chosen = result.chosen[list(result.predictions.index).index(sample)]
        if chosen.get("sample", sample) != sample:
            raise ValueError(f"{label}: the choice of the fold of {sample!r} is labelled "
                             f"{chosen['sample']!r}.")
        jobs[label] = (variant, fold_params(chosen))
    fits = Parallel(n_jobs=n_jobs)(
        delayed(refit_fold)(problem, X, targets.get(label, Y), variant, params, fold, seed=seed,
                            **train_kwargs)
        for label, (variant, params) in jobs.items())
    return {label: fit.history for label, fit in zip(jobs, fits, strict=True)}
