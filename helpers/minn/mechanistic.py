"""The mechanistic layer of MINN: unrolled gradient descent with momentum on ``L_mech``.

Implements eq. 2 of the MINN paper (Taz et al., see ``shared/docs/method-notes.md``)::

    L_mech(V) = ||S V||^2 / m + ||relu(P_in V - V_in)||^2 / n_in + ||relu(-V)||^2 / n
    grad      = (2/m) S^T S V + (2/n_in) P_in^T relu(P_in V - V_in) - (2/n) relu(-V)
    diff_0 = 0;  diff_{k+1} = decay * diff_k - lr * grad(V_k);  V_{k+1} = V_k + diff_{k+1}

``S`` stays a torch sparse CSR tensor; ``P_in`` is a row selection (indexing, never a matrix).
Everything is differentiable, so the loss on ``V_K`` trains the network that made ``V_0``.

Internally fluxes are kept *column-wise* (shape ``(n, N)``, one column per sample), so the sparse
products ``S @ V`` and ``S.T @ (S V)`` read contiguous rows; the public functions take the usual
``(..., n)`` layout. Introduced in chapter ``00_toy_example``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from .problem import MechanisticProblem, TorchProblem


@dataclass(frozen=True)
class MechanisticTerms:
    """The three parts of ``L_mech`` per sample (each of shape ``V.shape[:-1]``)."""

    steady_state: torch.Tensor  # ||S V||^2 / m   (the paper's "L2")
    upper_bound: torch.Tensor  # ||relu(P_in V - V_in)||^2 / n_in
    positivity: torch.Tensor  # ||relu(-V)||^2 / n

    @property
    def total(self) -> torch.Tensor:
        """``L_mech`` = the sum of the three terms."""
        return self.steady_state + self.upper_bound + self.positivity


# ----- column-layout kernels (n, N) ----------------------------------------------------------
class _SparseMatmul(torch.autograd.Function):
    """``A @ X`` for a constant sparse ``A`` whose transpose ``At`` is precomputed.

    PyTorch's own backward of a CSR product transposes (and re-sorts) ``A`` on every call; with
    ``At`` at hand the backward is one more sparse product.
    """

    @staticmethod
    def forward(ctx, A: torch.Tensor, At: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        ctx.At = At
        return A @ X

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        return None, None, ctx.At @ grad.contiguous()


def _spmm(A: torch.Tensor, At: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    if X.requires_grad:
        return _SparseMatmul.apply(A, At, X)
    return A @ X


def _to_columns(V: torch.Tensor, n: int) -> tuple[torch.Tensor, tuple[int, ...]]:
    if V.shape[-1] != n:
        raise ValueError(f"V must have {n} fluxes in its last dimension; got shape {tuple(V.shape)}.")
    lead = tuple(V.shape[:-1])
    return V.reshape(-1, n).T.contiguous(), lead


def _from_columns(Vt: torch.Tensor, lead: tuple[int, ...]) -> torch.Tensor:
    return Vt.T.reshape(*lead, Vt.shape[0])


def _v_in_columns(v_in: torch.Tensor | None, tp: TorchProblem, lead: tuple[int, ...],
                  like: torch.Tensor) -> torch.Tensor:
    """Upper bounds as (n_in, 1) (shared) or (n_in, N) (one column per sample)."""
    if v_in is None:
        return tp.v_in.to(like.dtype).reshape(-1, 1)
    v_in = torch.as_tensor(v_in, dtype=like.dtype, device=like.device)
    if v_in.dim() == 1:
        if v_in.shape[0] != tp.n_in:
            raise ValueError(f"v_in must have n_in={tp.n_in} entries; got {v_in.shape[0]}.")
        return v_in.reshape(-1, 1)
    if v_in.shape[-1] != tp.n_in:
        raise ValueError(f"v_in must have n_in={tp.n_in} entries in its last dimension; "
                         f"got shape {tuple(v_in.shape)}.")
    return v_in.expand(*lead, tp.n_in).reshape(-1, tp.n_in).T.contiguous()


def _terms_cols(Vt: torch.Tensor, tp: TorchProblem, vin: torch.Tensor):
    SV = _spmm(tp.S, tp.St, Vt)
    steady = SV.square().sum(0) / tp.m
    if tp.n_in:
        upper = torch.relu(Vt[tp.in_idx] - vin).square().sum(0) / tp.n_in
    else:
        upper = torch.zeros_like(steady)
    positivity = torch.relu(-Vt).square().sum(0) / tp.n
    return steady, upper, positivity


def _grad_cols(Vt: torch.Tensor, tp: TorchProblem, vin: torch.Tensor) -> torch.Tensor:
    grad = _spmm(tp.St, tp.S, _spmm(tp.S, tp.St, Vt)) * (2.0 / tp.m)
    if tp.n_in:
        excess = torch.relu(Vt[tp.in_idx] - vin) * (2.0 / tp.n_in)
        grad = grad.index_add(0, tp.in_idx, excess)
    return grad - torch.relu(-Vt) * (2.0 / tp.n)


def descent_forward(Vt: torch.Tensor, tp: TorchProblem, vin: torch.Tensor, lr: float,
                    steps: int, decay: float, keep_masks: bool = True):
    """The K momentum steps on column-layout fluxes ``Vt`` (n, N), without autograd.

    Returns ``(V_K, masks)``; ``masks`` (None unless ``keep_masks``) holds, per step, the 0/1
    masks of the active ReLUs that :func:`descent_backward` needs.
    """
    Vt = Vt.clone()
    diff = torch.zeros_like(Vt)
    neg_masks, in_masks = [], []
    a_s, a_in, a_n = -lr * 2.0 / tp.m, -lr * 2.0 / tp.n_in if tp.n_in else 0.0, -lr * 2.0 / tp.n
    for _ in range(steps):
        # diff <- decay diff - lr grad, with the three parts of grad folded in:
        diff.mul_(decay).add_(tp.St @ (tp.S @ Vt), alpha=a_s)
        if tp.n_in:
            excess = Vt[tp.in_idx] - vin
            diff.index_add_(0, tp.in_idx, excess.clamp_min(0), alpha=a_in)
            if keep_masks:
                in_masks.append(excess > 0)
        diff.add_(Vt.clamp_max(0), alpha=a_n)  # -(2/n) relu(-V) = (2/n) min(V, 0)
        if keep_masks:
            neg_masks.append(Vt < 0)
        Vt.add_(diff)
    return Vt, ((neg_masks, in_masks) if keep_masks else None)


def descent_backward(grad_out: torch.Tensor, tp: TorchProblem, lr: float, decay: float,
                     masks) -> torch.Tensor:
    """Vector-Jacobian product of :func:`descent_forward`: ``dL/dV_0`` from ``dL/dV_K``.

    Reverse mode through ``d_{k+1} = decay d_k - lr g(V_k)``, ``V_{k+1} = V_k + d_{k+1}`` needs
    only the Jacobian of the gradient, ``J(V) = (2/m) S^T S + (2/n_in) P_in^T D_in P_in
    + (2/n) D_neg`` (symmetric; ``D`` are the 0/1 masks of the active ReLUs)::

        dbar <- decay * dbar + Vbar;   Vbar <- Vbar - lr * J(V_k) dbar      (k = K-1, ..., 0)
    """
    neg_masks, in_masks = masks
    a_s, a_n = -lr * 2.0 / tp.m, -lr * 2.0 / tp.n
    Vbar = grad_out.clone()
    dbar = torch.zeros_like(Vbar)
    for k in reversed(range(len(neg_masks))):
        dbar.mul_(decay).add_(Vbar)
        Vbar.add_(tp.St @ (tp.S @ dbar), alpha=a_s)
        if tp.n_in:
            Vbar.index_add_(0, tp.in_idx, dbar[tp.in_idx] * in_masks[k], alpha=-lr * 2.0 / tp.n_in)
        Vbar.add_(torch.where(neg_masks[k], dbar, 0.0), alpha=a_n)
    return Vbar


class DescentWorkspace:
    """Persistent buffers of the unrolled layer for one shape ``(n, cols)`` (a training step).

    :meth:`forward_` and :meth:`backward_` compute what :func:`descent_forward` and
    :func:`descent_backward` compute, with the same operations in the same order (the same
    numbers, tested), but in place, in buffers kept across the steps of a training run:

    - sparse products as ``torch.addmm(out, A, X, beta=0, out=out)``, which skips the zero-fill
      and the copy of a fresh ``A @ X`` (~100 -> ~70 us on the FVA-reduced iAF1260, 25 columns);
    - the ReLU masks as 0/1 floats written by ``torch.lt(..., out=)``, so the backward forms
      ``D_neg dbar`` by a multiplication into a buffer instead of a ``torch.where`` with a
      scalar (measured ~190 -> ~20 us on (1873, 25)), and no mask is allocated at any step.
    """

    def __init__(self, tp: TorchProblem, cols: int, steps: int, dtype: torch.dtype,
                 device: torch.device | str = "cpu") -> None:
        def empty(*shape):
            return torch.empty(*shape, dtype=dtype, device=device)

        self.tp, self.cols, self.steps = tp, int(cols), int(steps)
        self.V, self.diff, self.tmp = empty(tp.n, cols), empty(tp.n, cols), empty(tp.n, cols)
        self.SV = empty(tp.m, cols)
        self.neg = empty(steps, tp.n, cols)  # 0/1: V_k < 0
        self.inside = empty(steps, tp.n_in, cols) if tp.n_in else None  # 0/1: P_in V_k > V_in

    def _gram(self, X: torch.Tensor) -> torch.Tensor:
        """``S^T (S X)`` into :attr:`tmp` (``S X`` stays in :attr:`SV`)."""
        tp = self.tp
        torch.addmm(self.SV, tp.S, X, beta=0, out=self.SV)
        return torch.addmm(self.tmp, tp.St, self.SV, beta=0, out=self.tmp)

    def forward_(self, vin: torch.Tensor, lr: float, decay: float) -> torch.Tensor:
        """The K steps from ``V_0`` = :attr:`V` (written by the caller), in place; returns
        :attr:`V` (= ``V_K``) and keeps the masks for :meth:`backward_`."""
        tp, V, diff, tmp = self.tp, self.V, self.diff, self.tmp
        a_s, a_n = -lr * 2.0 / tp.m, -lr * 2.0 / tp.n
        a_in = -lr * 2.0 / tp.n_in if tp.n_in else 0.0
        diff.zero_()
        for k in range(self.steps):
            diff.mul_(decay).add_(self._gram(V), alpha=a_s)
            if tp.n_in:
                excess = V[tp.in_idx] - vin
                diff.index_add_(0, tp.in_idx, excess.clamp_min(0), alpha=a_in)
                torch.gt(excess, 0, out=self.inside[k])
            diff.add_(torch.clamp_max(V, 0, out=tmp), alpha=a_n)
            torch.lt(V, 0, out=self.neg[k])
            V.add_(diff)
        return V

    def backward_(self, grad: torch.Tensor, lr: float, decay: float) -> torch.Tensor:
        """``dL/dV_0`` from ``dL/dV_K`` = ``grad`` (n, cols), computed in place in ``grad``."""
        tp, Vbar, dbar = self.tp, grad, self.diff
        a_s, a_n = -lr * 2.0 / tp.m, -lr * 2.0 / tp.n
        dbar.zero_()
        for k in reversed(range(self.steps)):
            dbar.mul_(decay).add_(Vbar)
            Vbar.add_(self._gram(dbar), alpha=a_s)
            if tp.n_in:
                Vbar.index_add_(0, tp.in_idx, dbar[tp.in_idx] * self.inside[k],
                                alpha=-lr * 2.0 / tp.n_in)
            # D_neg dbar, then one add: the same rounding as adding where(V_k < 0, dbar, 0)
            # (an ``addcmul_`` would fuse the multiply-add and round differently)
            Vbar.add_(torch.mul(dbar, self.neg[k], out=self.tmp), alpha=a_n)
        return Vbar


class _UnrolledDescent(torch.autograd.Function):
    """The K momentum steps as one autograd node (:func:`descent_forward` /
    :func:`descent_backward`): two boolean masks per step are kept instead of every
    intermediate tensor. Same numbers as autograd through the plain loop (tested).
    """

    @staticmethod
    def forward(ctx, V0t, vin, tp, lr, steps, decay):
        Vt, masks = descent_forward(V0t, tp, vin, lr, steps, decay,
                                    keep_masks=ctx.needs_input_grad[0])
        ctx.tp, ctx.lr, ctx.decay, ctx.masks = tp, lr, decay, masks
        return Vt

    @staticmethod
    def backward(ctx, grad_out):
        grad = descent_backward(grad_out.contiguous(), ctx.tp, ctx.lr, ctx.decay, ctx.masks)
        return grad, None, None, None, None, None


def _as_torch_problem(problem: MechanisticProblem | TorchProblem, like: torch.Tensor) -> TorchProblem:
    if isinstance(problem, TorchProblem):
        return problem
    return problem.to_torch(like.dtype, like.device)


# ----- public functions ----------------------------------------------------------------------
def mechanistic_terms(V: torch.Tensor, problem: MechanisticProblem | TorchProblem,
                      v_in: torch.Tensor | None = None) -> MechanisticTerms:
    """The three terms of ``L_mech`` for fluxes ``V`` of shape ``(..., n)``.

    ``v_in`` overrides the problem's upper bounds: shape ``(n_in,)`` or ``(..., n_in)``.
    """
    tp = _as_torch_problem(problem, V)
    Vt, lead = _to_columns(V, tp.n)
    vin = _v_in_columns(v_in, tp, lead, Vt)
    steady, upper, positivity = _terms_cols(Vt, tp, vin)
    return MechanisticTerms(steady.reshape(lead), upper.reshape(lead), positivity.reshape(lead))


def mechanistic_loss(V: torch.Tensor, problem: MechanisticProblem | TorchProblem,
                     v_in: torch.Tensor | None = None) -> torch.Tensor:
    """``L_mech(V)`` per sample (shape ``V.shape[:-1]``)."""
    return mechanistic_terms(V, problem, v_in).total


def mechanistic_gradient(V: torch.Tensor, problem: MechanisticProblem | TorchProblem,
                         v_in: torch.Tensor | None = None) -> torch.Tensor:
    """Analytic gradient of ``L_mech`` with respect to ``V`` (same shape as ``V``).

    ``(2/m) S^T S V + (2/n_in) P_in^T relu(P_in V - V_in) - (2/n) relu(-V)``.
    """
    tp = _as_torch_problem(problem, V)
    Vt, lead = _to_columns(V, tp.n)
    vin = _v_in_columns(v_in, tp, lead, Vt)
    return _from_columns(_grad_cols(Vt, tp, vin), lead)


def unroll(V0: torch.Tensor, problem: MechanisticProblem | TorchProblem,
           v_in: torch.Tensor | None = None, *, lr: float = 0.01, steps: int = 8,
           decay: float = 0.9, return_trajectory: bool = False):
    """Run ``steps`` momentum gradient steps on ``L_mech`` from ``V0`` (shape ``(..., n)``).

    Returns ``V_K`` (same shape), or the list ``[V_0, ..., V_K]`` if ``return_trajectory``.
    Differentiable with respect to ``V0``: by a hand-written backward (:class:`_UnrolledDescent`)
    when only ``V_K`` is asked for, by autograd through the plain loop otherwise (also when
    ``v_in`` requires grad).
    """
    if steps < 0:
        raise ValueError(f"The 'steps' parameter must be >= 0. Got {steps!r} instead.")
    tp = _as_torch_problem(problem, V0)
    Vt, lead = _to_columns(V0, tp.n)
    vin = _v_in_columns(v_in, tp, lead, Vt)
    if not return_trajectory and not vin.requires_grad:
        return _from_columns(_UnrolledDescent.apply(Vt, vin, tp, lr, steps, decay), lead)
    trajectory = [V0]
    diff = torch.zeros_like(Vt)
    for _ in range(steps):
        diff = decay * diff - lr * _grad_cols(Vt, tp, vin)
        Vt = Vt + diff
        trajectory.append(_from_columns(Vt, lead))
    return trajectory if return_trajectory else trajectory[-1]


class MechanisticLayer(nn.Module):
    """The MINN mechanistic layer: ``V_0 -> V_K`` by :func:`unroll` (no trainable weights).

    Parameters
    ----------
    problem : MechanisticProblem
    lr, steps, decay : float, int, float
        Step size, number of unrolled steps and momentum (release defaults 0.01, 8, 0.9).

    Examples
    --------
    >>> layer = MechanisticLayer(problem)          # doctest: +SKIP
    >>> V = layer(V0)                              # doctest: +SKIP
    """

    def __init__(self, problem: MechanisticProblem, lr: float = 0.01, steps: int = 8,
                 decay: float = 0.9) -> None:
        super().__init__()
        self.problem = problem
        self.lr, self.steps, self.decay = float(lr), int(steps), float(decay)

    def forward(self, V0: torch.Tensor, v_in: torch.Tensor | None = None) -> torch.Tensor:
        return unroll(V0, self.problem, v_in, lr=self.lr, steps=self.steps, decay=self.decay)

    def extra_repr(self) -> str:
        return f"{self.problem!r}, lr={self.lr}, steps={self.steps}, decay={self.decay}"
