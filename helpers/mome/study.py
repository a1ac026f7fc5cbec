"""MOME across organisms: media, theoretical maxima, normalized fronts and the paper's claims.

Chapter ``08_mome_organisms_and_constraints`` runs the search of chapter ``07_mome_ethanol`` on
the models of :data:`helpers.gem.organisms.ORGANISMS`. This module holds what is specific to
that comparison:

* :func:`organism_medium` — glucose 10 mmol/gDW/h and no oxygen where the wild type grows so
  (the paper's main setting); oxygen-limited (2 mmol/gDW/h) where it does not; the model's own
  bounds for a phototroph without a glucose exchange (iRC1080: light).
* :func:`theoretical_maxima` — maximal biomass and maximal ethanol of the wild-type network.
* :func:`normalize_front` and :func:`utopia_distance` — the paper's Fig. 3 normalization and the
  distance of the best normalized strain to the utopia point (1, 1).
* :func:`setup_organism` and :func:`search_organism` — one organism from its loader to its
  normalized front, with the rows of the chapter's tables.

Introduced in chapter ``08_mome_organisms_and_constraints``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import cobra
import numpy as np
import pandas as pd

from helpers.gem.organisms import ORGANISMS, load_organism
from helpers.mome import analysis, search
from helpers.mome.evaluation import StrainEvaluator, configure, reduce_model

__all__ = ["organism_medium", "theoretical_maxima", "normalize_front", "utopia_distance",
           "on_axes_only", "OrganismSetup", "setup_organism", "search_organism"]

GLUCOSE_UPTAKE = 10.0
OXYGEN_LIMITED = 2.0


def organism_medium(model: cobra.Model, name: str, *, threshold: float = 1e-3
                    ) -> tuple[dict[str, float], str]:
    """Lower bounds of the medium for organism ``name`` and a one-line description.

    The model is only read (each trial runs inside ``with model:``).
    """
    org = ORGANISMS[name]
    if org.glucose is None:
        return {}, "the model's own bounds (phototrophic, no glucose exchange)"
    bounds = {org.glucose: -GLUCOSE_UPTAKE}
    if org.oxygen is None:
        return bounds, f"glucose {GLUCOSE_UPTAKE:g}"
    with model:
        model.reactions.get_by_id(org.glucose).lower_bound = -GLUCOSE_UPTAKE
        model.reactions.get_by_id(org.oxygen).lower_bound = 0.0
        grows = model.slim_optimize(error_value=0.0) > threshold
    if grows:
        return {**bounds, org.oxygen: 0.0}, f"glucose {GLUCOSE_UPTAKE:g}, anaerobic"
    return ({**bounds, org.oxygen: -OXYGEN_LIMITED},
            f"glucose {GLUCOSE_UPTAKE:g}, oxygen-limited ({OXYGEN_LIMITED:g}; no anaerobic growth)")


def theoretical_maxima(model: cobra.Model, *, biomass: str, product: str) -> tuple[float, float]:
    """(maximal biomass, maximal product flux) of the network in its current medium."""
    with model:
        model.objective = biomass
        mu = model.slim_optimize(error_value=0.0)
    with model:
        model.objective = product
        p = model.slim_optimize(error_value=0.0)
    return float(mu), float(p)


def normalize_front(front: pd.DataFrame, max_biomass: float, max_product: float, *,
                    objective: str = "product_min") -> pd.DataFrame:
    """The front with ``biomass_norm`` and ``product_norm`` in [0, 1] (divided by the maxima)."""
    out = front.copy()
    out["biomass_norm"] = out["biomass"] / max_biomass if max_biomass > 0 else np.nan
    out["product_norm"] = out[objective] / max_product if max_product > 0 else np.nan
    return out


def utopia_distance(normalized: pd.DataFrame) -> float:
    """Smallest Euclidean distance of a normalized strain to the utopia point (1, 1)."""
    if normalized.empty:
        return float("nan")
    d = np.hypot(1 - normalized["biomass_norm"], 1 - normalized["product_norm"])
    return float(d.min())


def on_axes_only(normalized: pd.DataFrame, *, tol: float = 0.02) -> bool:
    """Whether every front point lies on an axis: no strain has both a normalized biomass and a
    normalized product above ``tol`` (no trade-off points)."""
    both = (normalized["biomass_norm"] > tol) & (normalized["product_norm"] > tol)
    return not bool(both.any())


@dataclass
class OrganismSetup:
    """One organism ready for the search: reduced model, evaluator, loaded (unreduced) model
    ``full`` with the file's bounds, maxima, table row."""

    name: str
    model: cobra.Model
    evaluator: StrainEvaluator
    full: cobra.Model
    max_biomass: float
    max_ethanol: float
    row: dict


def setup_organism(name: str) -> OrganismSetup:
    """Load ``name`` (:func:`helpers.gem.organisms.load_organism`), apply
    :func:`organism_medium`, reduce it (:func:`~helpers.mome.evaluation.reduce_model`, cached on
    disk), build its gene-set evaluator and theoretical maxima. ``row`` is the chapter's model
    table row (counts, medium, wild type, maxima, set-up seconds)."""
    org = ORGANISMS[name]
    t0 = time.perf_counter()
    full = load_organism(name)
    medium, described = organism_medium(full, name)
    model = reduce_model(configure(full, medium))
    evaluator = StrainEvaluator(model, biomass=org.biomass, product=org.ethanol)
    max_biomass, max_ethanol = theoretical_maxima(model, biomass=org.biomass, product=org.ethanol)
    row = {"model": name, "species": org.species,
           "kingdom": "eukaryote" if org.eukaryote else "prokaryote",
           "reactions": len(full.reactions), "carry_flux": len(model.reactions),
           "genes": len(full.genes), "gene_sets": len(evaluator.units), "medium": described,
           "ethanol_exchange": org.ethanol, "wt_biomass": evaluator.reference[0],
           "wt_ethanol": evaluator.reference[2], "max_biomass": max_biomass,
           "max_ethanol": max_ethanol, "setup_s": time.perf_counter() - t0}
    return OrganismSetup(name, model, evaluator, full, max_biomass, max_ethanol, row)


def search_organism(setup: OrganismSetup, settings: Mapping[str, int], *, seed: int = 0
                    ) -> tuple[search.MomeResult, pd.DataFrame, dict]:
    """Chapter 07's search on one organism: ``(result, normalized front, summary row)``.

    ``settings``: ``pop_size``, ``n_gen``, ``dup``, ``ukc``, ``elite_cost``, ``envelope_points``
    (profile section ``mome_organisms``). The summary row holds strains, front size, distinct
    strains and LPs per second, cache hits, HV against the envelope, utopia distance, whether
    only axis points were found, the best normalized ethanol and the wall time.
    """
    org = ORGANISMS[setup.name]
    env = analysis.envelope(setup.model, biomass=org.biomass, product=org.ethanol,
                            points=settings["envelope_points"])
    res = search.run_mome(setup.evaluator, pop_size=settings["pop_size"], n_gen=settings["n_gen"],
                          dup=settings["dup"], ukc=settings["ukc"], seed=seed,
                          envelope_hv=analysis.envelope_hypervolume(env),
                          elite_cost=settings["elite_cost"])
    norm = normalize_front(res.front, setup.max_biomass, setup.max_ethanol)
    row = {"model": setup.name, "kingdom": "eukaryote" if org.eukaryote else "prokaryote",
           "strains": len(res.archive), "front": len(res.front),
           "strains_per_s": res.evaluations_per_s, "lp_per_s": res.lp_per_s,
           "cache_hits": res.n_cache_hits,
           "hv_vs_envelope_pct": 100 * res.history.hv_relative.iloc[-1],
           "utopia_distance": utopia_distance(norm), "only_axis_points": on_axes_only(norm),
           "best_ethanol_norm": norm.product_norm.max(), "wall_s": res.wall_s}
    return res, norm, row
