"""Every MINN variant of the paper as configuration, in one place.

A variant is a frozen :class:`MinnConfig`; :data:`VARIANTS` maps the paper's names (Tables 2-3)
to them. Nothing else in :mod:`helpers.minn` knows variant names: the loss, the trainer and the
estimator read only the fields below. Per-run hyper-parameters (hidden size, dropout, lr, weight
decay, seed) are *not* here; they belong to a run (see :class:`helpers.minn.training.Member`).

Variant facts from the paper, :cite:`tazza2025minn`, and its public release:

=================  ====  =========================  ==============================================
variant            L1    c                          training loss
=================  ====  =========================  ==============================================
MSE-base           MSE   1                          c·L1 + L_mech
unbalanced         NE    1                          c·L1 + L_mech
c-balanced         NE    tuned in {10,...,50}       c·L1 + L_mech
bound              NE    tuned in {10,...,50}       c·L1 + bound(L_mech), b + k(L-b) above b, k=2
loss-balancing     NE    1                          L1/EMA(L1) + L_mech/EMA(L_mech) (Hu et al.)
scheduler          NE    1                          w_d(t)·c·L1 + w_m(t)·L_mech, 3 phases, 150 ep.
scheduler-bound    NE    1                          scheduler + bound
divided-loss       NE    1                          L1 only (L_mech reported, not trained on)
c-balanced-exact   NE    tuned in {10,...,50}       c·L1 + L_mech, exact steady-state layer
network-only       NE    1                          L1 only, no mechanistic layer (V = V0)
=================  ====  =========================  ==============================================

The last two are not in the paper: chapter ``10_beyond`` replaces the unrolled layer by an exact
projection onto the null space of ``S`` (:mod:`helpers.minn.projection`), and ablates it
(``network-only``: MINN's network, optimiser and batches on the data loss alone, so a comparison
with it isolates what the mechanistic layer adds; ``L_mech`` of ``V0`` is still reported).

Our choices where the paper is silent (said so in the book): the bound threshold ``b`` (1e-3),
and ``c = 1`` for the scheduler variants (the paper tunes only the final data weight there).
Introduced in chapter ``00_toy_example``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

L1_KINDS = ("ne", "mse")
LAYERS = ("unrolled", "projection", "none")
#: Fields added after the paper-protocol store began: a protocol hash leaves them out while they
#: hold their default, so adding a knob does not make units stale that it cannot have changed.
LATER_FIELDS = ("layer", "projection_steps")
C_GRID = (10.0, 20.0, 30.0, 40.0, 50.0)


@dataclass(frozen=True)
class MinnConfig:
    """One MINN variant: how the loss is built and for how many epochs it trains.

    Attributes
    ----------
    name : str
        The paper's name.
    l1 : {'ne', 'mse'}
        Data loss: normalized error ``||V_ref - P_ref V|| / ||V_ref||`` or ``||.||^2 / n_ref``.
    c : float
        Weight of the data loss (``c · L1``); the default when ``c_grid`` is tuned.
    c_grid : tuple of float
        Values of ``c`` searched by inner CV (empty: ``c`` is fixed).
    mechanistic_in_loss : bool
        False for the divided loss (``L_mech`` reported, not optimised).
    bound : float or None
        Threshold ``b`` of the bound penalty on ``L_mech`` (None: no bound).
    bound_slope : float
        ``k`` in ``b + k (L - b)`` above the threshold (2 in the release).
    balancing : bool
        Adaptive loss balancing (Hu et al. 2018): each loss divided by an EMA of its values.
    balancing_alpha : float
        EMA smoothing (``ema <- alpha · L + (1 - alpha) · ema``; 0.2 in the release).
    scheduler : bool
        Three-phase loss-weight schedule (see :func:`helpers.minn.losses.loss_weights`).
    scheduler_phases : tuple of int
        Lengths of phase 1 (mechanistic first), 2 (linear transition), 3 (data first).
    scheduler_start : float
        Data weight of phase 1 (0.1: 90 % mechanistic / 10 % data).
    data_weight : float
        Final data weight ``w`` of phase 3 (mechanistic ``1 - w``); default when tuned.
    data_weight_range : tuple of float
        Search range of ``w`` (paper: [0.8, 1.0]).
    epochs : int
        Training epochs (100; 150 = 30 + 40 + 80 with the scheduler).
    layer : {'unrolled', 'projection', 'none'}
        The mechanistic layer: the paper's unrolled gradient descent (settings given to the
        trainer: ``mech_lr``, ``mech_steps``, ``mech_decay``), the exact projection onto the
        null space of ``S`` (:mod:`helpers.minn.projection`, chapter ``10_beyond``), or none
        (``V = V0``, the network alone).
    projection_steps : int
        Clip-then-project steps of the projection layer (ignored by the unrolled layer). 1 by
        default: every step adds four dense products with the null-space basis per training step
        (forward and backward), and steady state is exact with any number of steps.
    """

    name: str
    l1: str = "ne"
    c: float = 1.0
    c_grid: tuple[float, ...] = ()
    mechanistic_in_loss: bool = True
    bound: float | None = None
    bound_slope: float = 2.0
    balancing: bool = False
    balancing_alpha: float = 0.2
    scheduler: bool = False
    scheduler_phases: tuple[int, int, int] = (30, 40, 80)
    scheduler_start: float = 0.1
    data_weight: float = 0.9
    data_weight_range: tuple[float, float] = (0.8, 1.0)
    epochs: int = 100
    layer: str = "unrolled"
    projection_steps: int = 1

    def __post_init__(self) -> None:
        if self.layer not in LAYERS:
            raise ValueError(f"The 'layer' parameter of MinnConfig must be one of {list(LAYERS)}. "
                             f"Got {self.layer!r} instead.")
        steps = self.projection_steps
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise ValueError(f"The 'projection_steps' parameter must be an integer >= 0. "
                             f"Got {self.projection_steps!r} instead.")
        if self.l1 not in L1_KINDS:
            raise ValueError(f"The 'l1' parameter of MinnConfig must be one of {list(L1_KINDS)}. "
                             f"Got {self.l1!r} instead.")
        if not (np.isfinite(self.c) and self.c > 0):
            raise ValueError(f"The 'c' parameter must be a positive number. Got {self.c!r} instead.")
        if self.bound is not None and not self.bound >= 0:
            raise ValueError(f"The 'bound' parameter must be None or >= 0. Got {self.bound!r} instead.")
        if not 0.0 <= self.data_weight <= 1.0:
            raise ValueError(f"The 'data_weight' parameter must be in [0, 1]. "
                             f"Got {self.data_weight!r} instead.")
        if self.epochs < 1:
            raise ValueError(f"The 'epochs' parameter must be >= 1. Got {self.epochs!r} instead.")

    @property
    def tuned(self) -> dict[str, tuple]:
        """Loss hyper-parameters this variant tunes by inner CV, with their search space."""
        out: dict[str, tuple] = {}
        if self.c_grid:
            out["c"] = self.c_grid
        if self.scheduler:
            out["data_weight"] = self.data_weight_range
        return out

    def fingerprint(self) -> dict:
        """The config as a dict for protocol hashes: :data:`LATER_FIELDS` only when not default."""
        out = dataclasses.asdict(self)
        for name in LATER_FIELDS:
            if out[name] == MinnConfig.__dataclass_fields__[name].default:
                del out[name]
        return out

    def replace(self, **changes) -> MinnConfig:
        """A copy with some fields changed (the config itself is immutable)."""
        return dataclasses.replace(self, **changes)


VARIANTS: dict[str, MinnConfig] = {
    "MSE-base": MinnConfig("MSE-base", l1="mse"),
    "unbalanced": MinnConfig("unbalanced", l1="ne", c=1.0),
    "c-balanced": MinnConfig("c-balanced", l1="ne", c=30.0, c_grid=C_GRID),
    "bound": MinnConfig("bound", l1="ne", c=30.0, c_grid=C_GRID, bound=1e-3),
    "loss-balancing": MinnConfig("loss-balancing", l1="ne", balancing=True),
    "scheduler": MinnConfig("scheduler", l1="ne", scheduler=True, epochs=150),
    "scheduler-bound": MinnConfig("scheduler-bound", l1="ne", scheduler=True, bound=1e-3,
                                  epochs=150),
    "divided-loss": MinnConfig("divided-loss", l1="ne", mechanistic_in_loss=False),
    "c-balanced-exact": MinnConfig("c-balanced-exact", l1="ne", c=30.0, c_grid=C_GRID,
                                   layer="projection"),
    "network-only": MinnConfig("network-only", l1="ne", mechanistic_in_loss=False, layer="none"),
}


def get_variant(variant: str | MinnConfig, **changes) -> MinnConfig:
    """The :class:`MinnConfig` of ``variant`` (a name in :data:`VARIANTS` or a config), with changes."""
    if isinstance(variant, MinnConfig):
        config = variant
    elif variant in VARIANTS:
        config = VARIANTS[variant]
    else:
        raise ValueError(f"The 'variant' parameter must be one of {list(VARIANTS)} or a "
                         f"MinnConfig. Got {variant!r} instead.")
    changes = {k: v for k, v in changes.items() if v is not None}
    return config.replace(**changes) if changes else config
