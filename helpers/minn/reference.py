"""A naive MINN, written straight from the release's formulas: the test oracle and speed baseline.

One run, one model, nothing clever: a dense ``S``, ``torch.nn.Linear`` layers, autograd through
the plain 8-step momentum loop of eq. 2, the loss of eq. 3-4 summed over each mini-batch, and
exactly ``torch.optim.Adam``. It draws the same random numbers as
:func:`helpers.minn.training.train_ensemble` (the member's initial weights, its shuffling and
dropout streams), so both must give the same predictions to float tolerance
(``tests/test_minn_fast_path.py``); ``benchmarks/bench_minn_batched.py`` prints how much faster the
batched trainer is.

Not for real work: it is slow on purpose (dense ``S``, a fresh graph per step). Introduced with
issue #12 (training speed); the maths is chapter ``00_toy_example``'s.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .losses import loss_weights
from .network import EnsembleMLP
from .problem import MechanisticProblem
from .training import Member, _train_seed


def _mechanistic_gradient(V, S, in_idx, v_in, m, n):
    grad = (2.0 / m) * (V @ S.T) @ S
    if in_idx.numel():
        excess = torch.relu(V[:, in_idx] - v_in)
        grad = grad.index_add(1, in_idx, (2.0 / in_idx.numel()) * excess)
    return grad - (2.0 / n) * torch.relu(-V)


def _mechanistic_loss(V, S, in_idx, v_in, m, n):
    loss = (V @ S.T).square().sum(1) / m + torch.relu(-V).square().sum(1) / n
    if in_idx.numel():
        loss = loss + torch.relu(V[:, in_idx] - v_in).square().sum(1) / in_idx.numel()
    return loss


def _unroll(V0, S, in_idx, v_in, m, n, lr, steps, decay):
    V, diff = V0, torch.zeros_like(V0)
    for _ in range(steps):
        diff = decay * diff - lr * _mechanistic_gradient(V, S, in_idx, v_in, m, n)
        V = V + diff
    return V


class NaiveMINN(nn.Module):
    """``Linear -> ReLU -> Dropout -> Linear`` then the unrolled layer, on a dense ``S``."""

    def __init__(self, problem: MechanisticProblem, d_in: int, member: Member,
                 dtype: torch.dtype = torch.float64, lr: float = 0.01, steps: int = 8,
                 decay: float = 0.9) -> None:
        super().__init__()
        init = EnsembleMLP(d_in, problem.n, member.hidden, member.dropout, [member.seed],
                           dtype=dtype)
        h = member.hidden
        self.fc1 = nn.Linear(d_in, h, dtype=dtype)
        self.fc2 = nn.Linear(h, problem.n, dtype=dtype)
        with torch.no_grad():  # the same initial weights as the batched trainer's member
            self.fc1.weight.copy_(init.W1[0, :, :h].T)
            self.fc1.bias.copy_(init.b1[0, 0, :h])
            self.fc2.weight.copy_(init.W2[0, :h].T)
            self.fc2.bias.copy_(init.b2[0, 0])
        self.keep = 1.0 - member.dropout
        self.register_buffer("S", torch.as_tensor(problem.S.toarray(), dtype=dtype))
        self.register_buffer("in_idx", torch.as_tensor(problem.bounded_idx, dtype=torch.long))
        self.register_buffer("v_in", torch.as_tensor(problem.v_in, dtype=dtype))
        self.m, self.n = problem.m, problem.n
        self.lr, self.steps, self.decay = lr, steps, decay

    def forward(self, x: torch.Tensor, keep_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Fluxes ``V_K`` (B, n) for inputs ``x`` (B, d); ``keep_mask`` (B, hidden, 1 = keep) is
        the dropout mask in training mode (required then), ignored in eval mode."""
        if self.training and keep_mask is None:
            raise ValueError("NaiveMINN.forward needs a 'keep_mask' (the dropout mask) in "
                             "training mode; call .eval() to predict.")
        hidden = torch.relu(self.fc1(x))
        if self.training:
            hidden = hidden * keep_mask / self.keep
        V0 = self.fc2(hidden)
        return _unroll(V0, self.S, self.in_idx, self.v_in, self.m, self.n, self.lr, self.steps,
                       self.decay)

    def mechanistic_loss(self, V: torch.Tensor) -> torch.Tensor:
        """``L_mech`` per row of ``V`` (B, n): steady state + upper bounds + positivity."""
        return _mechanistic_loss(V, self.S, self.in_idx, self.v_in, self.m, self.n)


def train_naive(problem: MechanisticProblem, X: np.ndarray, Y: np.ndarray, member: Member, *,
                batch_size: int = 5, dtype: torch.dtype = torch.float64) -> NaiveMINN:
    """Train one MINN run the plain way and return the model (in eval mode).

    ``X`` (N, d) is already scaled; ``Y`` (N, n_ref); ``member.rows`` are the training rows.
    Supports the variants of the unrolled layer (NE/MSE, ``c``, bound, scheduler weights,
    divided loss); loss balancing is left out (no oracle needed: it only rescales the two
    terms), and so are the other layers (``'projection'``, ``'none'``).

    Raises
    ------
    NotImplementedError
        For a variant with loss balancing or with a layer other than ``'unrolled'``.
    """
    config = member.variant
    if config.balancing:
        raise NotImplementedError("The naive reference has no loss balancing.")
    if config.layer != "unrolled":
        raise NotImplementedError(
            f"The naive reference implements only the unrolled layer; variant {config.name!r} "
            f"uses layer {config.layer!r}.")
    X = torch.as_tensor(np.asarray(X, dtype=np.float64), dtype=dtype)
    Y = torch.as_tensor(np.asarray(Y, dtype=np.float64), dtype=dtype)
    rows = torch.as_tensor(np.arange(len(X)) if member.rows is None else np.asarray(member.rows))
    model = NaiveMINN(problem, X.shape[1], member, dtype)
    optimizer = torch.optim.Adam(model.parameters(), lr=member.lr,
                                 weight_decay=member.weight_decay)
    w_data, w_mech = loss_weights(config, member.data_weight, member.epochs)
    gen = torch.Generator().manual_seed(_train_seed(member.seed))
    ref = torch.as_tensor(problem.reference_idx, dtype=torch.long)
    bound = np.inf if config.bound is None else config.bound
    steps = (len(rows) + batch_size - 1) // batch_size
    model.train()
    for epoch in range(len(w_data)):
        order = rows[torch.randperm(len(rows), generator=gen)]
        keep = torch.rand(steps, batch_size, member.hidden, generator=gen) < model.keep
        for step in range(steps):
            batch = order[step * batch_size:(step + 1) * batch_size]
            V = model(X[batch], keep[step, :len(batch)].to(dtype))
            pred, target = V[:, ref], Y[batch]
            if config.l1 == "ne":
                l1 = torch.linalg.vector_norm(target - pred, dim=1) / torch.linalg.vector_norm(
                    target, dim=1)
            else:
                l1 = (target - pred).square().mean(1)
            l_mech = model.mechanistic_loss(V)
            l_mech = torch.where(l_mech >= bound, bound + config.bound_slope * (l_mech - bound),
                                 l_mech) if np.isfinite(bound) else l_mech
            c = config.c if member.c is None else member.c
            loss = (w_data[epoch] * c * l1 + w_mech[epoch] * l_mech).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.eval()


@torch.no_grad()
def predict_naive(model: NaiveMINN, X: np.ndarray, problem: MechanisticProblem) -> np.ndarray:
    """Reference fluxes ``P_ref V`` (N, n_ref) of a model from :func:`train_naive`."""
    X = torch.as_tensor(np.asarray(X, dtype=np.float64), dtype=model.fc1.weight.dtype)
    return model(X)[:, torch.as_tensor(problem.reference_idx)].numpy()
