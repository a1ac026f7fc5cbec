"""Beyond the papers: MINN on the open problems of the multi-omics review (chapter ``10_beyond``).

The review is :cite:`wu2025review`. Everything here is a *split*
(:class:`helpers.evaluation.splits.Split`): a set of training rows and a set of held-out rows.
Leave-one-out is 29 splits of one held-out sample, leave-group-out holds a whole group out (the
dilution series, a pathway's knock-outs, :data:`OOD_GROUPS`), a learning curve draws ``k``
training samples at random and tests on the rest (the constructors are in
:mod:`helpers.evaluation.splits`). One function per model family turns a list of splits into
held-out predictions:

- :func:`minn_split_predictions` — every split is one member of one batched MINN ensemble
  (:func:`helpers.minn.train_ensemble`), with fixed hyper-parameters, min-max scaling fitted on each
  split's training rows, optionally one encoder per omics (intermediate fusion);
- :func:`sklearn_split_predictions` — a random forest or a plain network (chapter
  ``03_minn_vs_ml``'s baselines) refitted per split.

:func:`split_metrics` scores them per held-out (split, sample), with each MINN prediction's
distance from the feasible set (:func:`helpers.minn.feasible.box_violations`; a MINN
:class:`ModelSpec` with ``feasible=True`` adds a row of its predictions projected onto that set by
:func:`helpers.minn.feasible.project_feasible`; :func:`helpers.minn.feasible.violation_table`
sums them per model);
:func:`helpers.evaluation.comparison.paired_wilcoxon` (chapter 03's Wilcoxon signed-rank test)
pairs them on any key and states a verdict; :func:`summary_table` is
:func:`helpers.evaluation.metrics.summarize` with the number of held-out predictions per group.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning

from helpers.book.tables import require_columns
from helpers.evaluation.baselines import plain_nn, random_forest
from helpers.evaluation.comparison import paired_wilcoxon
from helpers.evaluation.metrics import sample_metrics, summarize
from helpers.evaluation.protocol import check_same_samples, scaled
from helpers.evaluation.splits import Split, loo_splits
from helpers.minn import (
    MechanisticProblem,
    Member,
    MinnConfig,
    minmax_scale_members,
    train_ensemble,
)
from helpers.minn.feasible import flux_checks, project_feasible

__all__ = ["OMICS", "OOD_GROUPS", "ModelSpec", "omics_columns", "omics_groups",
           "minn_split_predictions", "sklearn_split_predictions", "fixed_split_predictions",
           "average_predictions", "split_metrics", "evaluate_on_splits",
           "summary_table", "headline_comparison", "aim_reached", "scarcity_draw_means",
           "OMICS_SETS", "layer_check", "omics_experiment", "paired_within_models",
           "fusion_experiment", "verdict_count", "FEASIBLE_SUFFIX"]

#: Label suffix of a MINN's predictions projected onto the feasible set (``ModelSpec.feasible``).
FEASIBLE_SUFFIX = " + feasible QP"

#: Column prefixes of each omics in :attr:`helpers.data.ishii.IshiiData.X` (the two uptake
#: columns ``R_EX_*`` are always kept: they set the scale of every flux).
OMICS = {"transcripts": "t_", "proteins": "p_", "uptakes": "R_EX_"}

#: Leave-group-out groups of the Ishii samples. REF (wild type at 0.2/h) always trains. The Ishii
#: knock-outs cover glycolysis and the pentose phosphate pathway only (no TCA-cycle gene), so the
#: review's "TCA / anaplerosis" group cannot be formed; ppsA (PEP synthase, the PEP-pyruvate node)
#: goes with lower glycolysis.
OOD_GROUPS: dict[str, list[str]] = {
    "dilution series": ["WT_0.1h-1", "WT_0.4h-1", "WT_0.5h-1", "WT_0.7h-1"],
    "upper glycolysis": ["galM", "glk", "pgm", "pgi", "pfkA", "pfkB", "fbp", "fbaB"],
    "lower glycolysis + PEP node": ["gapC", "gpmA", "gpmB", "pykA", "pykF", "ppsA"],
    "oxidative PPP": ["zwf", "pgl", "gnd"],
    "non-oxidative PPP": ["rpe", "rpiA", "rpiB", "tktA", "tktB", "talA", "talB"],
}


def omics_columns(columns: Sequence[str], omics: Sequence[str]) -> list[str]:
    """The columns of the named omics (``'transcripts'``, ``'proteins'``), plus the uptakes."""
    unknown = sorted(set(omics) - set(OMICS))
    if unknown:
        raise ValueError(f"Unknown omics {unknown}; known: {list(OMICS)}.")
    prefixes = tuple(OMICS[o] for o in [*omics, "uptakes"])
    chosen = [c for c in columns if str(c).startswith(prefixes)]
    for o in [*omics, "uptakes"]:
        if not any(str(c).startswith(OMICS[o]) for c in chosen):
            raise ValueError(f"No column of omics {o!r} (prefix {OMICS[o]!r}) in the inputs.")
    return chosen


def omics_groups(columns: Sequence[str]) -> dict[str, list[int]]:
    """Positions of each omics' columns (the encoders of intermediate fusion)."""
    groups = {o: [i for i, c in enumerate(columns) if str(c).startswith(p)] for o, p in OMICS.items()}
    other = [c for c in columns if not str(c).startswith(tuple(OMICS.values()))]
    if other:
        raise ValueError(f"Column(s) {other[:5]} belong to no omics {list(OMICS)}.")
    return {o: idx for o, idx in groups.items() if idx}


def _held_out_frame(splits, values, index, columns) -> pd.DataFrame:
    rows = [(s.name, index[i]) for s in splits for i in s.test]
    return pd.DataFrame(np.vstack(values), columns=columns,
                        index=pd.MultiIndex.from_tuples(rows, names=["split", "sample"]))


def minn_split_predictions(problem: MechanisticProblem, X: pd.DataFrame, Y: pd.DataFrame,
                           variant: str | MinnConfig, splits: Sequence[Split], *, fixed: Mapping,
                           seed: int = 0,
                           input_groups: Sequence[Sequence[int]] | None = None,
                           **train_kwargs
                           ) -> tuple[pd.DataFrame, pd.DataFrame, float, pd.DataFrame]:
    """Held-out predictions of one MINN variant on every split, trained as one ensemble.

    Member ``k`` (split ``k``) trains on ``split.train`` with seed ``seed + k`` and the fixed
    hyper-parameters ``fixed``; inputs are min-max scaled with each split's training rows.

    Returns
    -------
    predictions : DataFrame indexed by (split, sample), columns = ``Y``'s reference fluxes
    checks : DataFrame, same index: ``L2`` = ``||S V||^2 / m`` of each held-out flux
        distribution and its box violations (:func:`helpers.minn.feasible.flux_checks`)
    seconds : float, wall time
    fluxes : DataFrame, same index: the full held-out flux distributions (columns = reactions)
    """
    check_same_samples(X, Y)
    start = time.perf_counter()
    Xv, Yv = X.to_numpy(dtype=float), Y.to_numpy(dtype=float)
    members = [Member(config=variant, rows=s.train, seed=seed + k, **dict(fixed))
               for k, s in enumerate(splits)]
    Xs = minmax_scale_members(Xv, [m.rows for m in members])
    fit = train_ensemble(problem, Xs, Yv, members, progress=False, input_groups=input_groups,
                         **train_kwargs)
    V = fit.predict_fluxes(Xs)
    fluxes = _held_out_frame(splits, [V[k, list(s.test)] for k, s in enumerate(splits)],
                             X.index, problem.reaction_ids)
    seconds = time.perf_counter() - start
    frame = fluxes.iloc[:, problem.reference_idx].set_axis(Y.columns, axis=1)
    return frame, flux_checks(problem, fluxes), seconds, fluxes


def sklearn_split_predictions(kind: str, X: pd.DataFrame, Y: pd.DataFrame,
                              splits: Sequence[Split], *, fixed: Mapping | None = None,
                              seed: int = 0) -> tuple[pd.DataFrame, float]:
    """Held-out predictions of chapter 03's random forest (``'RF'``) or plain network (``'NN'``),
    refitted on each split's training rows (scaler inside the pipeline). Returns
    ``(predictions indexed by (split, sample), seconds)``."""
    builders = {"RF": random_forest, "NN": plain_nn}
    if kind not in builders:
        raise ValueError(f"The 'kind' parameter must be one of {list(builders)}. Got {kind!r}.")
    check_same_samples(X, Y)
    start = time.perf_counter()
    Xv, Yv = X.to_numpy(dtype=float), Y.to_numpy(dtype=float)
    values = []
    for s in splits:
        model = scaled(builders[kind](seed)).set_params(**dict(fixed or {}))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(Xv[list(s.train)], Yv[list(s.train)])
        values.append(model.predict(Xv[list(s.test)]))
    return _held_out_frame(splits, values, X.index, Y.columns), time.perf_counter() - start


def fixed_split_predictions(predictions: pd.DataFrame, splits: Sequence[Split],
                            samples: Sequence) -> pd.DataFrame:
    """A model that does not train (pFBA) on the same (split, sample) rows: its per-sample
    predictions repeated for every split that holds the sample out.

    ``samples`` are the labels of the rows the splits' positions refer to (``X.index``); the
    predictions are looked up by label, so their row order does not matter, and a held-out
    sample they lack is a ``ValueError`` naming it.
    """
    samples = list(samples)
    held = sorted({i for s in splits for i in s.test})
    if held and held[-1] >= len(samples):
        raise ValueError(f"A split holds out position {held[-1]}, but only {len(samples)} "
                         "samples were given.")
    missing = [samples[i] for i in held if samples[i] not in predictions.index]
    if missing:
        raise ValueError(f"The fixed predictions lack held-out sample(s) {missing[:5]} "
                         f"({len(missing)} in all).")
    values = [predictions.loc[[samples[i] for i in s.test]].to_numpy() for s in splits]
    return _held_out_frame(splits, values, samples, predictions.columns)


def average_predictions(*predictions: pd.DataFrame) -> pd.DataFrame:
    """Late fusion: the mean of several models' predictions on the same (split, sample) rows."""
    first = predictions[0]
    for other in predictions[1:]:
        if not other.index.equals(first.index) or not other.columns.equals(first.columns):
            raise ValueError("Late fusion needs predictions on the same rows and fluxes.")
    return sum(predictions[1:], first.copy()) / len(predictions)


def split_metrics(Y: pd.DataFrame, predictions: pd.DataFrame, *, model: str,
                  checks: pd.DataFrame | None = None, **labels) -> pd.DataFrame:
    """Per held-out (split, sample): R², MAE, RMSE, NE (and the columns of ``checks``, e.g.
    L2 and the box violations of
    :func:`helpers.minn.feasible.flux_checks`), labelled with ``model`` and any extra
    ``labels`` (e.g. ``omics='both'``)."""
    samples = predictions.index.get_level_values("sample")
    missing = sorted(set(samples) - set(Y.index))
    if missing:
        raise ValueError(f"Predictions of {model!r} name unknown sample(s) {missing[:5]}.")
    table = sample_metrics(Y.loc[samples, predictions.columns].to_numpy(), predictions.to_numpy())
    table.insert(0, "sample", list(samples))
    table.insert(0, "split", list(predictions.index.get_level_values("split")))
    table.insert(0, "model", model)
    for key, value in labels.items():
        table.insert(1, key, value)
    if checks is not None:
        for column, values in checks.reindex(predictions.index).items():
            table[column] = values.to_numpy()
    return table


@dataclass(frozen=True)
class ModelSpec:
    """One model of a chapter-10 comparison.

    ``kind`` is 'MINN' (``variant``: a name of :data:`helpers.minn.VARIANTS` or a
    :class:`~helpers.minn.MinnConfig`, e.g. the exact layer with other ``projection_steps``),
    'RF', 'NN' or 'fixed' (predictions given up front, e.g. pFBA); ``omics`` picks the input columns
    (:func:`omics_columns`); ``fusion`` is 'early' (one network on the concatenated inputs) or
    'intermediate' (MINN only: one encoder per omics, :func:`omics_groups`); ``feasible`` (MINN
    only) adds a model ``<label> + feasible QP``: the same held-out fluxes projected onto
    ``{S V = 0, 0 <= V, P_in V <= V_in}`` by :func:`helpers.minn.feasible.project_feasible`.
    """

    kind: str
    variant: str | MinnConfig = "c-balanced"
    omics: tuple[str, ...] = ("transcripts", "proteins")
    fusion: str = "early"
    feasible: bool = False

    def __post_init__(self) -> None:
        if self.kind not in ("MINN", "RF", "NN", "fixed"):
            raise ValueError(f"ModelSpec.kind must be 'MINN', 'RF', 'NN' or 'fixed'. "
                             f"Got {self.kind!r}.")
        if self.fusion not in ("early", "intermediate"):
            raise ValueError(f"ModelSpec.fusion must be 'early' or 'intermediate'. "
                             f"Got {self.fusion!r}.")
        if self.fusion == "intermediate" and self.kind != "MINN":
            raise ValueError("Intermediate fusion (one encoder per omics) is a MINN network "
                             f"option; {self.kind} has none.")
        if self.feasible and self.kind != "MINN":
            raise ValueError(f"The feasible projection needs full flux distributions, which only "
                             f"a MINN predicts; {self.kind} has none.")


def _run_model(label, spec, problem, X, Y, splits, minn_fixed, rf_fixed, nn_fixed, fixed, seed,
               train_kwargs):
    """One model of :func:`evaluate_on_splits`: a list of (label, metrics, seconds,
    predictions), two entries for a ``feasible`` MINN."""
    columns = omics_columns(list(X.columns), spec.omics)
    Xm = X[columns]
    checks = None
    if spec.kind == "MINN":
        groups = list(omics_groups(columns).values()) if spec.fusion == "intermediate" else None
        pred, checks, took, fluxes = minn_split_predictions(problem, Xm, Y, spec.variant, splits,
                                                            fixed=minn_fixed, seed=seed,
                                                            input_groups=groups, **train_kwargs)
    elif spec.kind in ("RF", "NN"):
        pred, took = sklearn_split_predictions(spec.kind, Xm, Y, splits, seed=seed,
                                               fixed=(rf_fixed if spec.kind == "RF" else nn_fixed))
    else:
        pred, took = fixed_split_predictions(fixed, splits, X.index), 0.0
    runs = [(label, split_metrics(Y, pred, model=label, checks=checks), took, pred)]
    if spec.feasible:
        start = time.perf_counter()
        V, _ = project_feasible(fluxes.to_numpy(dtype=float), problem)
        projected = pd.DataFrame(V, index=fluxes.index, columns=fluxes.columns)
        feasible = projected.iloc[:, problem.reference_idx].set_axis(Y.columns, axis=1)
        runs.append((label + FEASIBLE_SUFFIX,
                     split_metrics(Y, feasible, model=label + FEASIBLE_SUFFIX,
                                   checks=flux_checks(problem, projected)),
                     time.perf_counter() - start, feasible))
    return runs


def evaluate_on_splits(problem: MechanisticProblem, X: pd.DataFrame, Y: pd.DataFrame,
                       splits: Sequence[Split], models: Mapping[str, ModelSpec], *,
                       minn_fixed: Mapping, rf_fixed: Mapping | None = None,
                       nn_fixed: Mapping | None = None,
                       fixed_predictions: Mapping[str, pd.DataFrame] | None = None,
                       seed: int = 0, n_jobs: int = 1, **train_kwargs
                       ) -> tuple[pd.DataFrame, dict[str, float], dict[str, pd.DataFrame]]:
    """Every model of ``models`` (label -> :class:`ModelSpec`) on the same splits.

    Returns the per (model, split, sample) metrics (:func:`split_metrics`, with L2 and the box
    violations for MINNs; a ``feasible`` MINN adds ``<label> + feasible QP``), each model's wall time in seconds and its held-out predictions (indexed by split, sample;
    for late fusion). ``fixed_predictions[label]`` holds the per-sample predictions of a
    'fixed' model. Models are independent and run through :mod:`joblib` (``n_jobs`` workers, or
    a Dask / Ray backend set with ``joblib.parallel_config``); every model has its own seeds, so
    the results do not depend on ``n_jobs``.
    """
    fixed_predictions = dict(fixed_predictions or {})
    missing = [label for label, spec in models.items()
               if spec.kind == "fixed" and label not in fixed_predictions]
    if missing:
        raise ValueError(f"Model(s) {missing} are 'fixed' but no predictions were given.")
    from joblib import Parallel, delayed

    runs = [run for model_runs in Parallel(n_jobs=n_jobs)(
        delayed(_run_model)(label, spec, problem, X, Y, splits, minn_fixed, rf_fixed, nn_fixed,
                            fixed_predictions.get(label), seed, train_kwargs)
        for label, spec in models.items()) for run in model_runs]
    seconds = {label: took for label, _, took, _ in runs}
    predictions = {label: pred for label, _, _, pred in runs}
    return pd.concat([table for _, table, _, _ in runs], ignore_index=True), seconds, predictions


def summary_table(per_sample: pd.DataFrame, metrics: Sequence[str] = ("MAE", "RMSE", "NE", "L2"),
                  by: Sequence[str] = ("model",)) -> pd.DataFrame:
    """:func:`helpers.evaluation.metrics.summarize` (mean ± population sd) grouped by ``by``,
    with the number of held-out predictions of each group (``n_predictions``)."""
    return summarize(per_sample, [m for m in metrics if m in per_sample.columns], by=list(by),
                     size="n_predictions")


def headline_comparison(problem: MechanisticProblem, X: pd.DataFrame, Y: pd.DataFrame,
                        pfba: pd.DataFrame, settings: Mapping, *,
                        search_settings: Mapping | None = None, seed: int = 0,
                        device: str = "cpu",
                        variants: Mapping[str, str | MinnConfig] | None = None,
                        feasible: Sequence[str] = (), stored: Mapping | None = None,
                        ) -> tuple[pd.DataFrame, dict[str, float]]:
    """Leave-one-out of every MINN variant of ``settings["minn_variants"]`` (labelled
    ``MINN-<variant>``; or ``variants``, label -> variant name or
    :class:`~helpers.minn.MinnConfig`), MINN's network alone (variant ``network-only``, the
    plain-network baseline), RF and pFBA.

    ``search_settings`` None (quick): every model has fixed hyper-parameters (``settings``), one
    batched ensemble per MINN variant. Otherwise (paper) it is chapter 03's ``evaluation``
    profile section and the nested protocol runs
    (:func:`helpers.book.beyond_paper.nested_headline`: MINN results in ``stored``, e.g. read
    from the results store by :func:`helpers.book.beyond_paper.stored_headline`, are used as
    they are; the others are computed), with the flux checks of every MINN's held-out flux
    distributions. Returns per-sample metrics (``split`` = the held-out sample) and wall
    times. ``feasible``: labels of MINN models whose held-out fluxes are also projected onto
    the feasible set (:class:`ModelSpec`).
    """
    labels = (dict(variants) if variants is not None
              else {f"MINN-{v}": v for v in settings["minn_variants"]})
    unknown = sorted(set(feasible) - set(labels))
    if unknown:
        raise ValueError(f"The 'feasible' parameter names {unknown}, which are not among "
                         f"the MINN models {list(labels)}.")
    if search_settings is None:
        models = {label: ModelSpec("MINN", v, feasible=label in feasible)
                  for label, v in labels.items()}
        models.update({"network-only": ModelSpec("MINN", "network-only"), "RF": ModelSpec("RF"),
                       "pFBA": ModelSpec("fixed")})
        table, seconds, _ = evaluate_on_splits(
            problem, X, Y, loo_splits(list(X.index)), models, minn_fixed=settings["minn_fixed"],
            rf_fixed=settings["rf_fixed"], nn_fixed=settings["nn_fixed"],
            fixed_predictions={"pFBA": pfba}, seed=seed, n_jobs=settings.get("n_jobs", 1),
            device=device)
        return table, seconds
    from helpers.book.beyond_paper import nested_headline

    return nested_headline(problem, X, Y, pfba, labels, search_settings, seed=seed,
                           device=device, stored=stored, feasible=feasible)


def aim_reached(tests: pd.DataFrame, l2_mean: float, *, alpha: float = 0.05,
                l2_max: float = 1e-4) -> bool:
    """Chapter 10's aim: the MINN beats RF on every metric of ``tests`` (rows of
    :func:`~helpers.evaluation.comparison.paired_wilcoxon`, MINN as ``a``) with p < ``alpha``,
    and its mean L2 is at most ``l2_max``. The p-values are the Holm-adjusted ``p_holm`` of
    :func:`~helpers.evaluation.comparison.adjust_family` where the table has them, else the raw
    ``p_value``."""
    p = tests["p_holm"] if "p_holm" in tests.columns else tests["p_value"]
    return bool((tests["verdict"] == "helps").all() and (p < alpha).all() and l2_mean <= l2_max)


def scarcity_draw_means(per_sample: pd.DataFrame, metric: str = "NE") -> pd.DataFrame:
    """Learning-curve splits (``"k=<k>/draw=<r>"``): the mean ``metric`` over each draw's
    held-out samples, one row per (model, k, draw)."""
    parts = per_sample["split"].str.extract(r"k=(?P<k>\d+)/draw=(?P<draw>\d+)")
    if parts.isna().any().any():
        raise ValueError("scarcity_draw_means needs splits named 'k=<k>/draw=<r>' "
                         "(helpers.evaluation.splits.scarcity_splits).")
    frame = per_sample.assign(k=parts["k"].astype(int), draw=parts["draw"].astype(int))
    return frame.groupby(["model", "k", "draw"], sort=False)[metric].mean().reset_index()


#: The omics sets compared in chapter 10 (the two uptakes are always added).
OMICS_SETS = {"transcripts": ("transcripts",), "proteins": ("proteins",),
              "both": ("transcripts", "proteins")}


def layer_check(problem: MechanisticProblem, steps: int, *, n_vectors: int = 100,
                scale: float = 10.0, seed: int = 0) -> pd.Series:
    """Sizes of ``S`` and of its null space, and the largest ``|S V|`` left by the exact layer
    on ``n_vectors`` random flux vectors (chapter ``10_beyond``)."""
    import torch

    from helpers.minn.projection import null_space_basis, project

    basis = null_space_basis(problem)
    V0 = torch.randn(n_vectors, problem.n, dtype=torch.float64,
                     generator=torch.Generator().manual_seed(seed)) * scale
    V = project(V0, problem, steps=steps).numpy()
    residual = float(np.abs(problem.S @ V.T).max())
    return pd.Series({"reactions n": problem.n, "metabolites m": problem.m,
                      "rank of S": problem.n - basis.shape[1],
                      "dimension of the null space": basis.shape[1],
                      f"max |S V| after the layer ({n_vectors} random V)": residual},
                     name="value")


def omics_experiment(problem: MechanisticProblem, X: pd.DataFrame, Y: pd.DataFrame,
                     splits: Sequence[Split], networks: Mapping[str, str | MinnConfig],
                     pfba: pd.DataFrame,
                     **common) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Every network (label -> MINN variant) and RF on each of :data:`OMICS_SETS`, plus pFBA
    (omics 'none'). Returns the metrics with ``model`` / ``omics`` columns and the held-out
    predictions keyed ``"<model> | <omics>"`` (for late fusion)."""
    kinds = {**{label: ("MINN", v) for label, v in networks.items()}, "RF": ("RF", "")}
    models = {f"{label} | {o}": ModelSpec(kind, variant, omics)
              for o, omics in OMICS_SETS.items() for label, (kind, variant) in kinds.items()}
    models["pFBA | none"] = ModelSpec("fixed")
    table, _, predictions = evaluate_on_splits(
        problem, X, Y, splits, models, **{**common, "fixed_predictions": {"pFBA | none": pfba}})
    table[["model", "omics"]] = table.model.str.split(" | ", expand=True, regex=False)
    return table, predictions


def paired_within_models(table: pd.DataFrame, a: str, b: str, column: str = "omics",
                         metric: str = "NE") -> pd.DataFrame:
    """For each model, :func:`~helpers.evaluation.comparison.paired_wilcoxon` of its rows with
    ``table[column] == a`` against those with ``== b`` (paired by split and sample); models
    lacking either are skipped."""
    rows = []
    for model in table.model.unique():
        part = table[(table.model == model) & table[column].isin([a, b])]
        if part[column].nunique() == 2:
            test = paired_wilcoxon(part, a, b, metric, keys=("split", "sample"), by=column)
            rows.append({"model": model, **test})
    return pd.DataFrame(rows)


def verdict_count(tests: pd.DataFrame, a: str, b: str, verdict: str) -> int:
    """How many models' tests of :func:`paired_within_models` (``a`` against ``b``) read
    ``verdict`` ('helps', 'does not help', 'inconclusive', ...): chapter ``10_beyond`` quotes
    these counts for its omics comparison."""
    require_columns(tests, ["a", "b", "verdict"], "verdict_count",
                    expected="the output of paired_within_models")
    return int(((tests["a"] == a) & (tests["b"] == b) & (tests["verdict"] == verdict)).sum())


def fusion_experiment(problem: MechanisticProblem, X: pd.DataFrame, Y: pd.DataFrame,
                      splits: Sequence[Split], networks: Mapping[str, str | MinnConfig],
                      omics_table: pd.DataFrame, omics_predictions: Mapping[str, pd.DataFrame],
                      **common) -> pd.DataFrame:
    """Early (the 'both' rows of :func:`omics_experiment`), intermediate (one encoder per omics,
    networks only) and late fusion (mean of the transcripts-only and proteins-only predictions);
    metrics with a ``fusion`` column."""
    intermediate, _, _ = evaluate_on_splits(
        problem, X, Y, splits,
        {m: ModelSpec("MINN", v, fusion="intermediate") for m, v in networks.items()}, **common)
    late = [split_metrics(Y, average_predictions(omics_predictions[f"{m} | transcripts"],
                                                 omics_predictions[f"{m} | proteins"]), model=m)
            for m in [*networks, "RF"]]
    early = omics_table[(omics_table.omics == "both") & (omics_table.model != "pFBA")]
    return pd.concat([early.assign(fusion="early").drop(columns="omics"),
                      intermediate.assign(fusion="intermediate"),
                      pd.concat(late).assign(fusion="late")], ignore_index=True)

