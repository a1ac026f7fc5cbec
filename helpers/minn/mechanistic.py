"""The mechanistic layer of MINN, public API: ``L_mech``, its gradient, the unrolled layer.

Eq. 2 of :cite:`tazza2025minn`, written out in :mod:`helpers.minn.core`: ``L_mech`` and its
gradient (:func:`mechanistic_terms`, :func:`mechanistic_gradient`), and ``K`` momentum steps of
gradient descent on it (:func:`unroll`, :class:`MechanisticLayer`). These functions take fluxes
of shape ``(..., n)`` and a :class:`~helpers.minn.problem.MechanisticProblem` (or its torch view).

:func:`unroll` runs the engine's single autograd node
(:class:`~helpers.minn._engine.descent.UnrolledDescent`: two 0/1 masks per step instead of the
whole graph, the same numbers as the core's :func:`~helpers.minn.core.descent`, tested), or the
core's plain loop when the trajectory or a gradient in ``v_in`` is asked for. Introduced in
chapter ``00_toy_example``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ._engine.descent import UnrolledDescent
from .core import descent, from_columns, loss_gradient, loss_terms, to_columns, v_in_columns
from .problem import MechanisticProblem, TorchProblem

__all__ = ["MechanisticLayer", "MechanisticTerms", "mechanistic_gradient", "mechanistic_loss",
           "mechanistic_terms", "unroll"]


@dataclass(frozen=True)
class MechanisticTerms:
    """The three parts of ``L_mech`` per sample (each of shape ``V.shape[:-1]``)."""

    steady_state: torch.Tensor  # ||S V||^2 / m   (the paper's "L2")
    upper_bound: torch.Tensor  # ||relu(P_in V - V_in)||^2 / n_in
    positivity: torch.Tensor  # ||relu(-V)||^2 / n

    @property
    def total(self) -> torch.Tensor:
        """``L_mech`` = the sum of the three terms."""
        return self.steady_state + self.upper_bound + self.positivity


def _as_torch_problem(problem: MechanisticProblem | TorchProblem, like: torch.Tensor) -> TorchProblem:
    if isinstance(problem, TorchProblem):
        return problem
    return problem.to_torch(like.dtype, like.device)


def mechanistic_terms(V: torch.Tensor, problem: MechanisticProblem | TorchProblem,
                      v_in: torch.Tensor | None = None) -> MechanisticTerms:
    """The three terms of ``L_mech`` for fluxes ``V`` of shape ``(..., n)``.

    ``v_in`` overrides the problem's upper bounds: shape ``(n_in,)`` or ``(..., n_in)``.
    """
    tp = _as_torch_problem(problem, V)
    Vt, lead = to_columns(V, tp.n)
    vin = v_in_columns(v_in, tp, lead, Vt)
    steady, upper, positivity = loss_terms(Vt, tp, vin)
    return MechanisticTerms(steady.reshape(lead), upper.reshape(lead), positivity.reshape(lead))


def mechanistic_loss(V: torch.Tensor, problem: MechanisticProblem | TorchProblem,
                     v_in: torch.Tensor | None = None) -> torch.Tensor:
    """``L_mech(V)`` per sample (shape ``V.shape[:-1]``)."""
    return mechanistic_terms(V, problem, v_in).total


def mechanistic_gradient(V: torch.Tensor, problem: MechanisticProblem | TorchProblem,
                         v_in: torch.Tensor | None = None) -> torch.Tensor:
    """Analytic gradient of ``L_mech`` with respect to ``V`` (same shape as ``V``).

    ``(2/m) S^T S V + (2/n_in) P_in^T relu(P_in V - V_in) - (2/n) relu(-V)``.
    """
    tp = _as_torch_problem(problem, V)
    Vt, lead = to_columns(V, tp.n)
    vin = v_in_columns(v_in, tp, lead, Vt)
    return from_columns(loss_gradient(Vt, tp, vin), lead)


def unroll(V0: torch.Tensor, problem: MechanisticProblem | TorchProblem,
           v_in: torch.Tensor | None = None, *, lr: float = 0.01, steps: int = 8,
           decay: float = 0.9, return_trajectory: bool = False):
    """Run ``steps`` momentum gradient steps on ``L_mech`` from ``V0`` (shape ``(..., n)``).

    Returns ``V_K`` (same shape), or the list ``[V_0, ..., V_K]`` if ``return_trajectory``.
    Differentiable with respect to ``V0``: by a hand-written backward (the engine) when only
    ``V_K`` is asked for, by autograd through the core's plain loop otherwise (also when ``v_in``
    requires grad).
    """
    if steps < 0:
        raise ValueError(f"The 'steps' parameter must be >= 0. Got {steps!r} instead.")
    tp = _as_torch_problem(problem, V0)
    Vt, lead = to_columns(V0, tp.n)
    vin = v_in_columns(v_in, tp, lead, Vt)
    if not return_trajectory and not vin.requires_grad:
        return from_columns(UnrolledDescent.apply(Vt, vin, tp, lr, steps, decay), lead)
    trajectory = [V0] + [from_columns(V, lead) for V in descent(Vt, tp, vin, lr, steps, decay)]
    return trajectory if return_trajectory else trajectory[-1]


class MechanisticLayer(nn.Module):
    """The MINN mechanistic layer: ``V_0 -> V_K`` by :func:`unroll` (no trainable weights).

    Parameters
    ----------
    problem : MechanisticProblem
    lr, steps, decay : float, int, float
        Step size, number of unrolled steps and momentum (release defaults 0.01, 8, 0.9).

    Examples
    --------
    >>> layer = MechanisticLayer(problem)          # doctest: +SKIP
    >>> V = layer(V0)                              # doctest: +SKIP
    """

    def __init__(self, problem: MechanisticProblem, lr: float = 0.01, steps: int = 8,
                 decay: float = 0.9) -> None:
        super().__init__()
        self.problem = problem
        self.lr, self.steps, self.decay = float(lr), int(steps), float(decay)

    def forward(self, V0: torch.Tensor, v_in: torch.Tensor | None = None) -> torch.Tensor:
        return unroll(V0, self.problem, v_in, lr=self.lr, steps=self.steps, decay=self.decay)

    def extra_repr(self) -> str:
        return f"{self.problem!r}, lr={self.lr}, steps={self.steps}, decay={self.decay}"
