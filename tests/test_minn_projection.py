"""The exact steady-state layer (chapter 10_beyond): S V = 0, idempotent, correct gradient."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from helpers.minn import MechanisticProblem, Member, MinnConfig, train_ensemble
from helpers.minn.projection import ProjectionLayer, null_space_basis, project
from helpers.minn.toy import make_toy_data


@pytest.fixture(scope="module")
def problem():
    """A random sparse S (30 x 50) whose rank (20) is below its row count (rank-deficient)."""
    rng = np.random.default_rng(0)
    A = sp.random(20, 50, density=0.15, random_state=1).toarray()
    S = rng.normal(size=(30, 20)) @ A  # 30 rows, rank 20
    return MechanisticProblem.from_matrices(S, [f"R{i}" for i in range(50)], [0, 3, 7],
                                            bounded=[1, 2], v_in=[0.5, 0.8])


def test_basis_is_orthonormal_and_spans_the_null_space(problem):
    N = null_space_basis(problem).numpy()
    assert N.shape == (50, 50 - np.linalg.matrix_rank(problem.S.toarray()))
    np.testing.assert_allclose(N.T @ N, np.eye(N.shape[1]), atol=1e-12)
    assert np.abs(problem.S @ N).max() < 1e-12


@pytest.mark.parametrize("steps", [0, 1, 3])
def test_projection_leaves_no_steady_state_residual(problem, steps):
    V0 = torch.randn(7, 50, dtype=torch.float64) * 10
    V = project(V0, problem, steps=steps)
    residual = torch.as_tensor(problem.S.toarray()) @ V.T
    assert residual.abs().max() < 1e-10


def test_plain_projection_is_idempotent_and_the_orthogonal_one(problem):
    V0 = torch.randn(4, 50, dtype=torch.float64)
    once = project(V0, problem, steps=0)
    np.testing.assert_allclose(project(once, problem, steps=0), once, atol=1e-12)
    S = problem.S.toarray()
    P = np.eye(50) - np.linalg.pinv(S) @ S  # I - S^T (S S^T)^+ S
    np.testing.assert_allclose(once.numpy(), V0.numpy() @ P.T, atol=1e-10)


def test_clip_steps_shrink_the_box_violation(problem):
    torch.manual_seed(0)
    V0 = torch.randn(16, 50, dtype=torch.float64)
    violation = []
    for steps in (0, 2, 20):
        V = project(V0, problem, steps=steps)
        over = torch.relu(V[:, problem.bounded_idx] - torch.tensor(problem.v_in))
        violation.append(float(torch.relu(-V).square().sum() + over.square().sum()))
    assert violation[2] < violation[1] < violation[0]


def test_a_feasible_point_is_a_fixed_point():
    """A linear pathway A -> B -> C: V = (2, 2, 2) is steady and inside the box, so it stays."""
    chain = MechanisticProblem.from_matrices([[1, -1, 0], [0, 1, -1]], ["in", "mid", "out"],
                                             ["out"], bounded=["in"], v_in=[5.0])
    V = torch.full((1, 3), 2.0, dtype=torch.float64)
    np.testing.assert_allclose(project(V, chain, steps=3), V, atol=1e-12)
    over = project(torch.tensor([[9.0, 0.0, 0.0]], dtype=torch.float64), chain, steps=50)
    np.testing.assert_allclose(over, [[3.0, 3.0, 3.0]], atol=1e-9)  # P V0 = (3, 3, 3) < 5


@pytest.mark.parametrize("steps", [0, 2])
def test_gradient_matches_finite_differences(problem, steps):
    torch.manual_seed(1)
    V0 = (torch.randn(3, 50, dtype=torch.float64) + 0.3).requires_grad_(True)
    weights = torch.randn(3, 50, dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda v: (project(v, problem, steps=steps) * weights).sum(),
                                    (V0,), eps=1e-7, atol=1e-6)


def test_layer_module_and_bad_steps(problem):
    layer = ProjectionLayer(problem, steps=1)
    assert "steps=1" in repr(layer)
    assert layer(torch.zeros(2, 50, dtype=torch.float64)).shape == (2, 50)
    with pytest.raises(ValueError, match="'steps' parameter must be >= 0"):
        project(torch.zeros(1, 50), problem, steps=-1)
    with pytest.raises(ValueError, match="'layer' parameter of MinnConfig"):
        MinnConfig("x", layer="qp")


def test_full_rank_S_is_refused():
    problem = MechanisticProblem.from_matrices(np.eye(4), list("abcd"), [0])
    with pytest.raises(ValueError, match="full column rank"):
        null_space_basis(problem)


def test_exact_variant_trains_to_steady_state_and_mixed_layers_are_refused():
    toy = make_toy_data(n_samples=30, seed=0)
    X = toy.X.to_numpy()
    X = (X - X.min(0)) / (X.max(0) - X.min(0))
    member = Member(config="c-balanced-exact", hidden=32, dropout=0.0, lr=3e-3, epochs=15, c=10)
    fit = train_ensemble(toy.problem, X, toy.Y.to_numpy(), [member], progress=False,
                         dtype=torch.float64)
    h = fit.member_history(0)
    assert h["data"].iloc[-1] < h["data"].iloc[0]
    assert (h["steady_state"] < 1e-20).all()
    assert fit.mechanistic_residual(X).max() < 1e-20
    with pytest.raises(ValueError, match="must share the mechanistic layer"):
        train_ensemble(toy.problem, X, toy.Y.to_numpy(),
                       [member, Member(config="c-balanced", hidden=8, epochs=1)], progress=False)


def test_network_only_variant_is_the_network_alone():
    """layer 'none': V = V0 (no mechanistic step), trained on the data loss only."""
    toy = make_toy_data(n_samples=20, seed=0)
    X = toy.X.to_numpy()
    X = (X - X.min(0)) / (X.max(0) - X.min(0))
    fit = train_ensemble(toy.problem, X, toy.Y.to_numpy(),
                         [Member(config="network-only", hidden=16, epochs=8, lr=3e-3)],
                         progress=False, dtype=torch.float64)
    V0, V = fit.fluxes(X)
    assert torch.equal(V0, V)
    h = fit.member_history(0)
    assert h["data"].iloc[-1] < h["data"].iloc[0] and (h["weight_mech"] == 0).all()
    assert np.isfinite(h["steady_state"]).all()  # still reported


def test_minn_regressor_and_loo_harness_take_the_exact_variant():
    """The exact variant is a VARIANTS entry like any other: MINNRegressor and the LOO harness."""
    from helpers.evaluation.minn_loo import evaluate_minn_loo
    from helpers.minn import MINNRegressor

    toy = make_toy_data(n_samples=10, seed=2)
    minn = MINNRegressor(toy.problem, variant="c-balanced-exact", hidden=8, epochs=3, c=10,
                         dtype="float64").fit(toy.X, toy.Y)
    assert minn.predict(toy.X).shape == toy.Y.shape
    assert np.max(minn.mechanistic_residual(toy.X)) < 1e-20
    result = evaluate_minn_loo(toy.problem, toy.X, toy.Y, "c-balanced-exact",
                               fixed={"hidden": 8, "epochs": 2, "c": 10})
    assert result.extra["L2"].max() < 1e-8 and result.predictions.shape == toy.Y.shape
