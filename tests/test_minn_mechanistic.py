"""Mechanistic layer: L_mech, its analytic gradient, and the unrolled momentum descent."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from helpers.minn import (
    MechanisticLayer,
    MechanisticProblem,
    mechanistic_gradient,
    mechanistic_loss,
    mechanistic_terms,
    unroll,
)
from helpers.minn.toy import make_toy_data


@pytest.fixture(scope="module")
def toy():
    return make_toy_data(n_samples=12, seed=1)


@pytest.fixture(scope="module")
def random_problem():
    rng = np.random.default_rng(3)
    S = sp.random(15, 40, density=0.15, random_state=4, format="csr")
    ids = [f"r{i}" for i in range(40)]
    v_in = rng.uniform(0.0, 0.5, size=5)
    return MechanisticProblem.from_matrices(S, ids, reference=[0, 3, 7], bounded=[1, 2, 5, 8, 9],
                                            v_in=v_in)


def test_terms_match_the_formula_by_hand(random_problem):
    p = random_problem
    V = np.random.default_rng(0).normal(size=(4, p.n))
    terms = mechanistic_terms(torch.tensor(V), p)
    S = p.S.toarray()
    steady = ((V @ S.T) ** 2).sum(1) / p.m
    upper = (np.maximum(V[:, p.bounded_idx] - p.v_in, 0) ** 2).sum(1) / p.n_in
    positivity = (np.maximum(-V, 0) ** 2).sum(1) / p.n
    np.testing.assert_allclose(terms.steady_state.numpy(), steady, rtol=1e-12)
    np.testing.assert_allclose(terms.upper_bound.numpy(), upper, rtol=1e-12)
    np.testing.assert_allclose(terms.positivity.numpy(), positivity, rtol=1e-12)
    assert (upper > 0).all() and (positivity > 0).all()  # every term is exercised


@pytest.mark.parametrize("name", ["toy", "random_problem"])
def test_analytic_gradient_equals_autograd(name, request):
    p = request.getfixturevalue(name)
    p = p.problem if hasattr(p, "problem") else p
    V = torch.tensor(np.random.default_rng(1).normal(scale=3.0, size=(2, 3, p.n)),
                     requires_grad=True)
    v_in = torch.full((p.n_in,), 0.5, dtype=torch.float64)
    (auto,) = torch.autograd.grad(mechanistic_loss(V, p, v_in).sum(), V)
    analytic = mechanistic_gradient(V.detach(), p, v_in)
    np.testing.assert_allclose(analytic.numpy(), auto.numpy(), rtol=1e-10, atol=1e-12)


def test_residual_falls_over_the_steps_for_a_small_lr(toy):
    p = toy.problem
    V0 = torch.tensor(toy.fluxes.to_numpy(), dtype=torch.float64)
    V0 = V0 * torch.tensor(np.random.default_rng(2).uniform(0.5, 1.5, V0.shape))  # off balance
    trajectory = unroll(V0, p, lr=0.01, steps=8, decay=0.9, return_trajectory=True)
    residual = torch.stack([mechanistic_terms(V, p).steady_state for V in trajectory])
    total = torch.stack([mechanistic_loss(V, p) for V in trajectory])
    assert len(trajectory) == 9
    assert (residual[1:] < residual[:-1]).all()
    assert (total[1:] < total[:-1]).all()


def test_a_too_large_lr_makes_the_residual_grow(toy):
    V0 = torch.tensor(toy.fluxes.to_numpy()) + 1.0
    trajectory = unroll(V0, toy.problem, lr=5.0, steps=8, decay=0.9, return_trajectory=True)
    assert mechanistic_loss(trajectory[-1], toy.problem).mean() > mechanistic_loss(V0, toy.problem).mean()


def test_the_layer_is_differentiable_end_to_end(random_problem):
    V0 = torch.randn(2, random_problem.n, dtype=torch.float64, requires_grad=True)
    layer = MechanisticLayer(random_problem, lr=0.05, steps=3, decay=0.9)
    assert torch.autograd.gradcheck(lambda v: mechanistic_loss(layer(v), random_problem), (V0,))


def test_fast_backward_equals_autograd_through_the_loop(random_problem):
    """The hand-written backward of the unrolled steps == autograd through the plain loop
    (float64, rtol 1e-10), with every ReLU of L_mech active somewhere."""
    p = random_problem
    rng = np.random.default_rng(5)
    V0 = torch.tensor(rng.normal(scale=2.0, size=(3, 4, p.n)), requires_grad=True)
    v_in = torch.tensor(rng.uniform(0, 1, size=(3, 4, p.n_in)))
    weights = torch.tensor(rng.normal(size=(3, 4, p.n)))
    kw = dict(lr=0.05, steps=6, decay=0.9)
    fast = unroll(V0, p, v_in, **kw)
    slow = unroll(V0, p, v_in, return_trajectory=True, **kw)[-1]
    np.testing.assert_allclose(fast.detach().numpy(), slow.detach().numpy(), rtol=1e-12, atol=1e-12)
    (g_fast,) = torch.autograd.grad((fast * weights).sum() + mechanistic_loss(fast, p, v_in).sum(), V0)
    (g_slow,) = torch.autograd.grad((slow * weights).sum() + mechanistic_loss(slow, p, v_in).sum(), V0)
    np.testing.assert_allclose(g_fast.numpy(), g_slow.numpy(), rtol=1e-10, atol=1e-12)


def test_per_sample_upper_bounds_broadcast(random_problem):
    p = random_problem
    V = torch.rand(3, p.n, dtype=torch.float64)
    v_in = torch.zeros(3, p.n_in, dtype=torch.float64)
    v_in[0] = 10.0  # sample 0 unconstrained
    upper = mechanistic_terms(V, p, v_in).upper_bound
    assert upper[0] == 0 and (upper[1:] > 0).all()


def test_inf_upper_bound_is_inert(toy):
    V = torch.full((1, toy.problem.n), 1e6, dtype=torch.float64)
    v_in = torch.full((toy.problem.n_in,), float("inf"), dtype=torch.float64)
    assert mechanistic_terms(V, toy.problem, v_in).upper_bound.item() == 0.0
    assert torch.isfinite(mechanistic_gradient(V, toy.problem, v_in)).all()


def test_wrong_flux_count_is_named(toy):
    with pytest.raises(ValueError, match=r"V must have 11 fluxes .* got shape \(2, 5\)"):
        mechanistic_loss(torch.zeros(2, 5), toy.problem)
    with pytest.raises(ValueError, match=r"'steps' parameter must be >= 0"):
        unroll(torch.zeros(1, 11), toy.problem, steps=-1)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_unroll_node_equals_the_trainers_workspace_bit_for_bit(random_problem, dtype):
    """``unroll`` (the engine's autograd node, a fresh workspace per call) gives exactly the
    numbers of the trainer's persistent workspace, forward and backward, twice in a row."""
    from helpers.minn._engine.descent import DescentWorkspace

    p = random_problem
    tp = p.to_torch(dtype)
    rng = np.random.default_rng(6)
    ws = DescentWorkspace(tp, 7, 5, dtype)
    for _ in range(2):
        V0 = torch.tensor(rng.normal(scale=2.0, size=(p.n, 7)), dtype=dtype)
        vin = torch.tensor(rng.uniform(0, 1, size=(p.n_in, 7)), dtype=dtype)
        grad = torch.tensor(rng.normal(size=(p.n, 7)), dtype=dtype)
        V0r = V0.T.clone().requires_grad_(True)
        VK = unroll(V0r, tp, vin.T, lr=0.05, steps=5, decay=0.9)
        (g,) = torch.autograd.grad(VK, V0r, grad.T)
        ws.V.copy_(V0)
        assert torch.equal(ws.forward_(vin, 0.05, 0.9), VK.T)
        assert bool(ws.neg.any()) and bool(ws.inside.any())
        assert torch.equal(ws.backward_(grad.clone(), 0.05, 0.9), g.T)
