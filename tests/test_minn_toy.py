"""The toy network and its synthetic data."""

import numpy as np
import pandas as pd

from helpers.minn.toy import build_toy_model, make_toy_data, split_reversible


def test_toy_network_is_small_with_one_reversible_reaction():
    model = build_toy_model()
    assert len(model.metabolites) <= 8 and len(model.reactions) <= 10
    assert [r.id for r in model.reactions if r.reversibility] == ["R4"]


def test_split_model_is_irreversible_and_leaves_the_original_alone():
    model = build_toy_model()
    split = split_reversible(model)
    assert all(r.lower_bound >= 0 for r in split.reactions)
    assert {"R4_fwd", "R4_rev"} <= {r.id for r in split.reactions}
    assert model.reactions.R4.lower_bound < 0 and "R4_fwd" not in model.reactions
    rev = split.reactions.R4_rev.metabolites
    assert {m.id: c for m, c in rev.items()} == {"C": 1, "D": -1}


def test_toy_fluxes_are_steady_state_and_data_repeat_with_the_seed():
    data = make_toy_data(n_samples=8, seed=4)
    S = data.problem.S.toarray()
    assert np.abs(data.fluxes.to_numpy() @ S.T).max() < 1e-6
    assert (data.fluxes.to_numpy() >= -1e-9).all()
    assert data.X.shape == (8, 9) and data.Y.shape == (8, 6)
    assert list(data.Y.columns) == data.problem.reference_ids
    again = make_toy_data(n_samples=8, seed=4)
    pd.testing.assert_frame_equal(data.X, again.X)
    assert not make_toy_data(n_samples=8, seed=5).X.equals(data.X)


def test_split_uses_the_gem_splitter_and_keeps_the_toy_layout():
    """Review item 14: helpers.gem.split_reversible underneath (backward-only reactions too),
    reverse halves of reversible reactions last (chapter 00's numbers depend on the order)."""
    model = build_toy_model()
    split = split_reversible(model)
    assert [r.id for r in split.reactions] == ["EX_A", "R1", "R2", "R3", "R4_fwd", "R5", "R6",
                                               "EX_E", "EX_F", "BIOMASS", "R4_rev"]
    assert str(split.objective.expression).startswith("1.0*BIOMASS")
    model.reactions.R5.bounds = (-4.0, 0.0)  # backward only: E -> C
    backward = split_reversible(model)
    assert "R5" not in backward.reactions and backward.reactions.R5_rev.bounds == (0.0, 4.0)
    assert all(r.lower_bound >= 0 for r in backward.reactions)
    assert [r.id for r in backward.reactions][-1] == "R4_rev"
