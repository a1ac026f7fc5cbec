"""Losses: NE, MSE, bound, scheduler weights, loss balancing, variant configs."""

import numpy as np
import pytest
import torch

from helpers.minn import VARIANTS, MinnConfig, get_variant
from helpers.minn.losses import EMABalancer, LossPlan, bounded, loss_weights, mse, normalized_error


def test_ne_and_mse_by_hand():
    target = torch.tensor([[3.0, 4.0], [0.0, 0.0]])
    pred = torch.tensor([[3.0, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(normalized_error(pred, target).numpy(), [3 / 5, 0.0])
    np.testing.assert_allclose(mse(pred, target).numpy(), [4.5, 1.0])


def test_bound_is_piecewise_linear_with_slope_k():
    loss = torch.tensor([0.5, 1.0, 3.0])
    np.testing.assert_allclose(bounded(loss, 1.0, 2.0).numpy(), [0.5, 1.0, 1.0 + 2 * 2.0])
    np.testing.assert_allclose(bounded(loss, float("inf"), 2.0).numpy(), loss.numpy())


def test_scheduler_has_three_phases():
    w_d, w_m = loss_weights(VARIANTS["scheduler"], data_weight=0.9)
    assert len(w_d) == 150
    np.testing.assert_allclose(w_d[:30], 0.1)
    np.testing.assert_allclose(w_d[70:], 0.9)
    assert np.all(np.diff(w_d[30:70]) > 0) and w_d[50] == pytest.approx(0.1 + 0.8 * 20 / 40)
    np.testing.assert_allclose(w_d + w_m, 1.0)


def test_constant_and_divided_weights():
    w_d, w_m = loss_weights(VARIANTS["c-balanced"])
    assert len(w_d) == 100 and (w_d == 1).all() and (w_m == 1).all()
    assert (loss_weights(VARIANTS["divided-loss"])[1] == 0).all()


def test_loss_plan_mixes_variants_per_member():
    plan = LossPlan.from_configs([VARIANTS["MSE-base"], VARIANTS["c-balanced"]], c=[None, 20])
    pred = torch.tensor([[[1.0, 1.0]], [[1.0, 1.0]]])
    target = torch.tensor([[[2.0, 1.0]], [[2.0, 1.0]]])
    l1 = plan.data_loss(pred, target)
    np.testing.assert_allclose(l1.numpy().ravel(), [0.5, 1 / np.sqrt(5)], rtol=1e-6)
    one = torch.ones(2)
    total = plan.total(l1, torch.full((2, 1), 0.1), 0, one, one)
    np.testing.assert_allclose(total.numpy().ravel(), [0.5 + 0.1, 20 / np.sqrt(5) + 0.1], rtol=1e-6)


def test_ema_balancer_divides_by_the_running_average():
    bal = EMABalancer(torch.tensor([True, False]), torch.tensor([0.2, 0.2]))
    assert [f.tolist() for f in bal.factors()] == [[1.0, 1.0], [1.0, 1.0]]
    active = torch.tensor([True, True])
    bal.update(torch.tensor([2.0, 2.0]), torch.tensor([4.0, 4.0]), active)
    bal.update(torch.tensor([4.0, 4.0]), torch.tensor([4.0, 4.0]), active)
    data, mech = bal.factors()
    assert data[0].item() == pytest.approx(1 / (0.2 * 4 + 0.8 * 2)) and data[1] == 1
    assert mech[0].item() == pytest.approx(1 / 4)


def test_variants_are_configuration_in_one_place():
    assert set(VARIANTS) == {"MSE-base", "unbalanced", "c-balanced", "bound", "loss-balancing",
                             "scheduler", "scheduler-bound", "divided-loss", "c-balanced-exact", "network-only"}
    paper = [v for v in VARIANTS.values() if v.name not in ("c-balanced-exact", "network-only")]
    assert {v.layer for v in paper} == {"unrolled"}  # chapter 10's variant is the only exact one
    assert VARIANTS["c-balanced-exact"].replace(layer="unrolled", name="c-balanced") == VARIANTS["c-balanced"]
    assert VARIANTS["c-balanced"].tuned == {"c": (10.0, 20.0, 30.0, 40.0, 50.0)}
    assert VARIANTS["scheduler"].tuned == {"data_weight": (0.8, 1.0)}
    assert get_variant("bound", c=10).c == 10 and VARIANTS["bound"].c == 30


def test_fingerprint_leaves_later_fields_out_while_default():
    """Adding a knob must not change the protocol hash of stored paper units it cannot affect."""
    base = VARIANTS["c-balanced"].fingerprint()
    assert "layer" not in base and "projection_steps" not in base and base["c"] == 30.0
    exact = VARIANTS["c-balanced-exact"].fingerprint()
    assert exact["layer"] == "projection" and "projection_steps" not in exact
    assert VARIANTS["c-balanced-exact"].replace(projection_steps=5).fingerprint()["projection_steps"] == 5
    for bad in (-1, 2.5, "3", True):  # e.g. a chapter parameter given as text
        with pytest.raises(ValueError, match="'projection_steps' parameter must be an integer"):
            VARIANTS["c-balanced-exact"].replace(projection_steps=bad)
    with pytest.raises(ValueError, match=r"'variant' parameter must be one of .*Got 'nope'"):
        get_variant("nope")
    with pytest.raises(ValueError, match=r"'l1' parameter of MinnConfig must be one of"):
        MinnConfig("x", l1="mae")
