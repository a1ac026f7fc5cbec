"""Box violations and the fully feasible projection (helpers.minn.feasible, chapter 10_beyond)."""

import numpy as np
import pandas as pd
import pytest

from helpers.minn import project
from helpers.minn.feasible import (
    box_bounds,
    box_violations,
    flux_checks,
    flux_weights,
    project_feasible,
    violation_table,
)
from helpers.minn.toy import make_toy_data


@pytest.fixture(scope="module")
def problem():
    return make_toy_data(n_samples=6, seed=0).problem  # 11 fluxes, 6 metabolites, EX_A <= 10


def test_box_bounds_are_zero_below_and_v_in_above_the_bounded_fluxes(problem):
    lb, ub = box_bounds(problem)
    assert (lb == 0).all() and ub[0] == 10.0 and np.isinf(ub[1:]).all()
    assert box_bounds(problem, [4.0])[1][0] == 4.0
    with pytest.raises(ValueError, match="n_in=1"):
        box_bounds(problem, [1.0, 2.0])


def test_box_violations_count_and_size_on_a_hand_made_vector(problem):
    steady = np.zeros(problem.n)
    V = np.vstack([steady, steady, steady])
    V[1, [3, 5]] = [-0.5, -2e-3]      # two fluxes below 0 by more than 1e-3
    V[1, 6] = -5e-4                    # below 0 but within the tolerance
    V[2, 0] = 12.5                     # EX_A above its bound of 10
    out = box_violations(V, problem)
    assert list(out["below_lb"]) == [0, 2, 0]
    np.testing.assert_allclose(out["below_lb_max"], [0.0, 0.5, 0.0])
    assert list(out["above_ub"]) == [0, 0, 1]
    np.testing.assert_allclose(out["above_ub_max"], [0.0, 0.0, 2.5])
    SV = (problem.S @ V.T).T
    np.testing.assert_allclose(out["max_abs_SV"], np.abs(SV).max(axis=1))
    np.testing.assert_allclose(out["SV_sq"], np.square(SV).sum(axis=1))
    assert list(box_violations(V, problem, tol=0.0)["below_lb"]) == [0, 3, 0]
    with pytest.raises(ValueError, match="n=11 fluxes"):
        box_violations(V[:, :5], problem)


def test_violation_table_row_counts_the_violations_of_each_model(problem):
    """A layer's row of the chapter's table: the counts of its predictions' violations."""
    V = np.zeros((4, problem.n))
    V[0, [2, 4]] = -1.0
    V[1, 4] = -0.1
    V[3, 0] = 11.0
    index = pd.MultiIndex.from_tuples([("f", s) for s in "abcd"], names=["split", "sample"])
    checks = flux_checks(problem, pd.DataFrame(V, index=index, columns=problem.reaction_ids))
    assert list(checks.columns[:1]) == ["L2"]
    np.testing.assert_allclose(checks["L2"],
                               np.square((problem.S @ V.T).T).sum(axis=1) / problem.m)
    per_sample = pd.concat([checks.reset_index().assign(model="layer"),
                            pd.DataFrame({"model": ["RF"], "L2": [np.nan]})])
    table = violation_table(per_sample).set_index("model")
    assert list(table.index) == ["layer"]  # RF has no flux checks
    row = table.loc["layer"]
    assert row.predictions == 4 and row.below_lb_mean == 0.75 and row.below_lb_most == 2
    assert row.below_lb_max == 1.0 and row.above_ub_mean == 0.25 and row.above_ub_max == 1.0
    assert row.feasible == 1  # only the zero vector (c) is feasible
    with pytest.raises(ValueError, match="below_lb"):
        violation_table(per_sample.drop(columns="below_lb"))


def test_project_feasible_meets_steady_state_and_bounds(problem):
    rng = np.random.default_rng(0)
    V0 = rng.normal(0, 10, size=(8, problem.n))
    V0[:, 0] = 25.0  # every uptake above its bound
    V, statuses = project_feasible(V0, problem)
    assert set(statuses) <= {"optimal", "optimal_inaccurate"}
    out = box_violations(V, problem, tol=1e-6)
    assert (out["below_lb"] == 0).all() and (out["above_ub"] == 0).all()
    assert out["max_abs_SV"].max() < 1e-6
    # a feasible V0 stays where it is
    again, _ = project_feasible(V, problem)
    np.testing.assert_allclose(again, V, atol=5e-3)  # interior-point accuracy
    # the exact layer's output is on S V = 0 but not in the box; the QP moves it into the box
    import torch

    exact = project(torch.as_tensor(V0), problem, steps=2).numpy()
    assert box_violations(exact, problem)["below_lb"].sum() > 0
    heavier, _ = project_feasible(V0, problem, weights=flux_weights(problem, 1000.0))
    ref = problem.reference_idx
    assert (np.abs(heavier[:, ref] - V0[:, ref]).sum()
            <= np.abs(V[:, ref] - V0[:, ref]).sum() + 1e-6)


def test_project_feasible_rejects_bad_input(problem):
    with pytest.raises(ValueError, match="n=11 fluxes"):
        project_feasible(np.zeros((2, 3)), problem)
    bad = np.zeros((2, problem.n))
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="row 1"):
        project_feasible(bad, problem)
    with pytest.raises(ValueError, match="positive"):
        project_feasible(np.zeros((1, problem.n)), problem, weights=np.zeros(problem.n))
    with pytest.raises(ValueError, match="reference_weight"):
        flux_weights(problem, 0.0)
