"""FVA- and FBA-guided reduction of a GEM, then splitting ({cite}`tazza2025minn`, Table 1).

* FVA-reduction keeps the reactions that can carry flux on the medium: flux variability analysis
  at ``fraction_of_optimum = 0`` and keep a reaction if its minimum or maximum is non-zero.
  (Keeping only a non-zero *span* would also drop reactions with a fixed non-zero flux, such as
  iAF1260's ATP maintenance ``ATPM = 8.39``, and change the model's growth.)
* FBA-reduction (after {cite}`faure2023amn`) keeps the reactions that carry flux in at least one of
  ``n_samples`` FBA solutions, each with one random single-gene knock-out and a random glucose
  uptake within a given range (the Ishii data's).

Both return a split model (:func:`helpers.gem.split_reversible`) and cache it on disk
(:mod:`helpers.data.cache`), keyed by the model's hash, the medium, the method, its parameters and
the seed.

Introduced in chapter ``02_gem_preparation``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import cobra
import numpy as np
from cobra.flux_analysis import flux_variability_analysis

from helpers.data.cache import CacheEntry, cache_key, cached_entry
from helpers.gem.blocked import blocked_reactions, net_flux_reader
from helpers.gem.ids import base_id, map_flux_ids, strip_prefix
from helpers.gem.loading import model_hash
from helpers.gem.matrices import MinnMatrices, minn_matrices
from helpers.gem.media import Medium, get_medium, use_medium
from helpers.gem.split import split_reversible

__all__ = ["Reduction", "fva_reduce", "fba_reduce", "GrowthMismatchError", "InfeasibleMediumError",
           "MissingObjectiveError"]


class GrowthMismatchError(RuntimeError):
    """The reduced model does not reach the full model's maximal growth."""


class InfeasibleMediumError(RuntimeError):
    """The model cannot grow (or no flux satisfies its bounds) on the medium: nothing to keep."""


class MissingObjectiveError(ValueError):
    """The model has no objective (nothing to maximise), so FBA samples cannot grow."""


def _check_objective(model: cobra.Model) -> None:
    """:class:`MissingObjectiveError` naming the model when its objective holds no variable."""
    if not model.solver.objective.variables:
        raise MissingObjectiveError(
            f"Model {model.id!r} has no objective (its objective expression is 0), so no FBA sample "
            "can grow: set one first (e.g. model.objective = '<biomass reaction id>').")


def _growth_text(value: float) -> str:
    """A growth rate for a message: ``'infeasible'`` for the solver's NaN."""
    return "infeasible" if np.isnan(value) else repr(value)


def _check_reaction(model: cobra.Model, reaction_id: str, parameter: str) -> None:
    """A ``ValueError`` naming ``reaction_id`` and the model when the model lacks it."""
    if reaction_id not in model.reactions:
        raise ValueError(f"The {parameter!r} parameter names reaction {reaction_id!r}, which is not "
                         f"in model {model.id!r} ({len(model.reactions)} reactions).")


#: Metadata keys a cached reduction must have (an entry without them is rebuilt).
_REQUIRED_META = ("kept", "removed", "growth_full", "growth_reduced")


class Reduction:
    """A reduced, split model and what was done to get it.

    Attributes
    ----------
    model
        The reduced split model (bounds = the medium's). Loaded from the cache on first access.
    kept, removed
        Unsplit reaction ids of the input model that were kept / removed.
    info
        Method, medium, parameters, growth of the full and reduced models, counts, seconds,
        ``n_reactions``, ``from_cache``.
    """

    def __init__(self, entry: CacheEntry):
        self._entry = entry
        meta = entry.meta
        self.kept: list[str] = list(meta["kept"])
        self.removed: list[str] = list(meta["removed"])
        self.info: dict = {k: v for k, v in meta.items() if k not in ("kept", "removed")}

    @property
    def model(self) -> cobra.Model:
        """The reduced split cobra model (shared within a process: change it only in ``with``)."""
        return self._entry.model

    @property
    def n_reactions(self) -> int:
        """Number of split reactions of the reduced model (Table 1's count)."""
        if "n_reactions" not in self.info:
            self.info["n_reactions"] = len(self.model.reactions)
        return int(self.info["n_reactions"])

    def matrices(self, ref_ids: Sequence[str] = (), in_ids: Sequence[str] = ()) -> MinnMatrices:
        """:class:`MinnMatrices` of the reduced model, read from the cache without cobra."""
        arrays = self._entry.arrays
        base = MinnMatrices.from_arrays(arrays) if arrays else minn_matrices(self.model)
        return base.with_fluxes(ref_ids, in_ids)

    def __repr__(self) -> str:
        return (f"Reduction({self.info.get('method')!r}, {self.info.get('model')!r}, "
                f"n_reactions={self.n_reactions}, from_cache={self.info.get('from_cache')})")


def _check_growth(meta: dict, tol_growth: float = 1e-6) -> None:
    """:class:`GrowthMismatchError` when a reduction's recorded growth differs from the full model's.

    Run on every call with ``check_growth=True``, on a fresh result and on a cache hit alike:
    the check reads ``growth_full`` / ``growth_reduced`` from the metadata, so it costs nothing,
    and a reduction cached by a ``check_growth=False`` call is not handed back unchecked (the
    cache key leaves ``check_growth`` out: it does not change the reduction, only whether a
    mismatch is an error).
    """
    growth_full, growth_reduced = float(meta["growth_full"]), float(meta["growth_reduced"])
    if not abs(growth_full - growth_reduced) <= tol_growth * max(1.0, growth_full):
        medium = meta["medium"]["name"] if isinstance(meta["medium"], dict) else meta["medium"]
        raise GrowthMismatchError(
            f"{meta['method']}-reduced {meta['model']!r} grows at {_growth_text(growth_reduced)} "
            f"on {medium!r}, the full model at {_growth_text(growth_full)} "
            f"(tolerance {tol_growth})."
        )


def _finish(model, medium, kept, method, meta):
    with use_medium(model, medium):
        growth_full = model.slim_optimize(error_value=float("nan"))
        if np.isnan(growth_full) or not kept:
            raise InfeasibleMediumError(
                f"{method}-reduction of {model.id!r} on medium {medium.name!r}: the medium is "
                f"infeasible for this model (full model: {_growth_text(growth_full)}, "
                f"{len(kept)} reactions can carry flux). Check the medium's uptakes and the "
                "model's forced fluxes (e.g. ATP maintenance).")
        reduced = split_reversible(model, f"{model.id}_{method}_reduced_split", kept)
    growth_reduced = reduced.slim_optimize(error_value=float("nan"))
    kept_set = set(kept)
    meta = {
        **meta,
        "method": method,
        "model": model.id,
        "medium": medium.key(),
        "growth_full": growth_full,
        "growth_reduced": growth_reduced,
        "kept": [r.id for r in model.reactions if r.id in kept_set],
        "removed": [r.id for r in model.reactions if r.id not in kept_set],
    }
    return reduced, meta


def _store(reduced: cobra.Model, meta: dict):
    """What compute() hands to the cache: the model, its metadata and its MINN arrays."""
    meta = {**meta, "n_reactions": len(reduced.reactions)}
    return reduced, meta, minn_matrices(reduced).to_arrays()


def fva_reduce(
    model: cobra.Model,
    medium: str | Medium = "glucose_minimal_aerobic",
    *,
    tol: float = 1e-9,
    algorithm: str = "harvest",
    processes: int = 2,
    check_growth: bool = True,
    use_cache: bool = True,
) -> Reduction:
    """FVA-reduce ``model`` on ``medium`` and split it (``model`` is left unchanged).

    The kept set is "every reaction whose FVA minimum or maximum (at fraction_of_optimum = 0) is
    non-zero". ``algorithm="cobra"`` runs cobra's full FVA (two LPs per reaction);
    ``algorithm="harvest"`` (default) gives the same set with fewer LPs: it maximises, then if
    needed minimises, the flux of each reaction not yet known to carry flux, and marks every
    reaction that carries flux in each solution found, so most reactions need no LP of their own
    (:func:`helpers.gem.blocked.blocked_reactions`, ``method="cobra"``).

    Parameters
    ----------
    model
        Unsplit cobra model (bounds normalised, e.g. :func:`helpers.gem.load_gem`).
    medium
        A :class:`Medium` or the name of one in :data:`helpers.gem.MEDIA`.
    tol
        A reaction is kept when ``max(|min|, |max|) > tol`` over FVA at fraction_of_optimum=0.
    algorithm
        ``"harvest"`` (one process, fastest) or ``"cobra"`` (cobra's FVA).
    processes
        Worker processes for cobra's FVA (``algorithm="cobra"`` only).
    check_growth
        Raise :class:`GrowthMismatchError` if the reduced model's maximal growth differs.
    use_cache
        Read / write the on-disk cache (:mod:`helpers.data.cache`).

    Returns
    -------
    Reduction
        With ``info["seconds"]`` the compute time (of the original run if from the cache).

    References
    ----------
    Mahadevan & Schilling (2003), Metab. Eng. 5:264 (FVA); {cite}`tazza2025minn`, Section 2.3
    and Table 1.
    """
    medium = get_medium(medium)
    if algorithm not in ("harvest", "cobra"):
        raise ValueError(
            f"The 'algorithm' parameter must be one of ['harvest', 'cobra']. Got {algorithm!r} instead."
        )
    key = cache_key(model=model_hash(model), medium=medium.key(), method="fva", tol=tol,
                    algorithm=algorithm)

    def compute():
        start = time.perf_counter()
        with use_medium(model, medium):
            if algorithm == "cobra":
                fva = flux_variability_analysis(model, fraction_of_optimum=0.0, processes=processes)
                can_carry = (fva["minimum"].abs() > tol) | (fva["maximum"].abs() > tol)
                kept = list(fva.index[can_carry])
            else:
                blocked = set(blocked_reactions(model, method="cobra", tol=tol))
                kept = [r.id for r in model.reactions if r.id not in blocked]
        meta = {"tol": tol, "algorithm": algorithm}
        reduced, meta = _finish(model, medium, kept, "fva", meta)
        meta["seconds"] = time.perf_counter() - start
        return _store(reduced, meta)

    entry = cached_entry(key, compute, use_cache=use_cache, required=_REQUIRED_META)
    if check_growth:
        _check_growth(entry.meta)
    return Reduction(entry)


def _check_some_sample_grows(model, medium, counts: dict, n_samples: int,
                             glucose_range: tuple[float, float]) -> None:
    """:class:`InfeasibleMediumError` when no FBA sample grew (the reduction would be empty)."""
    if counts["n_used"] == 0:
        raise InfeasibleMediumError(
            f"fba-reduction of {model.id!r} on medium {medium.name!r} with glucose uptake in "
            f"{list(glucose_range)}: no sample grows ({counts['n_infeasible']} of {n_samples} "
            f"samples infeasible, {counts['n_lethal']} lethal), so the medium is infeasible for "
            "this model and the reduced model would be empty.")


class _Basis:
    """Save and restore a GLPK basis, so that every FBA sample starts from the same one.

    GLPK warm-starts from the previous basis, and which of several alternative optima it
    returns depends on where it starts. Restoring the wild type's optimal basis before each
    sample makes a sample's solution depend only on that sample (not on the order or on what
    the process solved before), and keeps the warm-start speed. No-op for other solvers.
    """

    def __init__(self, model: cobra.Model):
        self.problem = None
        if "glpk" in model.solver.interface.__name__:
            import swiglpk

            self.glp = swiglpk
            self.problem = model.solver.problem
            swiglpk.glp_std_basis(self.problem)
            model.slim_optimize()
            n_rows = swiglpk.glp_get_num_rows(self.problem)
            n_cols = swiglpk.glp_get_num_cols(self.problem)
            self.rows = [swiglpk.glp_get_row_stat(self.problem, i) for i in range(1, n_rows + 1)]
            self.cols = [swiglpk.glp_get_col_stat(self.problem, j) for j in range(1, n_cols + 1)]

    def restore(self) -> None:
        if self.problem is None:
            return
        set_row, set_col, problem = self.glp.glp_set_row_stat, self.glp.glp_set_col_stat, self.problem
        for i, stat in enumerate(self.rows, start=1):
            set_row(problem, i, stat)
        for j, stat in enumerate(self.cols, start=1):
            set_col(problem, j, stat)


def _sample_fba(model, glucose, genes, picks, uptakes, basis, read, tol: float,
                lethal_growth: float) -> tuple[np.ndarray, np.ndarray, dict]:
    """The FBA samples of :func:`fba_reduce`: reactions used by growing / by all feasible samples.

    Each sample starts from the wild type's basis, knocks out ``genes[pick]`` and caps glucose at
    ``uptake``. Returns ``(used, with_lethal, counts)``.
    """
    used = np.zeros(len(model.reactions), bool)
    with_lethal = np.zeros(len(model.reactions), bool)
    counts = {"n_infeasible": 0, "n_lethal": 0, "n_used": 0}
    for gene_index, uptake in zip(picks, uptakes, strict=True):
        basis.restore()
        with model:
            glucose.lower_bound = -uptake
            model.genes.get_by_id(genes[gene_index]).knock_out()
            growth = model.slim_optimize(error_value=float("nan"))
            if np.isnan(growth):
                counts["n_infeasible"] += 1
                continue
            carries = np.abs(read()) > tol
        with_lethal |= carries
        if growth < lethal_growth:
            counts["n_lethal"] += 1
            continue
        used |= carries
        counts["n_used"] += 1
    return used, with_lethal, counts


def _add_protected(model, protect: list[str], glucose, hi: float, basis, read, tol: float,
                   used: np.ndarray) -> list[str]:
    """Mark in ``used`` the reactions of one FBA per protected flux; return the unreachable ones.

    Each FBA maximises the protected flux in its direction, glucose capped at ``hi``.
    """
    unreachable = []
    for flux_id, rid in map_flux_ids(model, protect, allow_base=True).items():
        direction = base_id(strip_prefix(flux_id))[1]
        reaction = model.reactions.get_by_id(rid)
        sign = -1.0 if (direction == "rev" and rid != strip_prefix(flux_id)) else 1.0
        basis.restore()
        with model:
            glucose.lower_bound = -hi
            model.objective = {reaction: sign}
            best = model.slim_optimize(error_value=float("nan"))
            if np.isnan(best) or best <= tol:
                unreachable.append(flux_id)
                continue
            used |= np.abs(read()) > tol
    return unreachable


def _check_fba_arguments(model: cobra.Model, glucose_range: tuple[float, float], n_samples: int,
                         glucose_exchange: str, protect: list[str]) -> None:
    """The errors :func:`fba_reduce` raises before any LP, each naming the bad argument."""
    lo, hi = (float(x) for x in glucose_range)
    if not 0 <= lo <= hi:
        raise ValueError(f"glucose_range must be (low, high) with 0 <= low <= high. Got {glucose_range!r}.")
    if n_samples < 1:
        raise ValueError(f"The 'n_samples' parameter must be >= 1. Got {n_samples!r}.")
    _check_reaction(model, glucose_exchange, "glucose_exchange")
    _check_objective(model)
    map_flux_ids(model, protect, allow_base=True)  # fail early, listing every unknown id


def _fba_compute(model: cobra.Model, medium: Medium, glucose_range: tuple[float, float],
                 n_samples: int, seed: int, tol: float, lethal_growth: float,
                 glucose_exchange: str, protect: list[str]):
    """What :func:`fba_reduce` caches: the reduced split model, its metadata and its arrays."""
    lo, hi = glucose_range
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    genes = sorted(g.id for g in model.genes)
    picks = rng.integers(len(genes), size=n_samples)
    uptakes = rng.uniform(lo, hi, size=n_samples)
    with use_medium(model, medium):
        read = net_flux_reader(model)
        glucose = model.reactions.get_by_id(glucose_exchange)
        basis = _Basis(model)
        used, with_lethal, counts = _sample_fba(model, glucose, genes, picks, uptakes, basis,
                                                read, tol, lethal_growth)
        _check_some_sample_grows(model, medium, counts, n_samples, (lo, hi))
        sampled = used.copy()
        unreachable = _add_protected(model, protect, glucose, hi, basis, read, tol, used)
    kept = [r.id for r, keep in zip(model.reactions, used, strict=True) if keep]
    counts["n_kept_sampled_unsplit"] = int(sampled.sum())
    counts["n_added_by_protect"] = int(used.sum() - sampled.sum())
    counts["unreachable_protected"] = unreachable
    meta = {**counts, "n_samples": n_samples, "seed": seed, "tol": tol,
            "glucose_range": [lo, hi], "lethal_growth": lethal_growth,
            "glucose_exchange": glucose_exchange,
            "n_kept_unsplit": len(kept), "n_kept_with_lethal_unsplit": int(with_lethal.sum())}
    reduced, meta = _finish(model, medium, kept, "fba", meta)
    meta["seconds"] = time.perf_counter() - start
    return _store(reduced, meta)


def fba_reduce(
    model: cobra.Model,
    medium: str | Medium = "glucose_minimal_aerobic",
    *,
    glucose_range: tuple[float, float],
    n_samples: int = 2000,
    seed: int = 0,
    tol: float = 1e-9,
    lethal_growth: float = 1e-6,
    glucose_exchange: str = "EX_glc__D_e",
    protect: Sequence[str] = (),
    check_growth: bool = False,
    use_cache: bool = True,
) -> Reduction:
    """FBA-reduce ``model``: keep reactions carrying flux in any of ``n_samples`` FBA solutions.

    Each sample knocks out one gene drawn uniformly from ``model.genes`` (through the GPR rules)
    and sets the maximal glucose uptake to a value drawn uniformly from ``glucose_range``, on top
    of ``medium``; then it maximises the objective. Infeasible samples and lethal ones (growth
    below ``lethal_growth``) are counted and left out of the union. The kept reactions are split
    under the medium's bounds. Unlike FVA-reduction this need not keep the maximal growth
    (an optimum the samples never visited may be lost): ``info`` reports both growth rates and
    ``check_growth=True`` makes a difference an error.

    ``protect`` names fluxes that must stay usable (e.g. the Ishii flux ids ``R_ME2``,
    ``R_ALCD2x_rev``): for each, one extra FBA maximises that flux in that direction on the medium
    (glucose at the top of ``glucose_range``) and the reactions of that solution are kept too, so
    the flux can be non-zero in the reduced model. Aerobic FBA optima never secrete ethanol or
    lactate, so without this the reduced iAF1260 loses several measured fluxes.

    Returns
    -------
    Reduction
        ``info`` holds ``n_samples``, ``n_infeasible``, ``n_lethal``, ``n_used``,
        ``n_added_by_protect`` and ``unreachable_protected`` (protected fluxes that cannot be
        non-zero at all),
        ``n_kept_with_lethal`` (the count had lethal solutions been used too) and ``seconds``.

    References
    ----------
    {cite}`faure2023amn` (AMN training sets); {cite}`tazza2025minn`, Section 2.3.
    """
    medium = get_medium(medium)
    lo, hi = (float(x) for x in glucose_range)
    protect = list(protect)
    _check_fba_arguments(model, glucose_range, n_samples, glucose_exchange, protect)
    # the glucose exchange whose bound is varied is part of the key; the default is left out so
    # that reductions cached before it was added stay valid
    exchange = {} if glucose_exchange == "EX_glc__D_e" else {"glucose_exchange": glucose_exchange}
    key = cache_key(
        model=model_hash(model), medium=medium.key(), method="fba", seed=seed, tol=tol,
        n_samples=n_samples, glucose_range=[lo, hi], lethal_growth=lethal_growth,
        protect=sorted(protect), **exchange,
    )

    def compute():
        return _fba_compute(model, medium, (lo, hi), n_samples, seed, tol, lethal_growth,
                            glucose_exchange, protect)

    entry = cached_entry(key, compute, use_cache=use_cache, required=_REQUIRED_META)
    if check_growth:
        _check_growth(entry.meta)
    return Reduction(entry)
