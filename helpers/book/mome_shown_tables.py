"""Chapters ``07_mome_ethanol`` and ``09_mome_redirector``: the shown tables assembled from the
frames a chapter already computes, so that the chapter's visible code is its method.

The figures of both chapters are :mod:`helpers.mome.figures` (nothing here draws); what sits here
is the bookkeeping of their tables: column names, labels, gene names, rows put side by side.

- :func:`milp_comparison_shown` — chapter ``07``'s search-against-MILP table, genes by name.
- :func:`best_known_table` — chapter ``07``: the best strain known from each source.
- :func:`paper_strains_table` — chapter ``07``: the paper's strains rebuilt in each medium.
- :func:`evenness_readings` — chapter ``09``: the evenness claim read three ways.
- :func:`regulated_strains_table` — chapter ``09``: the best regulated strains (Table 2 analogue).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from helpers.book.tables import require_columns
from helpers.mome import analysis


def milp_comparison_shown(milp_table: pd.DataFrame, gene_names: Mapping[str, str],
                          labels: Mapping[str, str]) -> pd.DataFrame:
    """``milp_table`` (:func:`helpers.book.mome_milp.comparison_table`) as chapter ``07`` shows
    it: ``product`` by its label (``labels``: exchange id -> name), ``milp_genes`` as sorted gene
    names (``gene_names``: id -> name, ids kept where a gene has no name) joined by ``", "``, and
    ``"none (wild type)"`` where the MILP proved that no deletion beats the wild type."""
    require_columns(milp_table, ["product", "milp_genes", "milp_status"], "milp_shown")
    shown = milp_table.assign(
        product=milp_table["product"].map(labels),
        milp_genes=milp_table.milp_genes.fillna("").map(
            lambda genes: ", ".join(sorted(gene_names.get(g, g) for g in genes.split()))
        ),
    )
    # an optimal MILP answer without genes: no deletion beats the wild type at that budget
    none = (shown.milp_status == "optimal") & (shown.milp_genes == "")
    shown.loc[none, "milp_genes"] = "none (wild type)"
    return shown


def best_known_table(search_best: pd.Series, per_cost: pd.DataFrame,
                     hand_genes: Sequence[str], hand_phenotype: Sequence[float]) -> pd.DataFrame:
    """The best strain known from each source (chapter ``07``, table ``mome_best_known``).

    ``search_best``: the first row of the best trade-offs table (``genes``, ``knockout_cost``,
    ``biomass``, ``product_guaranteed``); ``per_cost``: the best-per-cost table, whose row with
    the most ``exact_product`` is the enumeration's best; ``hand_genes`` and ``hand_phenotype``
    (biomass, LP product, guaranteed product): the hand-checked strain (empty genes and NaN where
    there is none). Sources without a guaranteed product are dropped.
    """
    exact_row = per_cost.loc[per_cost.exact_product.idxmax()]
    exact_genes = [g for g in str(exact_row.exact_genes).split(", ") if g]
    table = pd.DataFrame(
        {
            "source": ["search", "enumeration", "hand-check"],
            "genes": [search_best.genes, ", ".join(exact_genes), ", ".join(hand_genes)],
            "knockout_cost": [int(search_best.knockout_cost), len(exact_genes),
                              len(hand_genes)],
            "biomass": [search_best.biomass, exact_row.exact_biomass, hand_phenotype[0]],
            "product_guaranteed": [search_best.product_guaranteed, exact_row.exact_product,
                                   hand_phenotype[2]],
        }
    )
    return table.dropna(subset=["product_guaranteed"])


def paper_strains_table(evaluators: Mapping[str, Any],
                        paper_rows: Mapping[str, tuple[Iterable[Iterable[str]], float, float]],
                        names: Mapping[str, str]) -> pd.DataFrame:
    """The paper's strains rebuilt from their gene names and evaluated in each medium.

    ``evaluators``: medium -> :class:`helpers.mome.strains.StrainEvaluator`; ``paper_rows``:
    strain label -> (gene-name groups, one per gene set; the paper's biomass; the paper's
    product). One row per (medium, strain): :func:`helpers.mome.analysis.strain_table` of the
    gene sets found (``gene_sets_found``: found / named; a gene set blocked in a medium is not
    found), with the paper's values beside it and without the ``knockouts`` column.
    """
    rows = []
    for medium, ev in evaluators.items():
        for label, (gene_groups, paper_biomass, paper_product) in paper_rows.items():
            groups = list(gene_groups)
            found = analysis.units_with_genes(ev, groups, dict(names))
            units = [u for u in found if u is not None]
            row = analysis.strain_table(ev, [units], dict(names), labels=[label]).assign(
                medium=medium,
                gene_sets_found=f"{len(units)}/{len(groups)}",
                paper_biomass=paper_biomass,
                paper_ethanol=paper_product,
            )
            rows.append(row)
    return pd.concat(rows, ignore_index=True).drop(columns="knockouts")


def evenness_readings(feasible: Sequence[float], front: Sequence[float],
                      span_pct: float) -> pd.DataFrame:
    """The evenness claim read three ways (chapter ``09``): regulation's share of covered biomass
    intervals against the knock-outs' (feasible strains; fronts) and against ``span_pct``.

    ``feasible`` and ``front`` are (knock-outs, regulation) shares in percent; ``holds`` says
    whether regulation's share is larger (relative readings) or at least ``span_pct``.
    """
    if len(feasible) != 2 or len(front) != 2:
        raise ValueError("feasible and front need two shares each: (knock-outs, regulation)")
    return pd.DataFrame(
        {
            "reading": [
                "feasible, vs knock-outs",
                f"feasible, vs {span_pct} %",
                "fronts, vs knock-outs",
            ],
            "regulation_pct": [feasible[1], feasible[1], front[1]],
            "against_pct": [feasible[0], span_pct, front[0]],
            "holds": [
                feasible[1] > feasible[0],
                feasible[1] >= span_pct,
                front[1] > front[0],
            ],
        }
    )


def regulated_strains_table(best: pd.DataFrame, wt_product: float,
                            describe: Callable[[Any], list[str]]) -> pd.DataFrame:
    """The best regulated strains (chapter ``09``'s Table 2 analogue), one row per strain of
    ``best`` (:func:`helpers.mome.analysis.best_tradeoffs` of the regulation front): ``R1 ..``,
    biomass, guaranteed product, its change against the wild type's ``wt_product`` in percent
    (NaN where the wild type makes none), the number of regulated enzymes and the regulation
    (``describe``: genotype -> one text per enzyme, joined by ``"; "``)."""
    return pd.DataFrame(
        {
            "strain": [f"R{i + 1}" for i in range(len(best))],
            "biomass": best.biomass,
            "product_guaranteed": best.product_min,
            "product_change_pct": 100 * (best.product_min / wt_product - 1)
            if wt_product > 0
            else np.nan,
            "regulated_enzymes": best.cost,
            "regulation": ["; ".join(describe(g)) for g in best.genotype],
        }
    )
