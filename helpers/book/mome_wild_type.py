"""Which set-up gives the MOME paper's iJO1366 wild types? (Chapter
``08_mome_organisms_and_constraints``.)

The paper reports an anaerobic wild type (biomass 1.0334 /h, ethanol 2.116) and an LB one
(3.6921 /h, 25.0757) without the bounds that give them; :func:`wild_type_setups` tries the
set-ups of :mod:`helpers.book.mome_designs` and fits uptakes to the paper's growth.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import cobra
import numpy as np
import pandas as pd

from helpers.book.mome_designs import LB_UPTAKE, lb_medium
from helpers.gem.organisms import ORGANISMS

__all__ = ["PAPER_WILD_TYPES", "wild_type_setups"]

#: the paper's two stated iJO1366 wild types: (biomass /h, ethanol mmol/gDW/h)
PAPER_WILD_TYPES = {"anaerobic": (1.0334, 2.116), "LB": (3.6921, 25.0757)}


def _phenotype(model: cobra.Model, biomass: str, product: str) -> tuple[float, float, float, float]:
    """(max growth, ethanol of cobra's FBA solution, min and max ethanol at max growth)."""
    sol = model.optimize()
    if sol.status != "optimal" or sol.objective_value < 1e-9:
        return 0.0, np.nan, np.nan, np.nan
    mu = float(sol.objective_value)
    fba = float(sol.fluxes[product])
    with model:
        model.reactions.get_by_id(biomass).lower_bound = mu * (1 - 1e-9)
        model.objective = product
        model.objective_direction = "min"
        lo = model.slim_optimize(error_value=np.nan)
        model.objective_direction = "max"
        hi = model.slim_optimize(error_value=np.nan)
    return mu, fba, float(lo), float(hi)


def _bisect(grows: Callable[[float], float], target: float, lo: float, hi: float,
            steps: int) -> float | None:
    """Smallest x in [lo, hi] (to ``steps`` halvings) with ``grows(x) >= target``, for a
    ``grows`` that increases with x; None when even ``hi`` falls short."""
    if grows(hi) < target:
        return None
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if grows(mid) < target else (lo, mid)
    return hi


def _growth_with(model: cobra.Model, bounds: Mapping[str, float]) -> float:
    """Maximal growth of ``model`` with the given lower bounds (0 when infeasible)."""
    with model:
        for rid, v in bounds.items():
            model.reactions.get_by_id(rid).lower_bound = v
        return model.slim_optimize(error_value=0.0)


def _scaled(bounds: Mapping[str, float], factor: float) -> dict[str, float]:
    return {rid: v * factor for rid, v in bounds.items()}


def _mark_matches(table: pd.DataFrame, mu_paper: float, eth_paper: float) -> pd.DataFrame:
    """Add whether each row matches the paper's wild type (biomass within 1 %; ethanol in
    [min, max] within 1 %; minimal ethanol within 1 %)."""
    table["biomass_matches"] = (table.biomass - mu_paper).abs() <= 0.01 * mu_paper
    table["ethanol_in_range"] = ((table.ethanol_min <= 1.01 * eth_paper)
                                 & (0.99 * eth_paper <= table.ethanol_max))
    table["ethanol_min_matches"] = (table.ethanol_min - eth_paper).abs() <= 0.01 * eth_paper
    return table


def wild_type_setups(model: cobra.Model | None = None, *, target: str = "anaerobic",
                     steps: int = 25) -> pd.DataFrame:
    """Which set-up gives the paper's iJO1366 wild type ``target`` (:data:`PAPER_WILD_TYPES`)?

    Tries: chapter 07's anaerobic glucose 10 with the core and with the wild-type biomass
    reaction; aerobic glucose 10; CarveMe LB and LB[-O2] at the LB bound of :func:`lb_medium`;
    each of these media with its uptakes scaled (bisection, ``steps`` halvings) so that growth
    equals the paper's; glucose with oxygen fitted the same way at several glucose uptakes; and,
    when the guaranteed ethanol crosses the paper's between two of those, the glucose uptake
    (bisection) where it equals it. Each row: biomass, ethanol of cobra's FBA solution, the
    minimal and maximal ethanol at maximal growth, and whether the paper's pair is matched
    (biomass within 1 %; ethanol in [min, max] within 1 %; minimal ethanol within 1 %).
    """
    mu_paper, eth_paper = PAPER_WILD_TYPES[target]
    org = ORGANISMS["iJO1366"]
    if model is None:
        from helpers.gem.organisms import load_organism

        model = load_organism("iJO1366")
    rows = []

    growth = partial(_growth_with, model)

    def add(label: str, bounds: Mapping[str, float], biomass: str = org.biomass,
            fitted: str = "") -> tuple[float, float, float, float]:
        with model:
            for rid, v in bounds.items():
                model.reactions.get_by_id(rid).lower_bound = v
            if biomass != org.biomass:
                model.objective = biomass
            out = _phenotype(model, biomass, org.product)
        rows.append({"setup": label, "fitted": fitted, "biomass": out[0], "ethanol_fba": out[1],
                     "ethanol_min": out[2], "ethanol_max": out[3]})
        return out

    def oxygen_for(glucose: float) -> float | None:
        return _bisect(lambda o: growth({org.glucose: -glucose, org.oxygen: -o}), mu_paper,
                       0.0, 1000.0, steps)

    anaerobic = {org.glucose: -10.0, org.oxygen: 0.0}
    add("glucose 10, anaerobic (ours)", anaerobic)
    add("glucose 10, anaerobic, wild-type biomass reaction", anaerobic,
        biomass="BIOMASS_Ec_iJO1366_WT_53p95M")
    add("glucose 10, aerobic", {org.glucose: -10.0, org.oxygen: -1000.0})
    factor = _bisect(lambda f: growth(_scaled(anaerobic, f)), mu_paper, 0.0, 100.0, steps)
    if factor is not None:
        add(f"glucose {10 * factor:.4g}, anaerobic", _scaled(anaerobic, factor),
            fitted="glucose uptake")
    for medium in ("LB", "LB[-O2]"):
        bounds = lb_medium(model, uptake=LB_UPTAKE, medium=medium)[0]
        add(f"CarveMe {medium}, each uptake <= {LB_UPTAKE:g}", bounds)
        factor = _bisect(lambda f, b=bounds: growth(_scaled(b, f)), mu_paper, 0.0, 100.0, steps)
        if factor is not None:
            add(f"CarveMe {medium}, each uptake <= {LB_UPTAKE * factor:.4g}",
                _scaled(bounds, factor), fitted="uptake bound")
    previous = None
    for glucose in (11.0, 15.0, 20.0, 30.0):
        oxygen = oxygen_for(glucose)
        if oxygen is None:
            continue
        eth = add(f"glucose {glucose:g}, oxygen {oxygen:.4g}",
                  {org.glucose: -glucose, org.oxygen: -oxygen}, fitted="oxygen uptake")[2]
        if previous is not None and previous[1] < eth_paper <= eth:
            # guaranteed ethanol grows with glucose here: fit glucose so that it equals the paper's

            def ethanol_at(g: float) -> float:
                o = oxygen_for(g)
                with model:
                    model.reactions.get_by_id(org.glucose).lower_bound = -g
                    model.reactions.get_by_id(org.oxygen).lower_bound = -(o or 0.0)
                    return _phenotype(model, org.biomass, org.product)[2]

            g = _bisect(ethanol_at, eth_paper, previous[0], glucose, steps)
            o = oxygen_for(g)
            add(f"glucose {g:.4g}, oxygen {o:.4g}", {org.glucose: -g, org.oxygen: -o},
                fitted="glucose and oxygen uptakes")
        previous = (glucose, eth)
    return _mark_matches(pd.DataFrame(rows), mu_paper, eth_paper)
