"""The batched trainer behind :func:`helpers.minn.train_ensemble`: E MINN runs, one program.

The maths of one run is :func:`helpers.minn.core.train_one` (tested equal); what the engine adds:
the E networks are one :class:`~helpers.minn.network.EnsembleMLP`, a step's loss and gradient
are written out by hand (:mod:`helpers.minn._engine.step`), :class:`EnsembleAdam` updates each
member as its own ``torch.optim.Adam`` would, and every member draws its shuffling and dropout
masks from its own generator (:mod:`helpers.minn._engine.batches`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from tqdm import tqdm

from ..core import null_space_basis, train_seed
from ..losses import EMABalancer, LossPlan
from ..network import EnsembleMLP
from ..problem import MechanisticProblem
from .adam import EnsembleAdam
from .batches import epoch_batches, member_rows
from .step import STATS, Workspace, ensemble_layer, loss_and_grad

__all__ = ["HISTORY_TERMS", "TrainedEnsemble", "TrainingDivergedError", "train"]

HISTORY_TERMS = ("loss", "data", "mechanistic", "steady_state", "upper_bound", "positivity",
                 "w_data", "w_mech", "weight_data", "weight_mech")


class TrainingDivergedError(FloatingPointError):
    """A training loss became NaN or infinite; the message names the epoch, term and member."""


@dataclass
class TrainedEnsemble:
    """What :func:`train` returns: the trained network, the layer's kind and steps, the history."""

    net: EnsembleMLP
    layer: str
    projection_steps: int
    history: dict[str, np.ndarray]


def _as_members_tensor(a, E: int, N: int, width: int, dtype: torch.dtype, name: str,
                       device: torch.device | str = "cpu") -> torch.Tensor:
    t = torch.as_tensor(np.ascontiguousarray(a, dtype=np.float64), dtype=dtype)
    if t.dim() == 2:
        t = t.unsqueeze(0)
    if t.dim() != 3 or t.shape[1] != N or t.shape[2] != width or t.shape[0] not in (1, E):
        raise ValueError(f"{name} must have shape (N={N}, {width}) or (E={E}, N, {width}); "
                         f"got {tuple(np.shape(a))}.")
    return t.to(device)


def _check_finite_input(t: torch.Tensor, name: str) -> None:
    """Raise ``ValueError`` naming the first NaN/inf of ``X`` or ``Y`` (member, row, column)."""
    bad = ~torch.isfinite(t)
    if not bool(bad.any()):
        return
    e, i, j = (int(k) for k in bad.nonzero()[0])
    where = f"row {i}, column {j}" + (f" (member {e})" if t.shape[0] > 1 else "")
    raise ValueError(f"{name} contains {'NaN' if torch.isnan(t[e, i, j]) else 'inf'} at {where} "
                     f"({int(bad.sum())} non-finite cell(s) in all); MINN training needs finite "
                     "inputs and targets.")


def raise_if_diverged(epoch, stats, stepped, plan, configs, members) -> None:
    """Raise :class:`TrainingDivergedError` for the first (step, member) whose loss is NaN/inf.

    Checked once per epoch on the per-step sums (a NaN or inf anywhere in a batch makes its sum
    non-finite). The term is 'data' when the network output ``V0`` itself is not finite (bad
    inputs, too large lr), 'mechanistic' when ``V0`` is finite but the mechanistic layer blew up.
    """
    data, mech, v0 = stats[:, 1], stats[:, 2], stats[:, 6]  # (S_max, E)
    ok = torch.isfinite(data) & torch.isfinite(mech) & torch.isfinite(v0)
    bad = stepped & ~ok
    if not bool(bad.any()):
        return
    step, e = (int(i) for i in bad.nonzero()[0])
    if not torch.isfinite(v0[step, e]):
        term, value, hint = "data", float(data[step, e]), "the network output V0 is not finite"
    elif not torch.isfinite(mech[step, e]):
        term, value, hint = "mechanistic", float(mech[step, e]), "lower 'mech_lr' or 'mech_steps'"
    else:
        term, value, hint = "data", float(data[step, e]), "lower 'lr' or check the targets"
    raise TrainingDivergedError(
        f"Training diverged at epoch {epoch + 1} (of {int(plan.epochs[e])}), step {step + 1}: "
        f"the {term} loss of member {e} (variant {configs[e].name!r}, seed {members[e].seed}) "
        f"is {value} ({hint}; check the inputs for NaN/inf)."
    )


@dataclass
class _Run:
    """Everything a training run sets up once: data, layer, plan, network, optimiser, streams."""

    Xt: torch.Tensor
    Yt: torch.Tensor
    vin: torch.Tensor | None
    tp: object
    configs: list
    plan: LossPlan
    plan_dev: LossPlan
    rows: list
    net: EnsembleMLP
    adam: EnsembleAdam
    balancer: EMABalancer
    gens: list
    ws: Workspace


def _setup(problem, X, Y, members, v_in, batch_size, mech_lr, mech_steps, mech_decay, dtype,
           device, input_groups, check_v_in) -> _Run:
    """Check the inputs and build the run (the order of the seeded draws is the trainer's)."""
    E = len(members)
    if E == 0:
        raise ValueError("The 'members' parameter must hold at least one Member.")
    if batch_size < 1:
        raise ValueError(f"The 'batch_size' parameter must be >= 1. Got {batch_size!r} instead.")
    N, d = np.shape(X)[-2], np.shape(X)[-1]
    Xt = _as_members_tensor(X, E, N, d, dtype, "X", device)
    Yt = _as_members_tensor(Y, E, N, problem.n_ref, dtype, "Y", device)
    _check_finite_input(Xt, "X")
    _check_finite_input(Yt, "Y")
    vin_t = None
    if v_in is not None:
        vin_t = torch.as_tensor(check_v_in(v_in, N, problem), dtype=dtype, device=device)
        if vin_t.dim() == 1:
            vin_t = vin_t.expand(N, -1)
    tp = problem.to_torch(dtype, device)
    configs = [m.variant for m in members]
    layer = ensemble_layer(configs, lambda: null_space_basis(problem, dtype, device), mech_lr,
                           mech_steps, mech_decay)
    plan = LossPlan.from_configs(configs, dtype=dtype)
    plan_dev = LossPlan(**{k: v.to(device) for k, v in vars(plan).items()})
    rows = member_rows([m.rows for m in members], N)
    net = EnsembleMLP(d, problem.n, [m.hidden for m in members], [m.dropout for m in members],
                      [m.seed for m in members], dtype=dtype, input_groups=input_groups).to(device)
    # Adam leaves out each member's hidden padding (zero weights, zero gradients): b1 and W2 rows;
    # W1's columns would be a strided view, and W1 is small
    trim = [[(), (slice(None), slice(0, h)), (slice(0, h),), ()] for h in net.hidden_sizes]
    adam = EnsembleAdam([net.W1, net.b1, net.W2, net.b2], [m.lr for m in members],
                        [m.weight_decay for m in members], trim=trim)
    balancer = EMABalancer(plan_dev.balancing, plan_dev.alpha)
    gens = [torch.Generator().manual_seed(train_seed(m.seed)) for m in members]
    # a batch never holds more rows than a member trains on: buffers sized by that, not by a
    # batch_size larger than the data (same steps and draws, see epoch_batches)
    ws = Workspace(layer, tp, E, min(int(batch_size), max(len(r) for r in rows)), dtype, device)
    ws.l1_kinds = (bool(plan.is_ne.any()), bool(plan.is_ne.all()))
    return _Run(Xt, Yt, vin_t, tp, configs, plan, plan_dev, rows, net, adam, balancer, gens, ws)


def _epoch(run: _Run, epoch: int, steps_per_epoch, S_max: int, batch_size: int,
           stats: torch.Tensor, device) -> tuple[torch.Tensor, int]:
    """One epoch of every member still training; fills ``stats`` (S_max, 7, E) with the per-step
    sums and returns ``(stepped (S_max, E), the schedule column)``."""
    plan, net, E = run.plan, run.net, len(run.rows)
    in_epoch = plan.epochs > epoch
    idx, valid, keep = epoch_batches(run.rows, run.gens, in_epoch, steps_per_epoch, S_max,
                                     batch_size, net)
    stepped = in_epoch[None, :] & valid.any(2)  # (S_max, E): member e takes step s
    idx, valid, keep = idx.to(device), valid.to(device), keep.to(device)
    members_axis = torch.arange(E, device=device)[None, :, None]
    xb_all = run.Xt[members_axis if run.Xt.shape[0] > 1 else 0, idx]  # (S_max, E, B, d)
    yb_all = run.Yt[members_axis if run.Yt.shape[0] > 1 else 0, idx]
    col = min(epoch, plan.w_data.shape[1] - 1)
    stats.zero_()
    for step in range(S_max):
        active = stepped[step]
        if not bool(active.any()):
            continue
        active_dev = active.to(device)
        b_valid = valid[step] & active_dev[:, None]
        vb = None if run.vin is None else run.vin[idx[step]]
        V0, cache = net.forward_train(xb_all[step], keep[step])
        bal_d, bal_m = run.balancer.factors()
        grad_V0, step_stats = loss_and_grad(V0, yb_all[step], vb, b_valid, run.tp, run.plan_dev,
                                            col, bal_d, bal_m, run.ws)
        net.backward_into(cache, grad_V0, run.adam.grads)
        run.adam.step(None, active)
        sums = step_stats.sum(2)  # (7, E)
        stats[step] = sums
        run.balancer.update(sums[1], sums[2], active_dev)
    return stepped, col


def _record(history: dict, run: _Run, epoch: int, col: int, stats: torch.Tensor,
            n_rows: torch.Tensor) -> None:
    """Write epoch ``epoch`` of the history: mean terms per member and the loss weights."""
    plan = run.plan
    done = (plan.epochs > epoch).numpy()
    totals = stats.double().sum(0).cpu() / n_rows.double()  # (7, E)
    for k, key in enumerate(STATS[:6]):
        history[key][done, epoch] = totals[k].numpy()[done]
    history["w_data"][done, epoch] = plan.w_data[done, col].double().numpy()
    history["w_mech"][done, epoch] = plan.w_mech[done, col].double().numpy()
    bal_d, bal_m = (f.cpu() for f in run.balancer.factors())  # effective weights after the epoch
    history["weight_data"][done, epoch] = (plan.w_data[:, col] * plan.c * bal_d).double().numpy()[done]
    history["weight_mech"][done, epoch] = (plan.w_mech[:, col] * bal_m).double().numpy()[done]


def train(problem: MechanisticProblem, X, Y, members, v_in, batch_size, mech_lr, mech_steps,
          mech_decay, dtype, device, progress, desc, input_groups, check_v_in) -> TrainedEnsemble:
    """Train the members (the arguments of :func:`helpers.minn.train_ensemble`, checked there
    but for what this checks: members, batch size, shapes, NaN/inf, rows, the shared layer).

    ``check_v_in(v_in, N, problem)`` validates ``v_in``. Raises :class:`TrainingDivergedError`
    after the first epoch in which a member's loss is not finite.
    """
    members = list(members)
    run = _setup(problem, X, Y, members, v_in, batch_size, mech_lr, mech_steps, mech_decay,
                 dtype, device, input_groups, check_v_in)
    batch_size = run.ws.batch  # min(batch_size, most training rows of a member)
    E, plan = len(members), run.plan
    T = int(plan.epochs.max())
    n_rows = torch.tensor([len(r) for r in run.rows])
    steps_per_epoch = (n_rows + batch_size - 1) // batch_size
    S_max = int(steps_per_epoch.max())
    history = {k: np.full((E, T), np.nan) for k in HISTORY_TERMS}
    stats = torch.zeros(S_max, len(STATS), E, dtype=dtype, device=device)
    run.net.train()
    bar = tqdm(range(T), desc=desc, disable=not progress, leave=False)
    for epoch in bar:
        stepped, col = _epoch(run, epoch, steps_per_epoch, S_max, batch_size, stats, device)
        raise_if_diverged(epoch, stats.cpu(), stepped, plan, run.configs, members)
        _record(history, run, epoch, col, stats, n_rows)
        if progress:
            bar.set_postfix(data=f"{np.nanmean(history['data'][:, epoch]):.3g}",
                            mech=f"{np.nanmean(history['mechanistic'][:, epoch]):.3g}")
    bar.close()
    run.net.eval()
    layer = run.ws.layer
    return TrainedEnsemble(run.net, layer.kind, layer.steps if layer.kind == "projection" else 1,
                           history)
