"""Constrained designs: essential genes and lethal gene pairs never knocked out, a growth floor.

The MOME paper's constrained runs (its §"Ethanol production without essential genes") knock out
single genes, never an essential gene, never both genes of a lethal pair, and keep biomass at
least 90 % of the wild type's. This module gives the gene lists;
:func:`helpers.mome.search.run_mome` applies them (``forbidden``, ``lethal_pairs``,
``min_biomass``).

Essential genes:

* :func:`insilico_essential_genes` — single-gene deletions with cobra: growth below 1 % of the
  wild type's (kept as the reference implementation);
* :func:`essential_genes_screen` — the same screen on a genes-mode
  :class:`~helpers.mome.strains.StrainEvaluator` (one simplex solve per gene that touches the
  wild type's flux vector; the others cannot change growth and need none);
* :func:`keio_essential_genes` — the experimental *E. coli* list in the mirror (Keio collection on
  M9 glucose, as compiled for the iML1515 paper): b-numbers with ``ess.experimental == yes``;
* :func:`yeast_essential_genes` — the experimental yeast list of Heavner & Price (2015): the
  deletion project's essential ORFs (``.xls``, sheet "essential list", column A) without the two
  ORFs they drop (YCL004W, YKL192C).

Lethal gene pairs (two genes, neither essential, lethal together):

* :func:`lethal_pairs_screen` — an in-silico double-deletion screen that is *exact* yet touches
  only genes that carry flux: a pair can only be lethal if it disables a reaction of the wild
  type's optimal flux vector (otherwise that vector survives), so one of its genes (A) is named in
  the rule of such a reaction; and it must disable a reaction of the A-mutant's optimal flux
  vector (otherwise that vector survives and the strain grows as the single mutant, which is not
  lethal). So every non-essential A named by a flux-carrying reaction is knocked out, its flux
  vector read (the wild type's when A alone disables no flux-carrying reaction, e.g. one of two
  isozymes), and only partners B whose knock-out together with A disables a reaction of that
  vector are solved. :func:`cached_lethal_pairs` keeps the result in the book's
  on-disk GEM cache (:mod:`helpers.data.cache`), keyed by the model's content hash (medium
  included) and the threshold, so it is computed once per machine;
* :func:`yeast_lethal_pairs` — the SGD synthetic-lethal pairs (Aug 2013) as used by Heavner &
  Price (MATLAB variable ``A``, one pair per row).

Introduced in chapter ``08_mome_organisms_and_constraints``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import cobra
import numpy as np
import pandas as pd

from helpers.data.registry import fetch
from helpers.mome.strains import StrainEvaluator, model_fingerprint

__all__ = ["insilico_essential_genes", "essential_genes_screen", "keio_essential_genes",
           "yeast_essential_genes", "yeast_lethal_pairs", "lethal_pairs_screen",
           "cached_lethal_pairs", "LethalPairScreen", "forbidden_mask", "pair_partners",
           "isozyme_cuts",
           "HEAVNER_DROPPED", "YEAST_ESSENTIAL_KEY", "YEAST_LETHAL_PAIRS_KEY"]

YEAST_ESSENTIAL_KEY = "essentiality/yeast_essential_genes_heavner.xls"
YEAST_LETHAL_PAIRS_KEY = "essentiality/yeast_sgd_synthetic_lethals_heavner2013.mat"
#: ORFs of the deletion-project list that Heavner & Price (2015) do not count as essential.
HEAVNER_DROPPED = frozenset({"YCL004W", "YKL192C"})
#: bumped when the pair screen's algorithm changes (part of its cache key)
_PAIR_SCREEN_VERSION = 2


def insilico_essential_genes(model: cobra.Model, *, fraction: float = 0.01,
                             processes: int = 1) -> frozenset[str]:
    """Genes whose single deletion drops growth below ``fraction`` of the wild type's
    (infeasible counts as zero growth). The model is only read."""
    from cobra.flux_analysis import single_gene_deletion

    wild_type = model.slim_optimize(error_value=0.0)
    result = single_gene_deletion(model, processes=processes)
    growth = result["growth"].fillna(0.0).to_numpy(dtype=float)
    ids = [next(iter(g)) for g in result["ids"]]
    return frozenset(g for g, mu in zip(ids, growth, strict=True) if mu < fraction * wild_type)


def _genes_mode(evaluator: StrainEvaluator) -> None:
    if evaluator.mode != "genes":
        raise ValueError("Essentiality screens need a StrainEvaluator with mode='genes'. "
                         f"Got mode={evaluator.mode!r} (model {evaluator.model_id!r}).")


def essential_genes_screen(evaluator: StrainEvaluator, *, fraction: float = 0.01
                           ) -> frozenset[str]:
    """Genes of ``evaluator`` (``mode="genes"``) whose knock-out drops growth below ``fraction``
    of the wild type's: :func:`insilico_essential_genes` on the evaluator's LP."""
    _genes_mode(evaluator)
    floor = fraction * float(evaluator.reference[0])
    support = evaluator.support_units
    return frozenset(evaluator.units[u] for u in np.flatnonzero(support)
                     if evaluator.growth([u]) < floor)


def keio_essential_genes() -> frozenset[str]:
    """E. coli b-numbers essential on M9 glucose in the Keio collection (experimental column)."""
    table = pd.read_csv(fetch("essentiality/gess-ecol_iML1515paper_M9glc.csv"))
    return frozenset(table.loc[table["ess.experimental"] == "yes", "gene"].astype(str))


def yeast_essential_genes(*, drop: Iterable[str] = HEAVNER_DROPPED) -> frozenset[str]:
    """Yeast essential ORFs of Heavner & Price (2015): the mirrored deletion-project list
    (sheet "essential list", column A, 1122 distinct ORFs) without ``drop`` (1120 by default).

    Needs ``xlrd`` (the file is an old Excel ``.xls``). ``ValueError`` naming the file when the
    sheet is missing or the column holds no ORF.
    """
    path = fetch(YEAST_ESSENTIAL_KEY)
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=0, engine="xlrd")
    except Exception as exc:  # xlrd raises its own error types for a damaged file
        raise ValueError(f"{YEAST_ESSENTIAL_KEY}: not a readable .xls workbook ({exc}).") from exc
    if "essential list" not in sheets:
        raise ValueError(f"{YEAST_ESSENTIAL_KEY}: no sheet 'essential list' "
                         f"(sheets: {sorted(sheets)}).")
    column = sheets["essential list"].iloc[:, 0].dropna().astype(str).str.strip().str.upper()
    orfs = frozenset(column[column.str.match(r"^[A-Z0-9-]+$")])
    if not orfs:
        raise ValueError(f"{YEAST_ESSENTIAL_KEY}: column A of sheet 'essential list' has no ORF.")
    return orfs - {d.upper() for d in drop}


def _mat_text(value) -> str:
    while isinstance(value, np.ndarray):
        if value.size == 0:
            return ""
        value = value.ravel()[0]
    return str(value).strip()


def yeast_lethal_pairs() -> frozenset[tuple[str, str]]:
    """SGD synthetic-lethal ORF pairs (Heavner & Price 2013 copy), each as a sorted tuple;
    self-pairs dropped. ``ValueError`` naming the file when variable ``A`` is missing or not
    two columns wide."""
    from scipy.io import loadmat

    path = fetch(YEAST_LETHAL_PAIRS_KEY)
    try:
        data = loadmat(str(path))
    except Exception as exc:
        raise ValueError(f"{YEAST_LETHAL_PAIRS_KEY}: not a readable MATLAB file ({exc}).") from exc
    table = data.get("A")
    if table is None or table.ndim != 2 or table.shape[1] != 2:
        raise ValueError(f"{YEAST_LETHAL_PAIRS_KEY}: expected a variable 'A' with two columns "
                         f"(gene pairs); found {sorted(k for k in data if not k.startswith('__'))}"
                         f"{'' if table is None else f' with A of shape {table.shape}'}.")
    pairs = set()
    for a, b in table:
        a, b = _mat_text(a).upper(), _mat_text(b).upper()
        if a and b and a != b:
            pairs.add(tuple(sorted((a, b))))
    return frozenset(pairs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class LethalPairScreen:
    """Result of :func:`lethal_pairs_screen`.

    Attributes
    ----------
    pairs
        Lethal pairs (sorted gene-id tuples): neither gene essential, growth of the double mutant
        below ``fraction`` of the wild type's.
    n_first
        Genes screened as first gene (non-essential, named in the rule of a reaction carrying
        wild-type flux).
    n_tested
        Pairs whose growth was computed (the others provably keep the single mutant's growth:
        they disable no reaction of its optimal flux vector).
    n_possible
        Pairs of non-essential genes of the model (what a naive double-deletion screen solves).
    seconds
        Wall time of the screen (of the original computation when read from the cache).
    complete
        False when ``max_first`` cut the list of first genes (then ``pairs`` is partial).
    """

    pairs: frozenset[tuple[str, str]]
    n_first: int
    n_tested: int
    n_possible: int
    seconds: float
    complete: bool = True
    from_cache: bool = False


def lethal_pairs_screen(evaluator: StrainEvaluator, *, essential: Iterable[str] = (),
                        fraction: float = 0.01, max_first: int | None = None
                        ) -> LethalPairScreen:
    """Exact in-silico screen of lethal gene pairs (see the module docstring).

    ``essential`` genes are left out (their pairs are not pairs); genes that the screen finds
    essential are left out too. ``max_first`` screens only the first ``max_first`` genes (in id
    order) as gene A, a partial screen for small budgets (``complete=False``).
    """
    _genes_mode(evaluator)
    start = time.perf_counter()
    floor = fraction * float(evaluator.reference[0])
    essential = set(essential) | essential_genes_screen(evaluator, fraction=fraction)
    wild_type = ~evaluator._zero_min  # the wild type's optimal (product-minimal) flux vector
    wt_carrying = set(np.flatnonzero(wild_type).tolist())
    touching = [set(cols.tolist()) for cols in evaluator._unit_cols]  # reactions whose rule names g
    # gene A: named in the rule of a reaction carrying wild-type flux (isozymes included: a pair
    # can disable such a reaction that neither gene disables alone)
    candidates = [u for u, g in enumerate(evaluator.units)
                  if g not in essential and touching[u] & wt_carrying]
    complete = max_first is None or max_first >= len(candidates)
    if not complete:
        candidates = candidates[:max_first]
    ok = np.array([g not in essential for g in evaluator.units])
    tested: set[tuple[int, int]] = set()
    pairs: set[tuple[str, str]] = set()
    for a in candidates:
        if wild_type[evaluator.knocked_reactions([a])].any():
            _, support = evaluator.flux_support([a])
        else:  # A alone disables no flux-carrying reaction: the wild type's vector stays optimal
            support = wild_type
        carrying = set(np.flatnonzero(support).tolist())
        for b in np.flatnonzero(ok):
            b = int(b)
            if b == a or not touching[b] & carrying:
                continue
            key = (min(a, b), max(a, b))
            if key in tested:
                continue
            cols = evaluator.knocked_reactions(key)
            if not support[cols].any():  # A's optimal flux vector survives: not lethal
                continue
            tested.add(key)
            if evaluator.growth(key) < floor:
                pairs.add(tuple(sorted((evaluator.units[a], evaluator.units[b]))))
    n_ok = int(ok.sum())
    return LethalPairScreen(pairs=frozenset(pairs), n_first=len(candidates), n_tested=len(tested),
                            n_possible=n_ok * (n_ok - 1) // 2,
                            seconds=time.perf_counter() - start, complete=complete)


def cached_lethal_pairs(model: cobra.Model, *, biomass: str, product: str,
                        essential: Iterable[str] = (), fraction: float = 0.01,
                        max_first: int | None = None, use_cache: bool = True
                        ) -> LethalPairScreen:
    """:func:`lethal_pairs_screen` on ``model`` (its medium set), through the on-disk GEM cache.

    The key holds the model's content hash (bounds, rules, stoichiometry), the essential list,
    ``fraction``, ``max_first`` and the screen's version; a cached screen is returned with
    ``from_cache=True`` and the seconds of its original computation.
    """
    from helpers.data.cache import cache_key, cached_entry

    essential = sorted(set(essential))

    def compute():
        ev = StrainEvaluator(model, biomass=biomass, product=product, mode="genes")
        screen = lethal_pairs_screen(ev, essential=essential, fraction=fraction,
                                     max_first=max_first)
        meta = {"method": "mome_lethal_pairs", "model": model.id,
                "pairs": sorted(list(p) for p in screen.pairs), "n_first": screen.n_first,
                "n_tested": screen.n_tested, "n_possible": screen.n_possible,
                "seconds": screen.seconds, "complete": screen.complete}
        return cobra.Model(f"{model.id}_lethal_pairs"), meta, None

    key = cache_key(model=model_fingerprint(model), method="mome_lethal_pairs",
                    biomass=biomass, essential=essential, fraction=fraction,
                    max_first=max_first, version=_PAIR_SCREEN_VERSION)
    entry = cached_entry(key, compute, use_cache=use_cache, required=("pairs", "n_tested"))
    m = entry.meta
    return LethalPairScreen(pairs=frozenset(tuple(p) for p in m["pairs"]), n_first=m["n_first"],
                            n_tested=m["n_tested"], n_possible=m["n_possible"],
                            seconds=m["seconds"], complete=m["complete"],
                            from_cache=bool(m.get("from_cache", False)))


def forbidden_mask(units: list[str], genes: frozenset[str] | set[str]) -> np.ndarray:
    """Boolean mask over single-gene units: True where the unit is in ``genes``."""
    return np.array([u in genes for u in units], dtype=bool)


def pair_partners(units: list[str], pairs: Iterable[tuple[str, str]]) -> list[np.ndarray]:
    """For each unit, the indices of the units it must never be knocked out with (pairs with a
    gene outside ``units`` are dropped: that gene cannot be knocked out anyway)."""
    index = {u: k for k, u in enumerate(units)}
    partners: list[set[int]] = [set() for _ in units]
    for a, b in pairs:
        if a in index and b in index and a != b:
            partners[index[a]].add(index[b])
            partners[index[b]].add(index[a])
    return [np.array(sorted(p), dtype=int) for p in partners]


def isozyme_cuts(evaluator: StrainEvaluator, *, forbidden: np.ndarray | None = None,
                 partners: list[np.ndarray] | None = None, max_genes: int = 4
                 ) -> list[np.ndarray]:
    """Smallest admissible gene cuts of the reactions that carry wild-type flux and that no
    single gene disables (isozymes), as unit indices of a ``mode="genes"`` evaluator.

    A reaction catalysed by two isozymes only stops when both genes are knocked out, and
    neither knock-out alone changes the strain, so a search that adds one gene at a time gets no
    signal towards the pair (chapter 08: in LB, disabling acetaldehyde dehydrogenase, *mhpF* or
    *adhE*, forces ethanol at full growth). These cuts are the groups that
    :func:`helpers.mome.search.run_mome` may knock out in one mutation. A cut uses only genes not
    ``forbidden`` (a clause with none of them cannot be broken, and the reaction is skipped),
    never holds both genes of a lethal pair (``partners``), and has 2 to ``max_genes`` genes.
    """
    from helpers.mome.gpr import strain_cut

    _genes_mode(evaluator)
    index = {g: k for k, g in enumerate(evaluator.units)}
    ok = np.ones(len(evaluator.units), bool) if forbidden is None else ~np.asarray(forbidden, bool)
    cuts: set[tuple[int, ...]] = set()
    for j in np.flatnonzero(~evaluator._zero_min).tolist():
        dnf = evaluator._rule_clauses.get(j)
        if not dnf:
            continue
        restricted = [frozenset(g for g in clause if ok[index[g]]) for clause in dnf]
        if any(not clause for clause in restricted):
            continue
        cut = tuple(sorted(index[g] for g in strain_cut([frozenset(restricted)])))
        if not 2 <= len(cut) <= max_genes:
            continue
        if partners is not None and any(set(partners[u].tolist()) & set(cut) for u in cut):
            continue
        cuts.add(cut)
    return [np.array(c, dtype=int) for c in sorted(cuts)]
