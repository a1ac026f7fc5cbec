"""FROZEN SNAPSHOT of ``helpers/minn/training.py`` at commit bcb4631 (before issue #12).

Kept only as the "old path" of ``benchmarks/bench_minn_batched.py`` and of the equality test
``tests/test_minn_fast_path.py``: per step it autograds through the loss, checks finiteness and
sums the history in float64. Do not edit; the maintained trainer is :mod:`helpers.minn.training`.

Original docstring follows.

Train an ensemble of MINNs at once: E runs, one tensor program.

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

Introduced in chapter ``00_toy_example``; used by the evaluation harness.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from helpers.minn.config import MinnConfig, get_variant
from helpers.minn.losses import EMABalancer, LossPlan
from helpers.minn.mechanistic import mechanistic_terms, unroll
from helpers.minn.network import EnsembleMLP
from helpers.minn.problem import MechanisticProblem

HISTORY_TERMS = ("loss", "data", "mechanistic", "steady_state", "upper_bound", "positivity",
                 "w_data", "w_mech", "weight_data", "weight_mech")


class TrainingDivergedError(FloatingPointError):
    """A training loss became NaN or infinite; the message names the epoch, term and member."""


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


class EnsembleAdam:
    """Adam (with ``torch.optim.Adam``'s coupled L2 weight decay) over stacked ensemble weights.

    ``lr`` and ``weight_decay`` are per member; :meth:`step` takes a boolean ``active`` vector
    and leaves inactive members (weights, moments and step count) untouched. Members are
    grouped by (lr, weight decay) and each group is updated by PyTorch's fused Adam kernel on
    per-member views (``torch._fused_adam_``, the kernel behind ``Adam(fused=True)``: one pass
    over memory, ~25x faster on CPU than the same update written with broadcast tensor ops);
    ``fused=False`` uses the plain tensor formula instead (same maths).
    """

    def __init__(self, params: Sequence[torch.Tensor], lr: Sequence[float],
                 weight_decay: Sequence[float], betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, fused: bool | None = None) -> None:
        self.params = list(params)
        self.lr = [float(v) for v in lr]
        self.wd = [float(v) for v in weight_decay]
        self.beta1, self.beta2 = betas
        self.eps = eps
        E = len(self.lr)
        self.fused = hasattr(torch, "_fused_adam_") if fused is None else fused
        self.step_count = torch.zeros(E, dtype=torch.long)
        self.exp_avg = [torch.zeros_like(p) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p) for p in self.params]
        self._steps = [torch.zeros((), dtype=torch.float32) for _ in range(E)]
        groups: dict[tuple[float, float], list[int]] = {}
        for e, key in enumerate(zip(self.lr, self.wd, strict=True)):
            groups.setdefault(key, []).append(e)
        self.groups = groups
        self._views = [[list(t.unbind(0)) for t in tensors]
                       for tensors in (self.params, self.exp_avg, self.exp_avg_sq)]

    @torch.no_grad()
    def step(self, grads: Sequence[torch.Tensor], active: torch.Tensor) -> None:
        """One Adam update of the ``active`` members with gradients ``grads``."""
        self.step_count += active.long()
        if not self.fused:
            self._step_plain(grads, active)
            return
        is_active = active.tolist()
        grad_views = [list(g.unbind(0)) for g in grads]
        p_views, m_views, v_views = self._views
        for (lr, wd), members in self.groups.items():
            members = [e for e in members if is_active[e]]
            if not members:
                continue
            for e in members:
                self._steps[e] += 1
            lists = [[], [], [], [], []]
            for k in range(len(self.params)):
                for e in members:
                    lists[0].append(p_views[k][e])
                    lists[1].append(grad_views[k][e])
                    lists[2].append(m_views[k][e])
                    lists[3].append(v_views[k][e])
                    lists[4].append(self._steps[e])
            torch._fused_adam_(lists[0], lists[1], lists[2], lists[3], [], lists[4], lr=lr,
                               beta1=self.beta1, beta2=self.beta2, weight_decay=wd,
                               eps=self.eps, amsgrad=False, maximize=False)

    def _step_plain(self, grads: Sequence[torch.Tensor], active: torch.Tensor) -> None:
        t = self.step_count.clamp(min=1).double()
        bc1 = 1 - self.beta1 ** t
        bc2 = 1 - self.beta2 ** t
        dtype = self.params[0].dtype
        lr = torch.tensor(self.lr, dtype=torch.float64)
        wd = torch.tensor(self.wd, dtype=dtype)
        step_size = torch.where(active, lr / bc1, 0.0).to(dtype)
        sqrt_bc2 = bc2.sqrt().to(dtype)
        w1 = torch.where(active, 1 - self.beta1, 0.0).to(dtype)
        w2 = torch.where(active, 1 - self.beta2, 0.0).to(dtype)
        for p, g, m, v in zip(self.params, grads, self.exp_avg, self.exp_avg_sq, strict=True):
            shape = (-1,) + (1,) * (p.dim() - 1)
            g = g + wd.view(shape) * p
            m.lerp_(g, w1.view(shape))
            v.lerp_(g * g, w2.view(shape))
            denom = (v.sqrt() / sqrt_bc2.view(shape)).add_(self.eps)
            p.sub_(m / denom * step_size.view(shape))


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

    @property
    def dtype(self) -> torch.dtype:
        return self.net.W1.dtype

    def _inputs(self, X) -> torch.Tensor:
        X = torch.as_tensor(np.asarray(X), dtype=self.dtype)
        if X.dim() == 2:
            X = X.unsqueeze(0).expand(self.net.n_members, -1, -1)
        return X

    @torch.no_grad()
    def fluxes(self, X, v_in=None) -> tuple[torch.Tensor, torch.Tensor]:
        """``(V0, V)`` of every member, each (E, N, n), in eval mode (no dropout).

        ``X`` is (N, d) shared or (E, N, d) per member (already scaled); ``v_in`` None, (n_in,)
        or (N, n_in).
        """
        self.net.eval()
        V0 = self.net(self._inputs(X))
        vin = None if v_in is None else torch.as_tensor(np.asarray(v_in), dtype=self.dtype)
        V = unroll(V0, self.problem, vin, lr=self.mech_lr, steps=self.mech_steps,
                   decay=self.mech_decay)
        return V0, V

    def predict_fluxes(self, X, v_in=None) -> np.ndarray:
        """Full flux distributions ``V`` (E, N, n)."""
        return self.fluxes(X, v_in)[1].numpy()

    def predict(self, X, v_in=None) -> np.ndarray:
        """Reference fluxes ``P_ref V`` (E, N, n_ref)."""
        return self.predict_fluxes(X, v_in)[..., self.problem.reference_idx]

    @torch.no_grad()
    def mechanistic_residual(self, X, v_in=None) -> np.ndarray:
        """The paper's "L2" = ``||S V||^2 / m`` per member and sample (E, N)."""
        V = self.fluxes(X, v_in)[1]
        return mechanistic_terms(V, self.problem).steady_state.numpy()

    def member_history(self, e: int = 0) -> pd.DataFrame:
        """History of member ``e``: one row per epoch, one column per term."""
        T = int(np.isfinite(self.history["data"][e]).sum())
        frame = pd.DataFrame({k: v[e, :T] for k, v in self.history.items()})
        frame.index.name = "epoch"
        return frame


def _as_members_tensor(a, E: int, N: int, width: int, dtype: torch.dtype, name: str) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(a, dtype=np.float64), dtype=dtype)
    if t.dim() == 2:
        t = t.unsqueeze(0)
    if t.dim() != 3 or t.shape[1] != N or t.shape[2] != width or t.shape[0] not in (1, E):
        raise ValueError(f"{name} must have shape (N={N}, {width}) or (E={E}, N, {width}); "
                         f"got {tuple(np.shape(a))}.")
    return t


def _check_finite(epoch, step, V0, data_sum, mech_sum, valid, active, plan, configs, members):
    """Raise :class:`TrainingDivergedError` for the first member whose loss is NaN/inf.

    The term is 'data' when the network output ``V0`` itself is not finite (bad inputs, too
    large lr), 'mechanistic' when ``V0`` is finite but the mechanistic layer blew up.
    """
    with torch.no_grad():
        v0_ok = torch.where(valid[..., None], torch.isfinite(V0), True).flatten(1).all(1)
        data_ok, mech_ok = torch.isfinite(data_sum), torch.isfinite(mech_sum)
        bad = active & ~(v0_ok & data_ok & mech_ok)
        if not bool(bad.any()):
            return
        e = int(bad.nonzero()[0, 0])
        if not v0_ok[e]:
            term, value, hint = "data", float(data_sum[e]), "the network output V0 is not finite"
        elif not mech_ok[e]:
            term, value, hint = "mechanistic", float(mech_sum[e]), "lower 'mech_lr' or 'mech_steps'"
        else:
            term, value, hint = "data", float(data_sum[e]), "lower 'lr' or check the targets"
    raise TrainingDivergedError(
        f"Training diverged at epoch {epoch + 1} (of {int(plan.epochs[e])}), step {step + 1}: "
        f"the {term} loss of member {e} (variant {configs[e].name!r}, seed {members[e].seed}) "
        f"is {value} ({hint}; check the inputs for NaN/inf)."
    )


def _train_seed(seed: int) -> int:
    """Seed of a member's shuffling/dropout stream, independent of its init stream."""
    return int(np.random.SeedSequence([int(seed), 1]).generate_state(1)[0])


def train_ensemble(problem: MechanisticProblem, X, Y, members: Sequence[Member], *,
                   v_in=None, batch_size: int = 5, mech_lr: float = 0.01, mech_steps: int = 8,
                   mech_decay: float = 0.9, dtype: torch.dtype = torch.float32,
                   progress: bool = True, desc: str = "MINN",
                   num_threads: int | None = 1) -> EnsembleFit:
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
        Upper bounds of the bounded fluxes per sample (None: the problem's ``v_in``).
    batch_size : int
        Mini-batch size (5 in the paper); the loss is summed over the batch.
    mech_lr, mech_steps, mech_decay : float, int, float
        Mechanistic layer settings (release defaults 0.01, 8, 0.9).
    dtype : torch.dtype
    progress : bool
        Show a tqdm bar over epochs.
    num_threads : int or None
        Torch intra-op threads while training (restored afterwards). 1 by default: the many
        small kernels of a MINN step run slower with more threads on a busy 2-core machine
        (measured 2.4 ms vs 225 ms per toy step); None keeps torch's setting.

    Returns
    -------
    EnsembleFit

    Raises
    ------
    TrainingDivergedError
        If the data or the mechanistic loss of a member becomes NaN or infinite.
    """
    previous = torch.get_num_threads()
    if num_threads is not None:
        torch.set_num_threads(int(num_threads))
    try:
        return _train(problem, X, Y, members, v_in, batch_size, mech_lr, mech_steps, mech_decay,
                      dtype, progress, desc)
    finally:
        torch.set_num_threads(previous)


def _train(problem, X, Y, members, v_in, batch_size, mech_lr, mech_steps, mech_decay, dtype,
           progress, desc) -> EnsembleFit:
    members = list(members)
    E = len(members)
    if E == 0:
        raise ValueError("The 'members' parameter must hold at least one Member.")
    if batch_size < 1:
        raise ValueError(f"The 'batch_size' parameter must be >= 1. Got {batch_size!r} instead.")
    N = np.shape(X)[-2]
    d = np.shape(X)[-1]
    Xt = _as_members_tensor(X, E, N, d, dtype, "X")
    Yt = _as_members_tensor(Y, E, N, problem.n_ref, dtype, "Y")
    vin_t = None
    if v_in is not None:
        vin_t = torch.as_tensor(np.asarray(v_in, dtype=np.float64), dtype=dtype)
        if vin_t.dim() == 1:
            vin_t = vin_t.expand(N, -1)
    tp = problem.to_torch(dtype)
    configs = [m.variant for m in members]
    plan = LossPlan.from_configs(configs, dtype=dtype)
    rows = []
    for e, m in enumerate(members):
        r = np.arange(N) if m.rows is None else np.asarray(m.rows, dtype=np.int64)
        if r.size == 0 or r.min() < 0 or r.max() >= N:
            raise ValueError(f"Member {e}: 'rows' must be non-empty indices in [0, {N}); "
                             f"got {r.tolist()[:10]}.")
        rows.append(torch.as_tensor(r))
    net = EnsembleMLP(d, problem.n, [m.hidden for m in members], [m.dropout for m in members],
                      [m.seed for m in members], dtype=dtype)
    params = [net.W1, net.b1, net.W2, net.b2]
    adam = EnsembleAdam(params, [m.lr for m in members], [m.weight_decay for m in members])
    grad_buffers = [torch.empty_like(p) for p in params]
    balancer = EMABalancer(plan.balancing, plan.alpha)
    gens = [torch.Generator().manual_seed(_train_seed(m.seed)) for m in members]
    T = int(plan.epochs.max())
    n_rows = torch.tensor([len(r) for r in rows])
    steps_per_epoch = (n_rows + batch_size - 1) // batch_size
    S_max = int(steps_per_epoch.max())
    H = max(net.hidden_sizes)
    history = {k: np.full((E, T), np.nan) for k in HISTORY_TERMS}
    sums = {k: torch.zeros(E, dtype=torch.float64) for k in HISTORY_TERMS[:6]}
    ar = torch.arange(E)[:, None]
    net.train()
    bar = tqdm(range(T), desc=desc, disable=not progress, leave=False)
    for epoch in bar:
        in_epoch = plan.epochs > epoch
        idx = torch.zeros(S_max, E, batch_size, dtype=torch.long)
        valid = torch.zeros(S_max, E, batch_size, dtype=torch.bool)
        keep = torch.zeros(S_max, E, batch_size, H, dtype=torch.bool)
        for e in range(E):
            if not in_epoch[e]:
                continue
            order = rows[e][torch.randperm(len(rows[e]), generator=gens[e])]
            steps = int(steps_per_epoch[e])
            padded = torch.zeros(steps * batch_size, dtype=torch.long)
            padded[: len(order)] = order
            idx[:steps, e] = padded.view(steps, batch_size)
            valid[:steps, e] = (torch.arange(steps * batch_size) < len(order)).view(steps, batch_size)
            h = net.hidden_sizes[e]
            keep[:steps, e, :, :h] = (
                torch.rand(steps, batch_size, h, generator=gens[e]) < 1.0 - net.dropout_rates[e]
            )
        for s in sums.values():
            s.zero_()
        for step in range(S_max):
            active = in_epoch & valid[step].any(1)
            if not bool(active.any()):
                continue
            b_idx, b_valid = idx[step], valid[step] & active[:, None]
            xb = Xt[ar if Xt.shape[0] > 1 else 0, b_idx]
            yb = Yt[ar if Yt.shape[0] > 1 else 0, b_idx]
            vb = None if vin_t is None else vin_t[b_idx]
            V0, cache = net.forward_train(xb, keep[step])
            V0.requires_grad_(True)
            V = unroll(V0, tp, vb, lr=mech_lr, steps=mech_steps, decay=mech_decay)
            terms = mechanistic_terms(V, tp, vb)
            l1 = plan.data_loss(V[..., tp.ref_idx], yb)
            l_mech = terms.total
            bal_d, bal_m = balancer.factors()
            per_sample = plan.total(l1, l_mech, epoch, bal_d, bal_m)
            zero = torch.zeros((), dtype=dtype)
            data_sum = torch.where(b_valid, l1, zero).sum(1)
            mech_sum = torch.where(b_valid, l_mech, zero).sum(1)
            _check_finite(epoch, step, V0, data_sum, mech_sum, b_valid, active, plan, configs,
                          members)
            member_loss = torch.where(b_valid, per_sample, zero).sum(1)
            (grad_V0,) = torch.autograd.grad(member_loss.sum(), V0)
            adam.step(net.backward_into(cache, grad_V0, grad_buffers), active)
            balancer.update(data_sum.detach(), mech_sum.detach(), active)
            with torch.no_grad():
                for key, value in (("loss", member_loss), ("data", data_sum),
                                   ("mechanistic", mech_sum)):
                    sums[key] += value.double()
                for key in ("steady_state", "upper_bound", "positivity"):
                    sums[key] += torch.where(b_valid, getattr(terms, key), zero).sum(1).double()
        done = in_epoch.numpy()
        for key, value in sums.items():
            history[key][done, epoch] = (value / n_rows.double()).numpy()[done]
        col = min(epoch, plan.w_data.shape[1] - 1)
        history["w_data"][done, epoch] = plan.w_data[done, col].double().numpy()
        history["w_mech"][done, epoch] = plan.w_mech[done, col].double().numpy()
        bal_d, bal_m = balancer.factors()  # effective weights after the epoch (balancing included)
        history["weight_data"][done, epoch] = (plan.w_data[:, col] * plan.c * bal_d).double().numpy()[done]
        history["weight_mech"][done, epoch] = (plan.w_mech[:, col] * bal_m).double().numpy()[done]
        if progress:
            bar.set_postfix(data=f"{np.nanmean(history['data'][:, epoch]):.3g}",
                            mech=f"{np.nanmean(history['mechanistic'][:, epoch]):.3g}")
    bar.close()
    net.eval()
    return EnsembleFit(net, problem, members, history, mech_lr, mech_steps, mech_decay)
