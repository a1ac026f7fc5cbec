"""Issue #12: the hand-written training step equals the previous path and the naive reference.

- old path: ``benchmarks/legacy_training.py``, a frozen snapshot of the trainer before the
  speed-up (autograd through the loss, per-step checks);
- naive reference: :mod:`helpers.minn.reference` (dense ``S``, ``nn.Linear``, autograd through the
  8-step loop, exactly ``torch.optim.Adam``, one run at a time).

All in float64 on a small toy problem with bounded fluxes, so the comparison is of maths, not of
rounding.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers.minn import Member, minmax_scale_members, train_ensemble
from helpers.minn.reference import predict_naive, train_naive
from helpers.minn.toy import make_toy_data

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import legacy_training  # noqa: E402

VARIANTS = ["c-balanced", "MSE-base", "bound", "scheduler", "divided-loss"]


@pytest.fixture(scope="module")
def toy():
    return make_toy_data(n_samples=23, seed=3)


def _members():
    rows = [tuple(r) for r in np.array_split(np.random.default_rng(0).permutation(23), 2)]
    members = [Member(config=v, hidden=16 + 4 * k, dropout=(0.0, 0.25)[k % 2], lr=3e-3,
                      weight_decay=(0.0, 1e-3)[k % 2], c=(None, 20.0)[k % 2], epochs=4 + k,
                      seed=k, rows=None if k == 0 else rows[k % 2] + rows[(k + 1) % 2][:5])
               for k, v in enumerate(VARIANTS)]
    members.append(Member(config="loss-balancing", hidden=12, epochs=5, seed=9))
    return members


def test_new_path_equals_old_path_in_float64(toy):
    members = _members()
    X = minmax_scale_members(toy.X.to_numpy(), [m.rows for m in members])
    Y = toy.Y.to_numpy()
    v_in = np.full(toy.problem.n_in, 2.0)
    new = train_ensemble(toy.problem, X, Y, members, v_in=v_in, dtype=torch.float64,
                         progress=False)
    old = legacy_training.train_ensemble(toy.problem, X, Y, members, v_in=v_in,
                                         dtype=torch.float64, progress=False)
    np.testing.assert_allclose(new.predict(X, v_in), old.predict(X, v_in), rtol=1e-6, atol=1e-9)
    for key in ("loss", "data", "mechanistic", "steady_state", "weight_data", "weight_mech"):
        np.testing.assert_allclose(new.history[key], old.history[key], rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("k", range(len(VARIANTS)))
def test_new_path_equals_naive_reference(toy, k):
    member = _members()[k]
    X = minmax_scale_members(toy.X.to_numpy(), [member.rows])[0]
    Y = toy.Y.to_numpy()
    fit = train_ensemble(toy.problem, X, Y, [member], dtype=torch.float64, progress=False)
    naive = train_naive(toy.problem, X, Y, member)
    np.testing.assert_allclose(fit.predict(X)[0], predict_naive(naive, X, toy.problem),
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
def test_naive_reference_refuses_other_layers(toy, variant, layer):
    """Review item 13: the oracle is the unrolled layer only; it says so instead of training it."""
    X = np.zeros((4, toy.X.shape[1]))
    with pytest.raises(NotImplementedError, match=rf"variant '{variant}' uses layer '{layer}'"):
        train_naive(toy.problem, X, np.ones((4, toy.problem.n_ref)), Member(config=variant))
