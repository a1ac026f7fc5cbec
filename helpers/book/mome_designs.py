"""The MOME paper's constrained designs (its Fig. 5 and Table 4): set-ups, media, one run each.

A *set-up* is an organism in a medium (:data:`CONSTRAINED_SETUPS`): anaerobic glucose for
iJO1366 (chapter 07's medium), an LB-like rich medium for iJO1366 and iZ_1308, a synthetic
defined (SD) medium for Yeast 7.6. Each runs the search of chapter 07 on single genes with

* essential genes never knocked out: the in-silico screen united with the experimental list
  (E. coli: Keio on M9 glucose, matched by gene name for iZ_1308; yeast: Heavner & Price 2015);
* lethal pairs never knocked out together: E. coli from the exact in-silico double-deletion screen
  (:func:`helpers.mome.constraints.cached_lethal_pairs`), yeast from the SGD list;
* biomass at least 90 % of the wild type's (a clone breaking it is mutated again, up to 10 times);

then drops superfluous knock-outs from every front strain and tabulates the best strain per number
of knocked-out genes (:func:`best_per_count_table`, the paper's Table 4 analogue).

Media (our choices; the paper cites Aziz et al. 2015 for LB and Labhsetwar et al. 2017 for SD
but neither gives the bounds in a public form):

* :func:`lb_medium` — CarveMe's LB compound list (``media/carveme_media_db.tsv``, 65 compounds,
  oxygen and glucose included) with bounds from measured rates
  (:func:`helpers.gem.media.lb_bounds`; :data:`LB_UPTAKE` for every compound on request, the
  earlier set-up), every other exchange secretion only;
* :func:`sd_medium` — for Yeast 7.6: glucose 10, ammonium, phosphate, sulphate, H+, water, K, Na,
  Fe unlimited (the file's own open exchanges, i.e. yeast nitrogen base salts), the nine vitamins
  of yeast nitrogen base at most 1 mmol/gDW/h each, and oxygen limited to 2 mmol/gDW/h: Yeast 7.6
  does not grow without oxygen (even with ergosterol and oleate), and with unlimited oxygen its
  optimum secretes no ethanol.

:mod:`helpers.book.mome_wild_type` checks which set-ups could give the paper's wild types.

Introduced in chapter ``08_mome_organisms_and_constraints``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import cobra
import numpy as np
import pandas as pd

from helpers.data.registry import fetch
from helpers.gem.media import lb_uptakes
from helpers.gem.organisms import ORGANISMS, load_organism
from helpers.mome import analysis, constraints, exact, search
from helpers.mome.inputs import resolve_product
from helpers.mome.strains import StrainEvaluator, configure, reduce_model

__all__ = ["CARVEME_MEDIA_KEY", "LB_UPTAKE", "SD_OXYGEN", "SD_VITAMIN_UPTAKE", "YEAST_SD_VITAMINS",
           "CONSTRAINED_SETUPS", "PAPER_TABLE4", "carveme_compounds",
           "exchange_bounds", "lb_medium", "sd_medium", "setup_medium", "ConstrainedRun",
           "run_constrained", "exact_constrained", "search_vs_exact",
           "experimental_essential_genes", "best_per_count_table", "table4_comparison"]

CARVEME_MEDIA_KEY = "media/carveme_media_db.tsv"
#: the earlier LB set-up: every compound at this uptake (mmol/gDW/h), chapter 07's glucose scale
LB_UPTAKE = 10.0
#: Yeast 7.6 in SD: oxygen uptake (mmol/gDW/h) and the bound of each vitamin
SD_OXYGEN = 2.0
SD_VITAMIN_UPTAKE = 1.0
SD_GLUCOSE = 10.0
#: Yeast 7.6 exchanges of the nine vitamins of yeast nitrogen base: pantothenate,
#: 4-aminobenzoate, biotin, folic acid, myo-inositol, nicotinate, pyridoxine, riboflavin, thiamine
YEAST_SD_VITAMINS = ("r_1548", "r_1604", "r_1671", "r_1792", "r_1947", "r_1967", "r_2028",
                     "r_2038", "r_2067")
#: Yeast 7.6's own open uptakes (ammonium, H+, Fe2+, phosphate, K, Na, sulphate, water)
YEAST_SD_SALTS = ("r_1654", "r_1832", "r_1861", "r_2005", "r_2020", "r_2049", "r_2060", "r_2100")

#: (organism, medium) of the paper's Fig. 5 / Table 4, in its order
CONSTRAINED_SETUPS: tuple[tuple[str, str], ...] = (
    ("iJO1366", "anaerobic"), ("iJO1366", "LB"), ("iZ_1308", "LB"), ("yeast_7.6", "SD"))

#: The paper's prose about its Table 4 ({cite}`patane2019mome`, §"Ethanol production without
#: essential genes"): best ethanol (mmol/gDW/h), its change over the wild type (%), and the
#: wild types it states (only for iJO1366).
PAPER_TABLE4: dict[tuple[str, str], dict[str, float]] = {
    ("iJO1366", "anaerobic"): {"best_ethanol": 6.2473, "change_pct": 195.24,
                               "wt_biomass": 1.0334, "wt_ethanol": 2.116},
    ("iJO1366", "LB"): {"best_ethanol": 82.2582, "change_pct": 228.04,
                        "wt_biomass": 3.6921, "wt_ethanol": 25.0757},
    ("iZ_1308", "LB"): {"best_ethanol": 80.7883, "change_pct": 268.68},
    ("yeast_7.6", "SD"): {"best_ethanol": 30.1258, "change_pct": 8.24,
                          "biomass_reduction_pct": 6.69},
}


def carveme_compounds(medium: str = "LB") -> list[str]:
    """BiGG compound ids of CarveMe medium ``medium`` (``LB``, ``LB[-O2]``, ``M9``, ...).

    ``ValueError`` naming the file and its media when ``medium`` is not in it, or when the file
    lacks the columns ``medium`` and ``compound``.
    """
    table = pd.read_csv(fetch(CARVEME_MEDIA_KEY), sep="\t")
    if not {"medium", "compound"} <= set(table.columns):
        raise ValueError(f"{CARVEME_MEDIA_KEY}: expected columns 'medium' and 'compound'; "
                         f"found {list(table.columns)}.")
    if medium not in set(table["medium"]):
        raise ValueError(f"{CARVEME_MEDIA_KEY}: no medium {medium!r}; it has "
                         f"{sorted(table['medium'].unique())}.")
    return table.loc[table["medium"] == medium, "compound"].astype(str).tolist()


def exchange_bounds(model: cobra.Model, uptakes: Mapping[str, float]) -> dict[str, float]:
    """Lower bounds for *every* exchange of ``model``: ``-uptakes[rid]`` where given, else 0
    (secretion only). For :func:`helpers.mome.strains.configure`."""
    unknown = [rid for rid in uptakes if rid not in model.reactions]
    if unknown:
        raise KeyError(f"Exchange(s) {unknown} are not in model {model.id!r}.")
    bounds = {r.id: 0.0 for r in model.exchanges}
    bounds.update({rid: -float(v) for rid, v in uptakes.items()})
    return bounds


def lb_medium(model: cobra.Model, *, uptake: float | None = None, medium: str = "LB"
              ) -> tuple[dict[str, float], str, list[str]]:
    """CarveMe's LB on a BiGG-named model: ``(lower bounds, description, compounds the model has
    no exchange for)``. Bounds from cited measurements (:func:`helpers.gem.media.lb_bounds`);
    ``uptake``: every compound at that one rate instead (the earlier set-up, e.g.
    :data:`LB_UPTAKE`)."""
    compounds = carveme_compounds(medium)
    present = {c: f"EX_{c}_e" for c in compounds if f"EX_{c}_e" in model.reactions}
    missing = sorted(set(compounds) - set(present))
    rates = (lb_uptakes(present) if uptake is None else {c: float(uptake) for c in present})
    bounds = exchange_bounds(model, {rid: rates[c] for c, rid in present.items()})
    rule = ("bounds from measured rates" if uptake is None
            else f"each <= {uptake:g} mmol/gDW/h (oxygen and glucose included)")
    text = f"CarveMe {medium}: {len(present)} of {len(compounds)} compounds, {rule}"
    return bounds, text, missing


def sd_medium(model: cobra.Model) -> tuple[dict[str, float], str, list[str]]:
    """Synthetic defined medium for Yeast 7.6 (see the module docstring): ``(lower bounds,
    description, [])``."""
    org = ORGANISMS["yeast_7.6"]
    uptakes = {rid: 1000.0 for rid in YEAST_SD_SALTS}
    uptakes.update({rid: SD_VITAMIN_UPTAKE for rid in YEAST_SD_VITAMINS})
    uptakes[org.glucose] = SD_GLUCOSE
    uptakes[org.oxygen] = SD_OXYGEN
    text = (f"SD: glucose {SD_GLUCOSE:g}, yeast nitrogen base salts unlimited, its 9 vitamins "
            f"<= {SD_VITAMIN_UPTAKE:g}, oxygen-limited ({SD_OXYGEN:g}; no anaerobic growth)")
    return exchange_bounds(model, uptakes), text, []


def setup_medium(model: cobra.Model, organism: str, medium: str
                 ) -> tuple[dict[str, float], str, list[str]]:
    """Lower bounds of one of :data:`CONSTRAINED_SETUPS`' media for ``organism``."""
    org = ORGANISMS[organism]
    if medium == "anaerobic":
        return ({org.glucose: -10.0, org.oxygen: 0.0}, "glucose 10, anaerobic (chapter 07)", [])
    if medium == "LB":
        return lb_medium(model)
    if medium == "SD":
        if organism != "yeast_7.6":
            raise ValueError(f"The SD medium is defined for Yeast 7.6 only. Got {organism!r}.")
        return sd_medium(model)
    raise ValueError(f"The 'medium' parameter must be one of ['anaerobic', 'LB', 'SD']. "
                     f"Got {medium!r} instead.")


@dataclass
class ConstrainedRun:
    """One constrained design: its set-up, constraint lists, search result and Table 4 rows."""

    organism: str
    medium: str
    medium_text: str
    evaluator: StrainEvaluator
    result: search.MomeResult
    table: pd.DataFrame
    counts: dict[str, float] = field(default_factory=dict)
    #: the constraints of the search: forbidden units, lethal-pair partners, growth floor
    forbidden: np.ndarray | None = None
    partners: list[np.ndarray] | None = None
    floor: float = 0.0
    #: gene id -> name used in the tables (the caller's names, then the model's own)
    gene_names: dict[str, str] = field(default_factory=dict)


def best_per_count_table(evaluator: StrainEvaluator, result: search.MomeResult, max_count: int,
                         names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The paper's Table 4 analogue: per number of knocked-out genes ``1..max_count`` the strain
    with the most guaranteed ethanol (archive plus front strains after superfluous knock-outs were
    dropped), one row per distinct best strain (``S<k>``: ``k`` knock-outs).

    Ethanol changes are against the wild type's guaranteed ethanol (NaN when it is 0) and
    against the ethanol of the wild type's FBA solution (``product_lp``, what a plain FBA run
    reports; the paper's wild-type values are of that kind).
    """
    names = dict(names or {})
    post = analysis.postprocess_front(evaluator, result.front)
    pool = pd.concat([result.archive, post.drop(columns="raw_cost", errors="ignore")],
                     ignore_index=True)
    per = exact.best_per_cost(pool, max_count)
    per = per[per.max_cost >= 1].dropna(subset=["product_min"])
    per = per[per.cost.diff().fillna(1) != 0]  # one row per distinct best strain
    wt = evaluator.reference
    phen = np.array([evaluator.evaluate(g) for g in per.genotype]).reshape(-1, 3)

    def change(values: np.ndarray, base: float) -> np.ndarray:
        return 100.0 * (values / base - 1.0) if base > 1e-9 else np.full(len(values), np.nan)

    return pd.DataFrame({
        "strain": [f"S{int(c)}" for c in per.cost],
        "knockouts": per.cost.astype(int).to_numpy(),
        "biomass": phen[:, 0], "biomass_pct_of_wt": 100.0 * phen[:, 0] / wt[0],
        "product_guaranteed": phen[:, 2],
        "change_vs_wt_guaranteed_pct": change(phen[:, 2], float(wt[2])),
        "change_vs_wt_fba_pct": change(phen[:, 2], float(wt[1])),
        "genes": [", ".join(sorted(names.get(evaluator.units[u], evaluator.units[u]) for u in g))
                  for g in per.genotype],
    })


def experimental_essential_genes(model: cobra.Model) -> frozenset[str]:
    """The experimental essential-gene list for ``model``'s organism, in its gene ids.

    Yeast 7.6 (ORF ids): :func:`~helpers.mome.constraints.yeast_essential_genes`. E. coli: the Keio
    b-numbers (:func:`~helpers.mome.constraints.keio_essential_genes`); for a model whose gene ids
    are not b-numbers (iZ_1308: EDL933 locus tags ``Z....``) they are matched by gene name (Keio
    b-number -> name from iML1515/iAF1260 -> the model's gene with that name).
    """
    org = ORGANISMS[model.id]
    if org.eukaryote:
        return constraints.yeast_essential_genes()
    keio = constraints.keio_essential_genes()
    ids = {g.id for g in model.genes}
    if keio & ids:
        return keio
    names = analysis.ecoli_gene_names()
    wanted = {names[b] for b in keio if b in names}
    return frozenset(g.id for g in model.genes if g.name in wanted)


def run_constrained(organism: str, medium: str, settings: Mapping[str, int], *, seed: int = 0,
                    names: Mapping[str, str] | None = None, fraction: float = 0.01,
                    min_biomass_fraction: float = 0.9, model: cobra.Model | None = None,
                    reduce: bool = False, product: str | None = None) -> ConstrainedRun:
    """One set-up of :data:`CONSTRAINED_SETUPS`, start to end (see the module docstring);
    ``product``: an exchange id (:func:`~helpers.mome.inputs.resolve_product`), default the
    organism's (the paper's ethanol).

    ``settings``: ``pop_size``, ``n_gen``, ``dup``, ``ukc``, ``elite_cost``, ``table_max_cost``
    ``pair_screen_first_genes`` and ``isozyme_cut_prob`` (profile section ``mome_organisms`` → ``constrained``); the
    last limits the E. coli lethal-pair screen to its first genes (a partial, stated list;
    ``None`` = the complete exact screen); the second is the probability that a mutation knocks
    out the whole gene cut of a flux-carrying isozyme reaction
    (:func:`~helpers.mome.constraints.isozyme_cuts`) instead of one gene. ``counts`` holds the numbers the chapter
    quotes (essential genes, lethal pairs, strains, timings). ``model``: the organism's model as
    :func:`~helpers.gem.organisms.load_organism` returns it (only read; loaded when None).
    ``reduce``: drop blocked reactions first (:func:`~helpers.mome.strains.reduce_model`; one
    flux variability analysis per medium when the disk cache is cold). Off by default: single-gene
    evaluation does not need it (a gene of blocked reactions only has wild-type strains), and the
    counts ``*_reduced`` are then of genes with a reaction in the model (all of them).
    """
    t0 = time.perf_counter()
    org = ORGANISMS[organism]
    full = load_organism(organism) if model is None else model
    if full.id != organism:
        raise ValueError(f"The 'model' parameter is model {full.id!r}, not {organism!r}.")
    names = {**{g.id: g.name for g in full.genes if g.name and g.name != g.id},
             **dict(names or {})}
    bounds, text, missing = setup_medium(full, organism, medium)
    model = configure(full, bounds)
    if reduce:
        model = reduce_model(model)
    product = resolve_product(model, org.product if product is None else product)
    ev = StrainEvaluator(model, biomass=org.biomass, product=product, mode="genes")
    model_genes, full_genes = set(ev.units), {g.id for g in full.genes}
    insilico = constraints.essential_genes_screen(ev, fraction=fraction)
    experimental = experimental_essential_genes(full)
    essential = insilico | (experimental & model_genes)
    t_pairs = time.perf_counter()
    if org.eukaryote:
        listed = constraints.yeast_lethal_pairs()
        pairs = {p for p in listed if set(p) <= model_genes}
        pair_counts = {"pairs_listed": len(listed),
                       "pairs_in_model": sum(1 for p in listed if set(p) <= full_genes),
                       "pairs_screen_complete": True, "pairs_from_cache": False}
    else:
        screen = constraints.cached_lethal_pairs(model, biomass=org.biomass, product=product,
                                                 essential=essential, fraction=fraction,
                                                 max_first=settings["pair_screen_first_genes"])
        pairs = set(screen.pairs)
        pair_counts = {"pairs_tested": screen.n_tested, "pairs_possible": screen.n_possible,
                       "pairs_first_genes": screen.n_first, "pairs_screen_s": screen.seconds,
                       "pairs_screen_complete": screen.complete,
                       "pairs_from_cache": screen.from_cache}
    pairs_s = time.perf_counter() - t_pairs
    floor = min_biomass_fraction * float(ev.reference[0])
    forbidden = constraints.forbidden_mask(ev.units, essential)
    partners = constraints.pair_partners(ev.units, pairs)
    groups = constraints.isozyme_cuts(ev, forbidden=forbidden, partners=partners)
    res = search.run_mome(ev, pop_size=settings["pop_size"], n_gen=settings["n_gen"],
                          dup=settings["dup"], ukc=settings["ukc"], seed=seed,
                          forbidden=forbidden, lethal_pairs=partners,
                          min_biomass=floor, elite_cost=settings["elite_cost"],
                          skip_lethal_units=False, groups=groups,
                          group_prob=settings["isozyme_cut_prob"])
    table = best_per_count_table(ev, res, settings["table_max_cost"], names)
    counts = {
        "genes_model": len(full_genes), "genes_reduced": len(model_genes),
        "experimental": len(experimental), "experimental_in_model": len(experimental & full_genes),
        "experimental_in_reduced": len(experimental & model_genes),
        "insilico": len(insilico), "insilico_added": len(insilico - experimental),
        "essential": len(essential), "lethal_pairs": len(pairs), "pairs_s": pairs_s,
        "isozyme_cuts": len(groups),
        "missing_compounds": len(missing), "wt_biomass": float(ev.reference[0]),
        "wt_product_guaranteed": float(ev.reference[2]), "wt_ethanol_fba": float(ev.reference[1]),
        "floor": floor, "strains": len(res.archive), "strains_per_s": res.evaluations_per_s,
        "search_s": res.wall_s, "total_s": time.perf_counter() - t0, **pair_counts,
    }
    return ConstrainedRun(organism, medium, text, ev, res, table, counts, forbidden, partners,
                          floor, names)


def exact_constrained(run: ConstrainedRun, max_cost: int, *, time_limit_s: float | None = None
                      ) -> tuple[pd.DataFrame, dict]:
    """The exact best strain per number of knocked-out genes ``0 .. max_cost`` under the run's
    own constraints (:func:`helpers.mome.exact.exact_best_constrained`): what the search could
    have found at that budget. Cost 1 takes seconds; cost 2 minutes per *E. coli* set-up."""
    return exact.exact_best_constrained(run.evaluator, max_cost, forbidden=run.forbidden,
                                        partners=run.partners, min_biomass=run.floor,
                                        time_limit_s=time_limit_s)


def search_vs_exact(runs: list[ConstrainedRun], max_cost: int) -> pd.DataFrame:
    """Per set-up and budget ``1 .. max_cost``: the search's best guaranteed ethanol (archive and
    post-processed front, :func:`best_per_count_table`'s pool) beside the exact constrained
    optimum (:func:`exact_constrained`), with the exact optimum's genes (the run's gene names)
    and the enumeration's size and time."""
    rows = []
    for run in runs:
        names = run.gene_names
        table, stats = exact_constrained(run, max_cost)
        ev = run.evaluator
        post = analysis.postprocess_front(ev, run.result.front)
        pool = pd.concat([run.result.archive, post.drop(columns="raw_cost", errors="ignore")],
                         ignore_index=True)
        ours = exact.best_per_cost(pool, max_cost)
        for c in range(1, max_cost + 1):
            genotype = table.genotype[c]
            rows.append({
                "model": run.organism, "medium": run.medium, "max_knockouts": c,
                "search_product": ours.product_min[c], "exact_product": table.product_min[c],
                "exact_biomass": table.biomass[c],
                "exact_genes": ", ".join(sorted(names.get(ev.units[u], ev.units[u])
                                                for u in genotype or ())),
                "exact_strains": stats["n_strains"], "exact_lp": stats["n_lp"],
                "exact_s": stats["wall_s"], "exact_complete": stats["complete"],
            })
    return pd.DataFrame(rows)


def table4_comparison(runs: list[ConstrainedRun]) -> pd.DataFrame:
    """Our best constrained strain per set-up beside the paper's prose numbers
    (:data:`PAPER_TABLE4`)."""
    rows = []
    for run in runs:
        paper = PAPER_TABLE4.get((run.organism, run.medium), {})
        t = run.table
        best = t.loc[t.product_guaranteed.idxmax()] if len(t) else None
        rows.append({
            "model": run.organism, "medium": run.medium,
            "wt_biomass": run.counts["wt_biomass"], "paper_wt_biomass": paper.get("wt_biomass"),
            "wt_ethanol_fba": run.counts["wt_ethanol_fba"],
            "wt_product_guaranteed": run.counts["wt_product_guaranteed"],
            "paper_wt_ethanol": paper.get("wt_ethanol"),
            "best_ethanol": None if best is None else best.product_guaranteed,
            "paper_best_ethanol": paper.get("best_ethanol"),
            "best_knockouts": None if best is None else int(best.knockouts),
            "best_biomass_pct_of_wt": None if best is None else best.biomass_pct_of_wt,
            "change_vs_wt_guaranteed_pct": None if best is None else best.change_vs_wt_guaranteed_pct,
            "change_vs_wt_fba_pct": None if best is None else best.change_vs_wt_fba_pct,
            "paper_change_pct": paper.get("change_pct"),
        })
    return pd.DataFrame(rows)
