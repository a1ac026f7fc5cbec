"""Analysis of a MOME run: production envelope, relative hypervolume, clusters, post-processing.

Introduced in chapter ``07_mome_ethanol``; :func:`runs_table` and :func:`biomass_coverage`, which
compare searches, in chapter ``09_mome_redirector``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import cobra
import numpy as np
import pandas as pd
from sklearn.cluster import DBSCAN

from helpers.mome.search import MomeResult, hypervolume
from helpers.mome.strains import StrainEvaluator

__all__ = [
    "envelope",
    "envelope_hypervolume",
    "cluster_front",
    "knockout_frequency",
    "remove_superfluous",
    "best_tradeoffs",
    "postprocess_front",
    "ecoli_gene_names",
    "units_with_genes",
    "cluster_summary",
    "cluster_of_best",
    "strain_table",
    "envelope_at",
    "front_at",
    "runs_table",
    "biomass_coverage",
    "PAPER_BEST_STRAIN",
    "PAPER_NUO",
]

#: {cite}`patane2019mome`, Table 1: the best strain's knocked-out gene sets, by gene name
#: (ethanol 19.74 mmol/gDW/h at biomass 0.02 /h, KC 14). Current names: the paper's yfcX is fadJ,
#: yfiD is grcA and rfaS is waaS (the names in BiGG's iML1515).
PAPER_NUO = ("nuoN", "nuoM", "nuoL", "nuoK", "nuoJ", "nuoI", "nuoH", "nuoG", "nuoF", "nuoE",
             "nuoC", "nuoB", "nuoA")
PAPER_BEST_STRAIN = (
    ("frmA",), ("fadB", "fadJ"), ("fieF",), ("uxuB",), PAPER_NUO,
    ("pflA", "pflB", "tdcE", "pflD", "pflC", "grcA"), ("ppk",), ("waaS",), ("tpiA",), ("avtA",),
)


def _check_reactions(model: cobra.Model, **ids: str) -> None:
    """``ValueError`` naming the parameter, the unknown reaction id and the model."""
    for parameter, rid in ids.items():
        if rid not in model.reactions:
            raise ValueError(f"The {parameter!r} parameter names reaction {rid!r}, which is not in "
                             f"model {model.id!r} ({len(model.reactions)} reactions).")


def envelope(model: cobra.Model, *, biomass: str, product: str, points: int = 60) -> pd.DataFrame:
    """Production envelope: min and max ``product`` flux at each biomass flux.

    Thin wrapper of :func:`cobra.flux_analysis.production_envelope` (the model is only read).
    Columns: ``biomass``, ``product_minimum``, ``product_maximum``.
    """
    from cobra.flux_analysis import production_envelope

    _check_reactions(model, biomass=biomass, product=product)
    # cobra guesses the external compartment (for carbon yields we do not use) and logs a warning
    # to stderr for models with unusual compartment names (iYL619_PCP): silenced here
    boundary_log = logging.getLogger("cobra.medium.boundary_types")
    level = boundary_log.level
    boundary_log.setLevel(logging.ERROR)
    try:
        env = production_envelope(model, reactions=[biomass], objective=product, points=points)
    finally:
        boundary_log.setLevel(level)
    return pd.DataFrame({
        "biomass": env[biomass].to_numpy(dtype=float),
        "product_minimum": env["flux_minimum"].to_numpy(dtype=float),
        "product_maximum": env["flux_maximum"].to_numpy(dtype=float),
    })


def envelope_hypervolume(env: pd.DataFrame) -> float:
    """Hypervolume (area above (0, 0)) of the envelope's upper edge, by pymoo's HV indicator.

    The edge is sampled at ``env``'s points; at 60+ points the staircase is within ~1 % of the
    area under the curve.
    """
    return hypervolume(env[["biomass", "product_maximum"]].to_numpy())


def cluster_front(front: pd.DataFrame, *, objective: str = "product_min", eps: float = 0.06,
                  min_samples: int = 4) -> np.ndarray:
    """DBSCAN labels of the front's points on min-max normalized (biomass, ``objective``).

    ``-1`` marks outliers (DBSCAN's noise), as in :class:`sklearn.cluster.DBSCAN`.
    """
    X = front[["biomass", objective]].to_numpy(dtype=float)
    if len(X) == 0:
        return np.array([], dtype=int)
    span = X.max(axis=0) - X.min(axis=0)
    Xn = (X - X.min(axis=0)) / np.where(span > 0, span, 1.0)
    return DBSCAN(eps=eps, min_samples=min_samples).fit_predict(Xn)


def knockout_frequency(genotypes: Iterable[tuple[int, ...]], labels: np.ndarray,
                       units: list[str]) -> pd.DataFrame:
    """Fraction of the strains of each cluster that knock out each unit.

    Returns a frame with one row per cluster label and one column per unit knocked out at least
    once (units sorted by overall frequency).
    """
    genotypes = list(genotypes)
    M = np.zeros((len(genotypes), len(units)))
    for i, g in enumerate(genotypes):
        M[i, list(g)] = 1.0
    frame = pd.DataFrame(M, columns=units)
    frame["cluster"] = np.asarray(labels)
    freq = frame.groupby("cluster").mean()
    used = freq.columns[(freq > 0).any()]
    order = frame[used].mean().sort_values(ascending=False).index
    return freq[order]


def remove_superfluous(evaluator: StrainEvaluator, genotype: Iterable[int], *, tol: float = 1e-10,
                       column: str = "product_min") -> tuple[int, ...]:
    """Knock back in every unit whose restoration changes neither biomass nor product by > ``tol``.

    Units are tried in index order; a restoration is kept permanently when it passes
    ({cite}`patane2019mome`, post-processing). Phenotypes are the evaluator's (rounded to 1e-6), so ``tol`` below that
    means "same phenotype".
    """
    cols = {"product_lp": 1, "product_min": 2}
    if column not in cols:
        raise ValueError(f"The 'column' parameter must be one of {list(cols)}. Got {column!r} instead.")
    current = list(evaluator.normalize(genotype))
    ref = evaluator.evaluate(current)
    for unit in list(current):
        trial = [u for u in current if u != unit]
        phen = evaluator.evaluate(trial)
        if abs(phen[0] - ref[0]) <= tol and abs(phen[cols[column]] - ref[cols[column]]) <= tol:
            current, ref = trial, phen
    return tuple(current)


def postprocess_front(evaluator: StrainEvaluator, front: pd.DataFrame, *,
                      objective: str = "product_min") -> pd.DataFrame:
    """The front's distinct phenotypes, each with its cheapest genotype after
    :func:`remove_superfluous` (chapter ``07_mome_ethanol``).

    Returns rows like the archive's (``genotype``, ``cost``, ``n_units``, ``biomass``,
    ``product_lp``, ``product_min``) with ``raw_cost``, the cost before post-processing.
    Removal never changes the phenotype beyond the evaluator's rounding, so best-per-cost tables
    can use these cheaper genotypes.
    """
    if front.empty:
        return front.assign(raw_cost=front.get("cost"))
    distinct = front.sort_values(["cost", "n_units"]).drop_duplicates(["biomass", objective])
    rows = []
    for geno, raw in zip(distinct.genotype, distinct.cost, strict=True):
        g = remove_superfluous(evaluator, geno, column=objective)
        phen = evaluator.evaluate(g)
        rows.append({"genotype": g, "cost": evaluator.cost(g), "n_units": len(g),
                     "biomass": phen[0], "product_lp": phen[1], "product_min": phen[2],
                     "raw_cost": int(raw)})
    return pd.DataFrame(rows)


def best_tradeoffs(front: pd.DataFrame, *, n: int = 10, objective: str = "product_min"
                   ) -> pd.DataFrame:
    """The ``n`` distinct front phenotypes with the highest product, cheapest genotype of each."""
    if front.empty:
        return front.copy()
    ordered = front.sort_values([objective, "biomass", "cost", "n_units"],
                                ascending=[False, False, True, True])
    return ordered.drop_duplicates(["biomass", objective]).head(n).reset_index(drop=True)


def ecoli_gene_names() -> dict[str, str]:
    """E. coli gene names by b-number (``b2276`` -> ``nuoN``).

    cobra's bundled iJO1366 carries no gene names; they are read from the BiGG JSON files of
    iAF1260 and iML1515 in the data registry (:func:`helpers.data.registry.fetch`), iML1515 winning.
    """
    import json

    from helpers.data.registry import fetch

    names: dict[str, str] = {}
    for key in ("gems/iAF1260.json", "gems/iML1515.json"):
        with open(fetch(key)) as handle:
            for gene in json.load(handle)["genes"]:
                if gene.get("name"):
                    names[gene["id"]] = gene["name"]
    return names


def units_with_genes(evaluator: StrainEvaluator, gene_names: Iterable[Iterable[str]],
                     names: dict[str, str]) -> list[int | None]:
    """For each set of gene *names*, the design unit (gene set) whose rule uses exactly those genes.

    ``None`` where the reduced model has no such gene set (e.g. its reactions are blocked in the
    medium). Used to rebuild the paper's strains from their gene names.
    """
    from helpers.mome.gpr import genes_of

    by_genes: dict[frozenset[str], int] = {}
    for u, rule in enumerate(evaluator.units):
        by_genes.setdefault(frozenset(names.get(g, g) for g in genes_of(rule)), u)
    return [by_genes.get(frozenset(group)) for group in gene_names]


def cluster_summary(front: pd.DataFrame, labels: np.ndarray, evaluator: StrainEvaluator,
                    names: dict[str, str], *, objective: str = "product_min", top: int = 3,
                    post: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per DBSCAN cluster: size, distinct phenotypes, biomass and product ranges, and the
    gene sets knocked out most often in it (with their frequency), which is what distinguishes
    the clusters (chapter ``07_mome_ethanol``).

    Without ``post`` the frequencies are over the front's raw genotypes, which carry knock-outs
    that change nothing (hitch-hikers of the search). With ``post``
    (:func:`postprocess_front` of the same front) they are over the cluster's distinct
    phenotypes, each represented by its post-processed genotype (superfluous knock-outs
    restored): what the strains of a cluster *need*. ``ValueError`` when a front phenotype is
    missing from ``post``.
    """
    labels = np.asarray(labels)
    genotypes, freq_labels = list(front["genotype"]), labels
    if post is not None:
        distinct = pd.DataFrame({"label": labels, "biomass": front["biomass"].to_numpy(),
                                 "product": front[objective].to_numpy()}
                                ).drop_duplicates(["label", "biomass", "product"])
        by_phenotype = dict(zip(zip(post["biomass"], post[objective], strict=True),
                                post["genotype"], strict=True))
        missing = [(b, p) for b, p in zip(distinct.biomass, distinct["product"], strict=True)
                   if (b, p) not in by_phenotype]
        if missing:
            raise ValueError(f"The 'post' frame has no genotype for the front phenotypes "
                             f"(biomass, {objective}) {missing[:3]}; pass postprocess_front of "
                             "the same front.")
        genotypes = [by_phenotype[(b, p)] for b, p in
                     zip(distinct.biomass, distinct["product"], strict=True)]
        freq_labels = distinct.label.to_numpy()
    freq = knockout_frequency(genotypes, freq_labels, evaluator.units)
    rows = []
    for label, part in front.groupby(labels, sort=True):
        top_units = freq.loc[label].sort_values(ascending=False).head(top)
        rows.append({
            "cluster": "outliers" if label == -1 else f"C{label + 1}",
            "n_strains": len(part),
            "n_phenotypes": len(part.drop_duplicates(["biomass", objective])),
            "biomass_min": part["biomass"].min(), "biomass_max": part["biomass"].max(),
            "product_low": part[objective].min(), "product_high": part[objective].max(),
            "median_cost": float(part["cost"].median()),
            "most_knocked_out": "; ".join(
                f"{evaluator.describe([evaluator.units.index(u)], names)[0]} ({f:.0%})"
                for u, f in top_units.items() if f > 0),
        })
    return pd.DataFrame(rows)


def cluster_of_best(front: pd.DataFrame, labels: np.ndarray, *, objective: str = "product_min"
                    ) -> str:
    """The cluster (``"C1"``, … or ``"outliers"``) of the front strain with the most product,
    named as in :func:`cluster_summary` (chapter ``07_mome_ethanol``)."""
    if front.empty:
        raise ValueError("The 'front' frame is empty; it has no best strain.")
    label = int(np.asarray(labels)[int(np.argmax(front[objective].to_numpy()))])
    return "outliers" if label == -1 else f"C{label + 1}"


def strain_table(evaluator: StrainEvaluator, genotypes: Iterable[Iterable[int]],
                 names: dict[str, str], *, labels: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per strain: biomass, guaranteed and LP product, change vs wild type, KC, knock-outs.

    ``genes`` are the strain's deleted genes (:meth:`StrainEvaluator.cut`, the fewest that
    disable the genotype's gene sets): the phenotype is their knock-out, as cobra's
    ``gene.knock_out()`` gives it (:func:`helpers.mome.core.unreproduced_strains` checks a table).
    ``knockout_cost`` is their number (:meth:`StrainEvaluator.cost`), ``paper_cost`` the paper's
    recursion summed over the genotype's gene sets (:func:`helpers.mome.gpr.paper_knockout_cost`),
    ``knockouts`` every gene set the deletion disables (:meth:`StrainEvaluator.deleted_units`,
    the genotype and any gene set that loses a shared gene), ``n_gene_sets`` their number and
    ``extra_gene_sets`` how many of them lie outside the genotype. Knock-outs and genes are
    written with gene names (``names``), one gene set per item.
    """
    from helpers.mome.gpr import paper_knockout_cost

    genotypes = [evaluator.normalize(g) for g in genotypes]
    labels = list(labels) if labels is not None else [f"S{k}" for k in range(1, len(genotypes) + 1)]
    ref = evaluator.reference
    rows = []
    for label, g in zip(labels, genotypes, strict=True):
        biomass, lp, guaranteed = evaluator.evaluate(g)
        deleted = evaluator.deleted_units(g)
        rows.append({
            "strain": label, "biomass": biomass, "product_guaranteed": guaranteed, "product_lp": lp,
            "product_change_pct": 100.0 * (guaranteed / ref[2] - 1.0) if ref[2] > 0 else np.nan,
            "knockout_cost": evaluator.cost(g),
            "paper_cost": (sum(paper_knockout_cost(evaluator.units[u]) for u in g)
                           if evaluator.mode == "gene_sets" else len(g)),
            "genes": ", ".join(sorted(names.get(x, x) for x in evaluator.cut(g))),
            "n_gene_sets": len(deleted),
            "extra_gene_sets": len(deleted) - len(g),
            "knockouts": ", ".join(f"({d})" if " " in d else d
                                   for d in evaluator.describe(deleted, names)),
        })
    return pd.DataFrame(rows)


def envelope_at(model: cobra.Model, *, biomass: str, product: str, values: Iterable[float]
                ) -> np.ndarray:
    """Exact maximal ``product`` flux with biomass fixed at each of ``values`` (NaN: infeasible).

    Each point is one LP inside ``with model:``; the model is left as it was.
    """
    _check_reactions(model, biomass=biomass, product=product)
    out = []
    for value in values:
        with model:
            model.reactions.get_by_id(biomass).bounds = (value, value)
            model.objective = product
            out.append(model.slim_optimize(error_value=np.nan))
    return np.array(out, dtype=float)


def front_at(front: pd.DataFrame, values: Iterable[float], *, objective: str = "product_min",
             rtol: float = 0.005) -> np.ndarray:
    """Best ``objective`` on the front among strains growing at least ``value * (1 - rtol)``
    (the paper rounds biomass to two decimals); NaN where no strain grows that fast."""
    out = []
    for value in values:
        part = front[front["biomass"] >= value * (1 - rtol)]
        out.append(part[objective].max() if len(part) else np.nan)
    return np.array(out, dtype=float)


def runs_table(results: Mapping[str, MomeResult]) -> pd.DataFrame:
    """One row per search (``results``: name -> :class:`~helpers.mome.search.MomeResult`):
    ``design`` (the name), ``strains`` (distinct strains evaluated), ``front`` (its size),
    ``strains_per_s`` (distinct strains computed per second), ``cache_hits``, ``wall_s`` and
    ``best_product`` (the front's best guaranteed product, ``product_min``).

    Chapter ``09_mome_redirector`` (knock-outs against regulation).
    """
    return pd.DataFrame([
        {"design": name, "strains": len(r.archive), "front": len(r.front),
         "strains_per_s": r.evaluations_per_s, "cache_hits": r.n_cache_hits, "wall_s": r.wall_s,
         "best_product": r.front.product_min.max()}
        for name, r in results.items()
    ])


def biomass_coverage(front: pd.DataFrame, max_biomass: float, bins: int) -> float:
    """Share of ``bins`` equal intervals of ``[0, max_biomass]`` that hold a growing strain of
    ``front`` (a Pareto front, or a search's whole archive of feasible strains).

    Strains with zero biomass are not counted; a strain at exactly ``max_biomass`` falls in the
    last interval, one above it in none. The larger the share, the more evenly the strains span
    the biomass range. Chapter ``09_mome_redirector`` (does regulation span it more evenly than
    knock-outs?).
    """
    edges = np.linspace(0, max_biomass, bins + 1)
    hit = np.histogram(front.biomass[front.biomass > 0], bins=edges)[0] > 0
    return float(hit.mean())
