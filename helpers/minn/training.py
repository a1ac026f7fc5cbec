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

One run alone is :func:`helpers.minn.core.train_one` (the readable version, tested equal); the
batched program is the private engine (:mod:`helpers.minn._engine.trainer`). Introduced in chapter
``00_toy_example``; used by the evaluation harness.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from numpy.typing import ArrayLike

from ._engine.adam import EnsembleAdam
from ._engine.batches import torch_threads
from ._engine.trainer import HISTORY_TERMS, TrainingDivergedError, train
from .config import MinnConfig, get_variant
from .mechanistic import mechanistic_terms, unroll
from .network import EnsembleMLP
from .problem import MechanisticProblem
from .projection import project

__all__ = ["HISTORY_TERMS", "EnsembleAdam", "EnsembleFit", "Member", "TrainingDivergedError",
           "check_v_in", "cv_members", "train_ensemble"]


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
    members = list(members)
    with torch_threads(num_threads):
        trained = train(problem, X, Y, members, v_in, batch_size, mech_lr, mech_steps, mech_decay,
                        dtype, torch.device(device), progress, desc, input_groups, check_v_in)
    return EnsembleFit(trained.net, problem, members, trained.history, mech_lr, mech_steps,
                       mech_decay, trained.layer, trained.projection_steps)
