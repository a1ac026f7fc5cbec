"""Strain evaluation: knock-outs, maximal growth and the guaranteed product at it, fast.

A genotype is a set of knocked-out design units (gene sets, or single genes in ``mode="genes"``).
The strain it stands for is a gene deletion: the fewest genes that disable its gene sets
(:meth:`StrainEvaluator.cut`), knocked out as cobra's ``knock_out`` does, which disables *every*
reaction whose rule those genes make false, also gene sets outside the genotype that share a
gene (:meth:`StrainEvaluator.deleted_units`; e.g. the acyl carrier protein gene acpP serves
fatty-acid and phospholipid synthesis besides the gene set a search picked it for). Its phenotype
is what :func:`helpers.mome.core.gene_knockout_phenotype` computes with plain cobra (MOME's
evaluation, {cite}`patane2019mome`):

1. the reactions the gene knock-outs disable get bounds ``[0, 0]``;
2. biomass is maximized (``mu``); the product flux of that LP solution is ``product_lp``;
3. with biomass fixed at ``mu`` the product is minimized: ``product_min`` is the production the
   strain *guarantees* at maximal growth (FVA minimum at the optimum), robust to alternative optima.

Strains that cannot grow (``mu < lethal_threshold``) are *lethal*: feasible for the search but
scored ``(0, 0, 0)`` so that every growing strain dominates them. :class:`StrainEvaluator` maps
genotypes to the reactions they disable (exact knock-out costs from :mod:`helpers.mome.gpr`),
caches phenotypes by genotype and computes them on the private engine
(:mod:`helpers.mome._engine`: one GLPK problem warm-started from the wild type's basis, exact
shortcuts, joblib workers), which gives the cobra phenotype within solver tolerance
(``tests/test_mome_engine.py``).

The model is first reduced to the reactions that can carry flux in the chosen medium
(:func:`reduce_model`, cached on disk as cobra JSON).

Introduced in chapter ``07_mome_ethanol``.
"""

from __future__ import annotations

import difflib
import uuid
import warnings
from collections.abc import Iterable, Mapping, Sequence

import cobra
import numpy as np
from cobra.util.array import create_stoichiometric_matrix

from helpers.gem.blocked import blocked_reactions
from helpers.mome._engine.fast import FastPhenotypes, evaluate_parallel
from helpers.mome._engine.lp import StrainLP
from helpers.mome.gpr import as_gpr, clauses, evaluate_gpr, gene_sets, genes_of, strain_cut

__all__ = [
    "StrainEvaluator",
    "configure",
    "reduce_model",
    "model_fingerprint",
    "PHENOTYPE_COLUMNS",
]

PHENOTYPE_COLUMNS = ("biomass", "product_lp", "product_min")
_MODES = ("gene_sets", "genes")


def configure(model: cobra.Model, lower_bounds: Mapping[str, float]) -> cobra.Model:
    """Return a copy of ``model`` with the given reaction lower bounds (the medium).

    ``model`` itself is not modified. Example: ``{"EX_glc__D_e": -10, "EX_o2_e": 0}`` is
    anaerobic growth on 10 mmol/gDW/h glucose.
    """
    missing = [rid for rid in lower_bounds if rid not in model.reactions]
    if missing:
        raise KeyError(f"Reaction(s) {missing} of 'lower_bounds' are not in model {model.id!r}.")
    copy = model.copy()
    for rid, value in lower_bounds.items():
        copy.reactions.get_by_id(rid).lower_bound = float(value)
    return copy


def model_fingerprint(model: cobra.Model) -> str:
    """A hash of everything that decides the LP (:func:`helpers.gem.model_hash`)."""
    from helpers.gem import model_hash

    return model_hash(model)


def reduce_model(model: cobra.Model, *, use_cache: bool = True) -> cobra.Model:
    """A copy of ``model`` without the reactions that cannot carry flux (and orphan metabolites).

    Blocked reactions are found with :func:`helpers.gem.blocked.blocked_reactions`
    (``method="fast"``: flux variability at ``fraction_of_optimum=0`` under the model's own
    bounds, its medium; seconds where cobra's ``find_blocked_reactions`` takes a minute on
    iJO1366). The result goes through the book's GEM cache
    (:mod:`helpers.data.cache`), keyed by :func:`model_fingerprint` (bounds, i.e. the medium, rules,
    objective, stoichiometry). ``model`` is not modified; each call returns a fresh model.
    """
    from helpers.data.cache import cache_key, cached_entry

    def compute():
        blocked = blocked_reactions(model, method="fast")
        reduced = _without_reactions(model, blocked)
        return reduced, {"method": "mome_blocked", "algorithm": "glpk_reuse", "model": model.id,
                         "n_blocked": len(blocked)}, None

    key = cache_key(model=model_fingerprint(model), method="mome_blocked", algorithm="glpk_reuse")
    return cached_entry(key, compute, use_cache=use_cache).model.copy()


def _without_reactions(model: cobra.Model, drop: Iterable[str]) -> cobra.Model:
    """A new model without the reactions ``drop`` and the metabolites and genes only they used:
    what ``model.copy().remove_reactions(drop, remove_orphans=True)`` gives, built from the
    model's dictionary (cobra's removal re-indexes the solver once per reaction: 12 s for 933
    reactions of iJO1366, against a few seconds here). Groups keep their surviving members."""
    from cobra.io.dict import model_from_dict, model_to_dict

    drop = set(drop)
    data = model_to_dict(model)
    data["reactions"] = [r for r in data["reactions"] if r["id"] not in drop]
    metabolites = {m for r in data["reactions"] for m in r["metabolites"]}
    data["metabolites"] = [m for m in data["metabolites"] if m["id"] in metabolites]
    genes = set().union(*(genes_of(r["gene_reaction_rule"]) for r in data["reactions"]
                          if r.get("gene_reaction_rule", "").strip()))
    data["genes"] = [g for g in data["genes"] if g["id"] in genes]
    with warnings.catch_warnings():  # cobra warns about groups given one member, on stderr
        warnings.simplefilter("ignore", UserWarning)
        reduced = model_from_dict(data)
        for group in model.groups:  # cobra's dictionaries do not carry groups: copy them over
            members = []
            for member in group.members:
                pool = {cobra.Reaction: reduced.reactions, cobra.Metabolite: reduced.metabolites,
                        cobra.Gene: reduced.genes}.get(type(member))
                if pool is not None and member.id in pool:
                    members.append(pool.get_by_id(member.id))
            if members:
                reduced.add_groups([cobra.core.Group(group.id, group.name, members=members,
                                                     kind=group.kind)])
    reduced.objective_direction = model.objective_direction
    return reduced


def _clauses_or_none(rule: str) -> frozenset[frozenset[str]] | None:
    try:
        return clauses(rule)
    except ValueError:
        return None


def _unknown_genes_message(unknown: list[str], names: Mapping[str, str], model_id: str) -> str:
    """Why ``unknown`` gene ids are refused, with the ids they may have meant (gene names of the
    model, or close spellings by :func:`difflib.get_close_matches`)."""
    by_name: dict[str, list[str]] = {}
    for gene, name in names.items():
        if name:
            by_name.setdefault(name.lower(), []).append(gene)
    hints = []
    for gene in unknown:
        named = by_name.get(gene.lower())
        if named:
            hints.append(f"{gene!r} is the name of gene {', '.join(map(repr, sorted(named)))}")
            continue
        close = difflib.get_close_matches(gene, list(names), n=3)
        close += [g for n in difflib.get_close_matches(gene, list(by_name), n=3)
                  for g in by_name[n] if g not in close]
        hints.append(f"{gene!r}: did you mean {', '.join(map(repr, close))}?" if close
                     else f"{gene!r}: no gene id or name is close")
    return (f"Gene(s) {unknown} are not genes of model {model_id!r} (knocking out an unknown "
            f"gene would silently knock out nothing). {'; '.join(hints)}.")


class StrainEvaluator(FastPhenotypes):
    """Phenotypes (biomass, product) of knock-out strains of one model, with a genotype cache.

    Parameters
    ----------
    model
        A cobra model, ideally already reduced with :func:`reduce_model` (only read).
    biomass, product
        Reaction ids of the growth objective and of the product exchange (e.g. ``EX_etoh_e``).
    mode
        ``"gene_sets"`` (design units = distinct GPR rules, the paper's genotype) or ``"genes"``
        (design units = single genes; a reaction is knocked out when its rule evaluates false).
    lethal_threshold
        Growth below this is lethal: the strain scores ``(0, 0, 0)``.

    Attributes
    ----------
    units : list of str
        Names of the design units (GPR rules or gene ids), the genotype's coordinates.
    costs : numpy.ndarray
        Knock-out cost of each unit (exact gene-set KC, or 1 per gene). A strain's cost
        (:meth:`cost`) can be lower than the sum when its gene sets share genes.
    reference : numpy.ndarray
        Wild-type phenotype ``(biomass, product_lp, product_min)``.
    """

    def __init__(self, model: cobra.Model, *, biomass: str, product: str,
                 mode: str = "gene_sets", lethal_threshold: float = 1e-6) -> None:
        if mode not in _MODES:
            raise ValueError(f"The 'mode' parameter must be one of {list(_MODES)}. Got {mode!r} instead.")
        for name, rid in (("biomass", biomass), ("product", product)):
            if rid not in model.reactions:
                raise KeyError(f"The {name!r} reaction {rid!r} is not in model {model.id!r}.")
        if not any(r.gene_reaction_rule.strip() for r in model.reactions):
            raise ValueError(f"Model {model.id!r} has no gene rules: no reaction has a "
                             "gene_reaction_rule, so there is nothing to knock out. Load the model "
                             "with its gene-protein-reaction rules.")
        self._gene_names = {g.id: g.name for g in model.genes}
        self.model_id, self.biomass, self.product, self.mode = model.id, biomass, product, mode
        self.lethal_threshold = lethal_threshold
        self.reaction_ids = [r.id for r in model.reactions]
        index = {rid: j for j, rid in enumerate(self.reaction_ids)}
        self._S = create_stoichiometric_matrix(model, array_type="lil").tocsc()
        self._lb = np.array([r.lower_bound for r in model.reactions], dtype=float)
        self._ub = np.array([r.upper_bound for r in model.reactions], dtype=float)
        self._obj, self._prod = index[biomass], index[product]
        if mode == "gene_sets":
            self._set_gene_set_units(model, index)
        else:
            self._set_gene_units(model)
        self.token = uuid.uuid4().hex
        self._engine: StrainLP | None = None  # built on first use (:attr:`_lp`)
        self._unpickled = False
        self.cache: dict[tuple[int, ...], np.ndarray] = {}
        self._cuts: dict[tuple[int, ...], frozenset[str]] = {}
        self._closures: dict[tuple[int, ...], tuple[int, ...]] = {}
        self.hits = 0
        self.n_computed = 0  # strains computed (cache misses), by LP or shortcut
        self.n_lp = 0  # strains computed by solving the LP (serial evaluation; workers add theirs)
        #: strains answered without an LP (serial evaluation only): essential reaction hit, or
        #: knock-outs outside the wild type's flux support
        self.shortcuts = {"lethal": 0, "wild_type": 0}
        self._prepare_shortcuts()

    def _set_gene_set_units(self, model: cobra.Model, index: Mapping[str, int]) -> None:
        """Design units = the model's gene sets (distinct GPR rules) and the columns each one
        disables."""
        sets = gene_sets(model)
        self.units = list(sets.rules)
        self.costs = np.array(sets.costs, dtype=int)
        self._clauses = [clauses(r) for r in self.units]
        self._genes = [frozenset().union(*c) for c in self._clauses]
        self._unit_cols = [np.array([index[r] for r in rxns], dtype=int) for rxns in sets.reactions]
        self._unit_cut = [strain_cut([c]) for c in self._clauses]
        by_gene: dict[str, list[int]] = {}
        for u, genes in enumerate(self._genes):
            for gene in genes:
                by_gene.setdefault(gene, []).append(u)
        #: the gene sets that name each gene (the only ones its knock-out can disable)
        self._gene_units = {g: np.array(us, dtype=int) for g, us in by_gene.items()}
        self._rules: list[str] = []
        self._rule_cols: list[int] = []

    def _set_gene_units(self, model: cobra.Model) -> None:
        """Design units = single genes; the columns whose rule names each gene."""
        self.units = sorted(g.id for g in model.genes)
        self.costs = np.ones(len(self.units), dtype=int)
        self._rules = [r.gene_reaction_rule for r in model.reactions]
        # each rule as its clauses (DNF): the reaction is off when every clause has an off gene
        self._rule_clauses = {j: _clauses_or_none(rule) for j, rule in enumerate(self._rules)
                              if rule.strip()}
        gene_index = {g: k for k, g in enumerate(self.units)}
        self._unit_cols = [np.array([], dtype=int) for _ in self.units]
        touched: list[list[int]] = [[] for _ in self.units]
        for j, rule in enumerate(self._rules):
            if rule.strip():
                for g in genes_of(rule):
                    touched[gene_index[g]].append(j)
        self._unit_cols = [np.array(t, dtype=int) for t in touched]

    @property
    def viable_units(self) -> np.ndarray:
        """Boolean mask of units whose knock-out alone is not lethal (no essential reaction).

        A unit outside it makes every strain that contains it lethal, so searches can skip it.
        """
        return np.array([not self._essential[self.knocked_reactions([u])].any()
                         for u in range(len(self.units))])

    @property
    def support_units(self) -> np.ndarray:
        """Boolean mask of units that disable a reaction carrying flux in the wild type's optimum."""
        return np.array([not self._zero_min[self.knocked_reactions([u])].all()
                         for u in range(len(self.units))])

    # -- genotypes
    def normalize(self, genotype: Iterable[int] | np.ndarray) -> tuple[int, ...]:
        """A genotype as a sorted tuple of unit indices (accepts a boolean vector too)."""
        arr = np.asarray(genotype)
        if arr.dtype == bool:
            if arr.shape != (len(self.units),):
                raise ValueError(f"A boolean genotype must have length {len(self.units)} "
                                 f"(the number of units). Got shape {arr.shape} instead.")
            return tuple(int(i) for i in np.flatnonzero(arr))
        idx = tuple(sorted({int(i) for i in arr.ravel()}))
        if idx and (idx[0] < 0 or idx[-1] >= len(self.units)):
            raise ValueError(f"Unit indices must lie in [0, {len(self.units)}). Got {idx} instead.")
        return idx

    def cut(self, genotype: Iterable[int] | np.ndarray) -> frozenset[str]:
        """A smallest set of genes whose knock-out disables every unit of ``genotype``
        (:func:`helpers.mome.gpr.strain_cut`; in ``"genes"`` mode the genes themselves).

        These genes *are* the strain: its phenotype is their knock-out, which may disable
        further gene sets that share them (:meth:`deleted_units`).
        """
        g = self.normalize(genotype)
        if self.mode == "genes":
            return frozenset(self.units[u] for u in g)
        cut = self._cuts.get(g)
        if cut is None:
            if self.shares_genes(g):
                cut = strain_cut(self._clauses[u] for u in g)
            else:  # rules that share no gene: the cuts add up (what strain_cut computes)
                cut = frozenset().union(*(self._unit_cut[u] for u in g))
            self._cuts[g] = cut
        return cut

    def deleted_units(self, genotype: Iterable[int] | np.ndarray) -> tuple[int, ...]:
        """The units the strain's gene deletion disables: every gene set whose rule is false once
        the genes of :meth:`cut` are knocked out (cobra's ``knock_out`` semantics). It contains
        the genotype and may hold more (a gene of the cut can serve other gene sets too).
        ``"genes"`` mode: the genotype itself."""
        g = self.normalize(genotype)
        if self.mode == "genes":
            return g
        out = self._closures.get(g)
        if out is None:
            out = self._units_off(self.cut(g))
            self._closures[g] = out
        return out

    def _units_off(self, genes: frozenset[str]) -> tuple[int, ...]:
        """Gene-set units whose rule is false with ``genes`` knocked out (``"gene_sets"`` mode)."""
        named = [self._gene_units[x] for x in genes if x in self._gene_units]
        if not named:
            return ()
        cand = np.unique(np.concatenate(named))
        return tuple(int(u) for u in cand if all(c & genes for c in self._clauses[u]))

    def shares_genes(self, genotype: Iterable[int] | np.ndarray) -> bool:
        """Whether two units of ``genotype`` share a gene (only then can its cost be below the
        sum of its units' costs)."""
        g = self.normalize(genotype)
        if self.mode == "genes" or len(g) < 2:
            return False
        seen: set[str] = set()
        for u in g:
            if self._genes[u] & seen:
                return True
            seen |= self._genes[u]
        return False

    def cost(self, genotype: Iterable[int] | np.ndarray) -> int:
        """Exact knock-out cost of a genotype: the size of its :meth:`cut` (never more than the
        sum of its units' :attr:`costs`, equal to it when no two units share a gene)."""
        g = self.normalize(genotype)
        if not self.shares_genes(g):
            return int(self.costs[list(g)].sum())
        return len(self.cut(g))

    def gene_strain(self, genes: Iterable[str]) -> tuple[int, ...]:
        """The gene-set genotype that knocking out ``genes`` produces: every unit whose rule the
        genes make false (``"gene_sets"`` mode).

        ``ValueError`` naming every gene that is not a gene id of the model, with the ids it may
        have meant (a gene *name* such as ``ldhA`` where the model uses ids such as ``b1380``, or
        close spellings).
        """
        off = set(genes)
        unknown = sorted(off - self._gene_names.keys())
        if unknown:
            raise ValueError(_unknown_genes_message(unknown, self._gene_names, self.model_id))
        if self.mode == "genes":
            return tuple(u for u, g in enumerate(self.units) if g in off)
        return tuple(u for u, rule in enumerate(self.units) if not evaluate_gpr(rule, off))

    def knocked_reactions(self, genotype: Iterable[int] | np.ndarray) -> np.ndarray:
        """Column indices (into :attr:`reaction_ids`) of the reactions a genotype disables."""
        g = self.normalize(genotype)
        if not g:
            return np.array([], dtype=int)
        if self.mode == "gene_sets":
            return np.unique(np.concatenate([self._unit_cols[u] for u in self.deleted_units(g)]))
        off = {self.units[u] for u in g}
        cand = np.unique(np.concatenate([self._unit_cols[u] for u in g]))
        return np.array([j for j in cand.tolist() if self._off(j, off)], dtype=int)

    def gene_reactions(self, genes: Iterable[str]) -> np.ndarray:
        """Column indices of the reactions that knocking out ``genes`` (gene ids) disables: every
        reaction whose rule the knock-outs make false, as cobra's ``knock_out`` does."""
        off = frozenset(genes)
        unknown = sorted(off - self._gene_names.keys())
        if unknown:
            raise ValueError(_unknown_genes_message(unknown, self._gene_names, self.model_id))
        if self.mode == "genes":
            index = {gene: u for u, gene in enumerate(self.units)}
            return self.knocked_reactions([index[x] for x in off if x in index])
        units = self._units_off(off)
        if not units:
            return np.array([], dtype=int)
        return np.unique(np.concatenate([self._unit_cols[u] for u in units]))

    def gene_phenotype(self, genes: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Phenotype and flux support (as :meth:`flux_support`) of the strain that knocks out
        ``genes`` (gene ids), not cached: the gene deletion itself, whatever the design units."""
        cols = self.gene_reactions(genes)
        return self._phenotype_and_support(cols.size == 0, cols)

    def _off(self, j: int, off: set[str]) -> bool:
        """Whether reaction ``j``'s rule is false with the genes ``off`` knocked out."""
        dnf = self._rule_clauses[j]
        if dnf is None:  # a rule too large to expand: evaluate it directly
            return not evaluate_gpr(as_gpr(self._rules[j]), off)
        return all(clause & off for clause in dnf)

    # -- evaluation
    def growth(self, genotype: Iterable[int] | np.ndarray) -> float:
        """Maximal growth of one strain (one simplex solve, no cache, no product LP): the
        cheap question of essentiality screens (:mod:`helpers.mome.constraints`). Strains whose
        knock-outs touch no reaction of the wild type's optimal flux vector grow as the wild type
        without an LP; strains that hit an essential reaction return 0 without one."""
        return self._growth_of(self.knocked_reactions(self.normalize(genotype)))

    def flux_support(self, genotype: Iterable[int] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Phenotype and flux support of one strain: ``(phenotype, carries_flux)`` where
        ``carries_flux`` marks the reactions with non-zero flux (> 1e-9) in the strain's
        product-minimal optimal flux vector (all False for a lethal strain).

        A unit whose reactions are all outside this support cannot change the strain's
        (biomass, guaranteed product) when knocked out: that flux vector stays feasible and
        optimal. :func:`helpers.mome.exact.exact_best_per_cost` enumerates on it. The phenotype
        goes to the cache like :meth:`evaluate`'s (counted as computed, or as a hit if cached).
        """
        g = self.normalize(genotype)
        phen, support = self._phenotype_and_support(not g, self.knocked_reactions(g))
        if g in self.cache:
            self.hits += 1
        else:
            self.cache[g] = phen
            self.n_computed += 1
        return self.cache[g], support

    def evaluate(self, genotype: Iterable[int] | np.ndarray) -> np.ndarray:
        """Phenotype ``(biomass, product_lp, product_min)`` of one strain (cached)."""
        return self.evaluate_many([genotype])[0]

    def evaluate_many(self, genotypes: Sequence[Iterable[int] | np.ndarray], n_jobs: int = 1
                      ) -> np.ndarray:
        """Phenotypes of many strains, an ``(n, 3)`` array; misses are spread over ``n_jobs``
        processes (joblib) when there are enough of them."""
        keys = [self.normalize(g) for g in genotypes]
        todo = sorted({k for k in keys if k not in self.cache})
        self.hits += len(keys) - len(todo)
        if todo:
            if n_jobs > 1 and len(todo) >= 8 * n_jobs:
                evaluate_parallel(self, todo, n_jobs)
            else:
                for k in todo:
                    self.cache[k] = self._compute(k)
            self.n_computed += len(todo)
        return np.array([self.cache[k] for k in keys]).reshape(-1, 3)

    def describe(self, genotype: Iterable[int] | np.ndarray, names: Mapping[str, str] | None = None
                 ) -> list[str]:
        """Human-readable units of a genotype (gene ids replaced by ``names`` where given)."""
        out = []
        for u in self.normalize(genotype):
            unit = self.units[u]
            out.append(as_gpr(unit).to_string(names=dict(names)) if names else unit)
        return out


