"""The reservoir block (chapter 06_reservoir_pfba): strict loading, frozen, trainable omics part."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers.data.registry import fetch
from helpers.gem.authors import authors_fba_reduced
from helpers.minn.reservoir import (
    BLOCK_INPUTS,
    BlockLoadError,
    OmicsMember,
    block_problem,
    load_block,
    simulate_exchanges,
    train_block,
    train_omics_members,
)

BLOCK = "minn_release/pretrained_block_reservoir_state_dict.pth"


@pytest.fixture(scope="module")
def model():
    return authors_fba_reduced()


@pytest.fixture(scope="module")
def problem(model):
    return block_problem(model)


@pytest.fixture(scope="module")
def state():
    return torch.load(fetch(BLOCK), map_location="cpu", weights_only=True)


def test_released_block_loads_strictly_and_is_frozen(problem, state):
    block = load_block(state, problem)
    assert (problem.m, problem.n) == (493, 587)
    assert problem.reference_ids == BLOCK_INPUTS
    assert not any(p.requires_grad for p in block.parameters())
    assert torch.equal(block.net.W1[0], state["layers.0.weight"].T)
    u = np.array([[8.0, 15.0, 10.0, 0.1, 1.0]])
    V, V0 = block.predict(u)
    assert V.shape == V0.shape == (1, 587)
    assert block.residual(V)[0] < block.residual(V0)[0]  # the 8 steps move towards S V = 0


def test_shape_mismatch_is_a_clear_error(problem, state):
    bad = dict(state)
    bad["layers.3.weight"] = bad["layers.3.weight"][:586]
    with pytest.raises(BlockLoadError, match=r"layers.3.weight: got shape \(586, 500\), expected \(587, 500\)"):
        load_block(bad, problem)
    extra = {**state, "layers.5.weight": torch.zeros(1)}
    del extra["layers.0.bias"]
    with pytest.raises(BlockLoadError, match=r"missing keys \['layers.0.bias'\]; unexpected keys \['layers.5.weight'\]"):
        load_block(extra, problem)


def test_simulations_respect_the_drawn_bounds(model):
    ranges = {f: (1.0, 5.0) for f in BLOCK_INPUTS}
    ranges["R_EX_glc__D_e_rev"] = (6.0, 8.0)
    bounds = {r.id: r.bounds for r in model.reactions}
    sim = simulate_exchanges(model, ranges, 3, seed=1)
    assert len(sim["inputs"]) == 3 and (sim["growth"] >= 5e-3).all()
    for f in BLOCK_INPUTS:
        assert (sim["pfba"][f] <= sim["inputs"][f] + 1e-6).all()
    assert {r.id: r.bounds for r in model.reactions} == bounds


def test_train_block_and_omics_members_run_and_learn(problem):
    rng = np.random.default_rng(0)
    U = rng.uniform(0, 5, size=(12, 5))
    block, history = train_block(problem, U, np.zeros((12, problem.n)), hidden=16, epochs=3)
    assert len(history) == 3 and not any(p.requires_grad for p in block.parameters())
    X = rng.uniform(size=(10, 4))
    Y = np.abs(rng.normal(size=(10, 5))) + 0.5
    members = [OmicsMember(rows=tuple(range(8)), hidden=8, lr=1e-2, seed=s) for s in (0, 1)]
    fit = train_omics_members(block, np.stack([X, X]), Y, members, epochs=15)
    assert fit.history.shape == (2, 15)
    assert fit.history[:, -1].mean() < fit.history[:, 0].mean()
    u, V = fit.predict(np.stack([X, X]))
    assert u.shape == (2, 10, 5) and V.shape == (2, 10, problem.n)


def _small_block(problem):
    rng = np.random.default_rng(0)
    U = rng.uniform(0, 5, size=(12, 5))
    block, _ = train_block(problem, U, np.zeros((12, problem.n)), hidden=16, epochs=1)
    return block


def test_an_omics_member_trained_alone_equals_it_in_an_ensemble(problem):
    """Review item 5: own Adam step count, own shuffling and dropout streams (network and block)."""
    block = _small_block(problem)
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(3, 11, 4))
    Y = np.abs(rng.normal(size=(11, 5))) + 0.5
    members = [OmicsMember(rows=tuple(range(9)), hidden=8, dropout=0.25, lr=1e-2, seed=0),
               OmicsMember(rows=(0, 2, 4, 6), hidden=12, dropout=0.5, lr=5e-3, seed=7),
               OmicsMember(rows=tuple(range(1, 11)), hidden=6, dropout=0.1, lr=2e-3,
                           weight_decay=1e-3, seed=3)]
    together = train_omics_members(block, X, Y, members, epochs=4)
    u_all, V_all = together.predict(X)
    for e, member in enumerate(members):
        alone = train_omics_members(block, X[e:e + 1], Y, [member], epochs=4)
        u, V = alone.predict(X[e:e + 1])
        np.testing.assert_allclose(u_all[e], u[0], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(V_all[e], V[0], rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(together.history[e], alone.history[0], rtol=1e-4, atol=1e-6)
    # member 1 has one batch per epoch, the others two or three: its Adam took 4 steps
    again = train_omics_members(block, X[[1, 0]], Y, [members[1], members[0]], epochs=4)
    np.testing.assert_allclose(again.predict(X[[1, 0]])[0][0], u_all[1], rtol=1e-4, atol=1e-5)


def test_training_leaves_the_global_rng_alone(problem):
    torch.manual_seed(123)
    state = torch.random.get_rng_state()
    block = _small_block(problem)
    rng = np.random.default_rng(2)
    members = [OmicsMember(rows=tuple(range(6)), hidden=4, seed=s) for s in (0, 1)]
    train_omics_members(block, rng.uniform(size=(2, 6, 3)), np.ones((6, 5)), members, epochs=2)
    assert torch.equal(torch.random.get_rng_state(), state)


def test_omics_inputs_and_rows_are_checked(problem):
    block = _small_block(problem)
    X = np.zeros((1, 6, 3))
    with pytest.raises(ValueError, match=r"Y must have shape \(N=6, 5\)"):
        train_omics_members(block, X, np.ones((5, 5)), [OmicsMember(rows=(0, 1))], epochs=1)
    with pytest.raises(ValueError, match=r"Member 0: 'rows' must be non-empty indices in \[0, 6\)"):
        train_omics_members(block, X, np.ones((6, 5)), [OmicsMember(rows=(0, 6))], epochs=1)


def test_block_problem_names_a_missing_reference(model):
    with pytest.raises(ValueError, match=r"\['R_NOPE'\] are not reactions of model"):
        block_problem(model, ["R_EX_glc__D_e_rev", "R_NOPE"])


def test_simulations_that_fall_short_are_an_error_with_counts(model):
    ranges = {f: (0.0, 0.0) for f in BLOCK_INPUTS}  # no glucose, no oxygen: nothing grows
    with pytest.raises(RuntimeError, match=r"only 0 of the 2 requested draws were accepted "
                                           r"within max_tries=5 \(5 rejected"):
        simulate_exchanges(model, ranges, 2, max_tries=5)
    with model:
        model.objective = {}
        for r in model.reactions:
            r.objective_coefficient = 0
        with pytest.raises(ValueError, match="has no objective reaction"):
            simulate_exchanges(model, {f: (1.0, 5.0) for f in BLOCK_INPUTS}, 1)
