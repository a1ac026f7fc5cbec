"""One training step of the batched trainer: the loss terms and ``dLoss/dV0`` by hand.

The core (:func:`helpers.minn.core.train_one`) lets autograd differentiate the loss of
:cite:`tazza2025minn` (eq. 3-4) through the mechanistic layer; here the gradient is written out,
in the buffers of a :class:`Workspace` kept across the steps of a run (tested equal to the core).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..losses import LossPlan
from .descent import DescentWorkspace
from .projection import projection_backward, projection_forward

__all__ = ["STATS", "Layer", "Workspace", "data_loss_and_grad", "ensemble_layer", "loss_and_grad"]

#: Per-step statistics kept for the history and the divergence check (summed over a batch).
STATS = ("loss", "data", "mechanistic", "steady_state", "upper_bound", "positivity", "v0")


def data_loss_and_grad(pred: torch.Tensor, target: torch.Tensor, is_ne: torch.Tensor,
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
class Layer:
    """The mechanistic layer of an ensemble: the unrolled descent, the exact projection, or none
    (``V = V0``: the network alone, chapter ``10_beyond``'s ablation)."""

    kind: str
    lr: float = 0.01
    steps: int = 8
    decay: float = 0.9
    basis: torch.Tensor | None = None  # null-space basis N (projection only)


def ensemble_layer(configs, basis, mech_lr, mech_steps, mech_decay) -> Layer:
    """The one layer all members share (a ValueError names the members that disagree).

    ``basis()`` returns the null-space basis, called only for the projection layer.
    """
    kinds = {(c.layer, c.projection_steps if c.layer == "projection" else None) for c in configs}
    if len(kinds) > 1:
        raise ValueError(f"All members of an ensemble must share the mechanistic layer; got "
                         f"{sorted(kinds, key=str)} (train the layers in separate ensembles).")
    kind, steps = kinds.pop()
    if kind == "projection":
        return Layer(kind, steps=int(steps), basis=basis())
    return Layer(kind, mech_lr, int(mech_steps), mech_decay)


class Workspace:
    """Buffers of one training step, kept across the steps of a run (shapes are fixed: E x B)."""

    def __init__(self, layer: Layer, tp, E: int, B: int, dtype: torch.dtype,
                 device: torch.device) -> None:
        def empty(*shape):
            return torch.empty(*shape, dtype=dtype, device=device)

        cols = E * B
        self.layer, self.tp, self.batch = layer, tp, B
        self.descent = (DescentWorkspace(tp, cols, layer.steps, dtype, device)
                        if layer.kind == "unrolled" else None)
        self.V = empty(tp.n, cols) if self.descent is None else self.descent.V
        self.SV, self.SV2 = empty(tp.m, cols), empty(tp.m, cols)
        self.negative, self.grad = empty(tp.n, cols), empty(tp.n, cols)
        self.zero = torch.zeros((), dtype=dtype, device=device)
        self.l1_kinds: tuple[bool, bool] | None = None  # (any NE, all NE), set by the trainer
        self._masks = None

    def layer_forward(self, vin: torch.Tensor) -> torch.Tensor:
        """``V_K`` from ``V_0`` = :attr:`V` through the layer (keeps what the backward needs)."""
        layer = self.layer
        if self.descent is not None:
            return self.descent.forward_(vin, layer.lr, layer.decay)
        if layer.kind == "projection":
            VK, self._masks = projection_forward(self.V, layer.basis, self.tp, vin, layer.steps)
            return VK
        return self.V

    def layer_backward(self, grad: torch.Tensor) -> torch.Tensor:
        """``dL/dV_0`` from ``dL/dV_K`` (the descent works in place in ``grad``)."""
        layer = self.layer
        if self.descent is not None:
            return self.descent.backward_(grad, layer.lr, layer.decay)
        if layer.kind == "projection":
            return projection_backward(grad, layer.basis, self._masks)
        return grad


def loss_and_grad(V0: torch.Tensor, yb: torch.Tensor, vb: torch.Tensor | None,
                  valid: torch.Tensor, tp, plan: LossPlan, col: int, bal_d: torch.Tensor,
                  bal_m: torch.Tensor, ws: Workspace):
    """One training step's loss terms and ``dLoss/dV0``, by hand (no autograd graph).

    The loss of member ``e`` is ``sum_b valid[e, b] · (a_e · L1 + b_e · bound(L_mech))`` with
    ``a = w_data · c · balance_data`` and ``b = w_mech · balance_mech`` (:meth:`LossPlan.total`).
    Its gradient at ``V_K`` is ``a · P_ref^T dL1/dp + b · bound' · grad L_mech(V_K)``, where
    ``grad L_mech(V_K)`` reuses the product ``S V_K`` that the steady-state term needs; the
    layer is then reversed by :meth:`Workspace.layer_backward` (the unrolled descent by
    :meth:`~helpers.minn._engine.descent.DescentWorkspace.backward_`, in place; the projection by
    :func:`~helpers.minn._engine.projection.projection_backward`).

    Fluxes are column-wise, one column per sample, in the buffers of ``ws``. Returns
    ``(grad_V0 (E, B, n), stats (7, E, B))``, ``grad_V0`` a view of a buffer (valid until the
    next step); stats rows follow :data:`STATS`.
    """
    E, B, n = V0.shape
    ws.V.copy_(V0.view(E * B, n).T)  # (n, E·B): one column per sample
    if vb is None:
        vin = tp.v_in.reshape(-1, 1)
    else:
        vin = vb.reshape(E * B, tp.n_in).T.contiguous()
    VK = ws.layer_forward(vin)
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
    l1, d_l1 = data_loss_and_grad(pred, yb, plan.is_ne, ws.l1_kinds)
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
    grad_V0 = ws.layer_backward(grad_VK)
    stats = torch.stack([per_sample, l1, l_mech, steady.view(E, B), upper.view(E, B),
                         positivity.view(E, B), V0.sum(-1)])
    # the (E, B, n) view of the column layout, no copy: the network's products take it as a
    # transposed operand (as fast as a contiguous one, measured)
    return grad_V0.T.reshape(E, B, n), torch.where(valid, stats, zero)
