"""Named growth media and sample-specific bounds, applied as ``with`` contexts.

A medium says which exchange reactions may take a nutrient up and how fast (mmol/gDW/h); every
other exchange may only secrete. Media are applied inside ``with model:`` so the model is left
exactly as it was found (cobra records and undoes every bound change).

Works on plain and on split models (:mod:`helpers.gem.split`): in a split model the uptake of
``EX_glc__D_e`` is the upper bound of ``EX_glc__D_e_rev``.

LB in silico (:func:`lb_bounds`, chapter ``08_mome_organisms_and_constraints``): every bound from a
cited measurement (:data:`LB_SOURCES`) instead of one uptake rate for every compound.

Introduced in chapter ``02_gem_preparation``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import cobra
import pandas as pd

from helpers.gem.ids import base_id, map_flux_ids, strip_prefix
from helpers.gem.loading import MAX_BOUND

__all__ = [
    "Medium",
    "MEDIA",
    "MINERALS",
    "get_medium",
    "glucose_minimal",
    "set_medium",
    "use_medium",
    "use_sample_bounds",
    "knockouts_from_row",
    "LB_SOURCES",
    "lb_growth_rate",
    "lb_growth_range",
    "lb_sugar_budget",
    "lb_bounds",
    "lb_uptakes",
]

#: The salts of iAF1260's own glucose minimal medium ({cite}`feist2007`), as BiGG exchange ids,
#: with their maximal uptake. Exchanges a model lacks are skipped (e_coli_core has only some).
MINERALS: dict[str, float] = {
    "EX_ca2_e": MAX_BOUND, "EX_cl_e": MAX_BOUND, "EX_co2_e": MAX_BOUND,
    "EX_cobalt2_e": MAX_BOUND, "EX_cu2_e": MAX_BOUND, "EX_fe2_e": MAX_BOUND,
    "EX_fe3_e": MAX_BOUND, "EX_h2o_e": MAX_BOUND, "EX_h_e": MAX_BOUND, "EX_k_e": MAX_BOUND,
    "EX_mg2_e": MAX_BOUND, "EX_mn2_e": MAX_BOUND, "EX_mobd_e": MAX_BOUND,
    "EX_na1_e": MAX_BOUND, "EX_nh4_e": MAX_BOUND, "EX_pi_e": MAX_BOUND, "EX_so4_e": MAX_BOUND,
    "EX_tungs_e": MAX_BOUND, "EX_zn2_e": MAX_BOUND, "EX_cbl1_e": 0.01,
}


@dataclass(frozen=True)
class Medium:
    """A named medium: maximal uptake rates of exchange reactions.

    Attributes
    ----------
    name
        Short name, used in cache keys and tables.
    uptakes
        Exchange reaction id (unsplit BiGG id, e.g. ``"EX_glc__D_e"``) -> maximal uptake >= 0.
    required
        Exchanges that must exist in a model the medium is applied to (the carbon source, O2);
        the others are skipped when a model lacks them.
    description
        One sentence for tables and the chapter.
    """

    name: str
    uptakes: Mapping[str, float]
    required: tuple[str, ...] = ()
    description: str = ""
    secretion: float = field(default=MAX_BOUND)

    def key(self) -> dict:
        """A JSON-able description used in cache keys: changes whenever any uptake changes."""
        return {
            "name": self.name,
            "uptakes": {k: float(v) for k, v in sorted(self.uptakes.items())},
            "secretion": float(self.secretion),
        }


def glucose_minimal(glucose: float = 8.0, oxygen: float = 18.5, name: str | None = None) -> Medium:
    """Glucose minimal medium (M9-like salts, glucose as the only carbon source).

    The defaults are iAF1260's own (glucose 8, O2 18.5 mmol/gDW/h); they reproduce the MINN
    paper's FVA-reduced iAF1260 (1873 split reactions). ``oxygen=0`` gives the anaerobic medium.
    """
    if glucose < 0 or oxygen < 0:
        raise ValueError(
            f"Uptake rates must be >= 0 (mmol/gDW/h). Got glucose={glucose!r}, oxygen={oxygen!r}."
        )
    aerobic = oxygen > 0
    label = name or ("glucose_minimal_aerobic" if aerobic else "glucose_minimal_anaerobic")
    uptakes = {**MINERALS, "EX_glc__D_e": float(glucose), "EX_o2_e": float(oxygen)}
    required = ("EX_glc__D_e", "EX_o2_e") if aerobic else ("EX_glc__D_e",)
    text = f"glucose minimal, glucose <= {glucose:g}, O2 <= {oxygen:g} mmol/gDW/h"
    return Medium(label, uptakes, required, text)


#: iNF517's medium as read from the MINN authors' reduced iNF517 release (the exchanges whose
#: uptake is open there): L. lactis needs a few amino acids and vitamins besides glucose.
_INF517_MINN = {
    "EX_glc__D_e": 8.0, "EX_o2_e": 20.0, "EX_co2_e": MAX_BOUND, "EX_cys__L_e": MAX_BOUND,
    "EX_glu__L_e": MAX_BOUND, "EX_h2o_e": MAX_BOUND, "EX_h_e": MAX_BOUND,
    "EX_leu__L_e": MAX_BOUND, "EX_nac_e": MAX_BOUND, "EX_pi_e": MAX_BOUND,
    "EX_pnto__R_e": MAX_BOUND, "EX_thm_e": MAX_BOUND, "EX_ura_e": MAX_BOUND,
}

#: Amino acids, nucleobases and vitamins added to glucose minimal for the rich (LB-like) medium.
_RICH_EXTRAS = [
    "ala__L", "arg__L", "asn__L", "asp__L", "cys__L", "gln__L", "glu__L", "gly", "his__L",
    "ile__L", "leu__L", "lys__L", "met__L", "phe__L", "pro__L", "ser__L", "thr__L", "trp__L",
    "tyr__L", "val__L", "ade", "gua", "ura", "thymd", "nac", "pnto__R", "thm", "ribflv",
]

MEDIA: dict[str, Medium] = {
    "glucose_minimal_aerobic": glucose_minimal(8.0, 18.5),
    "glucose_minimal_anaerobic": glucose_minimal(8.0, 0.0),
    "iNF517_minn": Medium(
        "iNF517_minn", _INF517_MINN, ("EX_glc__D_e", "EX_o2_e"),
        "glucose 8, O2 20 and the amino acids / vitamins open in the MINN release's iNF517",
    ),
    "rich_aerobic": Medium(
        "rich_aerobic",
        {**glucose_minimal(8.0, 18.5).uptakes, **{f"EX_{m}_e": 5.0 for m in _RICH_EXTRAS}},
        ("EX_glc__D_e", "EX_o2_e"),
        "glucose minimal plus amino acids, nucleobases and vitamins (<= 5 each), LB-like",
    ),
}


#: LB in silico (chapter ``08_mome_organisms_and_constraints``): each bound and its source. Keys of
#: book/references.bib; values as the sources state them.
LB_SOURCES: dict[str, tuple[float, str]] = {
    # serine, the amino acid E. coli takes up fastest in a complex medium (exponential phase)
    "amino_acid_uptake": (3.35, "selvarasu2009"),
    # fermentable sugar equivalents (sugars, sugar phosphates, nucleosides, nucleotides) in LB, mM
    "sugar_equivalents_mM": (0.1, "sezonov2007"),
    # LB leaves steady-state growth at this OD600 (the preferred nutrients are used up)
    "steady_state_od600": (0.3, "sezonov2007"),
    # cell dry weight of one OD600 unit, g/L
    "gdw_per_od600": (0.39, "glazyrina2010"),
    # doubling time of E. coli K-12 in liquid LB (OD600), min; single cells on LB agar: 18.1
    "doubling_min": (22.27, "reshes2008"),
    "doubling_min_fastest": (18.1, "reshes2008"),
    # maximal oxygen uptake of iAF1260's own medium, mmol/gDW/h
    "oxygen_uptake": (18.5, "feist2007"),
}

#: CarveMe's LB compounds ({cite}`machado2018carveme`) by class (BiGG ids).
_LB_AMINO_ACIDS = frozenset({
    "ala__L", "arg__L", "asn__L", "asp__L", "cys__L", "gln__L", "glu__L", "gly", "his__L",
    "ile__L", "leu__L", "lys__L", "met__L", "phe__L", "pro__L", "ser__L", "thr__L", "trp__L",
    "tyr__L", "val__L"})
#: sugar and nucleic-acid material: glucose, nucleosides, deoxynucleosides, nucleotides, bases
_LB_SUGAR_EQUIVALENTS = frozenset({
    "glc__D", "adn", "gsn", "ins", "uri", "cytd", "dad_2", "dcyt", "dgsn", "din", "duri", "thymd",
    "amp", "cmp", "gmp", "ump", "hxan", "ura", "ade", "gua", "csn"})
_LB_VITAMINS = frozenset({"cbl1", "fol", "lipoate", "nac", "pheme", "pnto__R", "pydx", "ribflv",
                          "thm", "btn"})
_LB_INORGANIC = frozenset({
    "aso3", "ca2", "cd2", "cl", "cobalt2", "cro4", "cu2", "fe2", "fe3", "h2o", "h2s", "h", "hg2",
    "k", "mg2", "mn2", "mobd", "na1", "nh4", "ni2", "pi", "so4", "zn2", "co2", "tungs", "sel",
    "slnt"})
#: trace uptake of each vitamin / cofactor (our choice, as iAF1260's cobalamin bound)
LB_VITAMIN_UPTAKE = 0.01


def lb_growth_rate(doubling_min: float | None = None) -> float:
    """Growth rate (1/h) of a doubling time in minutes; default the measured liquid-LB one."""
    doubling = LB_SOURCES["doubling_min"][0] if doubling_min is None else doubling_min
    if not doubling > 0:
        raise ValueError(f"The 'doubling_min' parameter must be > 0. Got {doubling_min!r} instead.")
    return math.log(2.0) / (doubling / 60.0)


def lb_growth_range(tolerance: float = 0.3) -> tuple[float, float]:
    """The growth rates (1/h) an in-silico LB wild type should reach: the measured liquid-LB rate
    minus ``tolerance`` (a fraction) to the fastest measured rate (single cells on agar) plus it."""
    return ((1.0 - tolerance) * lb_growth_rate(),
            (1.0 + tolerance) * lb_growth_rate(LB_SOURCES["doubling_min_fastest"][0]))


def lb_sugar_budget() -> float:
    """Total uptake (mmol/gDW/h) of LB's sugar equivalents a steady-state culture can sustain:
    growth rate x sugar consumed per biomass formed, with at most ``sugar_equivalents_mM`` mM
    of sugar spent on the biomass of the steady-state phase (OD600 0.3 x 0.39 gDW/L)."""
    biomass = LB_SOURCES["steady_state_od600"][0] * LB_SOURCES["gdw_per_od600"][0]
    return lb_growth_rate() * LB_SOURCES["sugar_equivalents_mM"][0] / biomass


def _lb_class(compound: str) -> str:
    for name, members in (("amino acid", _LB_AMINO_ACIDS), ("sugar equivalent", _LB_SUGAR_EQUIVALENTS),
                          ("vitamin", _LB_VITAMINS), ("inorganic", _LB_INORGANIC)):
        if compound in members:
            return name
    if compound == "o2":
        return "oxygen"
    raise ValueError(f"LB compound {compound!r} has no class (amino acid, sugar equivalent, "
                     "vitamin, inorganic, oxygen) in helpers.gem.media; add it to one.")


def lb_bounds(compounds: Iterable[str]) -> pd.DataFrame:
    """The LB uptake bound of every compound (BiGG ids, e.g. CarveMe's LB list) and its source.

    Columns ``compound``, ``class``, ``uptake`` (mmol/gDW/h) and ``source`` (bibliography key):
    amino acids at serine's measured uptake; the sugar equivalents share :func:`lb_sugar_budget`
    equally (so all of them together stay within it); oxygen at :data:`LB_SOURCES`'s rate;
    vitamins at :data:`LB_VITAMIN_UPTAKE`; inorganic ions unlimited. ``ValueError`` names a
    compound of no class.
    """
    compounds = list(dict.fromkeys(compounds))
    classes = [_lb_class(c) for c in compounds]
    n_sugar = sum(1 for c in classes if c == "sugar equivalent")
    aa, aa_src = LB_SOURCES["amino_acid_uptake"]
    o2, o2_src = LB_SOURCES["oxygen_uptake"]
    rule = {"amino acid": (aa, aa_src), "oxygen": (o2, o2_src),
            "sugar equivalent": (lb_sugar_budget() / max(n_sugar, 1),
                                 "sezonov2007, glazyrina2010, reshes2008"),
            "vitamin": (LB_VITAMIN_UPTAKE, "our choice"), "inorganic": (MAX_BOUND, "unlimited")}
    return pd.DataFrame([{"compound": c, "class": k, "uptake": rule[k][0], "source": rule[k][1]}
                         for c, k in zip(compounds, classes, strict=True)])


def lb_uptakes(compounds: Iterable[str]) -> dict[str, float]:
    """``{compound: maximal uptake}`` of :func:`lb_bounds`."""
    table = lb_bounds(compounds)
    return dict(zip(table.compound, table.uptake.astype(float), strict=True))


def get_medium(medium: str | Medium) -> Medium:
    """Return the :class:`Medium` named ``medium`` (or ``medium`` itself if it is one)."""
    if isinstance(medium, Medium):
        return medium
    if medium not in MEDIA:
        raise ValueError(
            f"The 'medium' parameter must be a Medium or one of {sorted(MEDIA)}. Got {medium!r} instead."
        )
    return MEDIA[medium]


def _exchange_halves(model: cobra.Model) -> dict[str, dict[str, cobra.Reaction]]:
    """Unsplit exchange id -> {'both'|'fwd'|'rev': reaction} for every exchange of ``model``."""
    halves: dict[str, dict[str, cobra.Reaction]] = {}
    for reaction in model.exchanges:
        base, direction = base_id(reaction.id)
        halves.setdefault(base, {})[direction or "both"] = reaction
    return halves


def _set_uptake(parts: dict[str, cobra.Reaction], uptake: float, secretion: float) -> None:
    if "both" in parts:
        reaction = parts["both"]
        # BiGG exchanges are written 'x_e <=>', so uptake is a negative flux.
        sign = -1.0 if sum(reaction.metabolites.values()) < 0 else 1.0
        bounds = (-uptake, secretion) if sign < 0 else (-secretion, uptake)
        reaction.bounds = bounds
        return
    if "rev" in parts:
        parts["rev"].bounds = (0.0, uptake)
    elif uptake > 0:
        raise ValueError(
            f"Exchange {parts['fwd'].id!r} has no '_rev' (uptake) half in this split model, so an "
            f"uptake of {uptake!r} cannot be set; split the model after applying the medium."
        )
    if "fwd" in parts:
        parts["fwd"].bounds = (0.0, secretion)


def set_medium(model: cobra.Model, medium: str | Medium) -> cobra.Model:
    """Apply ``medium`` to ``model`` in place (inside an open ``with model:`` it is undone).

    Every exchange listed in the medium may take up at most its rate; every other exchange may
    only secrete (up to ``medium.secretion``). Raises ``ValueError`` naming the required exchanges
    the model lacks.
    """
    medium = get_medium(medium)
    halves = _exchange_halves(model)
    missing = [rid for rid in medium.required if rid not in halves]
    if missing:
        raise ValueError(
            f"Model {model.id!r} has no exchange reaction(s) {missing} required by medium "
            f"{medium.name!r}; it has {len(halves)} exchanges, e.g. {sorted(halves)[:5]}."
        )
    for base, parts in halves.items():
        _set_uptake(parts, float(medium.uptakes.get(base, 0.0)), float(medium.secretion))
    return model


@contextmanager
def use_medium(model: cobra.Model, medium: str | Medium) -> Iterator[cobra.Model]:
    """Context manager: ``with use_medium(model, "glucose_minimal_aerobic"): model.optimize()``.

    The model's bounds are restored on exit, even after an error.
    """
    with model:
        set_medium(model, medium)
        yield model


def knockouts_from_row(row: Mapping[str, float] | Iterable[tuple[str, float]]) -> list[str]:
    """Flux ids knocked out in one row of the Ishii ``KOs_Vin`` table (value 0 = knocked out)."""
    items = row.items() if hasattr(row, "items") else row
    return [str(rid) for rid, value in items if float(value) == 0.0]


@contextmanager
def use_sample_bounds(
    model: cobra.Model,
    uptakes: Mapping[str, float] | None = None,
    knockouts: Iterable[str] = (),
    genes: Iterable[str] = (),
    *,
    fix_uptakes: bool = False,
) -> Iterator[cobra.Model]:
    """Context manager applying one sample's bounds; everything is undone on exit.

    Parameters
    ----------
    model
        A plain or split model (usually already inside :func:`use_medium`).
    uptakes
        Flux id -> measured uptake, ids as in the Ishii tables (``"R_EX_glc__D_e_rev"``) or plain
        exchange ids (``"EX_glc__D_e"``). The uptake becomes the maximal uptake (or the exact
        uptake with ``fix_uptakes=True``).
    knockouts
        Flux ids forced to zero (e.g. :func:`knockouts_from_row` of the ``KOs_Vin`` table).
    genes
        Gene ids knocked out through their GPR rules (cobra's ``Gene.knock_out``).

    All ids are checked first; one ``FluxIdError`` lists every id that does not map.
    """
    uptakes = dict(uptakes or {})
    knockouts = list(knockouts)
    genes = list(genes)
    flux_ids = map_flux_ids(model, list(uptakes) + knockouts, allow_base=True)
    missing_genes = [g for g in genes if g not in model.genes]
    if missing_genes:
        raise ValueError(f"Gene ids not in model {model.id!r}: {missing_genes}.")
    with model:
        for rid, value in uptakes.items():
            reaction = model.reactions.get_by_id(flux_ids[rid])
            value = float(value)
            if reaction.id.endswith("_rev"):
                reaction.bounds = (value if fix_uptakes else 0.0, value)
            else:  # unsplit exchange: uptake is a negative flux
                reaction.bounds = (-value, -value if fix_uptakes else reaction.upper_bound)
        for rid in knockouts:
            reaction = model.reactions.get_by_id(flux_ids[rid])
            direction = base_id(strip_prefix(rid))[1]
            if reaction.id != strip_prefix(rid) and direction == "rev":
                reaction.lower_bound = 0.0  # one direction of an unsplit reaction
            elif reaction.id != strip_prefix(rid) and direction == "fwd":
                reaction.upper_bound = 0.0
            else:
                reaction.bounds = (0.0, 0.0)
        for gene in genes:
            model.genes.get_by_id(gene).knock_out()
        yield model
