"""The raw GLPK problem behind MOME's strain LP (helpers.gem.glpk): its restart path."""

from __future__ import annotations

import cobra
import numpy as np
import pytest
import swiglpk as glp

from helpers.gem import load_gem
from helpers.gem.glpk import ITERATIONS_PER_DIMENSION, GlpkProblem
from helpers.mome._engine.lp import StrainLP


@pytest.fixture(scope="module")
def core_arrays():
    model = load_gem("e_coli_core")
    S = cobra.util.create_stoichiometric_matrix(model, array_type="lil").tocsr()
    lb = np.array([r.lower_bound for r in model.reactions], dtype=float)
    ub = np.array([r.upper_bound for r in model.reactions], dtype=float)
    objective = model.reactions.index(model.reactions.get_by_id("Biomass_Ecoli_core"))
    product = model.reactions.index(model.reactions.get_by_id("EX_etoh_e"))
    return model, S, lb, ub, objective, product


def test_a_stalled_solve_restarts_and_a_hopeless_one_is_reported(core_arrays):
    model, S, lb, ub, objective, _ = core_arrays
    problem = GlpkProblem(S, lb, ub, objective)
    assert problem.n_restarts == 0
    assert problem.iteration_limit == ITERATIONS_PER_DIMENSION * sum(S.shape)
    glp.glp_std_basis(problem.lp)  # far from the optimum
    problem.warm_iteration_limit = 1  # the warm start stalls at once; a fresh one finishes
    assert problem.simplex() and problem.n_restarts == 1
    assert glp.glp_get_obj_val(problem.lp) == pytest.approx(model.slim_optimize(), abs=1e-6)
    glp.glp_std_basis(problem.lp)
    problem.iteration_limit = 1  # no attempt can finish: a failure, never a wrong optimum
    assert not problem.simplex() and problem.n_restarts == 2


def test_strain_phenotypes_do_not_depend_on_restarts(core_arrays):
    _, S, lb, ub, objective, product = core_arrays
    normal = StrainLP(S, lb, ub, objective, product)
    restarted = StrainLP(S, lb, ub, objective, product)
    restarted.warm_iteration_limit = 1  # every warm start that needs a pivot restarts
    rng = np.random.default_rng(0)
    for _ in range(25):
        knocked = rng.choice(S.shape[1], size=2, replace=False).tolist()
        a, b = normal.solve(knocked, 1e-6), restarted.solve(knocked, 1e-6)
        assert np.allclose(a[:3], b[:3], atol=1e-6), (knocked, a, b)
    # (infeasible knock-outs restart in both: a warm "infeasible" is always re-checked)
    assert restarted.n_restarts > normal.n_restarts + 10
