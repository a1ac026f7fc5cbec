"""Run one MOME unit: each kind's set-up as its chapter builds it, the search, the unit's content.

:data:`RUNNERS` maps a :class:`~helpers.book.paper.mome.MomeStudy` kind to a function
``(study, settings, seed) -> (result, wild type, extra)`` that calls the chapter's own helpers
(:mod:`helpers.book.mome_study`, :mod:`helpers.book.mome_designs`, :mod:`helpers.mome`), so a unit
is the chapter's search at the paper profile; :func:`compute_mome_unit` turns one into the unit's
file content and :func:`recompute_prefix` reruns its first generations for the CI check.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import time
from collections.abc import Callable, Mapping

import numpy as np

from helpers.book.paper.mome import (
    ETHANOL_SETUP,
    PREFIX_GENERATIONS,
    MomeStudy,
    archive_summary,
    clean,
    mome_protocol,
    mome_protocol_hash,
    prefix_record,
    result_summary,
    run_search,
    sample_seed,
)

_FRONT_COLUMNS = ("cost", "biomass", "product_lp", "product_min")


def _common(settings: Mapping) -> dict:
    return {k: settings[k] for k in ("pop_size", "n_gen", "dup", "ukc", "elite_cost")}


def _ethanol(study: MomeStudy, settings: Mapping, seed: int):
    """Chapter 07 with its parameters' defaults (:data:`~helpers.book.paper.mome.ETHANOL_SETUP`):
    the model, its medium without oxygen, reduced; the envelope; the search."""
    from helpers.mome import analysis, inputs, search, strains

    full, biomass = inputs.load_model(ETHANOL_SETUP["model"])
    product = inputs.resolve_product(full, ETHANOL_SETUP["product"])
    model = strains.reduce_model(inputs.apply_medium(full, ETHANOL_SETUP["medium"],
                                                     ETHANOL_SETUP["oxygen"]))
    ev = strains.StrainEvaluator(model, biomass=biomass, product=product)
    env = analysis.envelope(model, biomass=biomass, product=product,
                            points=settings["envelope_points"])
    res = search.run_mome(ev, seed=seed, objective="product_min", n_jobs=1,
                          max_initial_mutations=settings["max_initial_mutations"],
                          envelope_hv=analysis.envelope_hypervolume(env),
                          skip_lethal_units=settings["skip_lethal_units"],
                          prefer_support=settings["prefer_support"], **_common(settings))
    return res, ev.reference, {"gene_sets": len(ev.units)}


def _organism(study: MomeStudy, settings: Mapping, seed: int):
    """Chapter 08: :func:`~helpers.book.mome_study.setup_organism` and
    :func:`~helpers.book.mome_study.search_organism`."""
    from helpers.book import mome_study

    setup = mome_study.setup_organism(study.organism)
    res, norm, row = mome_study.search_organism(setup, settings, seed=seed)
    max_product = next((getattr(setup, a) for a in ("max_product", "max_ethanol")
                        if hasattr(setup, a)), None)
    extra = {"max_biomass": setup.max_biomass, "max_product": max_product,
             "utopia_distance": row.get("utopia_distance"),
             "only_axis_points": bool(row.get("only_axis_points")),
             "best_product_norm": float(norm.product_norm.max()) if len(norm) else float("nan")}
    return res, setup.evaluator.reference, extra


def constrained_summary(run) -> dict:
    """The best strain of a constrained run's best-per-count table (a
    :class:`~helpers.book.mome_designs.ConstrainedRun`): ``best_constrained`` (its guaranteed
    product), ``best_knockouts``, ``best_biomass_pct_of_wt``; empty without a row."""
    table = run.table
    column = next((c for c in ("product_guaranteed", "ethanol_guaranteed") if c in table), None)
    if not len(table) or column is None:
        return {}
    best = table.loc[table[column].idxmax()]
    return {"best_constrained": float(best[column]), "best_knockouts": int(best.knockouts),
            "best_biomass_pct_of_wt": float(best.biomass_pct_of_wt)}


def _constrained(study: MomeStudy, settings: Mapping, seed: int):
    """Chapter 08: :func:`~helpers.book.mome_designs.run_constrained` (E. coli gene names, as the
    chapter passes them); its best-per-count table and counts."""
    from helpers.book import mome_designs
    from helpers.mome import analysis

    run = mome_designs.run_constrained(study.organism, study.medium, settings, seed=seed,
                                       names=analysis.ecoli_gene_names())
    extra = {"counts": clean(dict(run.counts)),
             "best_per_count": clean(run.table.to_dict(orient="records")),
             **constrained_summary(run)}
    return run.result, run.evaluator.reference, extra


def _redirector(study: MomeStudy, settings: Mapping, seed: int):
    """Chapter 09: iMM904 in chapter 08's medium; the knock-out search on its gene sets or the
    regulation search (:class:`~helpers.mome.redirector.RegulationDesign`) on the flux-carrying,
    viable ones."""
    from helpers.book import mome_study
    from helpers.gem.organisms import ORGANISMS, load_organism
    from helpers.mome import analysis, redirector, search, strains

    org = ORGANISMS[study.organism]
    product = getattr(org, "product", None) or org.ethanol
    full = load_organism(study.organism)
    medium, _ = mome_study.organism_medium(full, study.organism)
    model = strains.reduce_model(strains.configure(full, medium))
    ko_ev = strains.StrainEvaluator(model, biomass=org.biomass, product=product)
    if study.kind == "redirector-knockouts":
        res = search.run_mome(ko_ev, seed=seed, **_common(settings))
    else:
        targets = [int(u) for u in np.flatnonzero(ko_ev.support_units & ko_ev.viable_units)]
        reg_ev = redirector.RedirectorEvaluator(model, biomass=org.biomass, product=product,
                                                targets=targets)
        design = redirector.RegulationDesign(reg_ev, levels=tuple(settings["levels"]))
        res = search.run_mome(design, skip_lethal_units=False, seed=seed, **_common(settings))
    wt_growth = float(ko_ev.reference[0])
    extra = {"feasible_bins_covered_pct": 100 * analysis.biomass_coverage(
                 res.archive, wt_growth, settings["bins"]),
             "front_bins_covered_pct": 100 * analysis.biomass_coverage(
                 res.front, wt_growth, settings["bins"])}
    return res, ko_ev.reference, extra


#: kind -> runner ``(study, settings, seed) -> (MomeResult, wild type phenotype, extra)``.
RUNNERS: dict[str, Callable] = {"ethanol": _ethanol, "organism": _organism,
                                "constrained": _constrained, "redirector-knockouts": _redirector,
                                "redirector-regulation": _redirector}


def _provenance(study: MomeStudy, sample: str, commit: str) -> dict:
    import cobra

    try:
        solver = cobra.Configuration().solver.__name__.rsplit(".", 1)[-1]
    except AttributeError:
        solver = "unknown"
    return {"git_commit": commit, "cobra": cobra.__version__, "solver": solver,
            "python": platform.python_version(), "cores": os.cpu_count(),
            "machine": platform.machine(),
            "date": _dt.datetime.now(_dt.timezone.utc).isoformat(),
            "protocol": mome_protocol(study, sample)}


def compute_mome_unit(study: MomeStudy, sample: str) -> dict:
    """Run one MOME unit (set-up and search with the sample's seed) and return its content."""
    from helpers.book.paper.units import _git_commit, checksum

    commit = _git_commit()
    start = time.perf_counter()
    result, wt, extra = run_search(study, sample_seed(sample))
    seconds = time.perf_counter() - start
    front = _front_records(result)
    content = {
        "unit": {"chapter": study.chapter, "study": study.key, "label": study.label,
                 "sample": sample, "seed": sample_seed(sample), "method": "MOME"},
        "protocol_hash": mome_protocol_hash(study, sample),
        "summary": {**result_summary(result, tuple(wt)), "front_points": len(front["cost"]), **{
            k: v for k, v in extra.items() if not isinstance(v, dict | list)}},
        "extra": {k: v for k, v in extra.items() if isinstance(v, dict | list)},
        "wild_type": [float(x) for x in wt],
        "front": front,
        "archive": archive_summary(result.archive),
        "history": result.history.astype(float).to_dict(orient="list"),
        "evaluations": {"n_requests": result.n_requests, "n_computed": result.n_computed,
                        "n_lp": result.n_lp, "n_cache_hits": result.n_cache_hits},
        "prefix": prefix_record(result.archive, result.history),
        "seconds": seconds, "search_seconds": float(result.wall_s),
        "provenance": _provenance(study, sample, commit),
    }
    content = clean(content)
    content["checksum"] = checksum(content)
    return content


def _front_records(result) -> dict[str, list]:
    """The observed front by distinct phenotype, column by column: the cheapest genotype of each
    (biomass, guaranteed product) point, with ``n_genotypes`` (how many front genotypes share
    it; a degenerate front has thousands of genotypes on a few points)."""
    from helpers.book.paper.mome import strain_records

    front = result.front.assign(_b=result.front.biomass.round(9),
                                _p=result.front.product_min.round(9))
    counts = front.groupby(["_b", "_p"]).size().rename("n_genotypes")
    distinct = (front.sort_values(["cost", "biomass"]).drop_duplicates(["_b", "_p"])
                .join(counts, on=["_b", "_p"]).sort_values(["biomass", "product_min"]))
    records = strain_records(distinct, _FRONT_COLUMNS)
    columns = {key: [r[key] for r in records] for key in ("genotype", *_FRONT_COLUMNS)}
    columns["n_genotypes"] = [int(n) for n in distinct.n_genotypes]
    return columns


def recompute_prefix(study: MomeStudy, sample: str,
                     generations: int = PREFIX_GENERATIONS) -> dict:
    """The unit's ``prefix`` recomputed by a search of ``generations`` generations only (the
    same set-up and seed): what the CI check compares with the stored one."""
    result, _, _ = run_search(study, sample_seed(sample), n_gen=generations)
    return prefix_record(result.archive, result.history, generations)
