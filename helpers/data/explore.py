"""Descriptive views of the Ishii dataset used by chapter ``01_dataset``.

Each function takes an :class:`helpers.data.ishii.IshiiData` and returns a tidy DataFrame that the
chapter plots; none of them modifies its input.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from helpers.data.ishii import BIOMASS, UPTAKES, IshiiData

__all__ = ["design_table", "condition_labels", "omics_pca", "flux_ranges", "paired_omics",
           "paired_correlations"]


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


def omics_pca(data: IshiiData, n_components: int = 2) -> tuple[pd.DataFrame, np.ndarray]:
    """PCA of the samples on log-transformed, standardised transcripts and proteins.

    Returns the scores (one row per sample with ``PC1``, ``PC2``..., ``kind`` and ``dilution_rate``)
    and the explained-variance ratios.
    """
    omics = pd.concat([data.transcripts, data.proteins], axis=1)
    scaled = StandardScaler().fit_transform(np.log1p(omics.clip(lower=0)))
    pca = PCA(n_components=n_components, random_state=0)
    scores = pca.fit_transform(scaled)
    frame = pd.DataFrame(scores, index=omics.index,
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
