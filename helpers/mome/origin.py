"""Where a strain's product comes from: the reactions that carry its carbon at the guaranteed point.

A strain's *guaranteed* production is the least product at its maximal growth
(:func:`helpers.mome.core.strain_phenotype`). :func:`guaranteed_fluxes` returns one flux vector
there: growth held at its maximum, the product held at its minimum, and the total flux minimized
(pFBA, {cite}`lewis2010pfba`), so that no flux runs that the point does not need.
:func:`product_origin` reads that vector:

* ``producer`` rows: the reactions that make the product (transports skipped), with their share;
* ``precursor`` rows: the reactions that make the producers' carbon substrate (the reactant with
  the most carbon atoms, currency metabolites such as NADH or ATP left out), one step upstream;
* ``carbon source`` rows: every uptake that brings carbon in (carbon atoms x flux, share of all
  carbon taken up), and what the strain guarantees when that uptake is closed
  (``product_without``, ``growth_without``): the sources the product cannot do without.

The strain is its gene deletion: cobra's ``Gene.knock_out`` disables every reaction whose rule
the deleted genes make false. Returns data only.

Introduced in chapter ``08_mome_organisms_and_constraints``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import cobra
import numpy as np
import pandas as pd
from cobra.flux_analysis import pfba

__all__ = ["OriginResult", "guaranteed_fluxes", "product_origin", "product_without",
           "genes_from_names", "top_carbon_source"]

#: Growth is held at ``mu * (1 - SLACK)`` and the product at ``min * (1 + SLACK) + 1e-9``.
SLACK = 1e-7
#: currency metabolites (BiGG base ids and lower-case names) never traced as a carbon substrate
CURRENCY = frozenset({
    "nad", "nadh", "nadp", "nadph", "atp", "adp", "amp", "gtp", "gdp", "coa", "h", "h2o", "pi",
    "ppi", "co2", "q8", "q8h2", "mqn8", "mql8", "fad", "fadh2", "accoa", "nh4", "o2", "hco3",
    "h+", "phosphate", "diphosphate", "carbon dioxide", "coenzyme a", "ammonium", "oxygen",
    "ubiquinone-6", "ubiquinol-6"})

_COMPARTMENT = re.compile(r"_[a-z]{1,2}$")


@dataclass
class OriginResult:
    """A strain's guaranteed point and the table of :func:`product_origin`."""

    genes: tuple[str, ...]
    growth: float
    product_min: float
    table: pd.DataFrame


def _base(met: cobra.Metabolite) -> str:
    return _COMPARTMENT.sub("", met.id)


def _same(a: cobra.Metabolite, b: cobra.Metabolite) -> bool:
    """Two compartment variants of one compound (same BiGG base id or same name)."""
    return _base(a) == _base(b) or (bool(a.name) and a.name.lower() == (b.name or "").lower())


def _carbons(met: cobra.Metabolite) -> float:
    """Carbon atoms of ``met`` (NaN when its formula is unknown)."""
    try:
        elements = met.elements
    except Exception:  # noqa: BLE001 - cobra raises on malformed formulas
        return float("nan")
    if not met.formula:
        return float("nan")
    return float(elements.get("C", 0))


def _currency(met: cobra.Metabolite) -> bool:
    return _base(met).lower() in CURRENCY or (met.name or "").lower() in CURRENCY


def _knock_out(model: cobra.Model, genes: Iterable[str]) -> None:
    unknown = [g for g in genes if g not in model.genes]
    if unknown:
        raise ValueError(f"Gene ids not in model {model.id!r}: {unknown}.")
    for gene in genes:
        model.genes.get_by_id(gene).knock_out()


def _point(model: cobra.Model, biomass: str, product: str) -> tuple[float, float]:
    """(max growth, least product at it) of ``model`` as it is; fixes both in place."""
    model.objective = biomass
    mu = model.slim_optimize(error_value=0.0)
    if mu <= 1e-9:
        return 0.0, 0.0
    model.reactions.get_by_id(biomass).lower_bound = mu * (1 - SLACK)
    with model:
        model.objective = product
        model.objective_direction = "min"
        low = model.slim_optimize(error_value=float("nan"))
    return float(mu), float(low)


def guaranteed_fluxes(model: cobra.Model, *, biomass: str, product: str,
                      genes: Iterable[str] = ()) -> tuple[float, float, pd.Series]:
    """``(growth, guaranteed product, pFBA fluxes)`` of the gene-deletion strain ``genes``.

    Growth is held at its maximum and the product at its minimum there; the flux vector is the
    one of least total flux (pFBA). ``model`` is left unchanged. ``ValueError`` when the strain
    does not grow.
    """
    genes = tuple(genes)
    with model:
        _knock_out(model, genes)
        mu, low = _point(model, biomass, product)
        if mu <= 0:
            raise ValueError(f"The strain {list(genes)} of model {model.id!r} does not grow.")
        reaction = model.reactions.get_by_id(product)
        reaction.upper_bound = max(low * (1 + SLACK) + 1e-9, reaction.lower_bound)
        model.objective = biomass
        fluxes = pfba(model, fraction_of_optimum=1 - 2 * SLACK).fluxes
    return mu, low, fluxes


def _producers(model: cobra.Model, fluxes: pd.Series, target: cobra.Metabolite,
               tol: float) -> list[tuple[cobra.Reaction, float]]:
    """Non-transport reactions making ``target`` (any compartment) in ``fluxes``: (reaction,
    rate of the compound made)."""
    out = []
    for met in model.metabolites:
        if not _same(met, target):
            continue
        for r in met.reactions:
            made = r.metabolites[met] * fluxes[r.id]
            transport = any(_same(m, target) and m is not met for m in r.metabolites)
            if made > tol and not transport and not r.boundary:
                out.append((r, made))
    return out


def _substrate(reaction: cobra.Reaction, flux: float) -> cobra.Metabolite | None:
    """The consumed non-currency metabolite of ``reaction`` with the most carbon atoms."""
    consumed = [m for m, c in reaction.metabolites.items() if c * flux < 0 and not _currency(m)]
    consumed = [m for m in consumed if not np.isnan(_carbons(m)) and _carbons(m) > 0] or consumed
    return max(consumed, key=lambda m: np.nan_to_num(_carbons(m)), default=None)


def _row(kind: str, reaction: cobra.Reaction, flux: float, share: float, **extra) -> dict:
    return {"kind": kind, "reaction": reaction.id, "name": reaction.name,
            "genes": reaction.gene_reaction_rule, "flux": flux, "share": share,
            **{"metabolite": "", "carbon_flux": float("nan"), "product_without": float("nan"),
               "growth_without": float("nan")}, **extra}


def _pathway_rows(model: cobra.Model, fluxes: pd.Series, product: str, tol: float) -> list[dict]:
    exchange = model.reactions.get_by_id(product)
    target = next(iter(exchange.metabolites))
    rows = []
    made = _producers(model, fluxes, target, tol)
    total = sum(v for _, v in made) or 1.0
    for r, v in sorted(made, key=lambda x: -x[1]):
        rows.append(_row("producer", r, v, v / total, metabolite=target.name or target.id))
    for r, _v in made:
        sub = _substrate(r, fluxes[r.id])
        if sub is None:
            continue
        up = _producers(model, fluxes, sub, tol)
        up_total = sum(x for _, x in up) or 1.0
        for r2, v2 in sorted(up, key=lambda x: -x[1]):
            rows.append(_row("precursor", r2, v2, v2 / up_total, metabolite=sub.name or sub.id))
    return rows


def _source_rows(model: cobra.Model, fluxes: pd.Series, *, biomass: str, product: str,
                 genes: tuple[str, ...], tol: float, min_share: float) -> list[dict]:
    sources = []
    for r in model.exchanges:
        met = next(iter(r.metabolites))
        taken = r.metabolites[met] * fluxes[r.id]  # "x <=>": uptake is a negative flux
        if taken > tol and _carbons(met) > 0:
            sources.append((r, taken, taken * _carbons(met)))
    total = sum(c for *_, c in sources) or 1.0
    rows = []
    for r, taken, carbon in sorted(sources, key=lambda x: -x[2]):
        extra = {"metabolite": next(iter(r.metabolites)).name, "carbon_flux": carbon}
        if carbon / total >= min_share:
            extra["growth_without"], extra["product_without"] = product_without(
                model, [r.id], biomass=biomass, product=product, genes=genes)
        rows.append(_row("carbon source", r, taken, carbon / total, **extra))
    return rows


def product_origin(model: cobra.Model, *, biomass: str, product: str, genes: Iterable[str] = (),
                   tol: float = 1e-6, min_share: float = 0.01) -> OriginResult:
    """Which reactions carry the product's carbon at the strain's guaranteed point (see the
    module docstring). ``genes``: gene ids deleted; ``min_share``: carbon sources below this
    share of the carbon uptake are listed without the closed-uptake check (one LP pair each).

    The table's columns: ``kind`` (``producer``, ``precursor``, ``carbon source``),
    ``reaction``, ``name``, ``genes`` (its rule), ``metabolite`` (the compound made or taken
    up), ``flux``, ``share``, ``carbon_flux`` (C-mmol/gDW/h, sources only),
    ``product_without`` and ``growth_without`` (sources only).
    """
    genes = tuple(genes)
    mu, low, fluxes = guaranteed_fluxes(model, biomass=biomass, product=product, genes=genes)
    rows = _pathway_rows(model, fluxes, product, tol)
    rows += _source_rows(model, fluxes, biomass=biomass, product=product, genes=genes, tol=tol,
                         min_share=min_share)
    return OriginResult(genes, mu, low, pd.DataFrame(rows))


def product_without(model: cobra.Model, exchanges: Iterable[str], *, biomass: str, product: str,
                    genes: Iterable[str] = ()) -> tuple[float, float]:
    """``(growth, guaranteed product)`` of the strain ``genes`` with the uptake of every exchange
    in ``exchanges`` closed (e.g. all deoxynucleosides at once). ``model`` is left unchanged;
    ``KeyError`` names an exchange the model lacks."""
    exchanges = list(exchanges)
    unknown = [rid for rid in exchanges if rid not in model.reactions]
    if unknown:
        raise KeyError(f"Exchange(s) {unknown} are not in model {model.id!r}.")
    with model:
        _knock_out(model, tuple(genes))
        for rid in exchanges:
            r = model.reactions.get_by_id(rid)
            if r.reactants:  # "x <=>": no negative flux, no uptake
                r.lower_bound = max(r.lower_bound, 0.0)
            else:
                r.upper_bound = min(r.upper_bound, 0.0)
        return _point(model, biomass, product)


def top_carbon_source(table: pd.DataFrame) -> pd.Series:
    """The carbon source whose closing lowers the guaranteed product most (ties: the larger
    carbon share) — the source the product depends on; a row of :func:`product_origin`'s table."""
    sources = table[(table.kind == "carbon source") & table.product_without.notna()]
    if sources.empty:
        raise ValueError("The origin table has no carbon source checked by closing it.")
    return sources.sort_values(["product_without", "share"], ascending=[True, False]).iloc[0]


def genes_from_names(model: cobra.Model, names: Iterable[str],
                     id_to_name: Mapping[str, str] | None = None) -> list[str]:
    """Gene ids of ``model`` for gene names or ids as the chapter tables print them
    (``id_to_name``: the names the table used, e.g. a run's ``gene_names``; else the model's).
    ``ValueError`` lists the names that match no gene."""
    by_name = {g.name: g.id for g in model.genes if g.name}
    by_name.update({v: k for k, v in (id_to_name or {}).items() if k in model.genes})
    ids, unknown = [], []
    for name in names:
        if name in model.genes:
            ids.append(name)
        elif name in by_name:
            ids.append(by_name[name])
        else:
            unknown.append(name)
    if unknown:
        raise ValueError(f"Gene names not in model {model.id!r}: {unknown}.")
    return ids
