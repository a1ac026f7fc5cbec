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
