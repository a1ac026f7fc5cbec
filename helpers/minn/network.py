"""The network part of MINN as an *ensemble*: E one-hidden-layer MLPs with stacked weights.

Eq. 1 of the MINN paper: ``V0 = W2 · dropout(relu(W1 · x + b1)) + b2``. The weights carry a
leading ensemble dimension ``E``; the forward pass is two batched matrix products
(:func:`torch.baddbmm`), so E independent models cost one tensor program. ``E = 1`` is a single
model. Members may have different hidden sizes (padded with zero units that never change) and
different dropout rates. Every member is initialised from its own seed, exactly as if it were
trained alone, so an ensemble reproduces separate runs.

Introduced in chapter ``00_toy_example``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn


def _per_member(value, E: int, name: str, cast=float) -> list:
    if isinstance(value, (list, tuple)) or (hasattr(value, "__len__") and not isinstance(value, str)):
        values = [cast(v) for v in value]
        if len(values) != E:
            raise ValueError(f"The {name!r} parameter needs one value per member (E={E}); "
                             f"got {len(values)}.")
        return values
    return [cast(value)] * E


class EnsembleMLP(nn.Module):
    """E independent MLPs ``d_in -> hidden -> n_out`` with ReLU and dropout, stacked.

    Parameters
    ----------
    d_in, n_out : int
        Input size and output size (one value per split reaction).
    hidden : int or sequence of int
        Hidden size, shared or one per member (padded to the largest with inert zero units).
    dropout : float or sequence of float
        Dropout rate after the ReLU, shared or one per member.
    seeds : sequence of int
        One seed per member; its length sets ``E``. Member ``e`` is initialised with
        ``torch.Generator().manual_seed(seeds[e])`` like :class:`torch.nn.Linear`
        (``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` for weights and biases).
    dtype : torch.dtype
    input_groups : sequence of sequences of int, optional
        Intermediate fusion (chapter ``10_beyond``): the input columns of each omics. Each member's
        hidden units are split into ``len(input_groups)`` contiguous blocks, block ``g`` sees only
        the columns of group ``g`` (one encoder per omics, initialised like a
        :class:`torch.nn.Linear` of that group's width) and the head reads them all. The other
        weights of ``W1`` start at zero and their gradient is masked, so they stay zero.
        None (default): every unit sees every input (early fusion, the paper's network).
    """

    def __init__(self, d_in: int, n_out: int, hidden: int | Sequence[int] = 250,
                 dropout: float | Sequence[float] = 0.25, seeds: Sequence[int] = (0,),
                 dtype: torch.dtype = torch.float32,
                 input_groups: Sequence[Sequence[int]] | None = None) -> None:
        super().__init__()
        seeds = [int(s) for s in seeds]
        E = len(seeds)
        if E == 0:
            raise ValueError("The 'seeds' parameter must name at least one member.")
        self.hidden_sizes = _per_member(hidden, E, "hidden", int)
        self.dropout_rates = _per_member(dropout, E, "dropout", float)
        for p in self.dropout_rates:
            if not 0.0 <= p < 1.0:
                raise ValueError(f"The 'dropout' parameter must be in [0, 1). Got {p!r} instead.")
        self.d_in, self.n_out, self.seeds = int(d_in), int(n_out), seeds
        H = max(self.hidden_sizes)
        W1 = torch.zeros(E, d_in, H, dtype=dtype)
        b1 = torch.zeros(E, 1, H, dtype=dtype)
        W2 = torch.zeros(E, H, n_out, dtype=dtype)
        b2 = torch.zeros(E, 1, n_out, dtype=dtype)
        mask = torch.zeros(E, 1, H, dtype=dtype)
        w1_mask = None if input_groups is None else torch.zeros(E, d_in, H, dtype=dtype)
        for e, (seed, h) in enumerate(zip(seeds, self.hidden_sizes, strict=True)):
            g = torch.Generator().manual_seed(seed)
            a1, a2 = 1.0 / math.sqrt(d_in), 1.0 / math.sqrt(h)
            if w1_mask is not None:
                block, a1 = self._group_blocks(input_groups, d_in, h, dtype)
                w1_mask[e, :, :h] = block
            W1[e, :, :h] = (torch.rand(d_in, h, generator=g, dtype=torch.float64) * 2 - 1) * a1
            b1[e, 0, :h] = ((torch.rand(h, generator=g, dtype=torch.float64) * 2 - 1)
                            * (a1 if w1_mask is None else a1.amax(0)))
            W2[e, :h] = (torch.rand(h, n_out, generator=g, dtype=torch.float64) * 2 - 1) * a2
            b2[e, 0] = (torch.rand(n_out, generator=g, dtype=torch.float64) * 2 - 1) * a2
            mask[e, 0, :h] = 1.0
        self.W1, self.b1 = nn.Parameter(W1), nn.Parameter(b1)
        self.W2, self.b2 = nn.Parameter(W2), nn.Parameter(b2)
        if w1_mask is not None:
            W1 *= w1_mask
        self.register_buffer("hidden_mask", mask)
        self.register_buffer("w1_mask", w1_mask)
        self.input_groups = None if input_groups is None else [list(map(int, c))
                                                               for c in input_groups]
        self.register_buffer("keep", 1.0 - torch.tensor(self.dropout_rates, dtype=dtype))

    @staticmethod
    def _group_blocks(groups, d_in: int, h: int, dtype):
        """0/1 mask (d_in, h) of one member and its init scale ``1/sqrt(|group|)`` per weight."""
        groups = [sorted({int(c) for c in cols}) for cols in groups]
        if not groups or any(not cols for cols in groups):
            raise ValueError("The 'input_groups' parameter needs at least one non-empty group.")
        flat = [c for cols in groups for c in cols]
        if min(flat) < 0 or max(flat) >= d_in or len(flat) != len(set(flat)):
            raise ValueError(f"The 'input_groups' must be disjoint column indices in [0, {d_in}).")
        if h < len(groups):
            raise ValueError(f"{len(groups)} input groups need at least as many hidden units; "
                             f"a member has {h}.")
        block = torch.zeros(d_in, h, dtype=dtype)
        scale = torch.zeros(d_in, h, dtype=torch.float64)
        for k, cols in enumerate(groups):
            units = slice(k * h // len(groups), (k + 1) * h // len(groups))
            block[cols, units] = 1.0
            scale[cols, units] = 1.0 / math.sqrt(len(cols))
        return block, scale

    @property
    def n_members(self) -> int:
        """Number of members ``E``."""
        return len(self.seeds)

    def hidden(self, x: torch.Tensor) -> torch.Tensor:
        """``relu(W1 x + b1)`` for ``x`` of shape (E, B, d_in) -> (E, B, H)."""
        return torch.relu(torch.baddbmm(self.b1, x, self.W1)) * self.hidden_mask

    def forward(self, x: torch.Tensor, dropout_mask: torch.Tensor | None = None) -> torch.Tensor:
        """``V0`` of shape (E, B, n_out) for inputs ``x`` of shape (E, B, d_in) or (B, d_in).

        In training mode, ``dropout_mask`` (E, B, H, 1 = keep) comes from the trainer's
        per-member generators; without one the global torch RNG draws it.
        """
        if x.dim() == 2:
            x = x.unsqueeze(0).expand(self.n_members, -1, -1)
        if x.shape[0] != self.n_members or x.shape[-1] != self.d_in:
            raise ValueError(f"x must have shape (E={self.n_members}, B, d_in={self.d_in}); "
                             f"got {tuple(x.shape)}.")
        h = self.hidden(x)
        if self.training:
            keep = self.keep.view(-1, 1, 1)
            if dropout_mask is None:
                dropout_mask = torch.rand_like(h) < keep
            h = h * dropout_mask / keep
        return torch.baddbmm(self.b2, h, self.W2)

    # ----- training path with a hand-written backward -------------------------------------
    @torch.no_grad()
    def forward_train(self, x: torch.Tensor, dropout_mask: torch.Tensor) -> tuple[torch.Tensor, tuple]:
        """Training forward pass for :meth:`backward_into` (no autograd graph).

        Returns ``V0`` (E, B, n_out) and a cache. ``dropout_mask`` (E, B, H) is 1 = keep.
        """
        z1 = torch.baddbmm(self.b1, x, self.W1)
        scale = (z1 > 0) * self.hidden_mask * dropout_mask / self.keep.view(-1, 1, 1)
        hidden = z1 * scale  # relu, padding mask and inverted dropout in one product
        return torch.baddbmm(self.b2, hidden, self.W2), (x, scale, hidden)

    @torch.no_grad()
    def backward_into(self, cache: tuple, grad_V0: torch.Tensor,
                      out: Sequence[torch.Tensor]) -> Sequence[torch.Tensor]:
        """Gradients of ``(W1, b1, W2, b2)`` given ``dL/dV0``, written into the buffers ``out``.

        Same values as autograd through :meth:`forward` (tested). Writing into persistent buffers
        matters on CPU: a fresh E x H x n gradient every step costs page faults that made the
        ``W2`` gradient ~7x slower than the product itself.
        """
        x, scale, hidden = cache
        gW1, gb1, gW2, gb2 = out
        torch.bmm(hidden.transpose(1, 2).contiguous(), grad_V0, out=gW2)
        torch.sum(grad_V0, dim=1, keepdim=True, out=gb2)
        grad_z1 = torch.bmm(grad_V0, self.W2.transpose(1, 2)).mul_(scale)
        torch.bmm(x.transpose(1, 2).contiguous(), grad_z1, out=gW1)
        if self.w1_mask is not None:
            gW1.mul_(self.w1_mask)  # intermediate fusion: cross-omics weights stay zero
        torch.sum(grad_z1, dim=1, keepdim=True, out=gb1)
        return out

    def extra_repr(self) -> str:
        groups = "" if self.input_groups is None else f", input_groups={len(self.input_groups)}"
        return (f"E={self.n_members}, d_in={self.d_in}, hidden={self.hidden_sizes}, "
                f"n_out={self.n_out}, dropout={self.dropout_rates}{groups}")
