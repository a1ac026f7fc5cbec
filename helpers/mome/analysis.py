"""Analysis of a MOME run: production envelope, relative hypervolume, clusters, post-processing.

Introduced in chapter ``07_mome_ethanol``.
"""

from __future__ import annotations

from collections.abc import Iterable

import cobra
import numpy as np
import pandas as pd
from sklearn.cluster import DBSCAN

from helpers.mome.evaluation import StrainEvaluator
from helpers.mome.search import hypervolume

__all__ = [
    "envelope",
    "envelope_hypervolume",
    "cluster_front",
    "knockout_frequency",
    "remove_superfluous",
    "best_tradeoffs",
]


def envelope(model: cobra.Model, *, biomass: str, product: str, points: int = 60) -> pd.DataFrame:
    """Production envelope: min and max ``product`` flux at each biomass flux.

    Thin wrapper of :func:`cobra.flux_analysis.production_envelope` (the model is only read).
    Columns: ``biomass``, ``product_minimum``, ``product_maximum``.
    """
    from cobra.flux_analysis import production_envelope

    env = production_envelope(model, reactions=[biomass], objective=product, points=points)
    return pd.DataFrame({
        "biomass": env[biomass].to_numpy(dtype=float),
        "product_minimum": env["flux_minimum"].to_numpy(dtype=float),
        "product_maximum": env["flux_maximum"].to_numpy(dtype=float),
    })


def envelope_hypervolume(env: pd.DataFrame) -> float:
    """Hypervolume (area above (0, 0)) of the envelope's upper edge, by pymoo's HV indicator.

    The edge is sampled at ``env``'s points; at 60+ points the staircase is within ~1 % of the
    area under the curve.
    """
    return hypervolume(env[["biomass", "product_maximum"]].to_numpy())


def cluster_front(front: pd.DataFrame, *, objective: str = "product_min", eps: float = 0.06,
                  min_samples: int = 4) -> np.ndarray:
    """DBSCAN labels of the front's points on min-max normalized (biomass, ``objective``).

    ``-1`` marks outliers (DBSCAN's noise), as in :class:`sklearn.cluster.DBSCAN`.
    """
    X = front[["biomass", objective]].to_numpy(dtype=float)
    if len(X) == 0:
        return np.array([], dtype=int)
    span = X.max(axis=0) - X.min(axis=0)
    Xn = (X - X.min(axis=0)) / np.where(span > 0, span, 1.0)
    return DBSCAN(eps=eps, min_samples=min_samples).fit_predict(Xn)


def knockout_frequency(genotypes: Iterable[tuple[int, ...]], labels: np.ndarray,
                       units: list[str]) -> pd.DataFrame:
    """Fraction of the strains of each cluster that knock out each unit.

    Returns a frame with one row per cluster label and one column per unit knocked out at least
    once (units sorted by overall frequency).
    """
    genotypes = list(genotypes)
    M = np.zeros((len(genotypes), len(units)))
    for i, g in enumerate(genotypes):
        M[i, list(g)] = 1.0
    frame = pd.DataFrame(M, columns=units)
    frame["cluster"] = np.asarray(labels)
    freq = frame.groupby("cluster").mean()
    used = freq.columns[(freq > 0).any()]
    order = frame[used].mean().sort_values(ascending=False).index
    return freq[order]


def remove_superfluous(evaluator: StrainEvaluator, genotype: Iterable[int], *, tol: float = 1e-10,
                       column: str = "product_min") -> tuple[int, ...]:
    """Knock back in every unit whose restoration changes neither biomass nor product by > ``tol``.

    Units are tried in index order; a restoration is kept permanently when it passes (Patané et al.
    2018, post-processing). Phenotypes are the evaluator's (rounded to 1e-6), so ``tol`` below that
    means "same phenotype".
    """
    cols = {"product_lp": 1, "product_min": 2}
    if column not in cols:
        raise ValueError(f"The 'column' parameter must be one of {list(cols)}. Got {column!r} instead.")
    current = list(evaluator.normalize(genotype))
    ref = evaluator.evaluate(current)
    for unit in list(current):
        trial = [u for u in current if u != unit]
        phen = evaluator.evaluate(trial)
        if abs(phen[0] - ref[0]) <= tol and abs(phen[cols[column]] - ref[cols[column]]) <= tol:
            current, ref = trial, phen
    return tuple(current)


def best_tradeoffs(front: pd.DataFrame, *, n: int = 10, objective: str = "product_min"
                   ) -> pd.DataFrame:
    """The ``n`` distinct front phenotypes with the highest product, cheapest genotype of each."""
    if front.empty:
        return front.copy()
    ordered = front.sort_values([objective, "biomass", "cost", "n_units"],
                                ascending=[False, False, True, True])
    return ordered.drop_duplicates(["biomass", objective]).head(n).reset_index(drop=True)
