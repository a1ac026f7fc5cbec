"""Adam over the stacked weights of an ensemble: each member its own ``torch.optim.Adam``.

An ensemble step must update member ``e`` exactly as training it alone would (the core's
:func:`helpers.minn.core.train_one` uses one ``torch.optim.Adam``); tested against one
``torch.optim.Adam`` per member.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

__all__ = ["EnsembleAdam"]


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
