"""Constrained designs: essential genes never knocked out, a minimal growth for every strain.

The MOME paper's constrained runs (its §"Ethanol production without essential genes") knock out
single genes, never an essential gene, and keep biomass at least 90 % of the wild type's. This
module gives the gene lists; :func:`helpers.mome.search.run_mome` applies them (``forbidden``,
``min_biomass``).

* :func:`insilico_essential_genes` — single-gene deletions (cobra): growth below 1 % of the wild
  type's.
* :func:`keio_essential_genes` — the experimental E. coli list in the mirror (Keio collection on
  M9 glucose, as compiled for the iML1515 paper): b-numbers with ``ess.experimental == yes``.

Not covered yet: the yeast list (the mirrored ``.xls`` needs a reader this environment lacks),
lethal gene pairs, rich media.

Introduced in chapter ``08_mome_organisms_and_constraints``.
"""

from __future__ import annotations

import cobra
import numpy as np
import pandas as pd

from helpers.data.registry import fetch

__all__ = ["insilico_essential_genes", "keio_essential_genes", "forbidden_mask"]


def insilico_essential_genes(model: cobra.Model, *, fraction: float = 0.01,
                             processes: int = 1) -> frozenset[str]:
    """Genes whose single deletion drops growth below ``fraction`` of the wild type's
    (infeasible counts as zero growth). The model is only read."""
    from cobra.flux_analysis import single_gene_deletion

    wild_type = model.slim_optimize(error_value=0.0)
    result = single_gene_deletion(model, processes=processes)
    growth = result["growth"].fillna(0.0).to_numpy(dtype=float)
    ids = [next(iter(g)) for g in result["ids"]]
    return frozenset(g for g, mu in zip(ids, growth, strict=True) if mu < fraction * wild_type)


def keio_essential_genes() -> frozenset[str]:
    """E. coli b-numbers essential on M9 glucose in the Keio collection (experimental column)."""
    table = pd.read_csv(fetch("essentiality/gess-ecol_iML1515paper_M9glc.csv"))
    return frozenset(table.loc[table["ess.experimental"] == "yes", "gene"].astype(str))


def forbidden_mask(units: list[str], genes: frozenset[str] | set[str]) -> np.ndarray:
    """Boolean mask over single-gene units: True where the unit is in ``genes``."""
    return np.array([u in genes for u in units], dtype=bool)
