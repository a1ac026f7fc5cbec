"""The null-space projection layer with a hand-written backward (one autograd node).

The maths is :func:`helpers.minn.core.projection` (the exact steady-state layer of chapter
``10_beyond``); this computes the same forward numbers and keeps, per clipping step, one 0/1
mask instead of the autograd graph. Fluxes are column-wise, ``(n, cols)``.
"""

from __future__ import annotations

import torch

from ..core import clip_to_box, project_columns
from ..problem import TorchProblem

__all__ = ["Projection", "projection_backward", "projection_forward"]


def projection_forward(Vt: torch.Tensor, N: torch.Tensor, tp: TorchProblem, vin: torch.Tensor,
                       steps: int, keep_masks: bool = True):
    """The layer on column-layout fluxes ``Vt`` (n, cols), without autograd.

    Returns ``(V, masks)``; ``masks`` (None unless ``keep_masks``) holds, per clipping step, the
    0/1 mask of the entries the clip left unchanged (what :func:`projection_backward` needs).
    """
    V = project_columns(Vt, N)
    masks = []
    for _ in range(steps):
        inside = (V > 0) if keep_masks else None
        if keep_masks and tp.n_in:
            inside[tp.in_idx] &= V[tp.in_idx] < vin
        V = clip_to_box(V, tp, vin)
        if keep_masks:
            masks.append(inside)
        V = project_columns(V, N)
    return V, (masks if keep_masks else None)


def projection_backward(grad_out: torch.Tensor, N: torch.Tensor, masks) -> torch.Tensor:
    """Vector-Jacobian product of :func:`projection_forward` (``P`` is symmetric)."""
    grad = project_columns(grad_out, N)
    for inside in reversed(masks):
        grad = project_columns(grad * inside, N)
    return grad


class Projection(torch.autograd.Function):
    """``Projection.apply(V0t, vin, N, tp, steps)``: :func:`projection_forward` as one node."""

    @staticmethod
    def forward(ctx, V0t, vin, N, tp, steps):
        V, masks = projection_forward(V0t, N, tp, vin, steps, keep_masks=ctx.needs_input_grad[0])
        ctx.N, ctx.masks = N, masks
        return V

    @staticmethod
    def backward(ctx, grad_out):
        return projection_backward(grad_out.contiguous(), ctx.N, ctx.masks), None, None, None, None
