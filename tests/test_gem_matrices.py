"""MINN matrices and the mechanistic residual (helpers.gem.matrices)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from cobra.util import create_stoichiometric_matrix

from helpers.gem import (
    FluxIdError,
    load_gem,
    mechanistic_residual,
    minn_matrices,
    split_reversible,
    stoichiometric_matrix,
)


@pytest.fixture(scope="module")
def split_core():
    return split_reversible(load_gem("e_coli_core"))


@pytest.mark.parametrize("split", [False, True])
def test_sparse_s_equals_cobra_matrix(split_core, split):
    """Bit for bit cobra's matrix, as CSR: float64, sorted int32 indices, same data."""
    model = split_core if split else load_gem("e_coli_core")
    S = stoichiometric_matrix(model)
    assert S.format == "csr" and S.dtype == np.float64 and S.has_sorted_indices
    assert S.indices.dtype == S.indptr.dtype == np.int32
    assert np.array_equal(S.toarray(), create_stoichiometric_matrix(model))
    assert S.nnz == sum(len(r.metabolites) for r in model.reactions)


def test_minn_matrices_shapes_bounds_and_projections(split_core):
    ref = ["R_PGI_fwd", "R_PFK", "R_EX_co2_e_fwd"]
    mats = minn_matrices(split_core, ref_ids=ref, in_ids=["R_EX_glc__D_e_rev", "R_EX_o2_e_rev"])
    assert mats.S.shape == (mats.m, mats.n) == (72, len(split_core.reactions))
    assert mats.reaction_ids[0].startswith("R_")
    assert (mats.lower >= 0).all() and mats.V_in.tolist() == [10.0, 1000.0]
    V = np.arange(mats.n, dtype=float)
    assert np.array_equal(mats.P_ref @ V, V[mats.ref_idx])
    assert [mats.reaction_ids[i] for i in mats.ref_idx] == ref
    assert mats.objective.sum() == 1.0


def test_projection_error_lists_all_bad_ids(split_core):
    with pytest.raises(FluxIdError, match=r"\['R_X', 'R_Y'\]"):
        minn_matrices(split_core, ref_ids=["R_X", "R_PFK", "R_Y"])


def test_unsplit_model_is_refused():
    with pytest.raises(ValueError, match="is not split"):
        minn_matrices(load_gem("e_coli_core"))


def test_mechanistic_residual_single_batch_and_labelled(split_core):
    mats = minn_matrices(split_core)
    fba = split_core.optimize().fluxes.to_numpy()
    assert mats.mechanistic_residual(fba) < 1e-12
    rng = np.random.default_rng(0)
    batch = rng.random((4, mats.n))
    dense = create_stoichiometric_matrix(split_core)
    expected = ((dense @ batch.T) ** 2).sum(axis=0) / mats.m
    assert np.allclose(mechanistic_residual(mats.S, batch), expected)
    assert mechanistic_residual(mats.S, batch[1]) == pytest.approx(expected[1])
    frame = pd.DataFrame(batch, columns=list(mats.reaction_ids)).iloc[:, ::-1]  # shuffled columns
    assert np.allclose(mats.mechanistic_residual(frame), expected)
    with pytest.raises(ValueError, match=r"must have \d+ fluxes per row"):
        mechanistic_residual(mats.S, batch[:, :5])
