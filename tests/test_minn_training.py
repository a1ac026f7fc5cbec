"""Ensemble training: every variant learns, divergence is named, batching equals separate runs."""

import numpy as np
import pytest
import torch

from helpers.minn import (
    VARIANTS,
    EnsembleAdam,
    Member,
    TrainingDivergedError,
    cv_members,
    minmax_scale_members,
    train_ensemble,
)
from helpers.minn.toy import make_toy_data


@pytest.fixture(scope="module")
def toy():
    return make_toy_data(n_samples=30, seed=0)


def _scaled(toy, rows=None):
    return minmax_scale_members(toy.X.to_numpy(), [rows])[0]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_every_variant_trains_and_lowers_its_loss(toy, variant):
    member = Member(config=variant, hidden=32, dropout=0.0, lr=3e-3, epochs=12, seed=0)
    fit = train_ensemble(toy.problem, _scaled(toy), toy.Y.to_numpy(), [member], progress=False)
    h = fit.member_history(0)
    assert len(h) == 12 and np.isfinite(h.to_numpy()).all()
    config = VARIANTS[variant]
    if config.balancing:
        # the balanced loss is ~constant by design; the raw objective c·L1 + L_mech must fall
        raw = config.c * h["data"] + h["mechanistic"]
        assert raw.iloc[-1] < raw.iloc[0]
    else:
        assert h["loss"].iloc[-1] < 0.8 * h["loss"].iloc[0]
    assert h["data"].iloc[-1] < h["data"].iloc[0]


def test_exploding_network_output_is_named_as_the_data_term(toy):
    """NaN inputs are refused up front (test below); a network that overflows is divergence."""
    with pytest.raises(TrainingDivergedError, match=r"diverged at epoch \d+ \(of 5\).*the data "
                                                    r"loss of member 0 \(variant 'c-balanced'"):
        train_ensemble(toy.problem, _scaled(toy), toy.Y.to_numpy(),
                       [Member(hidden=8, epochs=5, lr=1e37)], progress=False)


def test_exploding_mechanistic_layer_is_named(toy):
    with pytest.raises(TrainingDivergedError, match=r"epoch 1 .*the mechanistic loss of member 0 "
                                                    r"\(variant 'divided-loss'.*lower 'mech_lr'"):
        train_ensemble(toy.problem, _scaled(toy), toy.Y.to_numpy(),
                       [Member(hidden=8, epochs=2, config="divided-loss"),
                        Member(hidden=8, epochs=2, seed=1)],
                       mech_lr=1e3, mech_steps=40, progress=False)


def test_same_seed_same_run_different_seed_different_run(toy):
    args = (toy.problem, _scaled(toy), toy.Y.to_numpy())
    a = train_ensemble(*args, [Member(hidden=16, epochs=4, seed=5)], progress=False)
    b = train_ensemble(*args, [Member(hidden=16, epochs=4, seed=5)], progress=False)
    c = train_ensemble(*args, [Member(hidden=16, epochs=4, seed=6)], progress=False)
    np.testing.assert_array_equal(a.predict(args[1]), b.predict(args[1]))
    assert not np.allclose(a.predict(args[1]), c.predict(args[1]))


def test_batched_ensemble_equals_separate_runs(toy):
    """E members in one program == E single runs with the same seeds.

    Tolerance: float64, rtol 1e-9 / atol 1e-10 on predictions and per-epoch history (the only
    differences are summation order in padded hidden units). The members differ in variant,
    hidden size, dropout, lr, weight decay, c, epochs and training rows (two CV folds)."""
    N = len(toy.X)
    fold_a, fold_b = tuple(range(0, N, 2)), tuple(range(1, N))
    members = [
        Member("c-balanced", hidden=16, dropout=0.25, lr=3e-3, weight_decay=0.0, c=10, seed=0,
               epochs=6, rows=fold_a),
        Member("MSE-base", hidden=24, dropout=0.1, lr=1e-3, weight_decay=1e-3, seed=1, epochs=6,
               rows=fold_b),
        Member("scheduler-bound", hidden=8, dropout=0.5, lr=2e-3, weight_decay=1e-4, seed=2,
               epochs=8, rows=fold_a),
        Member("loss-balancing", hidden=16, dropout=0.0, lr=5e-4, seed=3, epochs=5, rows=None),
    ]
    X = minmax_scale_members(toy.X.to_numpy(), [m.rows for m in members])
    Y = toy.Y.to_numpy()
    kw = dict(progress=False, dtype=torch.float64, batch_size=5)
    together = train_ensemble(toy.problem, X, Y, members, **kw)
    for e, member in enumerate(members):
        alone = train_ensemble(toy.problem, X[e], Y, [member], **kw)
        np.testing.assert_allclose(together.predict(X)[e], alone.predict(X[e])[0],
                                   rtol=1e-9, atol=1e-10)
        for key in ("loss", "data", "mechanistic"):
            np.testing.assert_allclose(together.history[key][e, : member.epochs],
                                       alone.history[key][0], rtol=1e-9, atol=1e-12)
    assert np.isnan(together.history["data"][3, 5:]).all()  # shorter run stops at its epochs


def test_scaling_uses_training_rows_only():
    X = np.array([[0.0], [1.0], [3.0]])
    scaled = minmax_scale_members(X, [[0, 1], None])
    np.testing.assert_allclose(scaled[0].ravel(), [0, 1, 3])
    np.testing.assert_allclose(scaled[1].ravel(), [0, 1 / 3, 1])


def test_bad_rows_and_shapes_are_named(toy):
    X, Y = _scaled(toy), toy.Y.to_numpy()
    with pytest.raises(ValueError, match=r"Member 0: 'rows' must be non-empty indices in \[0, 30\)"):
        train_ensemble(toy.problem, X, Y, [Member(rows=(99,))], progress=False)
    with pytest.raises(ValueError, match=r"Y must have shape \(N=30, 6\)"):
        train_ensemble(toy.problem, X, Y[:, :3], [Member()], progress=False)


@pytest.mark.parametrize("fused", [True, False])
def test_ensemble_adam_matches_torch_adam(fused):
    """Both update paths (torch.optim.Adam fused / foreach over per-member slices) equal one
    torch.optim.Adam per member (float64, rtol 1e-10); inactive members are untouched."""
    torch.manual_seed(0)
    p = torch.randn(3, 4, 5, dtype=torch.float64)
    lrs, wds = [1e-2, 1e-3, 1e-2], [0.0, 1e-2, 1e-3]
    refs = [torch.nn.Parameter(p[e].clone()) for e in range(3)]
    opts = [torch.optim.Adam([refs[e]], lr=lrs[e], weight_decay=wds[e]) for e in range(3)]
    ours = EnsembleAdam([p], lrs, wds, fused=fused)
    for it in range(4):
        g = torch.randn(3, 4, 5, dtype=torch.float64)
        active = torch.tensor([True, it % 2 == 0, True])
        ours.step([g], active)
        for e in range(3):
            if active[e]:
                refs[e].grad = g[e].clone()
                opts[e].step()
    for e in range(3):
        np.testing.assert_allclose(p[e].numpy(), refs[e].detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
    assert ours.step_count.tolist() == [4, 2, 4]


def test_cv_members_trains_trials_times_folds_in_one_call(toy):
    folds = [tuple(range(0, 20)), tuple(range(10, 30))]
    trials = [{"hidden": 8, "c": 10.0, "epochs": 2}, {"hidden": 12, "lr": 1e-3, "epochs": 3}]
    members = cv_members(trials, folds, config="c-balanced", seed=1)
    assert len(members) == 4 and len({m.seed for m in members}) == 4
    assert [m.hidden for m in members] == [8, 8, 12, 12] and members[1].rows == folds[1]
    X = minmax_scale_members(toy.X.to_numpy(), [m.rows for m in members])
    fit = train_ensemble(toy.problem, X, toy.Y.to_numpy(), members, progress=False)
    assert fit.predict(X).shape == (4, 30, 6)
    with pytest.raises(ValueError, match=r"Trial 0 has unknown hyper-parameter\(s\) \['hiden'\]"):
        cv_members([{"hiden": 3}], folds)


def test_nan_in_inputs_or_targets_is_named_before_training(toy):
    X, Y = _scaled(toy), toy.Y.to_numpy().copy()
    X[3, 2] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN at row 3, column 2"):
        train_ensemble(toy.problem, X, Y, [Member(epochs=1)], progress=False)
    Y[5, 1] = np.inf
    with pytest.raises(ValueError, match=r"Y contains inf at row 5, column 1"):
        train_ensemble(toy.problem, _scaled(toy), Y, [Member(epochs=1)], progress=False)


def test_ensemble_adam_trim_leaves_the_padding_out_with_the_same_update():
    """``trim`` (a member's own part of its slice, e.g. without hidden padding) gives the same
    weights as Adam over the whole slice when the left-out entries have zero gradient, and
    never touches them."""
    torch.manual_seed(1)
    full = torch.randn(2, 6, 3, dtype=torch.float64)
    full[0, 4:] = 0.0  # member 0 uses 4 of 6 rows
    trimmed = full.clone()
    plain = EnsembleAdam([full], [1e-2, 1e-2], [1e-3, 0.0])
    ours = EnsembleAdam([trimmed], [1e-2, 1e-2], [1e-3, 0.0], trim=[[(slice(0, 4),)], [()]])
    assert ours.member_params[0][0].shape == (4, 3)
    for _ in range(3):
        g = torch.randn(2, 6, 3, dtype=torch.float64)
        g[0, 4:] = 0.0
        plain.step([g], torch.tensor([True, True]))
        ours.step([g], torch.tensor([True, True]))
    assert torch.equal(full, trimmed) and bool((trimmed[0, 4:] == 0).all())


def test_network_only_equals_the_unrolled_layer_with_zero_steps(toy):
    """layer 'none' trains V = V0: the same run as 'divided-loss' (L1 only) with 0 descent steps."""
    X, Y = _scaled(toy), toy.Y.to_numpy()
    kw = dict(hidden=16, epochs=3, lr=3e-3, seed=4)
    alone = train_ensemble(toy.problem, X, Y, [Member(config="network-only", **kw)],
                           dtype=torch.float64, progress=False)
    zero = train_ensemble(toy.problem, X, Y, [Member(config="divided-loss", **kw)],
                          mech_steps=0, dtype=torch.float64, progress=False)
    np.testing.assert_allclose(alone.fluxes(X)[0].numpy(), zero.fluxes(X)[0].numpy(),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(alone.history["mechanistic"], zero.history["mechanistic"],
                               rtol=1e-12)


# ----- review item 4: v_in is checked before training ------------------------------------------

def test_v_in_shape_and_values_are_checked(toy):
    X, Y, N = _scaled(toy), toy.Y.to_numpy(), len(toy.X)
    member = Member(hidden=8, epochs=1, seed=0)

    def train(v_in):
        return train_ensemble(toy.problem, X, Y, [member], v_in=v_in, progress=False)

    with pytest.raises(ValueError, match=rf"'v_in' parameter of train_ensemble has 3 row\(s\) but X "
                                         rf"has {N} sample\(s\)"):
        train(np.full((3, 1), 10.0))
    with pytest.raises(ValueError, match=r"has 2 column\(s\) but the problem bounds 1 flux\(es\) "
                                         r"\['EX_A'\]"):
        train(np.full((N, 2), 10.0))
    with pytest.raises(ValueError, match=r"has 2 column\(s\)"):
        train([10.0, 10.0])
    bad = np.full((N, 1), 10.0)
    bad[4, 0] = np.nan
    with pytest.raises(ValueError, match=r"holds NaN at row 4, column 0 \(flux 'EX_A'"):
        train(bad)
    with pytest.raises(ValueError, match=r"holds -inf at column 0"):
        train([-np.inf])
    # +inf means "no bound": allowed, and the same as a bound no flux reaches
    free = train([np.inf])
    loose = train([1e6])
    np.testing.assert_allclose(free.predict(X), loose.predict(X), rtol=1e-5, atol=1e-6)
    same = train(np.full((N, 1), 10.0))
    np.testing.assert_array_equal(same.predict(X), train([10.0]).predict(X))
