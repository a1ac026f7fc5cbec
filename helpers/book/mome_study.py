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
* :func:`closest_to_utopia` and :func:`fig3_claims` — the paper's three Fig. 3 claims checked on
  the fronts' summary table.
* :func:`constrained_setups_table`, :func:`setup_prefix`, :func:`search_vs_exact_case` and
  :func:`best_known_constrained` — what the chapter tabulates and glues about the constrained
  designs of :mod:`helpers.book.mome_designs` (numbers and tables; the chapter writes the
  sentences).

Introduced in chapter ``08_mome_organisms_and_constraints``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cobra
import numpy as np
import pandas as pd

from helpers.book.tables import require_columns
from helpers.gem.organisms import ORGANISMS, load_organism
from helpers.mome import analysis, search
from helpers.mome.strains import StrainEvaluator, configure, reduce_model

if TYPE_CHECKING:
    from helpers.book.mome_designs import ConstrainedRun

__all__ = ["organism_medium", "theoretical_maxima", "normalize_front", "utopia_distance",
           "on_axes_only", "OrganismSetup", "setup_organism", "search_organism",
           "PAPER_CLOSEST", "PAPER_POOR", "PAPER_AXIS_ONLY", "closest_to_utopia", "fig3_claims",
           "CONSTRAINED_SETUP_COLUMNS", "constrained_setups_table", "setup_prefix",
           "search_vs_exact_case",
           "best_known_constrained"]

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


def setup_organism(name: str, product: str | None = None) -> OrganismSetup:
    """Load ``name`` (:func:`helpers.gem.organisms.load_organism`), apply
    :func:`organism_medium`, reduce it (:func:`~helpers.mome.strains.reduce_model`, cached on
    disk), build its gene-set evaluator and theoretical maxima for ``product`` (an exchange id,
    checked by :func:`helpers.mome.inputs.resolve_product`; default the organism's ``product``,
    the paper's ethanol). ``row`` is the chapter's model table row (counts, medium, wild type,
    maxima, set-up seconds); its ``ethanol_*`` columns hold that product."""
    from helpers.mome.inputs import resolve_product

    org = ORGANISMS[name]
    t0 = time.perf_counter()
    full = load_organism(name)
    medium, described = organism_medium(full, name)
    model = reduce_model(configure(full, medium))
    product = resolve_product(model, org.product if product is None else product)
    evaluator = StrainEvaluator(model, biomass=org.biomass, product=product)
    max_biomass, max_ethanol = theoretical_maxima(model, biomass=org.biomass, product=product)
    row = {"model": name, "species": org.species,
           "kingdom": "eukaryote" if org.eukaryote else "prokaryote",
           "reactions": len(full.reactions), "carry_flux": len(model.reactions),
           "genes": len(full.genes), "gene_sets": len(evaluator.units), "medium": described,
           "ethanol_exchange": product, "wt_biomass": evaluator.reference[0],
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
    env = analysis.envelope(setup.model, biomass=org.biomass, product=setup.evaluator.product,
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


# --- the paper's Fig. 3 claims ----------------------------------------------------------------

#: The paper's Fig. 3 claims: the yeast models (one is closest to the utopia point), the poor
#: trade-offs (among the three fronts farthest from it), the model with only axis points.
PAPER_CLOSEST = ("yeast_7.6", "iMM904")
PAPER_POOR = ("iRC1080", "STM_v1_0")
PAPER_AXIS_ONLY = "iCA1273"


def _by_utopia_distance(summary: pd.DataFrame) -> pd.DataFrame:
    """``summary`` (rows of :func:`search_organism`) closest to utopia first, index 0, 1, ..."""
    return summary.sort_values("utopia_distance").reset_index(drop=True)


def closest_to_utopia(summary: pd.DataFrame) -> str:
    """The model whose normalized front comes closest to the utopia point (1, 1).

    ``summary`` holds one :func:`search_organism` row per model (``model``, ``utopia_distance``).
    Chapter ``08_mome_organisms_and_constraints``.
    """
    return str(_by_utopia_distance(summary).model.iloc[0])


def fig3_claims(summary: pd.DataFrame, *, last: int = 3) -> pd.DataFrame:
    """The paper's three Fig. 3 claims checked on the fronts' ``summary`` (one
    :func:`search_organism` row per model): ``claim``, ``ours`` (what our fronts show) and
    ``verdict`` ("holds" / "does not hold").

    1. a yeast model (:data:`PAPER_CLOSEST`) is closest to the utopia point;
    2. *C. reinhardtii* and *S. enterica* (:data:`PAPER_POOR`) are among the ``last`` fronts
       farthest from it (ranks 1 = closest);
    3. iCA1273 (:data:`PAPER_AXIS_ONLY`) has only points on the axes (no trade-off strain).

    A model missing from ``summary`` makes its claim "does not hold" (and is not ranked).
    Chapter ``08_mome_organisms_and_constraints``.
    """
    ranked = _by_utopia_distance(summary)
    models = set(ranked.model)
    closest = ranked.model.iloc[0]
    axis_only = bool(summary.set_index("model").only_axis_points.get(PAPER_AXIS_ONLY, False))
    poor = ", ".join(f"{m}: rank {int(ranked.index[ranked.model == m][0]) + 1} of {len(ranked)}"
                     for m in PAPER_POOR if m in models)
    poor_holds = set(PAPER_POOR) <= set(ranked.model.iloc[-last:])
    rows = [
        {"claim": "yeast (Yeast 7.6) is closest to the utopia point",
         "ours": f"closest: {closest} (distance {ranked.utopia_distance.iloc[0]:.3f})",
         "holds": closest in PAPER_CLOSEST},
        {"claim": "C. reinhardtii and S. enterica are poor trade-offs", "ours": poor,
         "holds": poor_holds},
        {"claim": f"{PAPER_AXIS_ONLY} shows no trade-off points (only points on the axes)",
         "ours": "only axis points" if axis_only else "has trade-off points",
         "holds": axis_only},
    ]
    return pd.DataFrame([{"claim": r["claim"], "ours": r["ours"],
                          "verdict": "holds" if r["holds"] else "does not hold"} for r in rows])


def fig3_claims_by_seed(summaries: pd.DataFrame, models: Sequence[str], *,
                        last: int = 3) -> pd.DataFrame:
    """:func:`fig3_claims` on each seed's fronts, for the seeds whose fronts of every one of
    ``models`` are present (a partial seed is not judged).

    ``summaries`` has one row per model and seed (``setup`` or ``model``, ``seed``,
    ``utopia_distance``, ``only_axis_points``; e.g.
    :func:`helpers.book.paper.mome_tables.seed_summaries`). Returns one row per claim:
    ``claim``, ``verdict_seed_<s>`` per judged seed, ``holds`` (in how many judged seeds) and
    ``seeds`` (how many were judged); with no complete seed, the claims with ``seeds`` 0.
    """
    frame = summaries.rename(columns={"setup": "model"})
    claims = fig3_claims(pd.DataFrame({"model": list(models), "utopia_distance": 0.0,
                                       "only_axis_points": False}), last=last)[["claim"]]
    judged = []
    for seed, part in frame.groupby("seed", sort=True) if len(frame) else []:
        if set(models) <= set(part.model):
            verdicts = fig3_claims(part[part.model.isin(models)], last=last).verdict
            claims[f"verdict_seed_{seed}"] = verdicts.to_numpy()
            judged.append(f"verdict_seed_{seed}")
    claims["holds"] = (claims[judged] == "holds").sum(axis=1) if judged else 0
    claims["seeds"] = len(judged)
    return claims


# --- constrained designs: the chapter's tables and glued numbers ------------------------------

#: Columns of :func:`constrained_setups_table` the chapter shows (the CSV keeps them all).
CONSTRAINED_SETUP_COLUMNS = ("model", "medium", "wt_biomass", "wt_product_guaranteed",
                             "experimental_in_model", "insilico", "insilico_added", "essential",
                             "lethal_pairs", "strains", "strains_per_s", "total_s")


def constrained_setups_table(runs: Sequence[ConstrainedRun]) -> pd.DataFrame:
    """One row per constrained design (:func:`helpers.book.mome_designs.run_constrained`): ``model``,
    ``medium``, ``medium_definition`` (the medium in words), then the run's ``counts`` (wild
    type, constraint lists, search size and times). Chapter ``08_mome_organisms_and_constraints``.
    """
    return pd.DataFrame([{"model": r.organism, "medium": r.medium,
                          "medium_definition": r.medium_text, **r.counts} for r in runs])


def setup_prefix(organism: str, medium: str) -> str:
    """Prefix of a set-up's glued names: ``iJO1366_LB_``, ``yeast_76_SD_`` (dots dropped, as a
    glue name in ``{glue:text}`` cannot hold one). Chapter ``08_mome_organisms_and_constraints``.
    """
    return f"{organism}_{medium}_".replace(".", "")


def search_vs_exact_case(runs: Sequence[ConstrainedRun], vs_exact: pd.DataFrame,
                         organism: str = "iJO1366", medium: str = "LB", *, cheap: int = 2
                         ) -> dict[str, float | int | str]:
    """The numbers the chapter quotes about one set-up's search beside its exact enumeration.

    ``runs`` are the constrained designs, ``vs_exact`` the table of
    :func:`helpers.book.mome_designs.search_vs_exact`. Keys: ``exact_1``, ``exact_strains`` and
    ``exact_s`` (exact optimum at one knock-out, strains enumerated, seconds); ``cuts`` (isozyme
    cuts the mutation may draw); ``search_best``, ``search_genes`` and ``search_pct`` (the
    search's best strain: guaranteed ethanol, genes, growth in % of the wild type's);
    ``search_2`` and ``search_2_genes`` (its best with at most ``cheap`` knock-outs);
    ``wt_ethanol`` (the wild type's guaranteed ethanol). Genes are "the wild type" for a strain
    without knock-outs. Chapter ``08_mome_organisms_and_constraints`` (section on isozymes in LB).
    """
    run = next((r for r in runs if (r.organism, r.medium) == (organism, medium)), None)
    if run is None:
        known = sorted({(r.organism, r.medium) for r in runs})
        raise ValueError(f"No constrained run for organism {organism!r} in medium {medium!r}; "
                         f"the runs are {known}.")
    exact = vs_exact[(vs_exact.model == organism) & (vs_exact.medium == medium)]
    exact = exact.set_index("max_knockouts")
    if 1 not in exact.index:
        raise ValueError(f"The 'vs_exact' table has no row for {organism!r} in {medium!r} at one "
                         f"knock-out (max_knockouts 1); its rows for it: "
                         f"{sorted(int(k) for k in exact.index)}.")
    table = run.table
    best = table.loc[table.product_guaranteed.idxmax()]
    few = table[table.knockouts <= cheap]
    best_few = few.loc[few.product_guaranteed.idxmax()]
    return {
        "exact_1": exact.exact_product[1], "exact_strains": exact.exact_strains[1],
        "exact_s": exact.exact_s[1], "cuts": run.counts["isozyme_cuts"],
        "search_best": best.product_guaranteed, "search_genes": best.genes or "the wild type",
        "search_2": best_few.product_guaranteed,
        "search_2_genes": best_few.genes or "the wild type",
        "search_pct": best.biomass_pct_of_wt,
        "wt_ethanol": run.counts["wt_product_guaranteed"],
    }


def best_known_constrained(comparison: pd.DataFrame, vs_exact: pd.DataFrame, *,
                           tol: float = 1e-6) -> pd.DataFrame:
    """The best constrained strain we know per set-up: the larger guaranteed ethanol of the
    search's best (rows of :func:`helpers.book.mome_designs.table4_comparison`) and of the exact
    enumeration (rows of :func:`helpers.book.mome_designs.search_vs_exact`), with its source.

    ``best_known_source`` is ``"enumeration"`` when the exact optimum beats the search by more
    than ``tol``, else ``"search"``; on ties among budgets the enumeration's cheapest is taken.
    ``change_vs_wt_guaranteed_pct`` is NaN when the wild type guarantees no ethanol. Chapter
    ``08_mome_organisms_and_constraints``.
    """
    rows = []
    for r in comparison.itertuples():
        ex = vs_exact[(vs_exact.model == r.model) & (vs_exact.medium == r.medium)]
        ex = ex.sort_values(["exact_product", "max_knockouts"], ascending=[False, True])
        search = {"ethanol": float(r.best_ethanol), "knockouts": int(r.best_knockouts),
                  "biomass_pct": float(r.best_biomass_pct_of_wt)}
        known, source = search, "search"
        if len(ex):
            top = ex.iloc[0]
            genes = [g for g in str(top.exact_genes).split(", ") if g]
            exact = {"ethanol": float(top.exact_product), "knockouts": len(genes),
                     "biomass_pct": 100.0 * float(top.exact_biomass) / float(r.wt_biomass)}
            if exact["ethanol"] > search["ethanol"] + tol:
                known, source = exact, "enumeration"
        wt = float(r.wt_product_guaranteed)
        rows.append({
            "model": r.model, "medium": r.medium,
            "search_product": search["ethanol"],
            "exact_product": float(ex.iloc[0].exact_product) if len(ex) else float("nan"),
            "best_known_ethanol": known["ethanol"], "best_known_source": source,
            "best_known_knockouts": known["knockouts"],
            "best_known_biomass_pct_of_wt": known["biomass_pct"],
            "change_vs_wt_guaranteed_pct": (100.0 * (known["ethanol"] / wt - 1.0) if wt > 0
                                            else float("nan")),
        })
    return pd.DataFrame(rows)


def constrained_store_table(summaries: pd.DataFrame, setups: Mapping[str, tuple[str, str]],
                            comparison: pd.DataFrame) -> pd.DataFrame:
    """The constrained set-ups' stored paper-profile searches, one row per set-up, beside our
    wild type and the paper's numbers.

    ``summaries``: one row per stored unit (``setup`` label, ``seed``, ``strains``,
    ``best_constrained``, ``best_change_pct``, ``best_knockouts``, ``best_biomass_pct_of_wt``;
    :func:`helpers.book.paper.mome_tables.seed_summaries`); ``setups``: label -> (model, medium);
    ``comparison``: rows of :func:`helpers.book.mome_designs.table4_comparison` (``model``,
    ``medium``, ``wt_product_guaranteed``, ``paper_change_pct``, ``paper_best_ethanol``).
    Columns: ``setup``, ``model``, ``medium``, ``seeds``, ``strains`` (mean), the means of
    ``best_constrained`` and ``best_change_pct``, the range over seeds of the best strains'
    knock-outs and growth (% of the wild type's), ``wt_ferments`` (the wild type guarantees
    the product) and the paper's two numbers. Chapter ``08_mome_organisms_and_constraints``.
    """
    require_columns(summaries, ["setup", "seed", "strains", "best_constrained",
                                "best_change_pct", "best_knockouts", "best_biomass_pct_of_wt"],
                    "constrained_store_table", expected="mome_tables.seed_summaries rows")
    unknown = sorted(set(summaries.setup) - set(setups))
    if unknown:
        raise ValueError(f"constrained_store_table: set-ups {unknown} have no (model, medium).")
    ours = comparison.set_index(["model", "medium"])
    rows = []
    for label, part in summaries.groupby("setup", sort=False):
        model, medium = setups[label]
        mine = ours.loc[(model, medium)]
        rows.append({
            "setup": label, "model": model, "medium": medium, "seeds": len(part),
            "strains": float(part.strains.mean()),
            "best_constrained": float(part.best_constrained.mean()),
            "best_change_pct": float(part.best_change_pct.mean()),
            "paper_change_pct": float(mine.paper_change_pct),
            "paper_best_ethanol": float(mine.paper_best_ethanol),
            "knockouts_min": int(part.best_knockouts.min()),
            "knockouts_max": int(part.best_knockouts.max()),
            "biomass_pct_min": float(part.best_biomass_pct_of_wt.min()),
            "biomass_pct_max": float(part.best_biomass_pct_of_wt.max()),
            "wt_ferments": bool(mine.wt_product_guaranteed > 0),
        })
    return pd.DataFrame(rows)
