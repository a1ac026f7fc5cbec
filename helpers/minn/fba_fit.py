"""FBA-fit data: each sample's measured fluxes projected onto the FBA solution space of a GEM.

For every Ishii sample, the flux vector ``v`` of a split GEM nearest (Euclidean, over the target
fluxes) to the measurement ``y`` inside the sample's FBA space (after :cite:`machado2014`)::

    minimise ||P v - y||²   subject to   S v = 0,   lb <= v <= ub   (the sample's bounds)

a quadratic program solved through cvxpy (CLARABEL by default, OSQP selectable). The sample's
bounds are the medium's plus its measured uptakes (``uptakes``), its knock-out (``knockout``)
and its measured growth (``fix``: in a chemostat growth is the dilution rate), applied with
:func:`helpers.gem.use_medium` / :func:`helpers.gem.use_sample_bounds` inside ``with``
contexts, so the model is left as it was found.

Three details matter on a *split* model (every reversible reaction is a ``_fwd`` and a ``_rev``
half, both >= 0):

* ``space="net"`` (default) compares the *net* flux ``v_fwd - v_rev`` of a target reaction with
  its measurement. With ``space="split"`` the target half alone is compared, and a futile cycle
  through both halves (``v_fwd = v_rev + c``) lets the fit raise a measured half that the net
  model cannot carry: a closer but meaningless fit.
* Growth is held at its measurement by default. Left free, the nearest point gives up growth
  entirely (0.2 -> 0 costs 0.04 in squared distance, less than any carbon it frees buys).
* The QP fixes the target fluxes, not the other ~1800. Two linear programs (HiGHS) follow: the
  exactly feasible vector nearest to the QP's targets (relative L-inf; the shift, ``snap``, is
  reported: the interior-point solution of this degenerate QP is accurate to ~1e-6..1e-3), then
  the least total flux (pFBA-like) among the vectors that close. ``full`` is reproducible and
  free of futile cycles.

Infeasible samples are reported, never dropped or raised: ``report["infeasible_because"]`` names
the sample constraint(s) (glucose uptake, O2 uptake, growth, knock-out) whose relaxation alone
restores feasibility, found by re-solving with each one relaxed. Introduced in chapter
``04_conflicting_losses``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import cobra
import numpy as np
import pandas as pd
import scipy.sparse as sp

from helpers.data.ishii import BIOMASS, UPTAKES, IshiiData
from helpers.gem import (
    MAX_BOUND,
    base_id,
    knockouts_from_row,
    map_flux_ids,
    stoichiometric_matrix,
    to_flux_id,
    use_medium,
    use_sample_bounds,
)

if TYPE_CHECKING:  # cvxpy is imported where a QP is solved
    import cvxpy as cp

__all__ = ["UPTAKE_MODES", "KNOCKOUT_MODES", "SPACES", "SOLVERS", "FbaFit", "fba_fit",
           "fit_distance", "fit_difference", "fit_targets", "TARGET_OPTIONS", "solve_qp"]

#: How a sample's measured uptakes bound the fit: fixed to the measurement, the measurement as
#: the maximal uptake, the medium's bounds only (glucose <= 8, O2 <= 18.5), or no cap at all.
UPTAKE_MODES = ("fixed", "bounded", "free", "open")
#: Knock-out through the GPR rules (isozymes keep a reaction alive), the release's ``KOs_Vin``
#: reactions forced to 0, or none.
KNOCKOUT_MODES = ("gene", "reactions", "none")
SPACES = ("net", "split")
SOLVERS = ("CLARABEL", "OSQP")

#: CLARABEL's default static regularisation (1e-8) stalls ("InsufficientProgress") on this
#: degenerate QP (zero and dependent rows of S, a non-unique optimal face); 1e-7 solves every
#: sample. Larger values are tried if a solve still fails.
_CLARABEL_REGULARISATION = (1e-7, 1e-6, 1e-5)
_OSQP_SETTINGS = {"eps_abs": 1e-6, "eps_rel": 1e-6, "max_iter": 20_000}
#: Relative tolerance on the targets in the least-total-flux step (beyond the snap).
_TARGET_TOLERANCE = 1e-6


def solve_qp(problem: cp.Problem, solver: str = "CLARABEL") -> str:
    """Solve a cvxpy ``problem`` and return its status (``"solver_error (...)"`` if every try fails).

    CLARABEL is retried with more static regularisation when it raises (it stalls on the
    degenerate QPs of split GEMs); OSQP runs with tight tolerances. Shared by every QP of the book.
    """
    import cvxpy as cp

    if solver == "OSQP":
        attempts = [_OSQP_SETTINGS]
    else:
        attempts = [{"static_regularization_constant": c} for c in _CLARABEL_REGULARISATION]
    error = None
    for settings in attempts:
        try:
            problem.solve(solver=solver, **settings)
        except cp.SolverError as exc:
            error = exc
            continue
        return problem.status
    return f"solver_error ({error})"


#: QP statuses with a usable vector ("user_limit": OSQP's iteration cap, polished by the LP).
_SOLVED = ("optimal", "optimal_inaccurate", "user_limit")
_INFEASIBLE = ("infeasible", "infeasible_inaccurate")


@dataclass(frozen=True)
class FbaFit:
    """The FBA fit of every sample (all frames indexed by sample, in the data's order).

    Attributes
    ----------
    fluxes
        Samples x target flux ids: the fitted values (split halves, >= 0); NaN rows for samples
        whose FBA space is empty (or whose solve failed: see ``report``).
    full
        Samples x every reaction of the model (flux-table ids, ``R_`` prefix): the whole flux
        vector (least total flux among the nearest ones).
    report
        Per sample: ``status`` (cvxpy's), ``knocked_out`` (reaction ids the knock-out zeroes),
        ``infeasible_because``, ``snap`` (relative shift of the targets to an exactly feasible
        vector), ``distance`` (Euclidean over the targets, fit vs measurement), ``max_abs_Sv``,
        ``L2`` (``||S v||² / m``, Table 3's mechanistic residual), ``max_bound_violation`` and
        ``seconds``.
    options
        The options the fit was made with.
    """

    fluxes: pd.DataFrame
    full: pd.DataFrame
    report: pd.DataFrame
    options: dict = field(default_factory=dict)


def _check_option(name: str, value, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"The {name!r} parameter must be one of {list(allowed)}. "
                         f"Got {value!r} instead.")


def _first_nan(frame: pd.DataFrame, label: str) -> None:
    if frame.isna().any().any():
        sample, column = frame.isna().stack().loc[lambda s: s].index[0]
        raise ValueError(f"{label}: missing value (NaN) for sample {sample!r}, column {column!r}")


def _target_projection(model: cobra.Model, reaction_ids: list[str], space: str) -> sp.csr_matrix:
    """k x n matrix: a target's own half (+1) and, for ``space="net"``, its opposite half (-1)."""
    column = {r.id: j for j, r in enumerate(model.reactions)}
    rows, cols, vals = [], [], []
    for i, rid in enumerate(reaction_ids):
        entries = [(column[rid], 1.0)]
        if space == "net" and _opposite(rid) in column:
            entries.append((column[_opposite(rid)], -1.0))
        for j, value in entries:
            rows.append(i)
            cols.append(j)
            vals.append(value)
    return sp.csr_matrix((vals, (rows, cols)), shape=(len(reaction_ids), len(model.reactions)))


def _split_pairs(model: cobra.Model, S: sp.csr_matrix) -> np.ndarray:
    """Column pairs (fwd, rev): the two halves of a reversible reaction (``S_rev = -S_fwd``)."""
    column = {r.id: j for j, r in enumerate(model.reactions)}
    S = S.tocsc()
    pairs = [(j, column[f"{base_id(rid)[0]}_rev"]) for rid, j in column.items()
             if base_id(rid)[1] == "fwd" and f"{base_id(rid)[0]}_rev" in column]
    opposite = [(f, r) for f, r in pairs if not np.any((S[:, f] + S[:, r]).data)]
    return np.array(opposite, dtype=int).reshape(-1, 2)


def _cancel_cycles(v: np.ndarray, lb: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Remove the futile cycle of each pair (both halves > 0); ``S v`` and net fluxes unchanged."""
    v = v.copy()
    f, r = pairs[:, 0], pairs[:, 1]
    common = np.maximum(np.minimum(v[f] - lb[f], v[r] - lb[r]), 0.0)
    v[f] -= common
    v[r] -= common
    return v


class _Solver:
    """The projection QP and the least-total-flux LP of one model, compiled once (cvxpy DPP)."""

    def __init__(self, model: cobra.Model, S: sp.csr_matrix, P: sp.csr_matrix, solver: str,
                 space: str):
        import cvxpy as cp

        self.cp, self.solver, self.P = cp, solver, P
        # net space: a futile fwd/rev cycle changes nothing the fit sees, so it is removed
        self.pairs = _split_pairs(model, S) if space == "net" else np.zeros((0, 2), dtype=int)
        S = S[S.getnnz(axis=1) > 0]  # rows of metabolites no kept reaction touches: 0 = 0
        n, k = S.shape[1], P.shape[0]
        self.v, self.t = cp.Variable(n), cp.Variable(nonneg=True)
        self.lb, self.ub = cp.Parameter(n), cp.Parameter(n)
        self.y, self.scale = cp.Parameter(k), cp.Parameter(k, nonneg=True)
        self.band = cp.Parameter(k, nonneg=True)
        space_ = [S @ self.v == 0, self.v >= self.lb, self.v <= self.ub]
        self.qp = cp.Problem(cp.Minimize(cp.sum_squares(P @ self.v - self.y)), space_)
        # exactly feasible vector nearest (relative L-inf) to the QP's targets, then the least
        # total flux among the vectors that close
        deviation, allowed = P @ self.v - self.y, cp.multiply(self.scale, self.t)
        self.snap = cp.Problem(cp.Minimize(self.t),
                               space_ + [deviation <= allowed, -deviation <= allowed])
        self.lp = cp.Problem(cp.Minimize(cp.sum(self.v)), space_ + [
            deviation <= self.band, -deviation <= self.band])
        self.feasibility = cp.Problem(cp.Minimize(0), space_)

    def _solve_qp(self) -> str:
        return solve_qp(self.qp, self.solver)

    def fit(self, y: np.ndarray, lb: np.ndarray,
            ub: np.ndarray) -> tuple[str, np.ndarray | None, float]:
        """Status, flux vector (None unless exactly feasible) and the snap of the QP's targets."""
        self.y.value, self.lb.value, self.ub.value = y, lb, ub
        status = self._solve_qp()
        if status in _INFEASIBLE or status not in _SOLVED or self.v.value is None:
            return status, None, np.nan
        v = _cancel_cycles(np.clip(self.v.value, lb, ub), lb, self.pairs)
        fitted = self.P @ v
        self.y.value, self.scale.value = fitted, 1 + np.abs(fitted)
        try:
            self.snap.solve(solver="HIGHS")
            snap = float(self.t.value)
            self.band.value = (snap + _TARGET_TOLERANCE) * self.scale.value
            self.lp.solve(solver="HIGHS")
            if self.lp.status == "optimal":
                return status, np.clip(self.v.value, lb, ub), snap
        except (self.cp.SolverError, TypeError):  # TypeError: no value after a failed solve
            pass
        # an approximate QP answer (OSQP's iteration cap) may hide an empty space: say so
        if not self.feasible(lb, ub):
            return "infeasible", None, np.nan
        return f"{status} (least-flux step failed)", None, np.nan

    def feasible(self, lb: np.ndarray, ub: np.ndarray) -> bool:
        """Whether ``S v = 0, lb <= v <= ub`` has a solution (an LP)."""
        self.lb.value, self.ub.value = lb, ub
        try:
            self.feasibility.solve(solver="HIGHS")
        except self.cp.SolverError:
            return False
        return self.feasibility.status == "optimal"


def _opposite(reaction_id: str) -> str | None:
    """``"PGI_fwd"`` -> ``"PGI_rev"`` (and back); None for an unsplit reaction."""
    base, direction = base_id(reaction_id)
    return {"fwd": f"{base}_rev", "rev": f"{base}_fwd"}.get(direction)


def _sample_bounds(model: cobra.Model, data: IshiiData, sample: str, uptakes: str,
                   knockout: str, fix: Sequence[str] = (),
                   relax: str | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The sample's bounds (the medium already applied) and the reactions its knock-out zeroes.

    ``relax`` names one sample constraint left out: an uptake or fixed flux id, or
    ``"knockout"``. A fixed target's half is set to the measurement, its opposite half to 0.
    """
    measured = {}
    if uptakes in ("fixed", "bounded"):
        measured = {rid: float(data.fluxes.loc[sample, rid]) for rid in UPTAKES if rid != relax}
    knockouts, genes = [], []
    if knockout == "gene" and relax != "knockout":
        gene = data.samples.loc[sample, "b_number"]
        genes = [gene] if gene and gene in model.genes else []
    elif knockout == "reactions" and relax != "knockout":
        knockouts = knockouts_from_row(data.knockouts.loc[sample])
    before = np.array([r.upper_bound for r in model.reactions])
    with use_sample_bounds(model, measured, knockouts, genes, fix_uptakes=uptakes == "fixed"):
        lb = np.array([r.lower_bound for r in model.reactions], dtype=float)
        ub = np.array([r.upper_bound for r in model.reactions], dtype=float)
    uptake_idx = [model.reactions.index(rid) for rid in map_flux_ids(model, UPTAKES).values()]
    zeroed = [to_flux_id(r.id) for j, r in enumerate(model.reactions)
              if before[j] > 0 and ub[j] == 0 and j not in uptake_idx]
    if uptakes == "open":
        for flux_id, j in zip(UPTAKES, uptake_idx, strict=True):
            ub[j] = MAX_BOUND if flux_id != relax else ub[j]
    for flux_id, rid in map_flux_ids(model, [f for f in fix if f != relax]).items():
        j = model.reactions.index(rid)
        lb[j] = ub[j] = float(data.fluxes.loc[sample, flux_id])
        if _opposite(rid) in model.reactions:
            lb[model.reactions.index(_opposite(rid))] = 0.0
            ub[model.reactions.index(_opposite(rid))] = 0.0
    return lb, ub, zeroed


def _relaxations(uptakes: str, knockout: str, fix: list, zeroed: list) -> dict[str, str]:
    """Sample constraints that can be relaxed one at a time: key for ``relax`` -> label."""
    options = {}
    if uptakes in ("fixed", "bounded"):
        options = {UPTAKES[0]: f"glucose uptake ({UPTAKES[0]})",
                   UPTAKES[1]: f"O2 uptake ({UPTAKES[1]})"}
    for flux_id in fix:
        options[flux_id] = f"{'growth' if flux_id == BIOMASS else 'measured'} ({flux_id})"
    if knockout != "none" and zeroed:
        options["knockout"] = f"knock-out ({', '.join(zeroed)})"
    return options


def _checked_inputs(data: IshiiData, uptakes: str, knockout: str,
                    targets: Sequence[str] | None, fix: Sequence[str], space: str, solver: str
                    ) -> tuple[list[str], pd.DataFrame, list[str]]:
    """The options of :func:`fba_fit` checked: ``(targets, measured fluxes, fixed ids)``."""
    _check_option("uptakes", uptakes, UPTAKE_MODES)
    _check_option("knockout", knockout, KNOCKOUT_MODES)
    _check_option("space", space, SPACES)
    _check_option("solver", solver, SOLVERS)
    targets = list(data.fluxes.columns if targets is None else targets)
    missing = [t for t in targets if t not in data.fluxes.columns]
    if missing:
        raise ValueError(f"target flux id(s) {missing} are not columns of the flux table "
                         f"(e.g. {list(data.fluxes.columns[:3])})")
    measured = data.fluxes[targets]
    _first_nan(measured, "flux table")
    fix = list(fix)
    not_targets = [f for f in fix if f not in targets]
    if not_targets:
        raise ValueError(f"fixed flux id(s) {not_targets} are not among the targets "
                         f"(pass fix=() to fix none)")
    if uptakes in ("fixed", "bounded"):
        _first_nan(data.fluxes[UPTAKES], "flux table (uptakes)")
    return targets, measured, fix


def _fit_sample(model, data, sample, y: np.ndarray, qp: _Solver, S, split_idx: np.ndarray,
                uptakes: str, knockout: str, fix: list[str]) -> tuple[np.ndarray, dict]:
    """One sample's fitted flux vector (NaN if infeasible) and its report row."""
    start = time.perf_counter()
    lb, ub, zeroed = _sample_bounds(model, data, sample, uptakes, knockout, fix)
    status, v, snap = qp.fit(y, lb, ub)
    why = (_why_infeasible(model, data, sample, qp, uptakes, knockout, fix, zeroed)
           if status in _INFEASIBLE else "")
    row = {"sample": sample, "status": status, "knocked_out": ", ".join(zeroed),
           "infeasible_because": why, "snap": snap}
    v = np.full(len(model.reactions), np.nan) if v is None else v
    residual = S @ v
    row.update(distance=float(np.sqrt(np.sum((v[split_idx] - y) ** 2))),
               max_abs_Sv=float(np.max(np.abs(residual))),
               L2=float(np.sum(residual**2) / S.shape[0]),
               max_bound_violation=float(np.max(np.r_[lb - v, v - ub, 0.0])),
               seconds=time.perf_counter() - start)
    return v, row


def fba_fit(model: cobra.Model, data: IshiiData, *, uptakes: str = "fixed",
            knockout: str = "gene", targets: Sequence[str] | None = None,
            fix: Sequence[str] = (BIOMASS,), space: str = "net", solver: str = "CLARABEL",
            medium: str = "glucose_minimal_aerobic") -> FbaFit:
    """Project every sample's measured fluxes onto its FBA solution space.

    Parameters
    ----------
    model
        A split GEM, e.g. ``fva_reduce(load_gem("iAF1260")).model``; left unchanged.
    data
        The Ishii data (:func:`helpers.data.ishii.load_ishii`); not modified.
    uptakes
        One of :data:`UPTAKE_MODES`: ``"fixed"`` (the measured glucose and O2 uptakes exactly),
        ``"bounded"`` (at most the measured uptakes), ``"free"`` (the medium's bounds only) or
        ``"open"`` (no cap on the two uptakes: the released fit's WT_0.7h-1 takes up 26 O2).
    knockout
        One of :data:`KNOCKOUT_MODES`: ``"gene"`` (the sample's gene, through the GPR rules),
        ``"reactions"`` (the release's ``KOs_Vin`` table) or ``"none"``.
    targets
        Flux ids fitted (columns of ``data.fluxes``); default all 47, uptakes included.
    fix
        Targets held exactly at their measurement (hard constraints, relaxed one at a time to
        explain an infeasible sample). Default: growth, which in a chemostat is the dilution
        rate; left free, the fit trades it away (0.2 -> 0 costs only 0.04 in squared distance).
    space
        ``"net"`` compares ``v_fwd - v_rev`` with the measurement, ``"split"`` the half alone.
    solver
        ``"CLARABEL"`` (interior point) or ``"OSQP"`` (ADMM: on iAF1260 it stops at its
        iteration cap, ~4x slower and farther from the data after the exact-feasibility step).
    medium
        The medium applied first (:data:`helpers.gem.MEDIA`).

    Raises
    ------
    ValueError
        For an unknown option, a target that is not a column of ``data.fluxes``, or a NaN in
        the measurement (naming the sample and column).
    FluxIdError
        Listing every target flux id that is not a reaction of ``model``.
    """
    targets, measured, fix = _checked_inputs(data, uptakes, knockout, targets, fix, space, solver)
    reaction_ids = list(map_flux_ids(model, targets).values())
    S = stoichiometric_matrix(model)
    qp = _Solver(model, S, _target_projection(model, reaction_ids, space), solver, space)
    split_idx = np.array([model.reactions.index(rid) for rid in reaction_ids], dtype=int)
    full, report = {}, []
    with use_medium(model, medium):
        for sample in measured.index:
            y = measured.loc[sample].to_numpy(dtype=float)
            full[sample], row = _fit_sample(model, data, sample, y, qp, S, split_idx, uptakes,
                                            knockout, fix)
            report.append(row)
    columns = [to_flux_id(r.id) for r in model.reactions]
    full_frame = pd.DataFrame.from_dict(full, orient="index", columns=columns)
    full_frame.index.name = measured.index.name
    fluxes = full_frame.iloc[:, split_idx].set_axis(targets, axis=1)
    options = {"uptakes": uptakes, "knockout": knockout, "fix": fix, "space": space,
               "solver": solver, "medium": medium, "model": model.id}
    return FbaFit(fluxes, full_frame, pd.DataFrame(report).set_index("sample"), options)


def _why_infeasible(model, data, sample, qp: _Solver, uptakes, knockout, fix, zeroed) -> str:
    """The sample constraint(s) whose relaxation alone makes the FBA space non-empty."""
    options = _relaxations(uptakes, knockout, fix, zeroed)
    culprits = []
    for key, label in options.items():
        lb, ub, _ = _sample_bounds(model, data, sample, uptakes, knockout, fix, relax=key)
        if qp.feasible(lb, ub):
            culprits.append(label)
    if culprits:
        return " or ".join(culprits)
    if options:
        return ("no single sample constraint: " + ", ".join(options.values())
                + " together, or the model/medium itself")
    return f"the model/medium itself ({model.id!r})"


def fit_distance(fitted: pd.DataFrame, measured: pd.DataFrame) -> pd.Series:
    """Euclidean distance per sample over ``fitted``'s columns (NaN for an infeasible sample)."""
    missing = [c for c in fitted.columns if c not in measured.columns]
    if missing:
        raise ValueError(f"measured table lacks fitted column(s) {missing}")
    squares = (fitted - measured.loc[fitted.index, fitted.columns]) ** 2
    return np.sqrt(squares.sum(axis=1, min_count=1)).rename("distance")


def fit_difference(ours: pd.DataFrame, theirs: pd.DataFrame) -> pd.DataFrame:
    """Per flux, the max and mean absolute difference between two fits (largest max first).

    Compared over the samples and fluxes both tables hold; samples NaN in ``ours`` (infeasible)
    are left out (``n_samples`` counts the compared ones). Raises ``ValueError`` naming the
    fluxes or samples of ``ours`` that ``theirs`` lacks.
    """
    missing = [c for c in ours.columns if c not in theirs.columns]
    if missing:
        raise ValueError(f"the second table lacks flux column(s) {missing}")
    absent = [s for s in ours.index if s not in theirs.index]
    if absent:
        raise ValueError(f"the second table lacks sample(s) {absent}")
    difference = (ours - theirs.loc[ours.index, ours.columns]).abs()
    table = pd.DataFrame({"max_abs_diff": difference.max(), "mean_abs_diff": difference.mean(),
                          "n_samples": difference.notna().sum()})
    table.index.name = "flux"
    return table.sort_values("max_abs_diff", ascending=False, kind="stable")


#: The options :func:`fit_targets` projects with first (its fallback opens the two uptakes).
TARGET_OPTIONS = {"uptakes": "fixed", "knockout": "gene", "fix": [BIOMASS], "space": "net",
                  "solver": "CLARABEL", "medium": "glucose_minimal_aerobic"}


def fit_targets(model: cobra.Model, data: IshiiData, *,
                fixed: FbaFit | None = None) -> pd.DataFrame:
    """Training targets of MINN-c-balanced FBA fit (chapter ``04_conflicting_losses``).

    Each sample's projection with its measured uptakes fixed (:func:`fba_fit` with
    :data:`TARGET_OPTIONS`); the samples where that is infeasible fall back on the projection
    with open uptakes.

    ``fixed`` is that first projection when the caller already has it (chapter 04 shows it in
    its fit report; on iAF1260 it costs ~17 s), so that it is not computed twice. It must have
    been made with :data:`TARGET_OPTIONS` on ``model``'s id, over every flux of ``data`` and for
    the same samples; otherwise :class:`ValueError` says what differs.
    """
    if fixed is None:
        fixed = fba_fit(model, data, uptakes="fixed")
    else:
        _check_precomputed(fixed, model, data)
    return fixed.fluxes.fillna(fba_fit(model, data, uptakes="open").fluxes)


def _check_precomputed(fixed: FbaFit, model: cobra.Model, data: IshiiData) -> None:
    """:class:`ValueError` unless ``fixed`` is :func:`fit_targets`' first projection."""
    wanted = {**TARGET_OPTIONS, "model": model.id}

    def same(a, b) -> bool:
        return (list(a) == list(b)) if isinstance(b, list) and a is not None else a == b

    differs = {key: fixed.options.get(key) for key, value in wanted.items()
               if not same(fixed.options.get(key), value)}
    if differs:
        needed = {key: wanted[key] for key in differs}
        raise ValueError(f"the precomputed fit was made with {differs}; fit_targets needs "
                         f"{needed}")
    if list(fixed.fluxes.columns) != list(data.fluxes.columns):
        raise ValueError("the precomputed fit's targets are not every flux of the data "
                         f"({len(fixed.fluxes.columns)} of {len(data.fluxes.columns)} columns)")
    if list(fixed.fluxes.index) != list(data.fluxes.index):
        raise ValueError("the precomputed fit holds other samples than the data "
                         f"({list(fixed.fluxes.index[:3])}... vs {list(data.fluxes.index[:3])}...)")
