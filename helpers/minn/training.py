"""Train an ensemble of MINNs at once: E runs, one tensor program.

Every member ``e`` is a full MINN run with its own variant (:class:`~helpers.minn.config.MinnConfig`),
hyper-parameters (hidden, dropout, lr, weight decay, ``c``, final data weight, epochs), seed and
*training rows*, so all trials x inner folds of a hyper-parameter search (or all outer folds)
train in one call of :func:`train_ensemble`. Members share only the data tensors and ``S``.

What makes a member's run independent of the others (and equal to training it alone):

- its weights are initialised from its own seed (:class:`~helpers.minn.network.EnsembleMLP`);
- its shuffling and dropout masks come from its own ``torch.Generator``;
- the loss is a sum of per-member losses, so each member's gradient is its own;
- :class:`EnsembleAdam` updates each member with its own lr / weight decay / step count and
  skips members that have no batch at a step (a smaller fold, or fewer epochs).

Introduced in chapter ``00_toy_example``; used by the evaluation harness.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from numpy.typing import ArrayLike
from tqdm import tqdm

from .config import MinnConfig, get_variant
from .losses import EMABalancer, LossPlan
from .mechanistic import (
    DescentWorkspace,
    descent_backward,
    descent_forward,
    mechanistic_terms,
    unroll,
)
from .network import EnsembleMLP
from .problem import MechanisticProblem
from .projection import null_space_basis, project, projection_backward, projection_forward

HISTORY_TERMS = ("loss", "data", "mechanistic", "steady_state", "upper_bound", "positivity",
                 "w_data", "w_mech", "weight_data", "weight_mech")


class TrainingDivergedError(FloatingPointError):
    """A training loss became NaN or infinite; the message names the epoch, term and member."""


@dataclass(frozen=True)
class Member:
    """One MINN run of an ensemble.

    Attributes
    ----------
    config : MinnConfig or str
        The variant (a name in :data:`helpers.minn.config.VARIANTS` or a config).
    hidden, dropout, lr, weight_decay : int, float, float, float
        Network and Adam hyper-parameters (weight decay = Adam's L2, as ``torch.optim.Adam``).
    c, data_weight, epochs : float, float, int or None
        Per-run overrides of the variant's ``c``, final scheduler weight and epochs.
    seed : int
        Seeds the weights, the shuffling and the dropout masks of this run.
    rows : tuple of int or None
        Training rows (indices into ``X``); None = all rows.
    """

    config: MinnConfig | str = "c-balanced"
    hidden: int = 250
    dropout: float = 0.25
    lr: float = 5e-4
    weight_decay: float = 0.0
    c: float | None = None
    data_weight: float | None = None
    epochs: int | None = None
    seed: int = 0
    rows: tuple[int, ...] | None = field(default=None)

    @property
    def variant(self) -> MinnConfig:
        """The resolved :class:`MinnConfig` (with this run's ``c``/``data_weight``/``epochs``)."""
        return get_variant(self.config, c=self.c, data_weight=self.data_weight, epochs=self.epochs)


def cv_members(trials: Sequence[dict], folds: Sequence[Sequence[int]], *,
               config: MinnConfig | str = "c-balanced", seed: int = 0) -> list[Member]:
    """Members for ``len(trials) x len(folds)`` runs (trial-major: run ``t * F + f``).

    Parameters
    ----------
    trials : sequence of dict
        Hyper-parameters per trial, keys among the fields of :class:`Member`
        (``hidden``, ``dropout``, ``lr``, ``weight_decay``, ``c``, ``data_weight``, ``epochs``).
    folds : sequence of index sequences
        Training rows of each (inner) fold.
    config : MinnConfig or str
        The variant.
    seed : int
        Run ``t * F + f`` gets seed ``seed * 1_000_003 + t * F + f`` (distinct, repeatable).

    Examples
    --------
    >>> from sklearn.model_selection import KFold                     # doctest: +SKIP
    >>> folds = [tr for tr, _ in KFold(5, shuffle=True, random_state=0).split(X)]
    >>> members = cv_members([{"hidden": 200, "c": 10}, {"hidden": 300, "c": 50}], folds)
    >>> Xs = minmax_scale_members(X, [m.rows for m in members])      # per-fold scaling
    >>> fit = train_ensemble(problem, Xs, Y, members)                 # 2 x 5 runs at once
    >>> pred = fit.predict(Xs)               # (10, N, n_ref): read each run's held-out rows
    """
    allowed = {"hidden", "dropout", "lr", "weight_decay", "c", "data_weight", "epochs"}
    members = []
    F = len(folds)
    for t, trial in enumerate(trials):
        unknown = sorted(set(trial) - allowed)
        if unknown:
            raise ValueError(f"Trial {t} has unknown hyper-parameter(s) {unknown}; "
                             f"allowed: {sorted(allowed)}.")
        for f, rows in enumerate(folds):
            members.append(Member(config=config, seed=seed * 1_000_003 + t * F + f,
                                  rows=tuple(int(r) for r in rows), **trial))
    return members


class EnsembleAdam:
    """``torch.optim.Adam`` (coupled L2 weight decay) over stacked ensemble weights.

    ``lr`` and ``weight_decay`` are per member. Each member's slice of each stacked tensor is a
    parameter of one :class:`torch.optim.Adam` (``fused=True`` where the device supports it, else
    ``foreach``), in one param group per distinct (lr, weight decay); gradients live in persistent
    buffers (:attr:`grads`) whose slices are the parameters' ``.grad``. ``trim`` (optional, per
    member and tensor) restricts each member's parameter to an index of its slice, e.g. leaves
    out the zero padding of a smaller hidden layer: those weights have zero gradient, so Adam
    would leave them at zero anyway, and skipping them saves their share of the Adam pass (the
    same update; in float32 the fused kernel's vector tail can round a few entries differently
    when the trimmed length changes, so an ensemble of one hidden size, as the paper protocol's
    chunks are, is bit for bit unchanged). :meth:`step` takes a
    boolean ``active`` vector: inactive members get ``grad = None``, which ``Adam`` skips
    (weights, moments and step count untouched), so a member's update is exactly the one it would
    get alone (tested against one ``torch.optim.Adam`` per member).
    """

    def __init__(self, params: Sequence[torch.Tensor], lr: Sequence[float],
                 weight_decay: Sequence[float], betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, fused: bool | None = None,
                 trim: Sequence[Sequence[tuple]] | None = None) -> None:
        self.params = list(params)
        self.lr = [float(v) for v in lr]
        self.wd = [float(v) for v in weight_decay]
        E = len(self.lr)
        self.grads = [torch.zeros_like(p) for p in self.params]
        # trim[e][i]: the index of member e's own part of params[i][e] (e.g. without the zero
        # padding of a smaller hidden layer, which has zero gradient and would stay zero anyway)
        trim = trim if trim is not None else [[()] * len(self.params)] * E
        self.member_params = [[p.detach()[e][t] for p, t in zip(self.params, trim[e], strict=True)]
                              for e in range(E)]
        self._member_grads = [[g[e][t] for g, t in zip(self.grads, trim[e], strict=True)]
                              for e in range(E)]
        groups: dict[tuple[float, float], list[int]] = {}
        for e, key in enumerate(zip(self.lr, self.wd, strict=True)):
            groups.setdefault(key, []).append(e)
        if fused is None:
            fused = self.params[0].device.type in ("cpu", "cuda")
        param_groups = [{"params": [v for e in members for v in self.member_params[e]],
                         "lr": lr_, "weight_decay": wd_}
                        for (lr_, wd_), members in groups.items()]
        options = {"fused": True} if fused else {"foreach": True}
        self.optimizer = torch.optim.Adam(param_groups, betas=betas, eps=eps, **options)
        self._active: list[bool] | None = None

    @property
    def step_count(self) -> torch.Tensor:
        """Adam steps taken by each member (E,)."""
        counts = []
        for views in self.member_params:
            state = self.optimizer.state.get(views[0])
            counts.append(int(state["step"]) if state else 0)
        return torch.tensor(counts)

    def _set_active(self, active: list[bool]) -> None:
        if active == self._active:
            return
        for e, on in enumerate(active):
            for view, grad in zip(self.member_params[e], self._member_grads[e], strict=True):
                view.grad = grad if on else None
        self._active = active

    @torch.no_grad()
    def step(self, grads: Sequence[torch.Tensor] | None, active: torch.Tensor) -> None:
        """One Adam update of the ``active`` members.

        ``grads`` None means the gradients are already in :attr:`grads`; otherwise they are
        copied there first.
        """
        if grads is not None:
            for buffer, grad in zip(self.grads, grads, strict=True):
                if buffer is not grad:
                    buffer.copy_(grad)
        self._set_active([bool(a) for a in active.tolist()])
        self.optimizer.step()


@dataclass
class EnsembleFit:
    """A trained ensemble: the network, the mechanistic settings and the per-epoch history.

    ``history[term]`` has shape (E, T): per member and epoch, the mean over the member's training
    samples of each term (``data`` = L1, ``mechanistic`` = L_mech and its three parts, ``loss`` =
    the weighted training loss), plus the loss weights: ``w_data`` / ``w_mech`` of the schedule and
    ``weight_data`` / ``weight_mech``, the effective factors in front of L1 and L_mech at the end
    of the epoch (``c``, schedule and loss balancing included); NaN after a member's last epoch.
    """

    net: EnsembleMLP
    problem: MechanisticProblem
    members: list[Member]
    history: dict[str, np.ndarray]
    mech_lr: float = 0.01
    mech_steps: int = 8
    mech_decay: float = 0.9
    layer: str = "unrolled"
    projection_steps: int = 1

    @property
    def dtype(self) -> torch.dtype:
        """The floating-point type of the weights (``torch.float32`` or ``torch.float64``)."""
        return self.net.W1.dtype

    @property
    def device(self) -> torch.device:
        """Where the weights live (``cpu`` or a GPU)."""
        return self.net.W1.device

    def _inputs(self, X) -> torch.Tensor:
        X = torch.as_tensor(np.asarray(X), dtype=self.dtype, device=self.device)
        if X.dim() == 2:
            X = X.unsqueeze(0).expand(self.net.n_members, -1, -1)
        return X

    @torch.no_grad()
    def fluxes(self, X: ArrayLike, v_in: ArrayLike | None = None
               ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(V0, V)`` of every member, each (E, N, n), in eval mode (no dropout).

        ``X`` is (N, d) shared or (E, N, d) per member (already scaled); ``v_in`` None, (n_in,)
        or (N, n_in).
        """
        self.net.eval()
        V0 = self.net(self._inputs(X))
        vin = None if v_in is None else torch.as_tensor(np.asarray(v_in), dtype=self.dtype,
                                                         device=self.device)
        if self.layer == "none":
            return V0, V0
        if self.layer == "projection":
            return V0, project(V0, self.problem, vin, steps=self.projection_steps)
        V = unroll(V0, self.problem.to_torch(self.dtype, self.device), vin, lr=self.mech_lr,
                   steps=self.mech_steps, decay=self.mech_decay)
        return V0, V

    def predict_fluxes(self, X: ArrayLike, v_in: ArrayLike | None = None) -> np.ndarray:
        """Full flux distributions ``V`` (E, N, n)."""
        return self.fluxes(X, v_in)[1].cpu().numpy()

    def predict(self, X: ArrayLike, v_in: ArrayLike | None = None) -> np.ndarray:
        """Reference fluxes ``P_ref V`` (E, N, n_ref)."""
        return self.predict_fluxes(X, v_in)[..., self.problem.reference_idx]

    @torch.no_grad()
    def mechanistic_residual(self, X: ArrayLike, v_in: ArrayLike | None = None) -> np.ndarray:
        """The paper's "L2" = ``||S V||^2 / m`` per member and sample (E, N)."""
        V = self.fluxes(X, v_in)[1]
        tp = self.problem.to_torch(self.dtype, self.device)
        return mechanistic_terms(V, tp).steady_state.cpu().numpy()

    def member_history(self, e: int = 0) -> pd.DataFrame:
        """History of member ``e``: one row per epoch, one column per term."""
        T = int(np.isfinite(self.history["data"][e]).sum())
        frame = pd.DataFrame({k: v[e, :T] for k, v in self.history.items()})
        frame.index.name = "epoch"
        return frame


def _as_members_tensor(a, E: int, N: int, width: int, dtype: torch.dtype, name: str,
                       device: torch.device | str = "cpu") -> torch.Tensor:
    t = torch.as_tensor(np.asarray(a, dtype=np.float64), dtype=dtype)
    if t.dim() == 2:
        t = t.unsqueeze(0)
    if t.dim() != 3 or t.shape[1] != N or t.shape[2] != width or t.shape[0] not in (1, E):
        raise ValueError(f"{name} must have shape (N={N}, {width}) or (E={E}, N, {width}); "
                         f"got {tuple(np.shape(a))}.")
    return t.to(device)


def _check_finite_input(t: torch.Tensor, name: str) -> None:
    """Raise ``ValueError`` naming the first NaN/inf of ``X`` or ``Y`` (member, row, column)."""
    bad = ~torch.isfinite(t)
    if not bool(bad.any()):
        return
    e, i, j = (int(k) for k in bad.nonzero()[0])
    where = f"row {i}, column {j}" + (f" (member {e})" if t.shape[0] > 1 else "")
    raise ValueError(f"{name} contains {'NaN' if torch.isnan(t[e, i, j]) else 'inf'} at {where} "
                     f"({int(bad.sum())} non-finite cell(s) in all); MINN training needs finite "
                     "inputs and targets.")


def check_v_in(v_in: ArrayLike, n_samples: int, problem: MechanisticProblem,
               owner: str = "train_ensemble") -> np.ndarray:
    """``v_in`` as a float64 array of shape ``(n_in,)`` or ``(N, n_in)``, or a ``ValueError``.

    The error names what is wrong: the number of rows (one per sample of ``X``), the number of
    columns (one per bounded flux, ``problem.bounded_ids``), or the first NaN / ``-inf`` cell
    (row, column and flux id). ``+inf`` is allowed: it means "no bound" (the upper-bound term
    ``relu(V - v_in)`` is then 0), as in the problem's own ``v_in``.
    """
    a = np.asarray(v_in, dtype=np.float64)
    n_in = problem.n_in
    shapes = f"(n_in={n_in},) or (N={n_samples}, n_in={n_in})"
    if a.ndim not in (1, 2):
        raise ValueError(f"The 'v_in' parameter of {owner} must have shape {shapes}; got "
                         f"{a.ndim} dimension(s), shape {a.shape}.")
    if a.ndim == 2 and a.shape[0] != n_samples:
        raise ValueError(f"The 'v_in' parameter of {owner} has {a.shape[0]} row(s) but X has "
                         f"{n_samples} sample(s): one row per sample, shape {shapes}.")
    if a.shape[-1] != n_in:
        raise ValueError(f"The 'v_in' parameter of {owner} has {a.shape[-1]} column(s) but the "
                         f"problem bounds {n_in} flux(es) {problem.bounded_ids[:5]}"
                         f"{'...' if n_in > 5 else ''}: shape {shapes}.")
    bad = np.isnan(a) | np.isneginf(a)
    if bad.any():
        where = np.argwhere(bad)[0]
        j = int(where[-1])
        row = f"row {int(where[0])}, " if a.ndim == 2 else ""
        value = "NaN" if np.isnan(a[tuple(where)]) else "-inf"
        raise ValueError(f"The 'v_in' parameter of {owner} holds {value} at {row}column {j} "
                         f"(flux {problem.bounded_ids[j]!r}; {int(bad.sum())} such cell(s)): an "
                         "upper bound must be a number or +inf (no bound).")
    return a


#: Per-step statistics kept for the history and the divergence check (summed over a batch).
_STATS = ("loss", "data", "mechanistic", "steady_state", "upper_bound", "positivity", "v0")


def _raise_if_diverged(epoch, stats, stepped, plan, configs, members) -> None:
    """Raise :class:`TrainingDivergedError` for the first (step, member) whose loss is NaN/inf.

    Checked once per epoch on the per-step sums (a NaN or inf anywhere in a batch makes its sum
    non-finite). The term is 'data' when the network output ``V0`` itself is not finite (bad
    inputs, too large lr), 'mechanistic' when ``V0`` is finite but the mechanistic layer blew up.
    """
    data, mech, v0 = stats[:, 1], stats[:, 2], stats[:, 6]  # (S_max, E)
    ok = torch.isfinite(data) & torch.isfinite(mech) & torch.isfinite(v0)
    bad = stepped & ~ok
    if not bool(bad.any()):
        return
    step, e = (int(i) for i in bad.nonzero()[0])
    if not torch.isfinite(v0[step, e]):
        term, value, hint = "data", float(data[step, e]), "the network output V0 is not finite"
    elif not torch.isfinite(mech[step, e]):
        term, value, hint = "mechanistic", float(mech[step, e]), "lower 'mech_lr' or 'mech_steps'"
    else:
        term, value, hint = "data", float(data[step, e]), "lower 'lr' or check the targets"
    raise TrainingDivergedError(
        f"Training diverged at epoch {epoch + 1} (of {int(plan.epochs[e])}), step {step + 1}: "
        f"the {term} loss of member {e} (variant {configs[e].name!r}, seed {members[e].seed}) "
        f"is {value} ({hint}; check the inputs for NaN/inf)."
    )


def _train_seed(seed: int) -> int:
    """Seed of a member's shuffling/dropout stream, independent of its init stream."""
    return int(np.random.SeedSequence([int(seed), 1]).generate_state(1)[0])


def _data_loss_and_grad(pred: torch.Tensor, target: torch.Tensor, is_ne: torch.Tensor,
                        kinds: tuple[bool, bool] | None = None):
    """``L1`` per member and sample (E, B) and its gradient with respect to ``pred`` (E, B, n_ref).

    NE: ``||r|| / ||y||`` with ``r = pred - y``, gradient ``r / (||r|| ||y||)`` (0 where either
    norm is 0, as the subgradient autograd takes); MSE: ``mean(r^2)``, gradient ``2 r / n_ref``.
    ``kinds`` = ``(any NE member, all NE members)``, computed once per training by the caller
    (no host sync per step on a GPU); None reads them from ``is_ne``.
    """
    any_ne, all_ne = kinds if kinds is not None else (bool(is_ne.any()), bool(is_ne.all()))
    r = pred - target
    if any_ne:
        err = torch.linalg.vector_norm(r, dim=-1)
        norm = torch.linalg.vector_norm(target, dim=-1)
        ok = norm > 0
        ne = torch.where(ok, err / torch.where(ok, norm, 1.0), 0.0)
        denom = err * norm
        d_ne = r * torch.where((denom > 0) & ok, 1.0 / torch.where(denom > 0, denom, 1.0), 0.0
                               ).unsqueeze(-1)
        if all_ne:
            return ne, d_ne
    mse_value = r.square().mean(-1)
    d_mse = r * (2.0 / r.shape[-1])
    if not any_ne:
        return mse_value, d_mse
    sel = is_ne[:, None]
    return torch.where(sel, ne, mse_value), torch.where(sel[..., None], d_ne, d_mse)


@dataclass(frozen=True)
class _Layer:
    """The mechanistic layer of an ensemble: the unrolled descent, the exact projection, or none
    (``V = V0``: the network alone, chapter ``10_beyond``'s ablation)."""

    kind: str
    lr: float = 0.01
    steps: int = 8
    decay: float = 0.9
    basis: torch.Tensor | None = None  # null-space basis N (projection only)

    def forward(self, Vt, tp, vin):
        if self.kind == "none":
            return Vt, None
        if self.kind == "projection":
            return projection_forward(Vt, self.basis, tp, vin, self.steps)
        return descent_forward(Vt, tp, vin, self.lr, self.steps, self.decay)

    def backward(self, grad, tp, masks):
        if self.kind == "none":
            return grad
        if self.kind == "projection":
            return projection_backward(grad, self.basis, masks)
        return descent_backward(grad, tp, self.lr, self.decay, masks)


def _ensemble_layer(configs, problem, mech_lr, mech_steps, mech_decay, dtype, device) -> _Layer:
    """The one layer all members share (a ValueError names the members that disagree)."""
    kinds = {(c.layer, c.projection_steps if c.layer == "projection" else None) for c in configs}
    if len(kinds) > 1:
        raise ValueError(f"All members of an ensemble must share the mechanistic layer; got "
                         f"{sorted(kinds, key=str)} (train the layers in separate ensembles).")
    kind, steps = kinds.pop()
    if kind == "projection":
        return _Layer(kind, steps=int(steps), basis=null_space_basis(problem, dtype, device))
    return _Layer(kind, mech_lr, int(mech_steps), mech_decay)


class _Workspace:
    """Buffers of one training step, kept across the steps of a run (shapes are fixed: E x B)."""

    def __init__(self, layer: _Layer, tp, E: int, B: int, dtype: torch.dtype,
                 device: torch.device) -> None:
        def empty(*shape):
            return torch.empty(*shape, dtype=dtype, device=device)

        cols = E * B
        self.descent = (DescentWorkspace(tp, cols, layer.steps, dtype, device)
                        if layer.kind == "unrolled" else None)
        self.V = empty(tp.n, cols) if self.descent is None else self.descent.V
        self.SV, self.SV2 = empty(tp.m, cols), empty(tp.m, cols)
        self.negative, self.grad = empty(tp.n, cols), empty(tp.n, cols)
        self.zero = torch.zeros((), dtype=dtype, device=device)
        self.l1_kinds: tuple[bool, bool] | None = None  # (any NE, all NE), set by the trainer


def _loss_and_grad(V0: torch.Tensor, yb: torch.Tensor, vb: torch.Tensor | None,
                   valid: torch.Tensor, tp, plan: LossPlan, col: int, bal_d: torch.Tensor,
                   bal_m: torch.Tensor, layer: _Layer, ws: _Workspace):
    """One training step's loss terms and ``dLoss/dV0``, by hand (no autograd graph).

    The loss of member ``e`` is ``sum_b valid[e, b] · (a_e · L1 + b_e · bound(L_mech))`` with
    ``a = w_data · c · balance_data`` and ``b = w_mech · balance_mech`` (:meth:`LossPlan.total`).
    Its gradient at ``V_K`` is ``a · P_ref^T dL1/dp + b · bound' · grad L_mech(V_K)``, where
    ``grad L_mech(V_K)`` reuses the product ``S V_K`` that the steady-state term needs; the
    unrolled layer is then reversed by :meth:`~helpers.minn.mechanistic.DescentWorkspace.backward_`
    (the same maths as :func:`~helpers.minn.mechanistic.descent_backward`, in place), or the
    projection layer by :func:`~helpers.minn.projection.projection_backward`.

    Fluxes are column-wise, one column per sample, in the buffers of ``ws``. Returns
    ``(grad_V0 (E, B, n), stats (7, E, B))``, ``grad_V0`` a view of a buffer (valid until the
    next step); stats rows follow :data:`_STATS`.
    """
    E, B, n = V0.shape
    ws.V.copy_(V0.view(E * B, n).T)  # (n, E·B): one column per sample
    if vb is None:
        vin = tp.v_in.reshape(-1, 1)
    else:
        vin = vb.reshape(E * B, tp.n_in).T.contiguous()
    if ws.descent is None:
        VK, masks = layer.forward(ws.V, tp, vin)
    else:
        VK = ws.descent.forward_(vin, layer.lr, layer.decay)
    SV = torch.addmm(ws.SV, tp.S, VK, beta=0, out=ws.SV)
    steady = torch.mul(SV, SV, out=ws.SV2).sum(0) / tp.m
    negative = torch.clamp_max(VK, 0, out=ws.negative)
    positivity = torch.mul(negative, negative, out=ws.grad).sum(0) / tp.n
    grad_mech = torch.addmm(ws.grad, tp.St, SV, beta=0, out=ws.grad)
    grad_mech.mul_(2.0 / tp.m).add_(negative, alpha=2.0 / tp.n)
    if tp.n_in:
        excess = (VK[tp.in_idx] - vin).clamp_min(0)
        upper = excess.square().sum(0) / tp.n_in
        grad_mech.index_add_(0, tp.in_idx, excess, alpha=2.0 / tp.n_in)
    else:
        upper = torch.zeros_like(steady)
    l_mech = (steady + upper + positivity).view(E, B)
    pred = VK[tp.ref_idx].T.reshape(E, B, tp.n_ref)
    l1, d_l1 = _data_loss_and_grad(pred, yb, plan.is_ne, ws.l1_kinds)
    a = (plan.w_data[:, col] * plan.c * bal_d)[:, None]
    b = (plan.w_mech[:, col] * bal_m)[:, None]
    bound, slope = plan.bound[:, None], plan.slope[:, None]
    above = l_mech >= bound
    safe_b = torch.where(torch.isfinite(bound), bound, 0.0)
    per_sample = a * l1 + b * torch.where(above, safe_b + slope * (l_mech - safe_b), l_mech)
    zero = ws.zero
    coef_mech = torch.where(valid, b * torch.where(above, slope, 1.0), zero)
    coef_data = torch.where(valid, a, zero)
    grad_VK = grad_mech.mul_(coef_mech.reshape(1, E * B))
    grad_VK.index_add_(0, tp.ref_idx, (coef_data[..., None] * d_l1).reshape(E * B, tp.n_ref).T)
    if ws.descent is None:
        grad_V0 = layer.backward(grad_VK, tp, masks)
    else:
        grad_V0 = ws.descent.backward_(grad_VK, layer.lr, layer.decay)
    stats = torch.stack([per_sample, l1, l_mech, steady.view(E, B), upper.view(E, B),
                         positivity.view(E, B), V0.sum(-1)])
    # the (E, B, n) view of the column layout, no copy: the network's products take it as a
    # transposed operand (as fast as a contiguous one, measured)
    return grad_V0.T.reshape(E, B, n), torch.where(valid, stats, zero)


def train_ensemble(problem: MechanisticProblem, X: ArrayLike, Y: ArrayLike,
                   members: Sequence[Member], *, v_in: ArrayLike | None = None,
                   batch_size: int = 5, mech_lr: float = 0.01, mech_steps: int = 8,
                   mech_decay: float = 0.9, dtype: torch.dtype = torch.float32,
                   device: str | torch.device = "cpu", progress: bool = True, desc: str = "MINN",
                   num_threads: int | None = 1,
                   input_groups: Sequence[Sequence[int]] | None = None) -> EnsembleFit:
    """Train ``len(members)`` MINNs in one batched program.

    Parameters
    ----------
    problem : MechanisticProblem
    X : array, shape (N, d) or (E, N, d)
        Inputs, already scaled (per member: see :func:`helpers.minn.scaling.minmax_scale_members`).
    Y : array, shape (N, n_ref) or (E, N, n_ref)
        Reference fluxes, columns in ``problem.reference_ids`` order.
    members : sequence of Member
        One per run; ``member.rows`` picks its training rows.
    v_in : None, array (n_in,) or (N, n_in)
        Upper bounds of the bounded fluxes, shared or per sample (None: the problem's ``v_in``);
        ``+inf`` = no bound. Checked by :func:`check_v_in` (rows, columns, NaN / ``-inf``).
    batch_size : int
        Mini-batch size (5 in the paper); the loss is summed over the batch.
    mech_lr, mech_steps, mech_decay : float, int, float
        Mechanistic layer settings (release defaults 0.01, 8, 0.9).
    dtype : torch.dtype
        Floating-point type of the weights, data and ``S`` (``torch.float32`` by default;
        ``torch.float64`` for the reference comparisons in the tests).
    device : str or torch.device
        Where the weights, ``S`` and the data live ('cpu', 'cuda', 'cuda:1', ...). Shuffling
        and dropout masks are drawn on the CPU from each member's generator, so a run gives the
        same draws on every device.
    progress : bool
        Show a tqdm bar over epochs.
    desc : str
        Label of the tqdm bar.
    input_groups : sequence of sequences of int, optional
        Intermediate fusion: the columns of ``X`` of each omics, one encoder block each
        (:class:`~helpers.minn.network.EnsembleMLP`, chapter ``10_beyond``); None = early fusion.
    num_threads : int or None
        Torch intra-op threads while training (restored afterwards). 1 by default: the many
        small kernels of a MINN step run slower with more threads on a busy 2-core machine, and
        parallelism comes from running units side by side (joblib); None keeps torch's setting.

    Returns
    -------
    EnsembleFit

    Raises
    ------
    ValueError
        Inputs of the wrong shape or with NaN / inf (``X``, ``Y``; ``v_in`` may hold ``+inf``),
        empty or out-of-range ``rows``, or members that do not share the mechanistic layer.
    TrainingDivergedError
        If the data or the mechanistic loss of a member becomes NaN or infinite (checked once
        per epoch; the message names the first epoch, step, term and member).
    """
    previous = torch.get_num_threads()
    if num_threads is not None:
        torch.set_num_threads(int(num_threads))
    try:
        return _train(problem, X, Y, members, v_in, batch_size, mech_lr, mech_steps, mech_decay,
                      dtype, torch.device(device), progress, desc, input_groups)
    finally:
        torch.set_num_threads(previous)


def _epoch_batches(rows, gens, in_epoch, steps_per_epoch, S_max, batch_size, net):
    """Shuffled mini-batch indices, validity and dropout keep-masks of one epoch (on the CPU)."""
    E, H = len(rows), max(net.hidden_sizes)
    idx = torch.zeros(S_max, E, batch_size, dtype=torch.long)
    valid = torch.zeros(S_max, E, batch_size, dtype=torch.bool)
    keep = torch.zeros(S_max, E, batch_size, H, dtype=torch.bool)
    for e in range(E):
        if not in_epoch[e]:
            continue
        order = rows[e][torch.randperm(len(rows[e]), generator=gens[e])]
        steps = int(steps_per_epoch[e])
        padded = torch.zeros(steps * batch_size, dtype=torch.long)
        padded[: len(order)] = order
        idx[:steps, e] = padded.view(steps, batch_size)
        valid[:steps, e] = (torch.arange(steps * batch_size) < len(order)).view(steps, batch_size)
        h = net.hidden_sizes[e]
        keep[:steps, e, :, :h] = (
            torch.rand(steps, batch_size, h, generator=gens[e]) < 1.0 - net.dropout_rates[e]
        )
    return idx, valid, keep


def _train(problem, X, Y, members, v_in, batch_size, mech_lr, mech_steps, mech_decay, dtype,
           device, progress, desc, input_groups=None) -> EnsembleFit:
    members = list(members)
    E = len(members)
    if E == 0:
        raise ValueError("The 'members' parameter must hold at least one Member.")
    if batch_size < 1:
        raise ValueError(f"The 'batch_size' parameter must be >= 1. Got {batch_size!r} instead.")
    N = np.shape(X)[-2]
    d = np.shape(X)[-1]
    Xt = _as_members_tensor(X, E, N, d, dtype, "X", device)
    Yt = _as_members_tensor(Y, E, N, problem.n_ref, dtype, "Y", device)
    _check_finite_input(Xt, "X")
    _check_finite_input(Yt, "Y")
    vin_t = None
    if v_in is not None:
        vin_t = torch.as_tensor(check_v_in(v_in, N, problem), dtype=dtype, device=device)
        if vin_t.dim() == 1:
            vin_t = vin_t.expand(N, -1)
    tp = problem.to_torch(dtype, device)
    configs = [m.variant for m in members]
    layer = _ensemble_layer(configs, problem, mech_lr, mech_steps, mech_decay, dtype, device)
    plan = LossPlan.from_configs(configs, dtype=dtype)
    plan_dev = LossPlan(**{k: v.to(device) for k, v in vars(plan).items()})
    rows = []
    for e, m in enumerate(members):
        r = np.arange(N) if m.rows is None else np.asarray(m.rows, dtype=np.int64)
        if r.size == 0 or r.min() < 0 or r.max() >= N:
            raise ValueError(f"Member {e}: 'rows' must be non-empty indices in [0, {N}); "
                             f"got {r.tolist()[:10]}.")
        rows.append(torch.as_tensor(r))
    net = EnsembleMLP(d, problem.n, [m.hidden for m in members], [m.dropout for m in members],
                      [m.seed for m in members], dtype=dtype, input_groups=input_groups).to(device)
    params = [net.W1, net.b1, net.W2, net.b2]
    # Adam leaves out each member's hidden padding (zero weights, zero gradients): b1 and W2 rows;
    # W1's columns would be a strided view, and W1 is small
    trim = [[(), (slice(None), slice(0, h)), (slice(0, h),), ()] for h in net.hidden_sizes]
    adam = EnsembleAdam(params, [m.lr for m in members], [m.weight_decay for m in members],
                        trim=trim)
    balancer = EMABalancer(plan_dev.balancing, plan_dev.alpha)
    gens = [torch.Generator().manual_seed(_train_seed(m.seed)) for m in members]
    T = int(plan.epochs.max())
    n_rows = torch.tensor([len(r) for r in rows])
    steps_per_epoch = (n_rows + batch_size - 1) // batch_size
    S_max = int(steps_per_epoch.max())
    history = {k: np.full((E, T), np.nan) for k in HISTORY_TERMS}
    stats = torch.zeros(S_max, len(_STATS), E, dtype=dtype, device=device)
    members_axis = torch.arange(E, device=device)[None, :, None]
    ws = _Workspace(layer, tp, E, batch_size, dtype, device)
    ws.l1_kinds = (bool(plan.is_ne.any()), bool(plan.is_ne.all()))
    net.train()
    bar = tqdm(range(T), desc=desc, disable=not progress, leave=False)
    for epoch in bar:
        in_epoch = plan.epochs > epoch
        idx, valid, keep = _epoch_batches(rows, gens, in_epoch, steps_per_epoch, S_max,
                                          batch_size, net)
        stepped = in_epoch[None, :] & valid.any(2)  # (S_max, E): member e takes step s
        idx, valid, keep = idx.to(device), valid.to(device), keep.to(device)
        xb_all = Xt[members_axis if Xt.shape[0] > 1 else 0, idx]  # (S_max, E, B, d)
        yb_all = Yt[members_axis if Yt.shape[0] > 1 else 0, idx]
        col = min(epoch, plan.w_data.shape[1] - 1)
        stats.zero_()
        for step in range(S_max):
            active = stepped[step]
            if not bool(active.any()):
                continue
            active_dev = active.to(device)
            b_valid = valid[step] & active_dev[:, None]
            vb = None if vin_t is None else vin_t[idx[step]]
            V0, cache = net.forward_train(xb_all[step], keep[step])
            bal_d, bal_m = balancer.factors()
            grad_V0, step_stats = _loss_and_grad(V0, yb_all[step], vb, b_valid, tp, plan_dev, col,
                                                 bal_d, bal_m, layer, ws)
            net.backward_into(cache, grad_V0, adam.grads)
            adam.step(None, active)
            sums = step_stats.sum(2)  # (7, E)
            stats[step] = sums
            balancer.update(sums[1], sums[2], active_dev)
        _raise_if_diverged(epoch, stats.cpu(), stepped, plan, configs, members)
        done = in_epoch.numpy()
        totals = stats.double().sum(0).cpu() / n_rows.double()  # (7, E)
        for k, key in enumerate(_STATS[:6]):
            history[key][done, epoch] = totals[k].numpy()[done]
        history["w_data"][done, epoch] = plan.w_data[done, col].double().numpy()
        history["w_mech"][done, epoch] = plan.w_mech[done, col].double().numpy()
        bal_d, bal_m = (f.cpu() for f in balancer.factors())  # effective weights after the epoch
        history["weight_data"][done, epoch] = (plan.w_data[:, col] * plan.c * bal_d).double().numpy()[done]
        history["weight_mech"][done, epoch] = (plan.w_mech[:, col] * bal_m).double().numpy()[done]
        if progress:
            bar.set_postfix(data=f"{np.nanmean(history['data'][:, epoch]):.3g}",
                            mech=f"{np.nanmean(history['mechanistic'][:, epoch]):.3g}")
    bar.close()
    net.eval()
    return EnsembleFit(net, problem, members, history, mech_lr, mech_steps, mech_decay,
                       layer.kind, layer.steps if layer.kind == "projection" else 1)
