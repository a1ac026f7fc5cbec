"""Chapter ``08_mome_organisms_and_constraints``: the LB wild type against LB's measured growth, and
where the headline strains' ethanol comes from.

* :func:`lb_growth_check` — each LB set-up's wild-type growth beside the measured LB growth range
  (:func:`helpers.gem.media.lb_growth_range`) and beside the earlier set-up (every LB compound at
  :data:`helpers.book.mome_designs.LB_UPTAKE`), the control.
* :func:`headline_strains` — the best strain we know per set-up (the search's best or the exact
  enumeration's, as :func:`helpers.book.mome_study.best_known_constrained` picks) with its genes.
* :func:`origin_table` — :func:`helpers.mome.origin.product_origin` of every headline strain, one
  table, and :func:`origin_summary` — one row per strain: its producer, the step upstream, the
  carbon source it depends on most, and what is left without it.
* :func:`growth_allowance` — the most ethanol the wild-type network can make at its maximal
  growth and at the growth floor: the room the floor leaves.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from helpers.book.mome_designs import LB_UPTAKE, ConstrainedRun, lb_medium
from helpers.gem.media import lb_growth_range, lb_growth_rate
from helpers.gem.organisms import ORGANISMS
from helpers.mome import origin
from helpers.mome.strains import configure

__all__ = ["lb_growth_check", "lb_strain_check", "headline_strains", "origin_table",
           "origin_summary", "growth_allowance", "DEOXYNUCLEOSIDES"]

#: the deoxynucleoside exchanges of CarveMe's LB (deoxyadenosine, deoxycytidine, thymidine)
DEOXYNUCLEOSIDES = ("EX_dad_2_e", "EX_dcyt_e", "EX_thymd_e")


def _run(runs: Sequence[ConstrainedRun], organism: str, medium: str) -> ConstrainedRun:
    run = next((r for r in runs if (r.organism, r.medium) == (organism, medium)), None)
    if run is None:
        raise ValueError(f"No constrained run for organism {organism!r} in medium {medium!r}; "
                         f"the runs are {sorted((r.organism, r.medium) for r in runs)}.")
    return run


def lb_growth_check(runs: Sequence[ConstrainedRun], models: dict, *,
                    tolerance: float = 0.3) -> pd.DataFrame:
    """Per LB set-up: the wild type's growth (the run's reference), the measured range, whether
    it is inside, and the growth of the earlier uniform set-up. ``models``: organism -> the model
    as :func:`helpers.gem.organisms.load_organism` returns it."""
    low, high = lb_growth_range(tolerance)
    rows = []
    for run in runs:
        if run.medium != "LB":
            continue
        model = models[run.organism]
        uniform = configure(model, lb_medium(model, uptake=LB_UPTAKE)[0])
        uniform.objective = ORGANISMS[run.organism].biomass
        mu = float(run.counts["wt_biomass"])
        rows.append({"model": run.organism, "medium": run.medium, "wt_growth": mu,
                     "measured_growth": lb_growth_rate(), "range_low": low, "range_high": high,
                     "in_range": low <= mu <= high,
                     "uniform_uptake": LB_UPTAKE,
                     "uniform_wt_growth": uniform.slim_optimize(error_value=0.0)})
    return pd.DataFrame(rows)


def lb_strain_check(model, genes: Sequence[str], *, organism: str = "iJO1366") -> pd.DataFrame:
    """One strain (gene ids) in both LB set-ups, measured and uniform: growth, guaranteed
    ethanol, the reaction one step upstream of ethanol, and the growth and ethanol with the
    deoxynucleoside uptakes (:data:`DEOXYNUCLEOSIDES`) closed. ``model``: as loaded."""
    org = ORGANISMS[organism]
    rows = []
    for label, uptake in (("measured", None), ("uniform", LB_UPTAKE)):
        lb = configure(model, lb_medium(model, uptake=uptake)[0])
        res = origin.product_origin(lb, biomass=org.biomass, product=org.product, genes=genes,
                                    min_share=1.0)
        pre = res.table[res.table.kind == "precursor"].sort_values("share")
        mu0, eth0 = origin.product_without(lb, DEOXYNUCLEOSIDES, biomass=org.biomass,
                                           product=org.product, genes=genes)
        rows.append({"lb": label, "growth": res.growth, "product_guaranteed": res.product_min,
                     "precursor": pre.reaction.iloc[-1] if len(pre) else "",
                     "precursor_name": pre.name.iloc[-1] if len(pre) else "",
                     "growth_without_deoxynucleosides": mu0,
                     "ethanol_without_deoxynucleosides": eth0})
    return pd.DataFrame(rows)


def headline_strains(runs: Sequence[ConstrainedRun], best_known: pd.DataFrame,
                     vs_exact: pd.DataFrame, models: dict) -> pd.DataFrame:
    """The best strain we know per set-up with its gene names and ids: from the run's Table 4
    (source ``search``) or from the exact enumeration's best budget (``enumeration``).
    ``models``: organism -> the model as loaded (its genes)."""
    rows = []
    for row in best_known.itertuples():
        run = _run(runs, row.model, row.medium)
        if row.best_known_source == "enumeration":
            ex = vs_exact[(vs_exact.model == row.model) & (vs_exact.medium == row.medium)]
            top = ex.sort_values(["exact_product", "max_knockouts"], ascending=[False, True])
            text = top.exact_genes.iloc[0]
        else:
            table = run.table
            text = table.loc[table.product_guaranteed.idxmax(), "genes"] if len(table) else ""
        names = [g for g in str(text if isinstance(text, str) else "").split(", ") if g]
        ids = origin.genes_from_names(models[row.model], names, run.gene_names)
        rows.append({"model": row.model, "medium": row.medium,
                     "source": row.best_known_source, "ethanol": row.best_known_ethanol,
                     "genes": ", ".join(names) or "the wild type", "gene_ids": tuple(ids)})
    return pd.DataFrame(rows)


def origin_table(runs: Sequence[ConstrainedRun], headline: pd.DataFrame, models: dict, *,
                 min_share: float = 0.0) -> pd.DataFrame:
    """:func:`helpers.mome.origin.product_origin` of each headline strain in its set-up's medium
    (``models``: organism -> the model as loaded), one table with ``model``, ``medium``,
    ``strain_genes``, ``growth`` and ``product_guaranteed`` columns added."""
    from helpers.book.mome_designs import setup_medium

    parts = []
    for row in headline.itertuples():
        org = ORGANISMS[row.model]
        model = configure(models[row.model], setup_medium(models[row.model], row.model,
                                                          row.medium)[0])
        res = origin.product_origin(model, biomass=org.biomass, product=org.product,
                                    genes=row.gene_ids, min_share=min_share)
        parts.append(res.table.assign(model=row.model, medium=row.medium,
                                      strain_genes=row.genes, growth=res.growth,
                                      product_guaranteed=res.product_min))
    table = pd.concat(parts, ignore_index=True)
    first = ["model", "medium", "strain_genes", "growth", "product_guaranteed"]
    return table[first + [c for c in table.columns if c not in first]]


def origin_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per strain of :func:`origin_table`: the main producer, the main reaction one step
    upstream, the carbon source whose closing lowers the ethanol most and the ethanol left."""
    rows = []
    for (model, medium), part in table.groupby(["model", "medium"], sort=False):
        producer = part[part.kind == "producer"].sort_values("share").iloc[-1]
        pre = part[part.kind == "precursor"].sort_values("share")
        top = origin.top_carbon_source(part)
        rows.append({
            "model": model, "medium": medium, "strain_genes": part.strain_genes.iloc[0],
            "growth": part.growth.iloc[0], "product_guaranteed": part.product_guaranteed.iloc[0],
            "producer": producer.reaction, "producer_genes": producer.genes,
            "precursor": pre.reaction.iloc[-1] if len(pre) else "",
            "precursor_name": pre.name.iloc[-1] if len(pre) else "",
            "precursor_genes": pre.genes.iloc[-1] if len(pre) else "",
            "precursor_share": pre.share.iloc[-1] if len(pre) else float("nan"),
            "top_source": top.metabolite, "top_source_reaction": top.reaction,
            "top_source_carbon_share": top.share, "ethanol_without_top": top.product_without,
            "growth_without_top": top.growth_without,
        })
    return pd.DataFrame(rows)


def growth_allowance(runs: Sequence[ConstrainedRun], models: dict) -> pd.DataFrame:
    """Per set-up: the most ethanol the wild-type network makes at its maximal growth and at the
    run's growth floor (the production envelope's upper edge at both growths)."""
    from helpers.book.mome_designs import setup_medium

    rows = []
    for run in runs:
        org = ORGANISMS[run.organism]
        model = configure(models[run.organism],
                          setup_medium(models[run.organism], run.organism, run.medium)[0])
        mu = float(run.counts["wt_biomass"])
        out = {}
        with model:
            model.objective = org.biomass
            top = model.slim_optimize(error_value=0.0)  # this solver's optimum (~ mu)
        for label, growth in (("at_wt_growth", top * (1 - 1e-6)), ("at_floor", run.floor)):
            with model:
                model.reactions.get_by_id(org.biomass).lower_bound = growth
                model.objective = org.product
                out[label] = model.slim_optimize(error_value=float("nan"))
        rows.append({"model": run.organism, "medium": run.medium, "wt_growth": mu,
                     "floor": run.floor, "max_ethanol_at_wt_growth": out["at_wt_growth"],
                     "max_ethanol_at_floor": out["at_floor"]})
    return pd.DataFrame(rows)
