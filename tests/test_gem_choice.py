"""Tests of helpers.evaluation.gem_choice: flux-id alignment across GEMs, layer stability, residual views."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

from helpers.data.ishii import UPTAKES
from helpers.evaluation import gem_choice
from helpers.minn import MechanisticProblem, unroll


def _table(columns, values):
    return pd.DataFrame(values, index=["s1", "s2"], columns=columns)


def test_aligned_ids_maps_by_position_when_values_agree():
    left = _table(["R_A", "R_B"], [[1.0, 2.0], [3.0, 4.0]])
    right = _table(["R_X", "R_Y"], [[1.0, 2.0], [3.0, 4.0]])
    assert gem_choice.aligned_ids(left, right) == {"R_A": "R_X", "R_B": "R_Y"}


def test_aligned_ids_names_every_column_whose_values_differ():
    left = _table(["R_A", "R_B", "R_C"], [[1.0, 2.0, 5.0], [3.0, 4.0, 6.0]])
    right = _table(["R_X", "R_Y", "R_Z"], [[1.0, -2.0, 5.0], [3.0, 4.0, 0.0]])
    with pytest.raises(ValueError, match=r"R_B vs R_Y.*R_C vs R_Z"):
        gem_choice.aligned_ids(left, right, names=("a.csv", "b.csv"))


def test_aligned_ids_refuses_tables_of_different_width():
    with pytest.raises(ValueError, match="2 flux columns.*1"):
        gem_choice.aligned_ids(_table(["R_A", "R_B"], [[1, 2], [3, 4]]), _table(["R_X"], [[1], [3]]))


def test_shared_flux_ids_of_the_released_tables():
    ids = gem_choice.shared_flux_ids()
    assert len(ids) == 36 and set(UPTAKES) <= set(ids.index)
    assert list(ids.columns) == ["iAF1260", "e_coli_core", "iNF517"]
    assert ids.loc["R_GLCptspp"].tolist() == ["R_GLCptspp", "R_GLCpts", "R_GLCpts"]
    assert ids.loc["R_LDH_D_rev", "iNF517"] == "R_LDH_L_rev"
    assert ids.loc["R_SUCDi", "iNF517"] == "R_SUCD1_fwd"
    # the iAF1260-only fluxes (glyoxylate shunt, malic enzyme, ...) are not shared
    assert not {"R_ME2", "R_PPC", "R_ICL", "R_MALS", "R_AKGDH"} & set(ids.index)


@pytest.mark.parametrize("label, n", [("e_coli_core", 141), ("iNF517 FVA-reduced", 704)])
def test_gem_problem_places_the_shared_fluxes(ishii, label, n):
    ids = gem_choice.shared_flux_ids().drop(index=UPTAKES)
    choice = next(c for c in gem_choice.GEM_CHOICES if c.label == label)
    problem = gem_choice.gem_problem(choice, ids[choice.namespace], ishii, fba_samples=1)
    assert problem.n == n
    assert problem.reference_ids == list(ids[choice.namespace])


def test_gem_problem_rejects_an_unknown_gem(ishii):
    with pytest.raises(ValueError, match="Unknown GEM 'iML1515'"):
        gem_choice.gem_problem("iML1515", ["R_PGI_fwd"], ishii, fba_samples=1)


def test_steady_state_freedom_counts_empty_rows_and_rank():
    S = sp.csr_matrix(np.array([[1.0, -1.0, 0.0, 0.0],
                                [0.0, 0.0, 0.0, 0.0],   # a metabolite left without reactions
                                [0.0, 1.0, -1.0, 0.0],
                                [1.0, 0.0, -1.0, 0.0]]))  # = row 0 + row 2: rank 2
    assert gem_choice.steady_state_freedom(S) == {"m": 4, "m_active": 3, "n": 4, "rank": 2,
                                                  "dof": 2}


def _imbalance_after(S, lr, steps=40):
    problem = MechanisticProblem.from_matrices(S, ["a", "b", "c"], reference=[0])
    V0 = torch.full((1, 3), 5.0, dtype=torch.float64)
    V = unroll(V0, problem, lr=lr, steps=steps)
    Sd = torch.as_tensor(S, dtype=torch.float64)
    return float((Sd @ V[0]).norm() / (Sd @ V0[0]).norm())


@pytest.mark.parametrize("target_ratio", [0.5, 1.3])
def test_layer_stability_predicts_whether_the_real_layer_diverges(target_ratio):
    S = np.diag([3.0, 1.0, 0.5])
    m, sigma = 3, 3.0
    lr = target_ratio * 2 * (1 + 0.9) * m / (2 * sigma**2)
    info = gem_choice.layer_stability(sp.csr_matrix(S), lr=lr)
    assert info["sigma_max"] == pytest.approx(sigma)
    assert info["ratio"] == pytest.approx(target_ratio)
    grows = _imbalance_after(S, lr) > 1.0
    assert grows == (info["ratio"] > 1) == (info["growth"] > 1)


def test_layer_stability_growth_matches_the_heavy_ball_recursion():
    step, decay = 5.0, 0.9
    info = gem_choice.layer_stability(sp.csr_matrix([[1.0]]), lr=step / 2.0, decay=decay)
    assert info["step"] == pytest.approx(step)
    x_prev, x = 1.0, 1.0 - step  # first step from rest: V1 = V0 - lr (2/m) S^2 V0
    for _ in range(60):
        x_prev, x = x, (1 + decay - step) * x - decay * x_prev
    assert abs(x / x_prev) == pytest.approx(info["growth"], rel=1e-6)


def test_residual_views_rescale_by_metabolite_counts():
    views = gem_choice.residual_views(pd.Series([0.5, 2.0], index=["s1", "s2"]), m=100, m_active=50)
    assert views.loc["s2"].tolist() == pytest.approx([2.0, 200.0, 4.0])
    with pytest.raises(ValueError, match="m_active"):
        gem_choice.residual_views(np.array([1.0]), m=10, m_active=20)


def test_release_layer_is_the_training_default():
    import inspect

    from helpers.minn import train_ensemble

    defaults = inspect.signature(train_ensemble).parameters
    assert gem_choice.RELEASE_LAYER == {"lr": defaults["mech_lr"].default,
                                        "steps": defaults["mech_steps"].default,
                                        "decay": defaults["mech_decay"].default}


def test_paired_against_reports_direction_and_significance():
    rng = np.random.default_rng(0)
    base = rng.uniform(0.2, 0.4, 20)
    frame = pd.concat([
        pd.DataFrame({"model": "ref", "sample": range(20), "NE": base}),
        pd.DataFrame({"model": "worse", "sample": range(20), "NE": base + 0.1}),
        pd.DataFrame({"model": "same", "sample": range(20), "NE": base + rng.normal(0, 1e-3, 20)}),
    ])
    out = gem_choice.paired_against(frame, "ref")
    assert list(out.index) == ["worse", "same"]
    assert out.loc["worse", "direction"] == "higher" and out.loc["worse", "wins"] == 0
    assert out.loc["worse", "significant"] and not out.loc["same", "significant"]
    assert out.loc["worse", "difference"] == pytest.approx(0.1)
    with pytest.raises(ValueError, match="No model 'missing'"):
        gem_choice.paired_against(frame, "missing")
