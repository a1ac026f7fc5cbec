"""MINN: a Metabolic-Informed Neural Network (network + unrolled mechanistic layer).

The method of :cite:`tazza2025minn`. One concept per module:

- :mod:`helpers.minn.core` — the method in plain torch, one model at a time: the network, the
  loss terms, the unrolled momentum descent, one-model training, the null-space projection
  (what the chapters show);
- :mod:`helpers.minn.problem` — :class:`MechanisticProblem` (sparse ``S``, ``P_ref``, ``P_in``, ``V_in``);
- :mod:`helpers.minn.mechanistic` — ``L_mech``, its analytic gradient, the unrolled layer (public API);
- :mod:`helpers.minn.projection` — the exact steady-state layer (null-space projection, ch. 10);
- :mod:`helpers.minn.feasible` — box violations of predicted fluxes and the fully feasible
  projection (a per-sample QP onto ``S V = 0`` and the bounds, ch. 10);
- :mod:`helpers.minn.network` — :class:`EnsembleMLP` (E stacked MLPs; E = 1 is one model);
- :mod:`helpers.minn.losses` — NE / MSE, bound, balancing, scheduler weights;
- :mod:`helpers.minn.config` — :class:`MinnConfig` and :data:`VARIANTS` (every paper variant);
- :mod:`helpers.minn.training` — :func:`train_ensemble` (E runs in one program), :class:`Member`;
- :mod:`helpers.minn.estimator` — :class:`MINNRegressor` (scikit-learn estimator);
- :mod:`helpers.minn.dataset` — a dataset in the book's format as MINN's ``X``, split ``Y`` and problem;
- :mod:`helpers.minn.scaling` — per-run min-max scaling;
- :mod:`helpers.minn.toy` — the toy model and its data (chapter ``00_toy_example``);
- :mod:`helpers.minn.fba_fit` — FBA-fit targets: each sample projected onto its FBA space (QP);
- :mod:`helpers.minn.loss_conflict` — the data-vs-mechanism strategies of chapter ``04_conflicting_losses``;
- :mod:`helpers.minn.reservoir` — the frozen reservoir block and the omics networks trained through it;
- :mod:`helpers.minn._engine` — the private fast engine (batched trainer, ``EnsembleAdam``,
  in-place descent, projection backward), each piece tested equal to the core.

Imports: :mod:`helpers.gem` and :mod:`helpers.data` only.

One model, scikit-learn style::

    problem = MechanisticProblem.from_gem(helpers.gem.minn_matrices(model, ref_ids, in_ids))
    minn = MINNRegressor(problem, variant="c-balanced", c=30).fit(X_train, Y_train)
    minn.predict(X_test); minn.predict_fluxes(X_test); minn.mechanistic_residual(X_test)

Many runs (trials x folds, several variants, different epochs) as one batched program::

    members = cv_members(trials, folds, config="c-balanced")     # or a list of Member(...)
    Xs = minmax_scale_members(X, [m.rows for m in members])      # scaling per run's train rows
    fit = train_ensemble(problem, Xs, Y, members, v_in=per_sample_bounds)
    fit.predict(Xs)  # (E, N, n_ref); fit.history["data"] is (E, epochs)

Chapter ``00_toy_example`` introduces all of it.
"""

from ._engine.adam import EnsembleAdam
from .config import VARIANTS, MinnConfig, get_variant
from .estimator import MINNRegressor
from .mechanistic import (
    MechanisticLayer,
    MechanisticTerms,
    mechanistic_gradient,
    mechanistic_loss,
    mechanistic_terms,
    unroll,
)
from .network import EnsembleMLP
from .problem import MechanisticProblem, TorchProblem
from .projection import ProjectionLayer, null_space_basis, project
from .scaling import minmax_scale_members
from .training import (
    EnsembleFit,
    Member,
    TrainingDivergedError,
    cv_members,
    train_ensemble,
)

#: Bump whenever a change makes MINN training give different numbers (beyond float rounding):
#: it is part of the protocol hash of the paper-protocol results store
#: (:mod:`helpers.book.paper`), so every stored unit computed before becomes stale.
NUMERICS_VERSION = 1

__all__ = [
    "NUMERICS_VERSION",
    "VARIANTS",
    "EnsembleAdam",
    "EnsembleFit",
    "EnsembleMLP",
    "MINNRegressor",
    "MechanisticLayer",
    "MechanisticProblem",
    "MechanisticTerms",
    "Member",
    "MinnConfig",
    "ProjectionLayer",
    "TorchProblem",
    "TrainingDivergedError",
    "cv_members",
    "get_variant",
    "mechanistic_gradient",
    "mechanistic_loss",
    "mechanistic_terms",
    "minmax_scale_members",
    "null_space_basis",
    "project",
    "train_ensemble",
    "unroll",
]
