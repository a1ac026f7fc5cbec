"""Splitting reversible reactions (helpers.gem.split)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cobra.util import create_stoichiometric_matrix

from helpers.gem import load_gem, merge_split_fluxes, split_reversible, unsplit_model, use_medium


@pytest.fixture(scope="module")
def core():
    return load_gem("e_coli_core")


def test_split_makes_every_flux_nonnegative_and_counts(core):
    split = split_reversible(core)
    n_rev = sum(r.lower_bound < 0 < r.upper_bound for r in core.reactions)
    assert len(split.reactions) == len(core.reactions) + n_rev
    assert all(r.lower_bound >= 0 for r in split.reactions)
    assert split.reactions.get_by_id("PGI_rev").reaction == "f6p_c --> g6p_c"
    assert split.reactions.get_by_id("EX_glc__D_e_rev").upper_bound == 10.0  # uptake half


def test_backward_only_reaction_becomes_single_rev():
    # BiGG e_coli_core's FORt runs only backwards (bounds [-1000, 0]).
    split = split_reversible(load_gem("e_coli_core_minn"))
    assert "FORt_rev" in split.reactions and "FORt_fwd" not in split.reactions
    assert split.reactions.get_by_id("FORt_rev").bounds == (0.0, 1000.0)


def test_split_keeps_fba_optimum_and_round_trip(core):
    split = split_reversible(core)
    back = unsplit_model(split)
    assert split.slim_optimize() == pytest.approx(core.slim_optimize(), abs=1e-9)
    assert back.slim_optimize() == pytest.approx(core.slim_optimize(), abs=1e-9)
    assert {r.id: r.bounds for r in back.reactions} == {r.id: r.bounds for r in core.reactions}
    order = [r.id for r in core.reactions]
    s_back = pd.DataFrame(create_stoichiometric_matrix(back), columns=[r.id for r in back.reactions])
    assert np.allclose(s_back[order].to_numpy(), create_stoichiometric_matrix(core))


def test_merged_split_fluxes_are_a_steady_state_of_the_original(core):
    split = split_reversible(core)
    fluxes = split.optimize().fluxes.add_prefix("R_")
    net = merge_split_fluxes(fluxes)
    assert "R_PGI" in net.index and "R_PGI_fwd" not in net.index
    v = net.rename(lambda x: x[2:])[[r.id for r in core.reactions]].to_numpy()
    assert np.abs(create_stoichiometric_matrix(core) @ v).max() < 1e-6


def test_split_under_anaerobic_medium_has_no_o2_uptake(core):
    with use_medium(core, "glucose_minimal_anaerobic"):
        split = split_reversible(core)
    assert "EX_o2_e_rev" not in split.reactions
    assert core.reactions.get_by_id("EX_o2_e").lower_bound == -1000.0  # restored
