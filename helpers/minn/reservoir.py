"""MINN-reservoir: a frozen "FBA approximator" block, and an omics network trained through it.

Section 2.3.1 of :cite:`tazza2025minn` (after :cite:`faure2023amn`): step 1 trains a MINN with *no omics
input* to map upper bounds of five exchanges (:data:`BLOCK_INPUTS`) to the FBA flux distribution
of the FBA-reduced iAF1260 (587 split reactions); its weights are then frozen (the "pretrained
block"). Step 2 trains a new network from omics + glucose/O2 uptakes to the block's five inputs,
through the frozen block, on the normalized error (NE) of the block output's reference fluxes.

- :class:`ReservoirBlock` is the block in the project's own pieces: an :class:`EnsembleMLP`
  (one member, 5 -> 500 -> 587, ReLU, dropout 0.25) followed by the unrolled mechanistic layer
  (:func:`unroll`, 8 steps, lr 0.01, decay 0.9) on the authors' GEM (m = 493, its own ``S``). In
  the release the upper-bound term of that layer is inert (``V_in = inf``).
- :func:`load_block` loads the authors' released state dict *strictly*: every key present, no
  extra key, every shape equal, else :class:`BlockLoadError` naming what differs.
- :func:`simulate_exchanges` draws random upper bounds of the five exchanges and solves FBA and
  pFBA (the block check, and the training data of :func:`train_block`).
- :func:`train_omics_members` trains E omics networks at once (one per LOO fold, or per fold x
  candidate x inner fold) through one frozen block. As in the release, the frozen block's dropout
  is *active while training* (the whole model is put in ``train()`` mode; freezing only stops its
  gradients) and off when predicting; ``block_dropout=False`` switches it off.

The omics trainer reuses the engine's pieces of :func:`helpers.minn.train_ensemble` (members'
rows, mini-batches and streams, :class:`~helpers.minn._engine.adam.EnsembleAdam`, the thread
count); its loss goes through autograd (the frozen block is a plain torch module). Introduced in
chapter ``06_reservoir_pfba``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

from helpers.gem.ids import strip_prefix, to_flux_id

from ._engine.adam import EnsembleAdam
from ._engine.batches import epoch_batches, member_rows, torch_threads
from .core import train_seed
from .losses import normalized_error
from .mechanistic import mechanistic_terms, unroll
from .network import EnsembleMLP
from .problem import MechanisticProblem

__all__ = [
    "BLOCK_INPUTS",
    "BLOCK_KEYS",
    "BlockLoadError",
    "ReservoirBlock",
    "block_problem",
    "load_block",
    "exchange_ranges",
    "simulate_exchanges",
    "train_block",
    "OmicsMember",
    "OmicsFit",
    "train_omics_members",
]

#: The block's inputs, in order: upper bounds of these split exchange fluxes (release, cell 7).
BLOCK_INPUTS = ["R_EX_glc__D_e_rev", "R_EX_o2_e_rev", "R_EX_co2_e_fwd", "R_EX_etoh_e", "R_EX_ac_e"]

#: The release's layer names (``nn.Sequential``: Linear, ReLU, Dropout, Linear) -> (rows, cols)
#: with ``None`` standing for the number of reactions; biases have one dimension.
BLOCK_KEYS = {"layers.0.weight": (500, 5), "layers.0.bias": (500,),
              "layers.3.weight": (None, 500), "layers.3.bias": (None,)}


class BlockLoadError(ValueError):
    """A state dict that does not fit the block: missing / unexpected keys or wrong shapes."""


def block_problem(model, reference: Sequence[str] = BLOCK_INPUTS) -> MechanisticProblem:
    """The block's :class:`MechanisticProblem` on a split cobra model (``S`` in its own order).

    ``reference`` (default the five exchanges) are the fluxes read off the block's output; no
    flux is bounded (the release's ``V_in`` is +inf, the upper-bound term inert).
    """
    ids = [to_flux_id(r.id) for r in model.reactions]
    missing = [r for r in reference if to_flux_id(r) not in ids]
    if missing:
        raise ValueError(f"block_problem: reference flux(es) {missing} are not reactions of model "
                         f"{model.id!r} ({len(ids)} reactions; ids compared with the 'R_' prefix, "
                         "e.g. 'R_EX_glc__D_e_rev').")
    problem = MechanisticProblem.from_cobra(model, [ids.index(to_flux_id(r)) for r in reference])
    return MechanisticProblem.from_matrices(problem.S, ids, list(problem.reference_idx), (), None,
                                            problem.metabolite_ids)


class ReservoirBlock(nn.Module):
    """Network (5 -> hidden -> n) + unrolled mechanistic layer on ``problem``; frozen by default.

    Parameters
    ----------
    problem
        :func:`block_problem` of the GEM whose reactions are the block's outputs (in order).
    hidden, dropout
        Size of the hidden layer and dropout rate (release: 500, 0.25).
    lr, steps, decay
        Mechanistic layer (release: 0.01, 8, 0.9).
    seed
        Initialisation of a block to be trained (:func:`train_block`); loading overwrites it.
    """

    def __init__(self, problem: MechanisticProblem, hidden: int = 500, dropout: float = 0.25,
                 lr: float = 0.01, steps: int = 8, decay: float = 0.9, seed: int = 0) -> None:
        super().__init__()
        self.problem = problem
        self.net = EnsembleMLP(len(BLOCK_INPUTS), problem.n, hidden, dropout, seeds=(seed,))
        self.lr, self.steps, self.decay = float(lr), int(steps), float(decay)
        self.freeze()

    def freeze(self) -> ReservoirBlock:
        """Stop gradients to the block's weights (dropout still follows ``train()``/``eval()``)."""
        for p in self.net.parameters():
            p.requires_grad_(False)
        return self

    @property
    def reference_ids(self) -> list[str]:
        return self.problem.reference_ids

    def initial(self, u: torch.Tensor, dropout_mask: torch.Tensor | None = None) -> torch.Tensor:
        """``V0`` of the network part for block inputs ``u`` of shape (..., 5).

        ``dropout_mask`` (..., hidden; 1 = keep) is used in training mode; the trainers draw it
        from their own generators (without one, the global torch RNG draws it).
        """
        lead = u.shape[:-1]
        mask = None if dropout_mask is None else dropout_mask.reshape(1, -1, dropout_mask.shape[-1])
        V0 = self.net(u.reshape(1, -1, u.shape[-1]), mask)
        return V0.reshape(*lead, self.problem.n)

    def forward(self, u: torch.Tensor, return_initial: bool = False,
                dropout_mask: torch.Tensor | None = None):
        """Fluxes ``V_K`` (..., n) for block inputs ``u`` (..., 5); also ``V0`` if asked.

        ``dropout_mask`` as in :meth:`initial`.
        """
        V0 = self.initial(u, dropout_mask)
        V = unroll(V0, self.problem, lr=self.lr, steps=self.steps, decay=self.decay)
        return (V, V0) if return_initial else V

    @torch.no_grad()
    def predict(self, u) -> tuple[np.ndarray, np.ndarray]:
        """``(V_K, V0)`` as numpy arrays in eval mode (no dropout) for inputs ``u`` (N, 5)."""
        was = self.training
        self.eval()
        V, V0 = self(torch.as_tensor(np.asarray(u, dtype=np.float32)), return_initial=True)
        self.train(was)
        return V.numpy(), V0.numpy()

    def residual(self, V) -> np.ndarray:
        """``||S V||² / m`` per row."""
        V = torch.as_tensor(np.asarray(V, dtype=np.float32))
        return mechanistic_terms(V, self.problem).steady_state.numpy()


def _expected_shapes(n: int, hidden: int) -> dict[str, tuple[int, ...]]:
    shapes = {}
    for key, shape in BLOCK_KEYS.items():
        dims = [n if d is None else d for d in shape]
        if key == "layers.0.weight":
            dims = [hidden, len(BLOCK_INPUTS)]
        elif key == "layers.0.bias":
            dims = [hidden]
        elif key == "layers.3.weight":
            dims = [n, hidden]
        shapes[key] = tuple(dims)
    return shapes


def load_block(state: Mapping[str, torch.Tensor] | str | Path, problem: MechanisticProblem, *,
               hidden: int = 500, dropout: float = 0.25) -> ReservoirBlock:
    """A frozen :class:`ReservoirBlock` on ``problem`` with the released weights, loaded strictly.

    Parameters
    ----------
    state
        The state dict, or a path to a ``.pth`` file holding one (``torch.load``, weights only).
    problem
        :func:`block_problem` of the authors' GEM (587 reactions, in the notebook's order).

    Raises
    ------
    BlockLoadError
        Listing missing keys, unexpected keys and every shape that differs from
        ``Linear(5, hidden)`` / ``Linear(hidden, problem.n)``.
    """
    if not isinstance(state, Mapping):
        state = torch.load(Path(state), map_location="cpu", weights_only=True)
    expected = _expected_shapes(problem.n, hidden)
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong = {k: (tuple(state[k].shape), expected[k]) for k in expected
             if k in state and tuple(state[k].shape) != expected[k]}
    if missing or unexpected or wrong:
        details = [f"missing keys {missing}" if missing else "",
                   f"unexpected keys {unexpected}" if unexpected else "",
                   "; ".join(f"{k}: got shape {g}, expected {e}" for k, (g, e) in wrong.items())]
        raise BlockLoadError(
            f"The state dict does not fit a block 5 -> {hidden} -> {problem.n} on this GEM "
            f"(m={problem.m}, n={problem.n}): " + "; ".join(d for d in details if d) + "."
        )
    block = ReservoirBlock(problem, hidden=hidden, dropout=dropout)
    with torch.no_grad():
        block.net.W1.copy_(state["layers.0.weight"].T.unsqueeze(0))
        block.net.b1.copy_(state["layers.0.bias"].reshape(1, 1, -1))
        block.net.W2.copy_(state["layers.3.weight"].T.unsqueeze(0))
        block.net.b2.copy_(state["layers.3.bias"].reshape(1, 1, -1))
    return block.freeze().eval()


# ----- FBA simulations over random exchange bounds ---------------------------------------------
def exchange_ranges(fluxes: pd.DataFrame, margin: float = 0.2) -> dict[str, tuple[float, float]]:
    """``[0, (1 + margin) * max]`` of each block input over the Ishii samples (release, cell 16)."""
    return {f: (0.0, float(fluxes[f].max()) * (1.0 + margin)) for f in BLOCK_INPUTS}


def simulate_exchanges(model, ranges: Mapping[str, tuple[float, float]], n: int, *, seed: int = 0,
                       min_growth: float = 5e-3, max_tries: int | None = None) -> dict:
    """FBA and pFBA on ``model`` for ``n`` random upper-bound vectors of the five exchanges.

    Each vector is drawn uniformly within ``ranges``; infeasible draws and those growing below
    ``min_growth`` (the release's filter, cell 8) are counted and redrawn, up to ``max_tries``
    draws in all (default ``20 n``). ``model`` is left as it was (``with model:``).

    Returns
    -------
    dict
        ``inputs`` (n x 5 DataFrame), ``fba`` and ``pfba`` (n x reactions DataFrames, flux ids
        with ``R_``), ``growth`` (Series), ``n_rejected``.

    Raises
    ------
    ValueError
        ``n < 1``, a block input missing from ``ranges`` or the model, or a model without an
        objective (the growth it reports).
    RuntimeError
        Fewer than ``n`` draws were accepted within ``max_tries`` (the message gives the counts).
    """
    from cobra.flux_analysis import pfba

    if int(n) < 1:
        raise ValueError(f"The 'n' parameter must be >= 1. Got {n!r} instead.")
    missing = [f for f in BLOCK_INPUTS if f not in ranges]
    if missing:
        raise ValueError(f"The 'ranges' parameter lacks block input(s) {missing}.")
    ids = [strip_prefix(f) for f in BLOCK_INPUTS]
    absent = [f for f, rid in zip(BLOCK_INPUTS, ids, strict=True) if rid not in model.reactions]
    if absent:
        raise ValueError(f"simulate_exchanges: block input(s) {absent} are not reactions of "
                         f"model {model.id!r}.")
    objectives = [to_flux_id(r.id) for r in model.reactions if r.objective_coefficient]
    if not objectives:
        raise ValueError(f"simulate_exchanges: model {model.id!r} has no objective reaction "
                         "(the growth it reports is the objective's flux).")
    objective = objectives[0]
    rng = np.random.default_rng(seed)
    columns = [to_flux_id(r.id) for r in model.reactions]
    inputs, fba_rows, pfba_rows, rejected = [], [], [], 0
    max_tries = max_tries or 20 * n
    while len(inputs) < n and len(inputs) + rejected < max_tries:
        u = np.array([rng.uniform(*ranges[f]) for f in BLOCK_INPUTS])
        with model, warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # cobra warns on each infeasible draw
            for rid, value in zip(ids, u, strict=True):
                model.reactions.get_by_id(rid).upper_bound = float(value)
            solution = model.optimize()
            if solution.status != "optimal" or solution.objective_value < min_growth:
                rejected += 1
                continue
            parsimonious = pfba(model)
        inputs.append(u)
        fba_rows.append(solution.fluxes.to_numpy())
        pfba_rows.append(parsimonious.fluxes.to_numpy())
    if len(inputs) < n:
        raise RuntimeError(
            f"simulate_exchanges: only {len(inputs)} of the {n} requested draws were accepted "
            f"within max_tries={max_tries} ({rejected} rejected: infeasible, or growth below "
            f"min_growth={min_growth}). Widen 'ranges', lower 'min_growth' or raise 'max_tries'.")
    index = pd.RangeIndex(len(inputs), name="simulation")
    fba = pd.DataFrame(np.array(fba_rows).reshape(len(inputs), -1), index=index, columns=columns)
    return {"inputs": pd.DataFrame(np.array(inputs).reshape(-1, 5), index=index, columns=BLOCK_INPUTS),
            "fba": fba,
            "pfba": pd.DataFrame(np.array(pfba_rows).reshape(len(inputs), -1), index=index,
                                 columns=columns),
            "growth": fba[objective], "n_rejected": rejected}


def train_block(problem: MechanisticProblem, inputs: np.ndarray, targets: np.ndarray, *,
                hidden: int = 500, dropout: float = 0.25, epochs: int = 100, batch_size: int = 5,
                lr: float = 1e-3, weight_decay: float = 0.0, seed: int = 0,
                num_threads: int | None = 1) -> tuple[ReservoirBlock, list]:
    """Train a block (step 1 of the reservoir) on simulated bounds -> fluxes; returns it frozen.

    Loss per sample: MSE over all n fluxes + ``L_mech`` of the block output (the MINN loss with the
    whole flux distribution as reference, c = 1), Adam, mini-batches of ``batch_size``. Returns
    the frozen block (eval mode) and the mean training loss per epoch. ``num_threads`` as in
    :func:`train_omics_members`. ``seed`` sets the initial weights and one ``torch.Generator``
    that draws the shuffling and the dropout masks; torch's global RNG is neither used nor reset.
    """
    with torch_threads(num_threads):
        return _train_block(problem, inputs, targets, hidden, dropout, epochs, batch_size, lr,
                            weight_decay, seed)


def _train_block(problem, inputs, targets, hidden, dropout, epochs, batch_size, lr, weight_decay,
                 seed) -> tuple[ReservoirBlock, list]:
    block = ReservoirBlock(problem, hidden=hidden, dropout=dropout, seed=seed)
    for p in block.net.parameters():
        p.requires_grad_(True)
    U = torch.as_tensor(np.asarray(inputs, dtype=np.float32))
    Y = torch.as_tensor(np.asarray(targets, dtype=np.float32))
    optimizer = torch.optim.Adam(block.net.parameters(), lr=lr, weight_decay=weight_decay)
    generator = torch.Generator().manual_seed(seed)
    keep = 1.0 - block.net.dropout_rates[0]
    history = []
    block.train()
    for _ in range(epochs):
        order = torch.randperm(len(U), generator=generator)
        total = 0.0
        for start in range(0, len(U), batch_size):
            rows = order[start:start + batch_size]
            mask = torch.rand(len(rows), hidden, generator=generator) < keep
            V = block(U[rows], dropout_mask=mask)
            loss = ((V - Y[rows]) ** 2).mean(-1) + mechanistic_terms(V, problem).total
            optimizer.zero_grad()
            loss.sum().backward()
            optimizer.step()
            total += float(loss.detach().sum())
        history.append(total / len(U))
    return block.freeze().eval(), history


# ----- step 2: omics -> block inputs, trained through the frozen block -----------------------------
@dataclass(frozen=True)
class OmicsMember:
    """One omics network to train: its training rows and hyper-parameters."""

    rows: tuple[int, ...]
    hidden: int = 250
    dropout: float = 0.25
    lr: float = 5e-4
    weight_decay: float = 1e-4
    seed: int = 0
    tag: dict = field(default_factory=dict, compare=False)


@dataclass
class OmicsFit:
    """Trained omics networks (E members) in front of one frozen block."""

    net: EnsembleMLP
    block: ReservoirBlock
    history: np.ndarray  # (E, epochs) mean training NE

    @torch.no_grad()
    def predict(self, Xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Block inputs ``u`` (E, N, 5) and block fluxes ``V`` (E, N, n) for scaled ``Xs`` (E, N, d)."""
        self.net.eval()
        self.block.eval()
        u = self.net(torch.as_tensor(np.asarray(Xs, dtype=np.float32)))
        V = self.block(u)
        return u.numpy(), V.numpy()


def train_omics_members(block: ReservoirBlock, Xs: np.ndarray, Y: np.ndarray,
                        members: Sequence[OmicsMember], *, epochs: int = 100, batch_size: int = 5,
                        block_dropout: bool = True, num_threads: int | None = 1) -> OmicsFit:
    """Train E omics networks ``X -> u`` (u = the block's 5 inputs) through the frozen ``block``.

    Parameters
    ----------
    block
        The frozen :class:`ReservoirBlock`; its ``reference_ids`` are the fluxes in ``Y``.
    Xs
        Inputs scaled per member (E, N, d) (:func:`helpers.minn.minmax_scale_members`).
    Y
        Targets (N, n_ref): the block output's reference fluxes (FBA-fit data).
    members
        One :class:`OmicsMember` per network: training rows and hyper-parameters.
    epochs, batch_size
        Release: 100 epochs, batches of 5 (each member shuffles its own rows every epoch).
    block_dropout
        Keep the frozen block's dropout active during training, as the release does.
    num_threads
        Torch threads while training (default 1, as :func:`helpers.minn.train_ensemble`: on a
        busy 2-core machine more threads made the small sparse products ~70x slower).

    Loss per sample: NE of the block output's reference fluxes (the divided-loss path: no
    mechanistic term), summed over the mini-batch; Adam with L2 weight decay, per member.

    Each member's run is independent of the others, as in :func:`helpers.minn.train_ensemble`
    (and equal, to float tolerance, to training it alone): its weights come from its own
    ``seed``; its shuffling and the dropout masks of its network *and* of the block come from
    its own ``torch.Generator``; :class:`~helpers.minn.EnsembleAdam` updates it with its
    own lr, weight decay and step count. torch's global RNG is neither used nor reset.
    """
    with torch_threads(num_threads):
        return _train_omics(block, Xs, Y, members, epochs, batch_size, block_dropout)


def _train_omics(block, Xs, Y, members, epochs, batch_size, block_dropout) -> OmicsFit:
    Xs = torch.as_tensor(np.asarray(Xs, dtype=np.float32))
    Y = torch.as_tensor(np.asarray(Y, dtype=np.float32))
    if Xs.dim() != 3:
        raise ValueError(f"Xs must have shape (E, N, d); got {tuple(Xs.shape)}.")
    E, N, d = Xs.shape
    if len(members) != E:
        raise ValueError(f"Xs has {E} member slices but {len(members)} members were given.")
    if tuple(Y.shape) != (N, len(block.reference_ids)):
        raise ValueError(f"Y must have shape (N={N}, {len(block.reference_ids)}) (columns "
                         f"{block.reference_ids}); got {tuple(Y.shape)}.")
    rows = member_rows([m.rows for m in members], N)
    net = EnsembleMLP(d, len(BLOCK_INPUTS), [m.hidden for m in members], [m.dropout for m in members],
                      seeds=[m.seed for m in members])
    params = [net.W1, net.b1, net.W2, net.b2]
    trim = [[(), (slice(None), slice(0, h)), (slice(0, h),), ()] for h in net.hidden_sizes]
    adam = EnsembleAdam(params, [m.lr for m in members], [m.weight_decay for m in members],
                        trim=trim)
    gens = [torch.Generator().manual_seed(train_seed(m.seed)) for m in members]
    n_rows = torch.tensor([len(r) for r in rows])
    steps_per_epoch = (n_rows + batch_size - 1) // batch_size
    S_max = int(steps_per_epoch.max())
    every = torch.ones(E, dtype=torch.bool)
    hidden_b, keep_b = block.net.hidden_sizes[0], 1.0 - block.net.dropout_rates[0]
    members_axis = torch.arange(E)[:, None]
    ref = torch.as_tensor(block.problem.reference_idx)
    history = np.zeros((E, epochs))
    for epoch in range(epochs):
        idx, valid, keep = epoch_batches(rows, gens, every, steps_per_epoch, S_max, batch_size, net)
        block_keep = None
        if block_dropout:  # each member's block masks from its own generator, after its own draws
            block_keep = torch.zeros(S_max, E, batch_size, hidden_b, dtype=torch.bool)
            for e in range(E):
                steps = int(steps_per_epoch[e])
                block_keep[:steps, e] = torch.rand(steps, batch_size, hidden_b,
                                                   generator=gens[e]) < keep_b
        net.train()
        block.train(block_dropout)
        for s in range(S_max):
            active = valid[s].any(1)
            x = Xs[members_axis, idx[s]]  # (E, B, d)
            V = block(net(x, keep[s]), dropout_mask=None if block_keep is None else block_keep[s])
            ne = normalized_error(V[..., ref], Y[idx[s]]) * valid[s]
            for p in params:
                p.grad = None
            ne.sum().backward()
            adam.step([p.grad for p in params], active)
            history[:, epoch] += ne.detach().sum(1).numpy()
        history[:, epoch] /= n_rows.numpy()
    net.eval()
    block.eval()
    return OmicsFit(net=net, block=block, history=history)
