"""An exact steady-state layer: projection onto the null space of ``S``, then a few box steps.

The paper's mechanistic layer (:mod:`helpers.minn.mechanistic`) takes 8 momentum steps on
``L_mech`` and leaves ``||S V||^2 / m`` of order 1e-2 on the reduced iAF1260. This layer makes
steady state exact instead::

    P = I - S^T (S S^T)^+ S = N N^T          (N: orthonormal basis of null(S), n x k)
    V <- P V_0
    repeat `steps` times:  V <- P clip(V, 0, V_in)           (alternating projections)

It always ends on the null space, so ``S V = 0`` to round-off, whatever ``steps`` is; the clipping
steps pull ``V`` towards the box ``0 <= V``, ``P_in V <= V_in`` (von Neumann's alternating
projections between a subspace and a box converge to a point of their intersection when there is
one), and what is left of the box violation is still penalised by the positivity and upper-bound
terms of ``L_mech``. Our choice, said in chapter ``10_beyond``: alternating projections rather
than a differentiable QP layer, because each step costs two dense products with ``N`` and no
solver call, and its Jacobian is simply ``P`` times a 0/1 mask.

``S`` has rank < m (1007 of 1668 rows on the FVA-reduced iAF1260): ``N`` comes from the SVD
(:func:`scipy.linalg.null_space`), which handles the rank deficiency; it is computed once per
problem (a few seconds) and cached on it. Introduced in chapter ``10_beyond``.
"""

from __future__ import annotations

import numpy as np
import scipy.linalg
import torch
from torch import nn

from .problem import MechanisticProblem, TorchProblem

__all__ = ["null_space_basis", "projection_forward", "projection_backward", "project",
           "ProjectionLayer"]


def null_space_basis(problem: MechanisticProblem, dtype: torch.dtype = torch.float64,
                     device: str | torch.device = "cpu") -> torch.Tensor:
    """Orthonormal basis ``N`` (n x k) of the null space of ``problem.S`` (cached per problem).

    ``k = n - rank(S)``; the rank is decided by the SVD with scipy's default tolerance.
    """
    cache = problem._torch  # the problem's own cache of torch views (a mutable dict)
    key = ("null_space", dtype, str(device))
    if key not in cache:
        if ("null_space", "numpy") not in cache:
            cache[("null_space", "numpy")] = scipy.linalg.null_space(problem.S.toarray())
        basis = cache[("null_space", "numpy")]
        if basis.shape[1] == 0:
            raise ValueError(f"S of {problem!r} has full column rank: its null space is {{0}}, "
                             "so the only steady state is V = 0 and the projection is useless.")
        cache[key] = torch.as_tensor(np.ascontiguousarray(basis), dtype=dtype, device=device)
    return cache[key]


def _project_columns(Vt: torch.Tensor, N: torch.Tensor) -> torch.Tensor:
    """``N (N^T V)`` for column-layout ``Vt`` (n, cols)."""
    return N @ (N.T @ Vt)


def _clip(Vt: torch.Tensor, tp: TorchProblem, vin: torch.Tensor, keep_mask: bool):
    """Clip ``Vt`` to the box in place; return the mask of entries that were inside it."""
    inside = (Vt > 0) if keep_mask else None
    Vt.clamp_(min=0)
    if tp.n_in:
        bounded = Vt[tp.in_idx]
        if keep_mask:
            inside[tp.in_idx] &= bounded < vin
        Vt[tp.in_idx] = torch.minimum(bounded, vin)
    return inside


def projection_forward(Vt: torch.Tensor, N: torch.Tensor, tp: TorchProblem, vin: torch.Tensor,
                       steps: int, keep_masks: bool = True):
    """The layer on column-layout fluxes ``Vt`` (n, cols), without autograd.

    Returns ``(V, masks)``; ``masks`` (None unless ``keep_masks``) holds, per clipping step, the
    0/1 mask of the entries the clip left unchanged (what :func:`projection_backward` needs).
    """
    V = _project_columns(Vt, N)
    masks = []
    for _ in range(steps):
        inside = _clip(V, tp, vin, keep_masks)
        if keep_masks:
            masks.append(inside)
        V = _project_columns(V, N)
    return V, (masks if keep_masks else None)


def projection_backward(grad_out: torch.Tensor, N: torch.Tensor, masks) -> torch.Tensor:
    """Vector-Jacobian product of :func:`projection_forward` (``P`` is symmetric)."""
    grad = _project_columns(grad_out, N)
    for inside in reversed(masks):
        grad = _project_columns(grad * inside, N)
    return grad


class _Projection(torch.autograd.Function):
    @staticmethod
    def forward(ctx, V0t, vin, N, tp, steps):
        V, masks = projection_forward(V0t, N, tp, vin, steps, keep_masks=ctx.needs_input_grad[0])
        ctx.N, ctx.masks = N, masks
        return V

    @staticmethod
    def backward(ctx, grad_out):
        return projection_backward(grad_out.contiguous(), ctx.N, ctx.masks), None, None, None, None


def project(V0: torch.Tensor, problem: MechanisticProblem, v_in: torch.Tensor | None = None, *,
            steps: int = 2) -> torch.Tensor:
    """The exact steady-state layer on fluxes ``V0`` of shape ``(..., n)`` (differentiable).

    ``v_in`` overrides the upper bounds of the bounded fluxes: ``(n_in,)`` or ``(..., n_in)``.
    ``steps`` = number of clip-then-project steps after the first projection (0: plain ``P V0``).
    """
    from .mechanistic import _from_columns, _to_columns, _v_in_columns

    if steps < 0:
        raise ValueError(f"The 'steps' parameter must be >= 0. Got {steps!r} instead.")
    tp = problem.to_torch(V0.dtype, V0.device)
    N = null_space_basis(problem, V0.dtype, V0.device)
    Vt, lead = _to_columns(V0, tp.n)
    vin = _v_in_columns(v_in, tp, lead, Vt)
    return _from_columns(_Projection.apply(Vt, vin, N, tp, int(steps)), lead)


class ProjectionLayer(nn.Module):
    """The exact steady-state layer ``V_0 -> V`` (:func:`project`), no trainable weights."""

    def __init__(self, problem: MechanisticProblem, steps: int = 2) -> None:
        super().__init__()
        self.problem, self.steps = problem, int(steps)

    def forward(self, V0: torch.Tensor, v_in: torch.Tensor | None = None) -> torch.Tensor:
        return project(V0, self.problem, v_in, steps=self.steps)

    def extra_repr(self) -> str:
        return f"{self.problem!r}, steps={self.steps}"
