"""MINN training losses: data loss (NE / MSE), c-weighting, bound, balancing and scheduler.

Eq. 3-4 of the MINN paper: ``L = c · L1(P_ref V, V_ref) + L_mech(V)``, summed over the mini-batch,
with the variants of Table 3 (see :mod:`helpers.minn.config`). Everything is vectorised over an
ensemble: :class:`LossPlan` turns one :class:`~helpers.minn.config.MinnConfig` per member into
tensors, so members with different variants, ``c`` or schedules train in one program.

Introduced in chapter ``00_toy_example``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from .config import MinnConfig


def normalized_error(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """NE per sample: ``||target - pred|| / ||target||`` over the last axis (0 if ``target`` = 0)."""
    err = torch.linalg.vector_norm(target - pred, dim=-1)
    norm = torch.linalg.vector_norm(target, dim=-1)
    safe = torch.where(norm > 0, norm, torch.ones_like(norm))
    return torch.where(norm > 0, err / safe, torch.zeros_like(err))


def mse(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """MSE per sample: ``||target - pred||^2 / n_ref`` over the last axis."""
    return (target - pred).square().mean(-1)


def data_loss(pred: torch.Tensor, target: torch.Tensor, kind: str = "ne") -> torch.Tensor:
    """``L1`` per sample, ``kind`` in {'ne', 'mse'}."""
    if kind == "ne":
        return normalized_error(pred, target)
    if kind == "mse":
        return mse(pred, target)
    raise ValueError(f"The 'kind' parameter must be one of ['ne', 'mse']. Got {kind!r} instead.")


def bounded(loss: torch.Tensor, threshold: torch.Tensor | float, slope: torch.Tensor | float = 2.0
            ) -> torch.Tensor:
    """Bound penalty: ``loss`` below ``threshold`` b, ``b + slope · (loss - b)`` above (inf = off)."""
    threshold = torch.as_tensor(threshold, dtype=loss.dtype, device=loss.device)
    slope = torch.as_tensor(slope, dtype=loss.dtype, device=loss.device)
    above = loss >= threshold
    safe_b = torch.where(torch.isfinite(threshold), threshold, torch.zeros_like(threshold))
    return torch.where(above, safe_b + slope * (loss - safe_b), loss)


def loss_weights(config: MinnConfig, data_weight: float | None = None,
                 epochs: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per-epoch weights ``(w_data, w_mech)`` of the data and mechanistic losses.

    Without the scheduler both are 1 (``w_mech`` = 0 for the divided loss). With it, three
    phases (release defaults 30 / 40 / 80 epochs): ``w_data`` = 0.1 (90 % mechanistic), then a
    linear ramp from 0.1 to ``w`` over phase 2, then ``w``; ``w_mech = 1 - w_data``. Epochs beyond
    the phases keep the last weights.
    """
    epochs = config.epochs if epochs is None else int(epochs)
    if not config.scheduler:
        w_d = np.ones(epochs)
        w_m = np.ones(epochs) if config.mechanistic_in_loss else np.zeros(epochs)
        return w_d, w_m
    w = config.data_weight if data_weight is None else float(data_weight)
    p1, p2, _ = config.scheduler_phases
    start = config.scheduler_start
    t = np.arange(epochs)
    ramp = start + (w - start) * (t - p1) / max(p2, 1)
    w_d = np.where(t < p1, start, np.where(t < p1 + p2, ramp, w))
    w_m = 1.0 - w_d if config.mechanistic_in_loss else np.zeros(epochs)
    return w_d, w_m


@dataclass
class LossPlan:
    """The loss of every ensemble member as tensors (built by :meth:`from_configs`).

    Shapes: ``(E,)`` per member, ``(E, T)`` per member and epoch (T = the longest run).
    """

    is_ne: torch.Tensor
    c: torch.Tensor
    bound: torch.Tensor
    slope: torch.Tensor
    balancing: torch.Tensor
    alpha: torch.Tensor
    w_data: torch.Tensor
    w_mech: torch.Tensor
    epochs: torch.Tensor

    @classmethod
    def from_configs(cls, configs: Sequence[MinnConfig], c: Sequence[float | None] | None = None,
                     data_weight: Sequence[float | None] | None = None,
                     epochs: Sequence[int | None] | None = None,
                     dtype: torch.dtype = torch.float32) -> LossPlan:
        """One config per member; ``c``, ``data_weight``, ``epochs`` override per member (None = keep)."""
        E = len(configs)
        c = list(c) if c is not None else [None] * E
        data_weight = list(data_weight) if data_weight is not None else [None] * E
        epochs = list(epochs) if epochs is not None else [None] * E
        runs = [cfg.epochs if ep is None else int(ep) for cfg, ep in zip(configs, epochs, strict=True)]
        T = max(runs)
        w_d = np.zeros((E, T))
        w_m = np.zeros((E, T))
        for e, (cfg, w, ep) in enumerate(zip(configs, data_weight, runs, strict=True)):
            d, m = loss_weights(cfg, w, ep)
            w_d[e, :ep], w_m[e, :ep] = d, m

        def vec(values, dt=dtype):
            return torch.tensor(values, dtype=dt)

        return cls(
            is_ne=vec([cfg.l1 == "ne" for cfg in configs], torch.bool),
            c=vec([cfg.c if ci is None else float(ci) for cfg, ci in zip(configs, c, strict=True)]),
            bound=vec([np.inf if cfg.bound is None else cfg.bound for cfg in configs]),
            slope=vec([cfg.bound_slope for cfg in configs]),
            balancing=vec([cfg.balancing for cfg in configs], torch.bool),
            alpha=vec([cfg.balancing_alpha for cfg in configs]),
            w_data=torch.tensor(w_d, dtype=dtype),
            w_mech=torch.tensor(w_m, dtype=dtype),
            epochs=vec(runs, torch.long),
        )

    def data_loss(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """``L1`` per member and sample (E, B): NE or MSE as each member's config says."""
        if bool(self.is_ne.all()):
            return normalized_error(pred, target)
        if not bool(self.is_ne.any()):
            return mse(pred, target)
        return torch.where(self.is_ne[:, None], normalized_error(pred, target), mse(pred, target))

    def total(self, l1: torch.Tensor, l_mech: torch.Tensor, epoch: int,
              balance_data: torch.Tensor, balance_mech: torch.Tensor) -> torch.Tensor:
        """Per-sample training loss (E, B) at ``epoch`` from ``L1`` and ``L_mech`` (both (E, B)).

        ``w_d · c · b_d · L1 + w_m · b_m · bound(L_mech)``, ``b_*`` the balancing factors (1 when off).
        """
        col = min(epoch, self.w_data.shape[1] - 1)
        a = (self.w_data[:, col] * self.c * balance_data)[:, None]
        b = (self.w_mech[:, col] * balance_mech)[:, None]
        return a * l1 + b * bounded(l_mech, self.bound[:, None], self.slope[:, None])


class EMABalancer:
    """Adaptive loss balancing (Hu et al. 2018), one state per ensemble member.

    After each mini-batch the batch losses update ``ema <- alpha · L + (1 - alpha) · ema``
    (first value: ``ema = L``); the next batch divides each loss by ``ema + 1e-9``. Members with
    balancing off keep factor 1. Mirrors the release's ``AdaLossBalancer`` (alpha 0.2).
    """

    def __init__(self, enabled: torch.Tensor, alpha: torch.Tensor) -> None:
        self.enabled, self.alpha = enabled, alpha
        self.ema_data = torch.full(enabled.shape, float("nan"), dtype=alpha.dtype)
        self.ema_mech = torch.full(enabled.shape, float("nan"), dtype=alpha.dtype)

    def factors(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Current factors ``(1/ema_data, 1/ema_mech)`` (1 before the first update or when off)."""
        def inv(ema):
            f = 1.0 / (ema + 1e-9)
            return torch.where(self.enabled & torch.isfinite(ema), f, torch.ones_like(f))
        return inv(self.ema_data), inv(self.ema_mech)

    def update(self, data: torch.Tensor, mech: torch.Tensor, active: torch.Tensor) -> None:
        """Feed the batch losses (E,) of the members that took a step (``active``)."""
        for name, value in (("ema_data", data), ("ema_mech", mech)):
            ema = getattr(self, name)
            new = torch.where(torch.isnan(ema), value, self.alpha * value + (1 - self.alpha) * ema)
            setattr(self, name, torch.where(active, new, ema))
