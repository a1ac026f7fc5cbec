"""MOME in plain cobra: what a strain is worth, what it costs, and how the search breeds strains.

MOME ({cite}`patane2019mome`) designs knock-out strains with two objectives, growth and product,
both maximized, and a budget on the knock-out cost. This module is the method as a chapter shows
it; :mod:`helpers.mome.strains` computes the same phenotypes thousands of times faster on a
private GLPK engine (:mod:`helpers.mome._engine`; ``tests/test_mome_engine.py`` checks that both
agree within solver tolerance).

1. **A strain's phenotype** (:func:`strain_phenotype`, :func:`gene_knockout_phenotype`): inside
   ``with model:`` the knocked-out reactions get bounds ``[0, 0]``; flux balance analysis gives
   the maximal growth ``mu``; with growth held at ``mu`` the product is minimized. That minimum is
   the production the strain *guarantees* at maximal growth, whatever optimum the cell picks.
   A strain growing below ``lethal_threshold`` is lethal and scores ``(0, 0, 0)``. A strain is
   the gene deletion of its genes: cobra disables every reaction whose rule they make false;
   :func:`unreproduced_strains` checks that a table's strains are those mutants.
2. **The knock-out cost** (:func:`knockout_cost`, :func:`strain_cut` from
   :mod:`helpers.mome.gpr`): the smallest number of genes whose knock-out makes a gene set's GPR
   rule false, an exact minimum hitting set over the rule's clauses (the paper's recursion,
   :func:`paper_knockout_cost`, overcounts when clauses share a gene).
3. **The search** (:func:`make_nsga2` and the operators of :mod:`helpers.mome.problem`, run by
   :func:`helpers.mome.search.run_mome`): pymoo's NSGA-II with MOME's few-mutation start
   (:class:`FewMutationSampling`), cloning mating (:class:`CloningMating`: each parent gets
   ``dup`` mutated clones and the best survives), knock-out mutation
   (:class:`KnockoutMutation`) and cost repair (:class:`CostRepair`: random knock-ins until the
   cost is within ``uKC``).

Introduced in chapter ``07_mome_ethanol``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import cobra
import pandas as pd

from helpers.mome.gpr import knockout_cost, minimal_cut, paper_knockout_cost, strain_cut
from helpers.mome.problem import (
    CloningMating,
    CostRepair,
    FewMutationSampling,
    KnockoutMutation,
    make_nsga2,
)

__all__ = [
    "strain_phenotype",
    "gene_knockout_phenotype",
    "unreproduced_strains",
    "knockout_cost",
    "minimal_cut",
    "paper_knockout_cost",
    "strain_cut",
    "FewMutationSampling",
    "KnockoutMutation",
    "CostRepair",
    "CloningMating",
    "make_nsga2",
]

#: Growth is held at ``mu * (1 - GROWTH_SLACK)`` while the product is minimized, so that the
#: solver's rounding of ``mu`` cannot make that LP infeasible.
GROWTH_SLACK = 1e-9


def _phenotype(model: cobra.Model, biomass: str, product: str,
               lethal_threshold: float) -> tuple[float, float, float]:
    """``(mu, product at the growth optimum, least product at mu)`` of ``model`` as it is (to be
    called inside ``with model:``, since it changes the objective and the biomass bound)."""
    model.objective = biomass
    solution = model.optimize()
    if solution.status != "optimal" or solution.objective_value < lethal_threshold:
        return 0.0, 0.0, 0.0
    mu = float(solution.objective_value)
    product_lp = float(solution.fluxes[product])
    growth = model.reactions.get_by_id(biomass)
    growth.lower_bound = mu * (1 - GROWTH_SLACK)
    model.objective = product
    model.objective_direction = "min"
    product_min = model.slim_optimize(error_value=float("nan"))
    return mu, product_lp, float(product_min)


def strain_phenotype(model: cobra.Model, knocked_reactions: Iterable[str], *, biomass: str,
                     product: str, lethal_threshold: float = 1e-6) -> tuple[float, float, float]:
    """``(biomass, product_lp, product_min)`` of the strain that knocks out ``knocked_reactions``.

    ``biomass`` is the maximal growth; ``product_lp`` the product flux of the optimum the solver
    returned (alternative optima make it solver-dependent); ``product_min`` the least product at
    that growth, the production the strain guarantees. ``model`` is left unchanged.

    Examples
    --------
    >>> import cobra
    >>> model = cobra.io.load_model("textbook")
    >>> mu, _, ethanol = strain_phenotype(model, [], biomass="Biomass_Ecoli_core",
    ...                                   product="EX_etoh_e")
    >>> round(mu, 3), round(ethanol, 3)
    (0.874, 0.0)
    """
    with model:
        for reaction_id in knocked_reactions:
            model.reactions.get_by_id(reaction_id).knock_out()
        return _phenotype(model, biomass, product, lethal_threshold)


def unreproduced_strains(model: cobra.Model, table: pd.DataFrame, *, biomass: str, product: str,
                         names: Mapping[str, str] | None = None, genes: str = "genes",
                         growth: str = "biomass", production: str = "product_guaranteed",
                         atol: float = 1e-6) -> pd.DataFrame:
    """The rows of a strain ``table`` that plain cobra gene knock-outs do not reproduce.

    Each row's ``genes`` column (comma-separated gene names or ids, ``names`` mapping ids to
    names; empty for the wild type; rows with a missing value are skipped) is knocked out with
    :func:`gene_knockout_phenotype`; a row is returned when its ``growth`` or ``production``
    column differs from cobra's maximal growth or guaranteed product by more than ``atol``.
    Columns: the row's index (``row``), ``genes``, the table's values and cobra's
    (``cobra_growth``, ``cobra_product``). Empty when every strain is the mutant its genes make.
    """
    for column in (genes, growth, production):
        if column not in table.columns:
            raise KeyError(f"The strain table has no column {column!r} (columns: "
                           f"{list(table.columns)}).")
    by_name = {name: gene for gene, name in (names or {}).items() if gene in model.genes}
    rows = []
    for index, row in table.iterrows():
        if pd.isna(row[genes]) or pd.isna(row[growth]):
            continue
        listed = [g.strip() for g in str(row[genes]).split(",") if g.strip()]
        ids = [g if g in model.genes else by_name.get(g, g) for g in listed]
        unknown = [g for g in ids if g not in model.genes]
        if unknown:
            raise ValueError(f"Row {index!r} of the strain table names gene(s) {unknown} that "
                             f"are not genes of model {model.id!r} (column {genes!r}).")
        mu, _, guaranteed = gene_knockout_phenotype(model, ids, biomass=biomass, product=product)
        if abs(mu - row[growth]) > atol or abs(guaranteed - row[production]) > atol:
            rows.append({"row": index, "genes": row[genes], growth: row[growth],
                         production: row[production], "cobra_growth": mu,
                         "cobra_product": guaranteed})
    return pd.DataFrame(rows, columns=["row", "genes", growth, production, "cobra_growth",
                                       "cobra_product"])


def gene_knockout_phenotype(model: cobra.Model, genes: Iterable[str], *, biomass: str,
                            product: str, lethal_threshold: float = 1e-6
                            ) -> tuple[float, float, float]:
    """:func:`strain_phenotype` of the strain that knocks out ``genes`` (gene ids): cobra
    disables every reaction whose GPR rule the knock-outs make false. ``model`` is left
    unchanged."""
    with model:
        for gene_id in genes:
            model.genes.get_by_id(gene_id).knock_out()
        return _phenotype(model, biomass, product, lethal_threshold)
