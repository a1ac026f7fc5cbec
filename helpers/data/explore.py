"""Descriptive views of the Ishii dataset used by chapter ``01_dataset``.

Each function takes an :class:`helpers.data.ishii.IshiiData` (or a table derived from one) and
returns a tidy DataFrame or a few numbers that the chapter plots or quotes; none of them modifies
its input. :func:`uptake_changes` is used by chapter ``06_reservoir_pfba``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.stats import spearmanr
from sklearn.decomposition import PCA

from helpers.data.ishii import BIOMASS, UPTAKES, IshiiData

__all__ = ["design_table", "condition_labels", "standardised_omics", "first_split", "omics_pca",
           "flux_ranges", "paired_omics", "paired_correlations", "bootstrap_median",
           "shared_knockouts", "uptake_changes"]


def condition_labels(data: IshiiData) -> pd.Series:
    """A short condition label per sample: ``WT D=0.1`` ... or ``KO pgi``."""
    meta = data.samples
    labels = [
        f"WT D={row.dilution_rate:g}" if row.kind == "wild type" else f"KO {row.gene}"
        for row in meta.itertuples()
    ]
    return pd.Series(labels, index=meta.index, name="condition")


def design_table(data: IshiiData) -> pd.DataFrame:
    """The experimental design: one row per sample with its measured uptakes and growth."""
    table = data.samples.copy()
    table["glucose_uptake"] = data.fluxes[UPTAKES[0]]
    table["o2_uptake"] = data.fluxes[UPTAKES[1]]
    if BIOMASS in data.fluxes:
        table["growth"] = data.fluxes[BIOMASS]
    return table


def standardised_omics(data: IshiiData) -> pd.DataFrame:
    """Transcripts and proteins side by side, ``log1p`` of the levels (negatives clipped to 0),
    standardised per column (population sd; a constant column is only centred)."""
    omics = pd.concat([data.transcripts, data.proteins], axis=1)
    logged = np.log1p(omics.clip(lower=0))
    return (logged - logged.mean()) / logged.std(ddof=0).replace(0, 1)


def first_split(z: pd.DataFrame) -> list[str]:
    """The rows on the smaller side of the first split of a hierarchical clustering of ``z``.

    Average linkage on Euclidean distances between rows, the defaults of
    :func:`seaborn.clustermap`, so this is the top split of the row dendrogram it draws.
    """
    labels = fcluster(linkage(z.to_numpy(), method="average", metric="euclidean"), 2, "maxclust")
    sizes = pd.Series(labels).value_counts()
    smaller = sizes.index[-1] if len(sizes) > 1 else sizes.index[0]
    return [name for name, label in zip(z.index, labels, strict=True) if label == smaller]


def omics_pca(data: IshiiData, n_components: int = 2) -> tuple[pd.DataFrame, np.ndarray]:
    """PCA of the samples on log-transformed, standardised transcripts and proteins.

    Returns the scores (one row per sample with ``PC1``, ``PC2``..., ``kind`` and ``dilution_rate``)
    and the explained-variance ratios. Deterministic: the full SVD involves no random draw.
    """
    scaled = standardised_omics(data)
    pca = PCA(n_components=n_components, svd_solver="full")
    scores = pca.fit_transform(scaled.to_numpy())
    frame = pd.DataFrame(scores, index=scaled.index,
                         columns=[f"PC{i + 1}" for i in range(n_components)])
    frame["kind"] = data.samples["kind"]
    frame["dilution_rate"] = data.samples["dilution_rate"]
    frame["condition"] = condition_labels(data)
    return frame, pca.explained_variance_ratio_


def flux_ranges(data: IshiiData) -> pd.DataFrame:
    """Per reference flux: min, median, max over samples and the mean absolute value, sorted."""
    ref = data.reference.abs()
    table = pd.DataFrame({
        "min": ref.min(), "median": ref.median(), "max": ref.max(), "mean_abs": ref.mean(),
    })
    table.index.name = "flux"
    return table.sort_values("mean_abs", ascending=False)


def paired_omics(data: IshiiData) -> pd.DataFrame:
    """Long table of genes measured as both transcript and protein: gene, sample, both levels."""
    transcripts = {c.split("_", 1)[1]: c for c in data.transcripts.columns}
    proteins = {c.split("_", 1)[1]: c for c in data.proteins.columns}
    shared = sorted(set(transcripts) & set(proteins))
    rows = []
    for gene in shared:
        for sample in data.transcripts.index:
            rows.append((gene, sample, data.transcripts.at[sample, transcripts[gene]],
                         data.proteins.at[sample, proteins[gene]]))
    return pd.DataFrame(rows, columns=["gene", "sample", "transcript", "protein"])


def paired_correlations(paired: pd.DataFrame) -> pd.DataFrame:
    """Spearman correlation across samples between transcript and protein, per gene."""
    rows = []
    for gene, group in paired.groupby("gene"):
        rho = spearmanr(group["transcript"], group["protein"]).statistic
        rows.append((gene, float(rho)))
    return pd.DataFrame(rows, columns=["gene", "spearman_rho"]).sort_values("spearman_rho")


def bootstrap_median(values: pd.Series, seed: int, n_boot: int = 2000,
                     level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the median of ``values`` (NaNs dropped).

    ``n_boot`` resamples with replacement, drawn by ``numpy.random.default_rng(seed)``: the
    interval's bounds depend on ``seed``, the median itself does not.
    """
    x = pd.Series(values).dropna().to_numpy(dtype=float)
    if len(x) == 0:
        raise ValueError("bootstrap_median needs at least one non-missing value; got none.")
    rng = np.random.default_rng(seed)
    medians = np.median(rng.choice(x, size=(n_boot, len(x)), replace=True), axis=1)
    tail = (1 - level) / 2
    return float(np.quantile(medians, tail)), float(np.quantile(medians, 1 - tail))


def shared_knockouts(knockouts: pd.DataFrame) -> pd.DataFrame:
    """Per knock-out that removes a reaction in ``KOs_Vin.csv`` (0 = removed): its reactions and
    the other knock-outs that remove exactly the same ones (empty when none)."""
    removed = knockouts == 0
    reactions = removed.apply(lambda row: ", ".join(row.index[row]), axis=1)
    reactions = reactions[reactions != ""]
    same = [", ".join(o for o in reactions.index[reactions == r] if o != sample)
            for sample, r in reactions.items()]
    return pd.DataFrame({"reactions knocked out": reactions, "same reactions as": same},
                        index=reactions.index)


def uptake_changes(measured: IshiiData, other: IshiiData) -> pd.DataFrame:
    """Glucose and O2 uptake per sample in ``measured`` and in ``other`` (e.g. the released
    FBA-fit table of chapter ``06_reservoir_pfba``), with the ratio other / measured."""
    rows = {}
    for flux, name in zip(UPTAKES, ["glucose", "o2"], strict=True):
        rows[f"{name}_measured"] = measured.fluxes[flux]
        rows[f"{name}_other"] = other.fluxes[flux].reindex(measured.fluxes.index)
        rows[f"{name}_ratio"] = rows[f"{name}_other"] / rows[f"{name}_measured"]
    return pd.DataFrame(rows)
