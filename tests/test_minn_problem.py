"""MechanisticProblem: construction from matrices / cobra, validation, torch conversion."""

import copy
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
import torch

from helpers.minn import MechanisticProblem
from helpers.minn.toy import build_toy_model, split_reversible


def test_from_cobra_matches_the_model_and_leaves_it_alone():
    model = split_reversible(build_toy_model())
    before = [(r.id, r.bounds) for r in model.reactions]
    p = MechanisticProblem.from_cobra(model, ["R1", "EX_E"], bounded=["EX_A"], v_in=10)
    assert (p.m, p.n, p.n_ref, p.n_in) == (6, 11, 2, 1)
    assert p.reference_ids == ["R1", "EX_E"] and p.bounded_ids == ["EX_A"]
    col = p.reaction_ids.index("R1")
    assert p.S[p.metabolite_ids.index("A"), col] == -1 and p.S[p.metabolite_ids.index("B"), col] == 1
    assert [(r.id, r.bounds) for r in model.reactions] == before


def test_ids_or_positions_and_clear_errors():
    S = sp.eye(3, 4, format="csr")
    p = MechanisticProblem.from_matrices(S, ["a", "b", "c", "d"], reference=[1, 3])
    assert p.reference_ids == ["b", "d"] and np.isinf(p.v_in).all() and p.n_in == 0
    with pytest.raises(ValueError, match=r"Unknown reaction id\(s\) in 'reference': \['zz'\]"):
        MechanisticProblem.from_matrices(S, ["a", "b", "c", "d"], reference=["zz"])
    with pytest.raises(ValueError, match=r"S has 4 columns but 3 reaction ids"):
        MechanisticProblem.from_matrices(S, ["a", "b", "c"], reference=[0])
    with pytest.raises(ValueError, match=r"'bounded' indices must lie in \[0, 4\)"):
        MechanisticProblem.from_matrices(S, list("abcd"), reference=[0], bounded=[9])


def test_torch_view_is_sparse_cached_and_exact():
    S = sp.random(5, 9, density=0.3, random_state=0, format="csr")
    p = MechanisticProblem.from_matrices(S, [f"r{i}" for i in range(9)], reference=[0])
    tp = p.to_torch(torch.float64)
    assert tp.S.layout == torch.sparse_csr and tp.St.layout == torch.sparse_csr
    assert p.to_torch(torch.float64) is tp
    np.testing.assert_array_equal(tp.S.to_dense().numpy(), S.toarray())
    np.testing.assert_array_equal(tp.St.to_dense().numpy(), S.toarray().T)


def test_copies_share_and_pickles_drop_the_torch_cache():
    p = MechanisticProblem.from_matrices(sp.eye(2, format="csr"), ["a", "b"], reference=[0])
    p.to_torch()
    assert copy.deepcopy(p) is p
    q = pickle.loads(pickle.dumps(p))
    assert q._torch == {} and q.reaction_ids == p.reaction_ids
    np.testing.assert_array_equal(q.S.toarray(), p.S.toarray())


def test_from_gem_accepts_the_gem_helpers_matrices():
    class Matrices:  # the attributes helpers.gem.MinnMatrices provides
        S = sp.csr_matrix(np.array([[1.0, -1.0, 0.0], [0.0, 1.0, -1.0]]))
        reaction_ids = ("R_a", "R_b", "R_c")
        metabolite_ids = ("x", "y")
        ref_idx = np.array([2, 0])
        in_idx = np.array([1])
        V_in = np.array([7.5])

    p = MechanisticProblem.from_gem(Matrices())
    assert p.reference_ids == ["R_c", "R_a"] and p.bounded_ids == ["R_b"] and np.isinf(p.v_in).all()
    assert MechanisticProblem.from_gem(Matrices(), v_in="model").v_in.tolist() == [7.5]
    with pytest.raises(ValueError, match=r"'v_in' parameter must be None, 'model' or numbers"):
        MechanisticProblem.from_gem(Matrices(), v_in="bounds")
