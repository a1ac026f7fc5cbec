"""MINN in plain torch, one model at a time: the method as the chapters show it.

The Metabolic-Informed Neural Network of :cite:`tazza2025minn`:

- the network (eq. 1): ``V_0 = W2 · dropout(relu(W1 · x + b1)) + b2`` (:class:`OneMINN`);
- the mechanistic loss (eq. 2) and its gradient (:func:`loss_terms`, :func:`loss_gradient`)::

      L_mech(V) = ||S V||^2 / m + ||relu(P_in V - V_in)||^2 / n_in + ||relu(-V)||^2 / n
      grad      = (2/m) S^T S V + (2/n_in) P_in^T relu(P_in V - V_in) - (2/n) relu(-V)

- the unrolled momentum descent on ``L_mech`` (eq. 2, :func:`descent`)::

      diff_0 = 0;  diff_{k+1} = decay * diff_k - lr * grad(V_k);  V_{k+1} = V_k + diff_{k+1}

- one-model training on ``c · L1 + L_mech`` (eq. 3-4) with ``torch.optim.Adam`` and autograd
  through the K steps (:func:`train_one`, :func:`predict_one`);
- the exact steady-state layer of chapter ``10_beyond`` (our addition, not the paper's):
  projection onto the null space of ``S`` with a few clipping steps (:func:`projection`).

Fluxes are *column-wise* here, ``(n, N)`` with one column per sample, so that the sparse products
``S @ V`` and ``S^T @ (S V)`` read contiguous rows; :func:`to_columns` / :func:`from_columns`
convert from and to the usual ``(..., n)``. ``S`` stays a torch sparse CSR matrix and ``P_in`` is
a row selection (indexing, never a matrix).

The fast versions of the same maths live in the private :mod:`helpers.minn._engine` (one equality
test each, ``tests/test_minn_fast_path.py``); the public API (:func:`helpers.minn.unroll`,
:func:`helpers.minn.project`, :func:`helpers.minn.train_ensemble`) runs them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import scipy.linalg
import torch
from torch import nn

from .losses import bounded, data_loss, loss_weights
from .network import EnsembleMLP
from .problem import MechanisticProblem, TorchProblem

if TYPE_CHECKING:
    from .training import Member

__all__ = ["OneMINN", "clip_to_box", "descent", "from_columns", "loss_gradient", "loss_terms",
           "null_space_basis", "predict_one", "project_columns", "projection", "sparse_product",
           "to_columns", "train_one", "train_seed", "v_in_columns"]


# ----- the column layout -----------------------------------------------------------------------
def to_columns(V: torch.Tensor, n: int) -> tuple[torch.Tensor, tuple[int, ...]]:
    """``V`` (..., n) as a contiguous ``(n, N)`` matrix, and its leading shape."""
    if V.shape[-1] != n:
        raise ValueError(f"V must have {n} fluxes in its last dimension; got shape {tuple(V.shape)}.")
    lead = tuple(V.shape[:-1])
    return V.reshape(-1, n).T.contiguous(), lead


def from_columns(Vt: torch.Tensor, lead: tuple[int, ...]) -> torch.Tensor:
    """The inverse of :func:`to_columns`: ``(n, N)`` back to ``(*lead, n)``."""
    return Vt.T.reshape(*lead, Vt.shape[0])


def v_in_columns(v_in: torch.Tensor | None, tp: TorchProblem, lead: tuple[int, ...],
                 like: torch.Tensor) -> torch.Tensor:
    """Upper bounds as (n_in, 1) (shared) or (n_in, N) (one column per sample).

    ``v_in`` None takes the problem's; else shape ``(n_in,)`` or ``(*lead, n_in)``.
    """
    if v_in is None:
        return tp.v_in.to(like.dtype).reshape(-1, 1)
    v_in = torch.as_tensor(v_in, dtype=like.dtype, device=like.device)
    if v_in.dim() == 1:
        if v_in.shape[0] != tp.n_in:
            raise ValueError(f"v_in must have n_in={tp.n_in} entries; got {v_in.shape[0]}.")
        return v_in.reshape(-1, 1)
    if v_in.shape[-1] != tp.n_in:
        raise ValueError(f"v_in must have n_in={tp.n_in} entries in its last dimension; "
                         f"got shape {tuple(v_in.shape)}.")
    return v_in.expand(*lead, tp.n_in).reshape(-1, tp.n_in).T.contiguous()


class _SparseMatmul(torch.autograd.Function):
    """``A @ X`` for a constant sparse ``A`` whose transpose ``At`` is precomputed.

    PyTorch's own backward of a CSR product transposes (and re-sorts) ``A`` on every call; with
    ``At`` at hand the backward is one more sparse product.
    """

    @staticmethod
    def forward(ctx, A: torch.Tensor, At: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
        ctx.At = At
        return A @ X

    @staticmethod
    def backward(ctx, grad: torch.Tensor):
        return None, None, ctx.At @ grad.contiguous()


def sparse_product(A: torch.Tensor, At: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """``A @ X`` for a sparse ``A`` (differentiable in ``X``; ``At`` = ``A^T``, used backward)."""
    if X.requires_grad:
        return _SparseMatmul.apply(A, At, X)
    return A @ X


# ----- the mechanistic loss and the unrolled descent (eq. 2) ----------------------------------------
def loss_terms(Vt: torch.Tensor, tp: TorchProblem, vin: torch.Tensor
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The three terms of ``L_mech`` per column: steady state, upper bounds, positivity (N,)."""
    SV = sparse_product(tp.S, tp.St, Vt)
    steady = SV.square().sum(0) / tp.m
    if tp.n_in:
        upper = torch.relu(Vt[tp.in_idx] - vin).square().sum(0) / tp.n_in
    else:
        upper = torch.zeros_like(steady)
    positivity = torch.relu(-Vt).square().sum(0) / tp.n
    return steady, upper, positivity


def loss_gradient(Vt: torch.Tensor, tp: TorchProblem, vin: torch.Tensor) -> torch.Tensor:
    """The analytic gradient of ``L_mech`` per column, same shape as ``Vt``."""
    grad = sparse_product(tp.St, tp.S, sparse_product(tp.S, tp.St, Vt)) * (2.0 / tp.m)
    if tp.n_in:
        excess = torch.relu(Vt[tp.in_idx] - vin) * (2.0 / tp.n_in)
        grad = grad.index_add(0, tp.in_idx, excess)
    return grad - torch.relu(-Vt) * (2.0 / tp.n)


def descent(Vt: torch.Tensor, tp: TorchProblem, vin: torch.Tensor, lr: float = 0.01,
            steps: int = 8, decay: float = 0.9) -> list[torch.Tensor]:
    """The ``steps`` momentum steps on ``L_mech`` from ``V_0`` = ``Vt``: the list ``[V_1, ..., V_K]``.

    Plain autograd: differentiable in ``Vt`` (and ``vin``) through every step.
    """
    trajectory = []
    diff = torch.zeros_like(Vt)
    for _ in range(steps):
        diff = decay * diff - lr * loss_gradient(Vt, tp, vin)
        Vt = Vt + diff
        trajectory.append(Vt)
    return trajectory


# ----- the exact steady-state layer (chapter 10_beyond) ------------------------------------------------
def null_space_basis(problem: MechanisticProblem, dtype: torch.dtype = torch.float64,
                     device: str | torch.device = "cpu") -> torch.Tensor:
    """Orthonormal basis ``N`` (n x k) of the null space of ``problem.S`` (cached per problem).

    ``k = n - rank(S)``; the rank is decided by the SVD with scipy's default tolerance
    (:func:`scipy.linalg.null_space`), which handles a rank-deficient ``S``.
    """
    basis = problem.cached(("null_space", "numpy"),
                           lambda: scipy.linalg.null_space(problem.S.toarray()))
    if basis.shape[1] == 0:
        raise ValueError(f"S of {problem!r} has full column rank: its null space is {{0}}, "
                         "so the only steady state is V = 0 and the projection is useless.")
    return problem.cached(("null_space", dtype, str(device)), lambda: torch.as_tensor(
        np.ascontiguousarray(basis), dtype=dtype, device=device))


def project_columns(Vt: torch.Tensor, N: torch.Tensor) -> torch.Tensor:
    """``P V = N (N^T V)``: the orthogonal projection of each column onto ``null(S)``."""
    return N @ (N.T @ Vt)


def clip_to_box(Vt: torch.Tensor, tp: TorchProblem, vin: torch.Tensor) -> torch.Tensor:
    """``Vt`` clipped to the box ``0 <= V``, ``P_in V <= V_in`` (a new tensor)."""
    V = Vt.clamp(min=0)
    if tp.n_in:
        V[tp.in_idx] = torch.minimum(V[tp.in_idx], vin)
    return V


def projection(Vt: torch.Tensor, N: torch.Tensor, tp: TorchProblem, vin: torch.Tensor,
               steps: int = 2) -> torch.Tensor:
    """The exact steady-state layer: ``V <- P V_0``, then ``steps`` times ``V <- P clip(V)``.

    It always ends on the null space (``S V = 0`` to round-off); the clipping steps pull ``V``
    towards the box (alternating projections), and what is left of the box violation is still
    penalised by ``L_mech``. Plain autograd (the Jacobian is ``P`` times 0/1 masks).
    """
    V = project_columns(Vt, N)
    for _ in range(steps):
        V = project_columns(clip_to_box(V, tp, vin), N)
    return V


# ----- one model ------------------------------------------------------------------------------------------
def train_seed(seed: int) -> int:
    """Seed of a run's shuffling/dropout stream, independent of its weight-initialisation stream."""
    return int(np.random.SeedSequence([int(seed), 1]).generate_state(1)[0])


class OneMINN(nn.Module):
    """One MINN: ``Linear -> ReLU -> Dropout -> Linear`` (eq. 1), then the unrolled descent."""

    def __init__(self, problem: MechanisticProblem, d_in: int, member: Member,
                 dtype: torch.dtype = torch.float64, lr: float = 0.01, steps: int = 8,
                 decay: float = 0.9) -> None:
        super().__init__()
        # the initial weights of the ensemble trainer's member with this seed
        init = EnsembleMLP(d_in, problem.n, member.hidden, member.dropout, [member.seed],
                           dtype=dtype)
        h = member.hidden
        self.fc1 = nn.Linear(d_in, h, dtype=dtype)
        self.fc2 = nn.Linear(h, problem.n, dtype=dtype)
        with torch.no_grad():
            self.fc1.weight.copy_(init.W1[0, :, :h].T)
            self.fc1.bias.copy_(init.b1[0, 0, :h])
            self.fc2.weight.copy_(init.W2[0, :h].T)
            self.fc2.bias.copy_(init.b2[0, 0])
        self.keep = 1.0 - member.dropout
        self.tp = problem.to_torch(dtype)
        self.lr, self.steps, self.decay = lr, steps, decay

    def forward(self, x: torch.Tensor, keep_mask: torch.Tensor | None = None) -> torch.Tensor:
        """Fluxes ``V_K`` (B, n) for inputs ``x`` (B, d); ``keep_mask`` (B, hidden, 1 = keep) is
        the dropout mask in training mode (required then), ignored in eval mode."""
        if self.training and keep_mask is None:
            raise ValueError("OneMINN.forward needs a 'keep_mask' (the dropout mask) in "
                             "training mode; call .eval() to predict.")
        hidden = torch.relu(self.fc1(x))
        if self.training:
            hidden = hidden * keep_mask / self.keep
        V0t, lead = to_columns(self.fc2(hidden), self.tp.n)
        vin = self.tp.v_in.reshape(-1, 1)
        trajectory = descent(V0t, self.tp, vin, self.lr, self.steps, self.decay)
        return from_columns(trajectory[-1] if trajectory else V0t, lead)

    def mechanistic_loss(self, V: torch.Tensor) -> torch.Tensor:
        """``L_mech`` per row of ``V`` (B, n)."""
        Vt, _ = to_columns(V, self.tp.n)
        return sum(loss_terms(Vt, self.tp, self.tp.v_in.reshape(-1, 1)))


def train_one(problem: MechanisticProblem, X: np.ndarray, Y: np.ndarray, member: Member, *,
              batch_size: int = 5, dtype: torch.dtype = torch.float64) -> OneMINN:
    """Train one MINN run and return the model (in eval mode).

    ``X`` (N, d) is already scaled; ``Y`` (N, n_ref); ``member.rows`` are the training rows.
    Per mini-batch: ``sum_b w_data c L1 + w_mech bound(L_mech)`` (eq. 3-4; NE or MSE, ``c``, the
    bound and the scheduler weights of the variant), one ``torch.optim.Adam`` step. It draws
    the random numbers of :func:`helpers.minn.train_ensemble` (initial weights, shuffling,
    dropout), so both give the same model to float tolerance. Loss balancing is left out (it
    only rescales the two terms), and so are the other layers.

    Raises
    ------
    NotImplementedError
        For a variant with loss balancing or with a layer other than ``'unrolled'``.
    """
    config = member.variant
    if config.balancing:
        raise NotImplementedError("The one-model core has no loss balancing.")
    if config.layer != "unrolled":
        raise NotImplementedError(
            f"The one-model core implements only the unrolled layer; variant {config.name!r} "
            f"uses layer {config.layer!r}.")
    X = torch.as_tensor(np.asarray(X, dtype=np.float64), dtype=dtype)
    Y = torch.as_tensor(np.asarray(Y, dtype=np.float64), dtype=dtype)
    rows = torch.as_tensor(np.arange(len(X)) if member.rows is None else np.asarray(member.rows))
    model = OneMINN(problem, X.shape[1], member, dtype)
    optimizer = torch.optim.Adam(model.parameters(), lr=member.lr,
                                 weight_decay=member.weight_decay)
    w_data, w_mech = loss_weights(config, member.data_weight, member.epochs)
    gen = torch.Generator().manual_seed(train_seed(member.seed))
    ref = torch.as_tensor(problem.reference_idx, dtype=torch.long)
    c = config.c if member.c is None else member.c
    bound = np.inf if config.bound is None else config.bound
    steps = (len(rows) + batch_size - 1) // batch_size
    width = min(batch_size, len(rows))  # a batch holds at most all the rows
    model.train()
    for epoch in range(len(w_data)):
        order = rows[torch.randperm(len(rows), generator=gen)]
        keep = torch.rand(steps, width, member.hidden, generator=gen) < model.keep
        for step in range(steps):
            batch = order[step * batch_size:(step + 1) * batch_size]
            V = model(X[batch], keep[step, :len(batch)].to(dtype))
            l1 = data_loss(V[:, ref], Y[batch], config.l1)
            l_mech = bounded(model.mechanistic_loss(V), bound, config.bound_slope)
            loss = (w_data[epoch] * c * l1 + w_mech[epoch] * l_mech).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return model.eval()


@torch.no_grad()
def predict_one(model: OneMINN, X: np.ndarray, problem: MechanisticProblem) -> np.ndarray:
    """Reference fluxes ``P_ref V`` (N, n_ref) of a model from :func:`train_one`."""
    X = torch.as_tensor(np.asarray(X, dtype=np.float64), dtype=model.fc1.weight.dtype)
    return model(X)[:, torch.as_tensor(problem.reference_idx)].numpy()
