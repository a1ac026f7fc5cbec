"""The unrolled momentum descent, fast: in place, in persistent buffers, with a hand-written backward.

The maths is :func:`helpers.minn.core.descent` (eq. 2 of :cite:`tazza2025minn`); this module
computes the same numbers (tested against the core, forward and gradient) without an autograd
graph of the K steps:

- :class:`DescentWorkspace` runs the K steps in buffers kept across the steps of a training run,
  and reverses them by the vector-Jacobian product of the descent;
- :class:`UnrolledDescent` wraps one workspace per call as a single autograd node (behind
  :func:`helpers.minn.unroll`): per step it keeps two 0/1 masks instead of every intermediate.

Fluxes are column-wise, ``(n, cols)``, one column per sample.
"""

from __future__ import annotations

import torch

from ..problem import TorchProblem

__all__ = ["DescentWorkspace", "UnrolledDescent"]


class DescentWorkspace:
    """Persistent buffers of the unrolled layer for one shape ``(n, cols)`` (a training step).

    :meth:`forward_` and :meth:`backward_` work in place, in buffers kept across calls:

    - sparse products as ``torch.addmm(out, A, X, beta=0, out=out)``, which skips the zero-fill
      and the copy of a fresh ``A @ X`` (~100 -> ~70 us on the FVA-reduced iAF1260, 25 columns);
    - the ReLU masks as 0/1 floats written by ``torch.lt(..., out=)``, so the backward forms
      ``D_neg dbar`` by a multiplication into a buffer instead of a ``torch.where`` with a
      scalar (measured ~190 -> ~20 us on (1873, 25)), and no mask is allocated at any step.

    ``keep_masks=False`` (prediction) skips the masks: :meth:`backward_` is then unavailable.
    """

    def __init__(self, tp: TorchProblem, cols: int, steps: int, dtype: torch.dtype,
                 device: torch.device | str = "cpu", keep_masks: bool = True) -> None:
        def empty(*shape):
            return torch.empty(*shape, dtype=dtype, device=device)

        self.tp, self.cols, self.steps = tp, int(cols), int(steps)
        self.V, self.diff, self.tmp = empty(tp.n, cols), empty(tp.n, cols), empty(tp.n, cols)
        self.SV = empty(tp.m, cols)
        self.keep_masks = bool(keep_masks)
        self.neg = empty(steps, tp.n, cols) if keep_masks else None  # 0/1: V_k < 0
        # 0/1: P_in V_k > V_in
        self.inside = empty(steps, tp.n_in, cols) if tp.n_in and keep_masks else None

    def _gram(self, X: torch.Tensor) -> torch.Tensor:
        """``S^T (S X)`` into :attr:`tmp` (``S X`` stays in :attr:`SV`)."""
        tp = self.tp
        torch.addmm(self.SV, tp.S, X, beta=0, out=self.SV)
        return torch.addmm(self.tmp, tp.St, self.SV, beta=0, out=self.tmp)

    def forward_(self, vin: torch.Tensor, lr: float, decay: float) -> torch.Tensor:
        """The K steps from ``V_0`` = :attr:`V` (written by the caller), in place; returns
        :attr:`V` (= ``V_K``) and keeps the masks for :meth:`backward_`.

        ``diff <- decay diff - lr grad`` with the three parts of the gradient folded in, and
        ``-(2/n) relu(-V) = (2/n) min(V, 0)``.
        """
        tp, V, diff, tmp = self.tp, self.V, self.diff, self.tmp
        a_s, a_n = -lr * 2.0 / tp.m, -lr * 2.0 / tp.n
        a_in = -lr * 2.0 / tp.n_in if tp.n_in else 0.0
        diff.zero_()
        for k in range(self.steps):
            diff.mul_(decay).add_(self._gram(V), alpha=a_s)
            if tp.n_in:
                excess = V[tp.in_idx] - vin
                diff.index_add_(0, tp.in_idx, excess.clamp_min(0), alpha=a_in)
                if self.keep_masks:
                    torch.gt(excess, 0, out=self.inside[k])
            diff.add_(torch.clamp_max(V, 0, out=tmp), alpha=a_n)
            if self.keep_masks:
                torch.lt(V, 0, out=self.neg[k])
            V.add_(diff)
        return V

    def backward_(self, grad: torch.Tensor, lr: float, decay: float) -> torch.Tensor:
        """``dL/dV_0`` from ``dL/dV_K`` = ``grad`` (n, cols), computed in place in ``grad``.

        Reverse mode through ``d_{k+1} = decay d_k - lr g(V_k)``, ``V_{k+1} = V_k + d_{k+1}``
        needs only the Jacobian of the gradient, ``J(V) = (2/m) S^T S + (2/n_in) P_in^T D_in P_in
        + (2/n) D_neg`` (symmetric; ``D`` are the 0/1 masks of the active ReLUs)::

            dbar <- decay * dbar + Vbar;   Vbar <- Vbar - lr * J(V_k) dbar      (k = K-1, ..., 0)
        """
        if not self.keep_masks:
            raise RuntimeError("This DescentWorkspace was built with keep_masks=False: "
                               "it has no masks to reverse the descent.")
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


class UnrolledDescent(torch.autograd.Function):
    """The K momentum steps as one autograd node, on column-layout ``V0t`` (n, cols).

    ``UnrolledDescent.apply(V0t, vin, tp, lr, steps, decay)`` returns ``V_K``; the backward is
    :meth:`DescentWorkspace.backward_`. Masks are kept only when ``V0t`` needs a gradient.
    """

    @staticmethod
    def forward(ctx, V0t, vin, tp, lr, steps, decay):
        ws = DescentWorkspace(tp, V0t.shape[1], steps, V0t.dtype, V0t.device,
                              keep_masks=ctx.needs_input_grad[0])
        ws.V.copy_(V0t)
        ctx.ws, ctx.lr, ctx.decay = ws, lr, decay
        return ws.forward_(vin, lr, decay)

    @staticmethod
    def backward(ctx, grad_out):
        grad = grad_out.clone(memory_format=torch.contiguous_format)
        return ctx.ws.backward_(grad, ctx.lr, ctx.decay), None, None, None, None, None
