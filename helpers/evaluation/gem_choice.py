"""Which GEM in the mechanistic layer? The same MINN on four GEMs, on the fluxes they share.

The MINN paper (Section 2.2) built MINN-c-balanced on the FVA-reduced iAF1260 (its main model),
the FBA-reduced iAF1260, e_coli_core and the FVA-reduced iNF517 of *Lactococcus lactis*. Each
GEM names the measured fluxes differently (``R_GLCptspp`` in iAF1260 is ``R_GLCpts`` in
e_coli_core and iNF517; ``R_LDH_D_rev`` is ``R_LDH_L_rev`` in iNF517), and iNF517 has only 36 of
the 47 measured fluxes. The MINN release ships one flux table per GEM with the columns in the same
order; :func:`shared_flux_ids` aligns them by position, checks that the values agree, and keeps
the fluxes every GEM has. :func:`gem_problem` builds each GEM's mechanistic problem for them.

Introduced in chapter ``05_gem_choice``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import scipy.sparse as sp

from helpers.data.ishii import UPTAKES, IshiiData, read_sample_table
from helpers.data.registry import fetch

if TYPE_CHECKING:  # imported where used: helpers.minn loads torch
    from helpers.minn import MechanisticProblem

__all__ = ["FLUX_TABLES", "GEM_CHOICES", "GemChoice", "PAPER_FINDINGS", "PAPER_NOTES",
           "RELEASE_LAYER", "read_flux_table", "aligned_ids", "shared_flux_ids", "gem_problem", "steady_state_freedom",
           "layer_stability", "residual_views", "paired_against"]

#: The mechanistic layer of the MINN release (method notes; ``train_ensemble``'s defaults).
RELEASE_LAYER: dict[str, float] = {"lr": 0.01, "steps": 8, "decay": 0.9}

#: Registry flux tables of the MINN release, one per id namespace (same samples, same values).
FLUX_TABLES: dict[str, str] = {
    "iAF1260": "ishii/fluxomics_iAF1260_reduced_split.csv",
    "e_coli_core": "ishii/fluxomics_ecore_correct.csv",
    "iAF1260 (iNF517 subset)": "ishii/fluxomics_iAF1260_reduced_split_filtered_iNF517.csv",
    "iNF517": "ishii/fluxomics_iNF517_reduced_split.csv",
}


@dataclass(frozen=True)
class GemChoice:
    """One GEM of the comparison.

    Attributes
    ----------
    label
        Row label (the paper's Table 1 name).
    organism, reduction
        For the table.
    namespace
        Column of :func:`shared_flux_ids` holding this GEM's flux ids.
    """

    label: str
    organism: str
    reduction: str
    namespace: str


GEM_CHOICES: tuple[GemChoice, ...] = (
    GemChoice("e_coli_core", "E. coli", "none (hand-curated core model)", "e_coli_core"),
    GemChoice("iAF1260 FVA-reduced", "E. coli", "FVA", "iAF1260"),
    GemChoice("iAF1260 FBA-reduced", "E. coli", "FBA (measured fluxes protected)", "iAF1260"),
    GemChoice("iNF517 FVA-reduced", "L. lactis", "FVA (the authors' file)", "iNF517"),
)

#: What the MINN paper says about the choice of GEM, verbatim, keyed by where it says it. It prints
#: no numbers for the comparison: they are in its Supplementary Section 3.1, not in the article.
PAPER_FINDINGS: dict[str, str] = {
    "Section 2.2 (GEM preparation)": (
        "the size of the GEM can heavily affect the complexity of the MINN: using a smaller GEM "
        "would improve the efficiency of our hybrid model by reducing the computational "
        "resources required for training. Possibly, it would also reduce the noise in the model, "
        "enhancing the prediction accuracy."),
    "Section 2.2, on e_coli_core": (
        "To investigate the impact of an extreme decrease in the genome-scale reconstruction "
        "size, we also built a MINN using the e_coli_core model [...], a manually reduced GEM "
        "focused on central carbon metabolism, which is the smallest model available in the BiGG "
        "database."),
    "Section 3 (Results, introduction), on iNF517": (
        "when we included the GEM of Lactococcus lactis subsp. cremoris, a bacterium with an "
        "incomplete TCA cycle compared to E. coli, we observed a decrease in the quality of the "
        "predicted flux distribution. Although the difference was moderate, probably due to the "
        "conservation of central carbon metabolism, these results suggest that the biological "
        "relevance of the GEM has an important role in the regularizing effect of the "
        "mechanistic layer."),
}

#: One line per GEM for the table: what the paper reports about MINN-c-balanced on it.
PAPER_NOTES: dict[str, str] = {
    "e_coli_core": "built (Section 2.2); results only in Supplementary Section 3.1",
    "iAF1260 FVA-reduced": "the paper's main GEM; paper_* = Table 2, trained and scored on 45 fluxes",
    "iAF1260 FBA-reduced": "Table 1 (587 reactions); used for MINN-reservoir (Table 4); "
                           "MINN-c-balanced results only in the Supplement",
    "iNF517 FVA-reduced": "Section 3: 'a decrease in the quality of the predicted flux "
                          "distribution', 'moderate'; numbers in Supplementary Section 3.1",
}


def read_flux_table(name: str) -> pd.DataFrame:
    """The flux table :data:`FLUX_TABLES` ``[name]``, validated, samples as in the file."""
    if name not in FLUX_TABLES:
        raise ValueError(f"Unknown flux table {name!r}; known: {list(FLUX_TABLES)}.")
    return read_sample_table(fetch(FLUX_TABLES[name]), name=FLUX_TABLES[name])


def aligned_ids(left: pd.DataFrame, right: pd.DataFrame, *, names: tuple[str, str] = ("left", "right"),
                atol: float = 1e-9) -> dict[str, str]:
    """Map the columns of ``left`` onto those of ``right`` by position, checking the values.

    The release's flux tables list the same measured fluxes in the same order under each GEM's
    ids; a column pair is accepted only if its values agree on every common sample.

    Raises
    ------
    ValueError
        If the tables differ in width or share no sample, or naming every column pair whose
        values differ.
    """
    if left.shape[1] != right.shape[1]:
        raise ValueError(f"{names[0]} has {left.shape[1]} flux columns, {names[1]} has "
                         f"{right.shape[1]}: they cannot be aligned by position.")
    samples = left.index.intersection(right.index)
    if samples.empty:
        raise ValueError(f"{names[0]} and {names[1]} share no sample.")
    a, b = left.loc[samples].to_numpy(float), right.loc[samples].to_numpy(float)
    bad = [f"{x} vs {y}" for j, (x, y) in enumerate(zip(left.columns, right.columns, strict=True))
           if not np.allclose(a[:, j], b[:, j], rtol=0, atol=atol)]
    if bad:
        raise ValueError(f"{names[0]} and {names[1]}: values differ in column(s) {bad}.")
    return dict(zip(left.columns, right.columns, strict=True))


def shared_flux_ids(tables: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """The measured fluxes every GEM of the chapter has, with their id in each namespace.

    Parameters
    ----------
    tables
        The four tables of :data:`FLUX_TABLES` by the same keys (default: read from the registry).

    Returns
    -------
    pandas.DataFrame
        Indexed by the iAF1260 id (the book's flux ids, in the order of the iAF1260 table),
        columns ``iAF1260``, ``e_coli_core`` and ``iNF517``; the two uptakes included.
    """
    t = tables if tables is not None else {k: read_flux_table(k) for k in FLUX_TABLES}
    core = aligned_ids(t["iAF1260"], t["e_coli_core"], names=(FLUX_TABLES["iAF1260"],
                                                               FLUX_TABLES["e_coli_core"]))
    subset = "iAF1260 (iNF517 subset)"
    lactis = aligned_ids(t[subset], t["iNF517"], names=(FLUX_TABLES[subset], FLUX_TABLES["iNF517"]))
    unknown = sorted(set(lactis) - set(core))
    if unknown:
        raise ValueError(f"{FLUX_TABLES[subset]}: column(s) {unknown} are not in "
                         f"{FLUX_TABLES['iAF1260']}.")
    ids = [flux for flux in t["iAF1260"].columns if flux in lactis]
    frame = pd.DataFrame({"iAF1260": ids, "e_coli_core": [core[f] for f in ids],
                          "iNF517": [lactis[f] for f in ids]}, index=pd.Index(ids, name="flux"))
    return frame


def gem_problem(choice: GemChoice | str, ref_ids: Sequence[str], data: IshiiData, *,
                fba_samples: int, seed: int = 0) -> MechanisticProblem:
    """The :class:`~helpers.minn.MechanisticProblem` of one GEM for reference fluxes ``ref_ids``.

    ``ref_ids`` are in the GEM's own namespace (a column of :func:`shared_flux_ids`). e_coli_core is
    the copy released with MINN, split on its bounds; iAF1260 is reduced as in chapter
    ``02_gem_preparation`` (the FBA-reduction on ``fba_samples`` random knock-outs, every Ishii flux
    protected so that each reference flux stays in the model); iNF517 is the authors' own
    FVA-reduced split file (the registry's iNF517 has O2 transport, PDH, ACONT and ICDHyr closed,
    so its own reduction would lose four measured fluxes).
    """
    from helpers.evaluation.minn_loo import ishii_problem
    from helpers.gem import load_gem, minn_matrices, split_reversible
    from helpers.minn import MechanisticProblem

    label = choice.label if isinstance(choice, GemChoice) else choice
    ref_ids = list(ref_ids)
    if label == "e_coli_core":
        model = split_reversible(load_gem("e_coli_core_minn"))
        return MechanisticProblem.from_gem(minn_matrices(model, ref_ids))
    if label == "iAF1260 FVA-reduced":
        return ishii_problem(ref_ids)
    if label == "iAF1260 FBA-reduced":
        glucose = data.uptakes[UPTAKES[0]]
        return ishii_problem(ref_ids, reduction="fba", glucose_range=(glucose.min(), glucose.max()),
                             n_samples=fba_samples, seed=seed, protect=list(data.fluxes.columns))
    if label == "iNF517 FVA-reduced":
        return MechanisticProblem.from_gem(minn_matrices(load_gem("iNF517_minn_reduced_split"),
                                                         ref_ids))
    raise ValueError(f"Unknown GEM {label!r}; known: {[c.label for c in GEM_CHOICES]}.")


def steady_state_freedom(S: sp.spmatrix) -> dict[str, int]:
    """How much a GEM constrains a flux vector through ``S V = 0``.

    Returns ``m`` (rows of S), ``m_active`` (rows with a non-zero: metabolites in at least one
    reaction), ``n`` (reactions), ``rank`` of S and ``dof = n - rank``, the dimension of the
    steady-state space (before bounds): the smaller ``dof / n``, the more the layer constrains.
    """
    S = sp.csr_matrix(S)
    active = np.flatnonzero(np.diff(S.indptr) > 0)
    rank = int(np.linalg.matrix_rank(S[active].toarray())) if active.size else 0
    return {"m": S.shape[0], "m_active": int(active.size), "n": S.shape[1], "rank": rank,
            "dof": S.shape[1] - rank}


def layer_stability(S: sp.spmatrix, *, lr: float = 0.01, decay: float = 0.9) -> dict[str, float]:
    """Is the mechanistic layer's momentum descent on ``||S V||² / m`` stable for this ``S``?

    The steady-state part of the layer is heavy-ball descent on a quadratic whose Hessian
    ``(2/m) SᵀS`` has largest eigenvalue ``(2/m) σ_max(S)²``. Along that direction one step maps
    ``(d, V)`` linearly; the iteration contracts iff ``step = lr (2/m) σ_max² < 2 (1 + decay)``.

    Returns
    -------
    dict
        ``sigma_max``, ``step`` (lr times the largest curvature), ``limit`` = 2 (1 + decay),
        ``ratio`` = step / limit (> 1: the layer amplifies the imbalance) and ``growth``, the
        factor by which the stiffest component of ``S V`` is multiplied per step in the long run
        (the largest root modulus of ``z² - (1 + decay - step) z + decay``).
    """
    from scipy.sparse.linalg import svds

    S = sp.csr_matrix(S, dtype=float)
    if min(S.shape) < 3:
        sigma = float(np.linalg.norm(S.toarray(), 2))
    else:
        sigma = float(svds(S, k=1, return_singular_vectors=False, v0=np.ones(min(S.shape)))[0])
    step = lr * 2.0 / S.shape[0] * sigma**2
    limit = 2.0 * (1.0 + decay)
    growth = float(np.abs(np.roots([1.0, -(1.0 + decay - step), decay])).max())
    return {"sigma_max": sigma, "step": step, "limit": limit, "ratio": step / limit,
            "growth": growth}


def residual_views(l2: pd.Series | np.ndarray, m: int, m_active: int) -> pd.DataFrame:
    """The residual ``L2 = ||S V||² / m`` seen three ways, one row per sample.

    ``L2`` divides by every metabolite of the model, including those a reduction left without a
    reaction (the reduced iAF1260 keeps all 1668), so it is not comparable across GEMs;
    ``SV2 = ||S V||²`` is the total squared imbalance and ``L2_active = ||S V||² / m_active`` the
    mean over metabolites that take part in a reaction.
    """
    if not 0 < m_active <= m:
        raise ValueError(f"Need 0 < m_active <= m; got m_active={m_active}, m={m}.")
    values = np.asarray(l2, dtype=float)
    index = l2.index if isinstance(l2, pd.Series) else None
    sv2 = values * m
    return pd.DataFrame({"L2": values, "SV2": sv2, "L2_active": sv2 / m_active}, index=index)


def paired_against(per_sample: pd.DataFrame, reference: str, *, metric: str = "NE",
                   alpha: float = 0.05) -> pd.DataFrame:
    """Every other model against ``reference`` on ``metric``, fold by fold.

    Returns one row per model: its mean, the reference's mean, the difference, ``direction``
    ('higher' / 'lower' than the reference), the folds where it is lower (``wins``), the
    two-sided Wilcoxon signed-rank p-value and ``significant`` (p < ``alpha``).
    """
    from helpers.evaluation.comparison import paired_wilcoxon

    means = per_sample.groupby("model", sort=False)[metric].mean()
    if reference not in means.index:
        raise ValueError(f"No model {reference!r} in per_sample; models: {list(means.index)}.")
    rows = []
    for model in means.index.drop(reference):
        test = paired_wilcoxon(per_sample, model, reference, metric)
        diff = means[model] - means[reference]
        rows.append({"model": model, "mean": means[model], "reference_mean": means[reference],
                     "difference": diff, "direction": "higher" if diff > 0 else "lower",
                     "wins": test["wins_a"], "n_folds": test["n_pairs"],
                     "p_value": test["p_value"], "significant": test["p_value"] < alpha})
    return pd.DataFrame(rows).set_index("model")
