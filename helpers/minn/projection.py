"""An exact steady-state layer: projection onto the null space of ``S``, then a few box steps.

The paper's mechanistic layer (:mod:`helpers.minn.mechanistic`, :cite:`tazza2025minn`) takes 8 momentum steps on
``L_mech`` and leaves ``||S V||^2 / m`` of order 1e-2 on the reduced iAF1260. This layer makes
steady state exact instead::

    P = I - S^T (S S^T)^+ S = N N^T          (N: orthonormal basis of null(S), n x k)
    V <- P V_0
    repeat `steps` times:  V <- P clip(V, 0, V_in)           (alternating projections)

It always ends on the null space, so ``S V = 0`` to round-off, whatever ``steps`` is; the clipping
steps pull ``V`` towards the box ``0 <= V``, ``P_in V <= V_in`` (von Neumann's alternating
projections between a subspace and a box converge to a point of their intersection when there is
one), and what is left of the box violation is still penalised by the positivity and upper-bound
terms of ``L_mech``. What it guarantees is ``S V = 0`` only: a few steps do not reach the box,
and on the Ishii data the trained layer leaves more fluxes below zero than the paper's descent
(chapter ``10_beyond`` counts them with :func:`helpers.minn.feasible.box_violations`). Our choice:
alternating projections rather than a differentiable QP layer, because each step costs two dense
products with ``N`` and no solver call, and its Jacobian is simply ``P`` times a 0/1 mask; a fully
feasible output is the post-processing QP :func:`helpers.minn.feasible.project_feasible`.

``S`` has rank < m (1007 of 1668 rows on the FVA-reduced iAF1260): ``N`` comes from the SVD
(:func:`scipy.linalg.null_space`), which handles the rank deficiency; it is computed once per
problem (a few seconds) and cached on it. The maths is written out in :mod:`helpers.minn.core`
(:func:`~helpers.minn.core.projection`); :func:`project` runs the engine's single autograd node
(:class:`~helpers.minn._engine.projection.Projection`, the same forward numbers, tested).
Introduced in chapter ``10_beyond``.
"""

from __future__ import annotations

import torch
from torch import nn

from ._engine.projection import Projection
from .core import from_columns, null_space_basis, to_columns, v_in_columns
from .problem import MechanisticProblem

__all__ = ["null_space_basis", "project", "ProjectionLayer"]


def project(V0: torch.Tensor, problem: MechanisticProblem, v_in: torch.Tensor | None = None, *,
            steps: int = 2) -> torch.Tensor:
    """The exact steady-state layer on fluxes ``V0`` of shape ``(..., n)`` (differentiable).

    ``v_in`` overrides the upper bounds of the bounded fluxes: ``(n_in,)`` or ``(..., n_in)``.
    ``steps`` = number of clip-then-project steps after the first projection (0: plain ``P V0``).
    """
    if steps < 0:
        raise ValueError(f"The 'steps' parameter must be >= 0. Got {steps!r} instead.")
    tp = problem.to_torch(V0.dtype, V0.device)
    N = null_space_basis(problem, V0.dtype, V0.device)
    Vt, lead = to_columns(V0, tp.n)
    vin = v_in_columns(v_in, tp, lead, Vt)
    return from_columns(Projection.apply(Vt, vin, N, tp, int(steps)), lead)


class ProjectionLayer(nn.Module):
    """The exact steady-state layer ``V_0 -> V`` (:func:`project`), no trainable weights."""

    def __init__(self, problem: MechanisticProblem, steps: int = 2) -> None:
        super().__init__()
        self.problem, self.steps = problem, int(steps)

    def forward(self, V0: torch.Tensor, v_in: torch.Tensor | None = None) -> torch.Tensor:
        return project(V0, self.problem, v_in, steps=self.steps)

    def extra_repr(self) -> str:
        return f"{self.problem!r}, steps={self.steps}"
