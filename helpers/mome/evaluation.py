"""Strain evaluation: knock-outs on one LP, maximal growth and the guaranteed product at it.

A strain is a set of knocked-out design units (gene sets, or single genes in ``mode="genes"``).
Its phenotype is found on ONE linear program that is kept alive between strains (GLPK through
``swiglpk``; simplex warm-started from the wild type's basis):

1. the reactions the knock-outs disable get bounds ``[0, 0]``;
2. biomass is maximized (``mu``); the product flux of that LP solution is ``product_lp``;
3. with biomass fixed at ``mu`` the product is minimized: ``product_min`` is the production the
   strain *guarantees* at maximal growth (FVA minimum at the optimum), robust to alternative optima;
4. the bounds are restored.

Strains that cannot grow (``mu < lethal_threshold``) are *lethal*: feasible for the search but
scored ``(0, 0, 0)`` so that every growing strain dominates them. Three shortcuts keep the LP count
low and never change a result: an evaluation cache keyed by genotype; strains that knock out an
essential reaction are lethal without an LP; strains whose knock-outs only touch reactions with
zero flux in the wild type's optimal (product-minimal) flux vector have the wild type's phenotype.

The model is first reduced to the reactions that can carry flux in the chosen medium
(:func:`reduce_model`, cached on disk as cobra JSON).

Introduced in chapter ``07_mome_ethanol``.
"""

from __future__ import annotations

import uuid
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence

import cobra
import numpy as np
import swiglpk as glp
from cobra.util.array import create_stoichiometric_matrix

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
_DECIMALS = 6  # phenotypes are rounded so that LP noise (~1e-8) cannot reorder equal strains


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

    Blocked reactions are found with :func:`blocked_reactions` (flux variability at
    ``fraction_of_optimum=0`` under the model's own bounds, its medium; seconds where cobra's
    ``find_blocked_reactions`` takes a minute on iJO1366). The result goes through the book's GEM cache
    (:mod:`helpers.data.cache`), keyed by :func:`model_fingerprint` (bounds, i.e. the medium, rules,
    objective, stoichiometry). ``model`` is not modified; each call returns a fresh model.
    """
    from helpers.data.cache import cache_key, cached_entry

    def compute():
        blocked = blocked_reactions(model)
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


class _LP:
    """One GLPK problem ``max c'v s.t. S v = 0, lb <= v <= ub`` with fast bound changes."""

    def __init__(self, S, lb: np.ndarray, ub: np.ndarray, objective: int, product: int) -> None:
        self.lb, self.ub = lb.astype(float), ub.astype(float)
        self.objective, self.product = objective, product
        n_rows, n_cols = S.shape
        lp = glp.glp_create_prob()
        glp.glp_set_obj_dir(lp, glp.GLP_MAX)
        glp.glp_add_rows(lp, n_rows)
        glp.glp_add_cols(lp, n_cols)
        for i in range(n_rows):
            glp.glp_set_row_bnds(lp, i + 1, glp.GLP_FX, 0.0, 0.0)
        for j in range(n_cols):
            self._restore(lp, j)
        coo = S.tocoo()
        n = len(coo.data)
        ia, ja, ar = glp.intArray(n + 1), glp.intArray(n + 1), glp.doubleArray(n + 1)
        for k, (i, j, v) in enumerate(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(),
                                          strict=True)):
            ia[k + 1], ja[k + 1], ar[k + 1] = i + 1, j + 1, v
        glp.glp_load_matrix(lp, n, ia, ja, ar)
        glp.glp_set_obj_coef(lp, objective + 1, 1.0)
        parm = glp.glp_smcp()
        glp.glp_init_smcp(parm)
        parm.msg_lev = glp.GLP_MSG_OFF
        parm.presolve = glp.GLP_OFF
        parm.meth = glp.GLP_PRIMAL
        self.lp, self.parm = lp, parm
        self.n_rows, self.n_cols = n_rows, n_cols
        glp.glp_term_out(glp.GLP_OFF)
        glp.glp_scale_prob(lp, glp.GLP_SF_AUTO)
        glp.glp_adv_basis(lp, 0)
        self._simplex()
        self.row_stat = [glp.glp_get_row_stat(lp, i + 1) for i in range(n_rows)]
        self.col_stat = [glp.glp_get_col_stat(lp, j + 1) for j in range(n_cols)]
        # a copy of the wild type's problem with its optimal basis: copying it back (one C call)
        # resets the basis far faster than setting ~3000 row and column statuses one by one
        self.template = glp.glp_create_prob()
        glp.glp_copy_prob(self.template, lp, glp.GLP_OFF)

    def __del__(self) -> None:
        for name in ("lp", "template"):
            lp = getattr(self, name, None)
            if lp is not None:
                glp.glp_delete_prob(lp)

    def _restore(self, lp, j: int) -> None:
        lo, up = self.lb[j], self.ub[j]
        kind = glp.GLP_FX if lo == up else glp.GLP_DB
        glp.glp_set_col_bnds(lp, j + 1, kind, lo, up)

    def _simplex(self) -> bool:
        lp = self.lp
        if glp.glp_simplex(lp, self.parm) == 0 and glp.glp_get_status(lp) == glp.GLP_OPT:
            return True
        # GLPK's warm-started primal simplex can end in a wrong "infeasible" (seen on iJO1366):
        # re-solve from scratch (presolve on, advanced basis) before calling a strain lethal.
        self.parm.presolve = glp.GLP_ON
        try:
            glp.glp_adv_basis(lp, 0)
            rc = glp.glp_simplex(lp, self.parm)
        finally:
            self.parm.presolve = glp.GLP_OFF
        if rc != 0:
            glp.glp_std_basis(lp)
            rc = glp.glp_simplex(lp, self.parm)
        return rc == 0 and glp.glp_get_status(lp) == glp.GLP_OPT

    def reset_basis(self) -> None:
        """Back to the wild type's problem and optimal basis (bounds, objective, statuses)."""
        glp.glp_copy_prob(self.lp, self.template, glp.GLP_OFF)

    def primal(self) -> np.ndarray:
        return np.array([glp.glp_get_col_prim(self.lp, j + 1) for j in range(self.n_cols)])

    def max_growth(self, knocked: Sequence[int]) -> float:
        """Maximal objective (growth) with ``knocked`` columns at zero; 0.0 when infeasible."""
        lp = self.lp
        self.reset_basis()
        for j in knocked:
            glp.glp_set_col_bnds(lp, j + 1, glp.GLP_FX, 0.0, 0.0)
        try:
            return float(glp.glp_get_obj_val(lp)) if self._simplex() else 0.0
        finally:
            for j in knocked:
                self._restore(lp, j)

    def solve(self, knocked: Sequence[int], lethal_threshold: float,
              keep_fluxes: bool | str = False, reset: bool = True) -> tuple[float, float, float, np.ndarray | None]:
        """(mu, product of the LP solution, guaranteed product at mu[, fluxes]).

        ``keep_fluxes=True``: rows = fluxes of the growth LP and of the product-min LP;
        ``"min"``: only the product-min LP's fluxes are read (both rows hold them)."""
        lp, obj, prod = self.lp, self.objective, self.product
        if reset:
            self.reset_basis()
        for j in knocked:
            glp.glp_set_col_bnds(lp, j + 1, glp.GLP_FX, 0.0, 0.0)
        result: tuple[float, float, float, np.ndarray | None] = (0.0, 0.0, 0.0, None)
        try:
            if self._simplex() and glp.glp_get_obj_val(lp) >= lethal_threshold:
                mu = glp.glp_get_obj_val(lp)
                product_lp = glp.glp_get_col_prim(lp, prod + 1)
                fluxes_lp = self.primal() if keep_fluxes is True else None
                glp.glp_set_col_bnds(lp, obj + 1, glp.GLP_DB, mu * (1 - 1e-9), self.ub[obj])
                glp.glp_set_obj_coef(lp, obj + 1, 0.0)
                glp.glp_set_obj_coef(lp, prod + 1, 1.0)
                glp.glp_set_obj_dir(lp, glp.GLP_MIN)
                try:
                    ok = self._simplex()
                    product_min = glp.glp_get_obj_val(lp) if ok else product_lp
                    fluxes = self.primal() if keep_fluxes else None
                finally:
                    glp.glp_set_obj_coef(lp, obj + 1, 1.0)
                    glp.glp_set_obj_coef(lp, prod + 1, 0.0)
                    glp.glp_set_obj_dir(lp, glp.GLP_MAX)
                    self._restore(lp, obj)
                if keep_fluxes is True:
                    fluxes = np.vstack([fluxes_lp, fluxes])  # type: ignore[list-item]
                elif keep_fluxes == "min":
                    fluxes = np.vstack([fluxes, fluxes])  # type: ignore[list-item]
                result = (mu, product_lp, product_min, fluxes)
        finally:
            for j in knocked:
                self._restore(lp, j)
        return result


#: GLPK problems rebuilt in this process for unpickled evaluators (joblib workers), by the
#: evaluator's ``token``; bounded, so a long-lived worker keeps at most this many problems.
#: The evaluator that built a problem holds it itself (:attr:`StrainEvaluator._engine`): it is
#: freed with the evaluator, never kept here.
_WORKER_LPS: OrderedDict[str, _LP] = OrderedDict()
_WORKER_LPS_MAX = 4


def _worker_lp(token: str, build: Callable[[], _LP]) -> _LP:
    """The problem of evaluator ``token`` in this process, rebuilt with ``build`` at most once
    while it stays among the :data:`_WORKER_LPS_MAX` most recently used."""
    lp = _WORKER_LPS.pop(token, None)
    if lp is None:
        lp = build()
    _WORKER_LPS[token] = lp
    while len(_WORKER_LPS) > _WORKER_LPS_MAX:
        _WORKER_LPS.popitem(last=False)
    return lp


def blocked_reactions(model: cobra.Model, *, zero_cutoff: float | None = None) -> list[str]:
    """Ids of the reactions that cannot carry flux under the model's bounds (flux variability
    with ``fraction_of_optimum=0``: largest and smallest flux both within ``zero_cutoff`` of 0),
    on chapter 07's GLPK engine and with far fewer LPs than
    :func:`cobra.flux_analysis.find_blocked_reactions`.

    ``zero_cutoff`` defaults to cobra's, the solver tolerance (1e-7). Trace pathways (biotin,
    lipoate) carry fluxes of 1e-7 to 1e-6, so a coarser cutoff would block them; at 1e-7 two
    lipoate reactions of iJO1366 (``LIPOCT``, ``LIPOS``, FVA maximum 7e-7) are kept here while
    cobra's ``find_blocked_reactions`` drops them (its own FVA of the two reports 7e-7: its
    answer depends on the warm start). The other nine models of chapter 08 keep as many
    reactions with either.

    Instead of one FVA pair per reaction, every LP's solution is read whole: a reaction whose
    flux is at least ``max(10 * zero_cutoff, 1e-6)`` in *any* solution found (well above the
    solver's feasibility tolerance, so no rounding noise) is unblocked and needs no LP of its
    own. Each reaction still undecided gets its own LPs, as in FVA (maximized if it can be
    positive, then minimized if it can be negative, warm-started from the previous basis), and
    is unblocked when an optimum is beyond ``zero_cutoff``. ``ValueError`` when the model has no
    feasible flux at all (check the medium).

    On iJO1366 (anaerobic glucose) it takes seconds where cobra's takes over a minute.
    """
    from cobra.flux_analysis.helpers import normalize_cutoff

    cutoff = normalize_cutoff(model, zero_cutoff)
    strong = max(10 * cutoff, 1e-6)
    S = create_stoichiometric_matrix(model, array_type="lil").tocsc()
    lb = np.array([r.lower_bound for r in model.reactions], dtype=float)
    ub = np.array([r.upper_bound for r in model.reactions], dtype=float)
    engine = _LP(S, lb, ub, 0, 0)
    lp = engine.lp
    glp.glp_set_obj_coef(lp, 1, 0.0)
    if glp.glp_get_status(lp) not in (glp.GLP_OPT, glp.GLP_FEAS, glp.GLP_UNBND):
        raise ValueError(f"Model {model.id!r} has no feasible flux under its bounds; check the "
                         "medium.")
    carries = np.abs(engine.primal()) >= strong
    undecided = [int(k) for k in np.flatnonzero(~carries)]
    for j in range(len(lb)):
        directions = ((glp.GLP_MAX, ub[j] >= cutoff), (glp.GLP_MIN, lb[j] <= -cutoff))
        for direction, possible in directions:
            if carries[j] or not possible:
                continue
            glp.glp_set_obj_dir(lp, direction)
            glp.glp_set_obj_coef(lp, j + 1, 1.0)
            ok = engine._simplex()
            glp.glp_set_obj_coef(lp, j + 1, 0.0)
            if ok:
                carries[j] |= abs(glp.glp_get_obj_val(lp)) >= cutoff
                # read only the columns still undecided (the list shrinks as flux is found)
                for k in undecided:
                    if abs(glp.glp_get_col_prim(lp, k + 1)) >= strong:
                        carries[k] = True
                undecided = [k for k in undecided if not carries[k]]
    return [model.reactions[j].id for j in np.flatnonzero(~carries)]


def _clauses_or_none(rule: str) -> frozenset[frozenset[str]] | None:
    try:
        return clauses(rule)
    except ValueError:
        return None


def _evaluate_chunk(evaluator: StrainEvaluator, genotypes: list[tuple[int, ...]]
                    ) -> tuple[np.ndarray, int]:
    """Joblib worker: evaluate ``genotypes`` without cache (the parent caches); also returns the
    number of LPs solved."""
    before = evaluator.n_lp
    out = np.array([evaluator._compute(g) for g in genotypes]).reshape(-1, 3)
    return out, evaluator.n_lp - before


class StrainEvaluator:
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
        self.model_id, self.biomass, self.product, self.mode = model.id, biomass, product, mode
        self.lethal_threshold = lethal_threshold
        self.reaction_ids = [r.id for r in model.reactions]
        index = {rid: j for j, rid in enumerate(self.reaction_ids)}
        self._S = create_stoichiometric_matrix(model, array_type="lil").tocsc()
        self._lb = np.array([r.lower_bound for r in model.reactions], dtype=float)
        self._ub = np.array([r.upper_bound for r in model.reactions], dtype=float)
        self._obj, self._prod = index[biomass], index[product]
        if mode == "gene_sets":
            sets = gene_sets(model)
            self.units = list(sets.rules)
            self.costs = np.array(sets.costs, dtype=int)
            self._clauses = [clauses(r) for r in self.units]
            self._genes = [frozenset().union(*c) for c in self._clauses]
            self._unit_cols = [np.array([index[r] for r in rxns], dtype=int) for rxns in sets.reactions]
            self._rules: list[str] = []
            self._rule_cols: list[int] = []
        else:
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
        self.token = uuid.uuid4().hex
        self._engine: _LP | None = None  # built on first use (:attr:`_lp`)
        self._unpickled = False
        self.cache: dict[tuple[int, ...], np.ndarray] = {}
        self._cuts: dict[tuple[int, ...], frozenset[str]] = {}
        self.hits = 0
        self.n_computed = 0  # strains computed (cache misses), by LP or shortcut
        self.n_lp = 0  # strains computed by solving the LP (serial evaluation; workers add theirs)
        #: strains answered without an LP (serial evaluation only): essential reaction hit, or
        #: knock-outs outside the wild type's flux support
        self.shortcuts = {"lethal": 0, "wild_type": 0}
        self._prepare_shortcuts()

    # -- pickling for joblib workers: arrays travel, the GLPK problem is rebuilt in the worker
    # (once per worker while it stays in the bounded :data:`_WORKER_LPS`); every solve starts
    # from the wild type's basis (:meth:`_LP.reset_basis`), so a rebuilt problem gives the same
    # phenotypes.
    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["cache"] = {}
        state["_engine"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._unpickled = True

    @property
    def _lp(self) -> _LP:
        """This evaluator's GLPK problem: built on first use and held by the evaluator (freed
        with it); an unpickled copy takes it from the worker's bounded cache."""
        engine = self.__dict__.get("_engine")
        if engine is None:
            def build() -> _LP:
                return _LP(self._S, self._lb, self._ub, self._obj, self._prod)

            engine = build() if not self._unpickled else _worker_lp(self.token, build)
            self._engine = engine
        return engine

    def _prepare_shortcuts(self) -> None:
        mu, p_lp, p_min, fluxes = self._lp.solve([], self.lethal_threshold, keep_fluxes=True)
        if fluxes is None:
            raise ValueError(f"The wild type of model {self.model_id!r} cannot grow "
                             f"(max {self.biomass} < {self.lethal_threshold}); check the medium.")
        self.reference = np.round(np.array([mu, p_lp, p_min]), _DECIMALS)
        tol = 1e-9
        zero_lp, zero_min = np.abs(fluxes[0]) <= tol, np.abs(fluxes[1]) <= tol
        self._zero_lp, self._zero_min = zero_lp, zero_min
        # essential reactions: a knock-out that contains one is lethal without an LP
        self._essential = np.zeros(len(self.reaction_ids), dtype=bool)
        for j in np.flatnonzero(~zero_min):  # growth only: one simplex solve per reaction
            if self._lp.max_growth([int(j)]) < self.lethal_threshold:
                self._essential[j] = True

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

        Knocking these genes out may disable further gene sets that share them (a gene-level
        strain can be a larger gene-set strain); :meth:`gene_strain` gives that strain.
        """
        g = self.normalize(genotype)
        if self.mode == "genes":
            return frozenset(self.units[u] for u in g)
        cut = self._cuts.get(g)
        if cut is None:
            cut = strain_cut(self._clauses[u] for u in g)
            self._cuts[g] = cut
        return cut

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
        genes make false (``"gene_sets"`` mode)."""
        off = set(genes)
        if self.mode == "genes":
            return tuple(u for u, g in enumerate(self.units) if g in off)
        return tuple(u for u, rule in enumerate(self.units) if not evaluate_gpr(rule, off))

    def knocked_reactions(self, genotype: Iterable[int] | np.ndarray) -> np.ndarray:
        """Column indices (into :attr:`reaction_ids`) of the reactions a genotype disables."""
        g = self.normalize(genotype)
        if not g:
            return np.array([], dtype=int)
        if self.mode == "gene_sets":
            return np.unique(np.concatenate([self._unit_cols[u] for u in g]))
        off = {self.units[u] for u in g}
        cand = np.unique(np.concatenate([self._unit_cols[u] for u in g]))
        return np.array([j for j in cand.tolist() if self._off(j, off)], dtype=int)

    def _off(self, j: int, off: set[str]) -> bool:
        """Whether reaction ``j``'s rule is false with the genes ``off`` knocked out."""
        dnf = self._rule_clauses[j]
        if dnf is None:  # a rule too large to expand: evaluate it directly
            return not evaluate_gpr(as_gpr(self._rules[j]), off)
        return all(clause & off for clause in dnf)

    # -- evaluation
    def _compute(self, genotype: tuple[int, ...]) -> np.ndarray:
        cols = self.knocked_reactions(genotype)
        if cols.size and self._essential[cols].any():
            self.shortcuts["lethal"] += 1
            return np.zeros(3)
        if self._zero_min[cols].all():  # the wild type's optimum survives the knock-out
            self.shortcuts["wild_type"] += 1
            ref = self.reference.copy()
            if not self._zero_lp[cols].all():
                ref[1] = ref[2]
            return ref
        self.n_lp += 1
        mu, p_lp, p_min, _ = self._lp.solve(cols.tolist(), self.lethal_threshold)
        return np.round(np.array([mu, p_lp, p_min]), _DECIMALS)

    def growth(self, genotype: Iterable[int] | np.ndarray) -> float:
        """Maximal growth of one strain (one simplex solve, no cache, no product LP): the
        cheap question of essentiality screens (:mod:`helpers.mome.constraints`). Strains whose
        knock-outs touch no reaction of the wild type's optimal flux vector grow as the wild type
        without an LP; strains that hit an essential reaction return 0 without one."""
        cols = self.knocked_reactions(self.normalize(genotype))
        if not cols.size or self._zero_min[cols].all():
            return float(self.reference[0])
        if self._essential[cols].any():
            return 0.0
        self.n_lp += 1
        return self._lp.max_growth(cols.tolist())

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
        cols = self.knocked_reactions(g)
        if not g:
            phen = self.reference.copy()
            support = ~self._zero_min
        elif cols.size and self._essential[cols].any():
            phen, support = np.zeros(3), np.zeros(len(self.reaction_ids), dtype=bool)
        else:
            self.n_lp += 1
            mu, p_lp, p_min, fluxes = self._lp.solve(cols.tolist(), self.lethal_threshold,
                                                      keep_fluxes="min")
            phen = np.round(np.array([mu, p_lp, p_min]), _DECIMALS)
            support = (np.abs(fluxes[1]) > 1e-9 if fluxes is not None
                       else np.zeros(len(self.reaction_ids), dtype=bool))
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
                from joblib import Parallel, delayed

                chunks = [todo[i::n_jobs] for i in range(n_jobs)]
                parts = Parallel(n_jobs=n_jobs)(delayed(_evaluate_chunk)(self, c) for c in chunks)
                for chunk, (part, n_lp) in zip(chunks, parts, strict=True):
                    self.cache.update(zip(chunk, part, strict=True))
                    self.n_lp += n_lp
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


