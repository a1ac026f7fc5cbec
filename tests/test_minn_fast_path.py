"""Each piece of the private engine (:mod:`helpers.minn._engine`) equals the readable core.

- the unrolled descent: :class:`~helpers.minn._engine.descent.DescentWorkspace` (forward and
  hand-written backward, used by the trainer and, through its autograd node, by ``unroll``)
  against :func:`helpers.minn.core.descent` with autograd;
- the null-space projection: the engine's autograd node against
  :func:`helpers.minn.core.projection` with autograd;
- the trainer: :func:`helpers.minn.train_ensemble` against :func:`helpers.minn.core.train_one`
  (one model, ``nn.Linear``, autograd through the 8 steps, exactly ``torch.optim.Adam``).

All in float64, so the comparison is of maths, not of rounding.
"""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from helpers.minn import MechanisticProblem, Member, minmax_scale_members, train_ensemble
from helpers.minn._engine.descent import DescentWorkspace
from helpers.minn._engine.projection import Projection
from helpers.minn.core import descent, null_space_basis, predict_one, projection, train_one
from helpers.minn.toy import make_toy_data

VARIANTS = ["c-balanced", "MSE-base", "bound", "scheduler", "divided-loss"]


@pytest.fixture(scope="module")
def toy():
    return make_toy_data(n_samples=23, seed=3)


@pytest.fixture(scope="module")
def random_problem():
    """A rank-deficient sparse ``S`` (30 x 50) with two bounded fluxes."""
    rng = np.random.default_rng(0)
    A = sp.random(20, 50, density=0.15, random_state=1).toarray()
    S = sp.csr_matrix(rng.normal(size=(30, 20)) @ A)
    return MechanisticProblem.from_matrices(S, [f"R{i}" for i in range(50)], [0, 3, 7],
                                            bounded=[1, 2, 5], v_in=[0.5, 0.8, 0.2])


def _inputs(p, cols, seed):
    rng = np.random.default_rng(seed)
    V0 = torch.tensor(rng.normal(scale=2.0, size=(p.n, cols)))
    vin = torch.tensor(rng.uniform(0, 1, size=(p.n_in, cols)))
    grad = torch.tensor(rng.normal(size=(p.n, cols)))
    return V0, vin, grad


def test_engine_descent_equals_the_core_forward_and_gradient(random_problem):
    """The workspace's K in-place steps and hand-written backward = autograd through the core's
    loop, twice in a row (buffers reused), with every ReLU active somewhere."""
    p = random_problem
    tp = p.to_torch(torch.float64)
    ws = DescentWorkspace(tp, 7, 5, torch.float64)
    for seed in (6, 7):
        V0, vin, grad = _inputs(p, 7, seed)
        V0c = V0.clone().requires_grad_(True)
        VK = descent(V0c, tp, vin, 0.05, 5, 0.9)[-1]
        (expected,) = torch.autograd.grad(VK, V0c, grad)
        ws.V.copy_(V0)
        np.testing.assert_allclose(ws.forward_(vin, 0.05, 0.9), VK.detach(), rtol=1e-12,
                                   atol=1e-12)
        assert bool(ws.neg.any()) and bool(ws.inside.any())
        np.testing.assert_allclose(ws.backward_(grad.clone(), 0.05, 0.9), expected, rtol=1e-12,
                                   atol=1e-12)


def test_engine_projection_equals_the_core(random_problem):
    """Same forward numbers bit for bit (the same operations); the hand-written backward equals
    autograd through the core's clip-and-project loop."""
    p = random_problem
    tp, N = p.to_torch(torch.float64), null_space_basis(p)
    V0, vin, grad = _inputs(p, 6, 1)
    V0e, V0c = V0.clone().requires_grad_(True), V0.clone().requires_grad_(True)
    Ve = Projection.apply(V0e, vin, N, tp, 3)
    Vc = projection(V0c, N, tp, vin, 3)
    assert torch.equal(Ve, Vc)
    (ge,) = torch.autograd.grad(Ve, V0e, grad)
    (gc,) = torch.autograd.grad(Vc, V0c, grad)
    np.testing.assert_allclose(ge, gc, rtol=1e-12, atol=1e-12)


def _members():
    rows = [tuple(r) for r in np.array_split(np.random.default_rng(0).permutation(23), 2)]
    return [Member(config=v, hidden=16 + 4 * k, dropout=(0.0, 0.25)[k % 2], lr=3e-3,
                   weight_decay=(0.0, 1e-3)[k % 2], c=(None, 20.0)[k % 2], epochs=4 + k,
                   seed=k, rows=None if k == 0 else rows[k % 2] + rows[(k + 1) % 2][:5])
            for k, v in enumerate(VARIANTS)]


@pytest.mark.parametrize("k", range(len(VARIANTS)))
def test_engine_trainer_equals_the_core_one_model_training(toy, k):
    member = _members()[k]
    X = minmax_scale_members(toy.X.to_numpy(), [member.rows])[0]
    Y = toy.Y.to_numpy()
    fit = train_ensemble(toy.problem, X, Y, [member], dtype=torch.float64, progress=False)
    core = train_one(toy.problem, X, Y, member)
    np.testing.assert_allclose(fit.predict(X)[0], predict_one(core, X, toy.problem),
                               rtol=1e-6, atol=1e-9)


def test_device_argument_runs_on_cpu(toy):
    member = Member(hidden=8, epochs=2)
    X = minmax_scale_members(toy.X.to_numpy(), [None])[0]
    fit = train_ensemble(toy.problem, X, toy.Y.to_numpy(), [member], device="cpu",
                         progress=False)
    assert fit.device.type == "cpu" and fit.predict(X).shape == (1, 23, toy.problem.n_ref)


def test_estimator_passes_its_device_on(toy):
    from helpers.minn import MINNRegressor

    model = MINNRegressor(toy.problem, hidden=8, epochs=1, device="cpu").fit(toy.X, toy.Y)
    assert model.fit_.device.type == "cpu" and model.get_params()["device"] == "cpu"


@pytest.mark.parametrize(("variant", "layer"), [("c-balanced-exact", "projection"),
                                                ("network-only", "none")])
def test_core_training_refuses_other_layers(toy, variant, layer):
    """The one-model core is the unrolled layer only; it says so instead of training it."""
    X = np.zeros((4, toy.X.shape[1]))
    with pytest.raises(NotImplementedError, match=rf"variant '{variant}' uses layer '{layer}'"):
        train_one(toy.problem, X, np.ones((4, toy.problem.n_ref)), Member(config=variant))
