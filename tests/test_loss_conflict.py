"""Chapter 04 helpers: strategy weights, bound penalty, data residual floor, findings."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from helpers.minn import VARIANTS, MechanisticProblem
from helpers.minn.loss_conflict import (
    check_findings,
    data_residual_floor,
    penalty_curve,
    strategy_weights,
)


def _weights(variant, **kw):
    frame = strategy_weights({variant: variant}, **kw)
    return frame.set_index("epoch")


@pytest.mark.parametrize("epoch, data, mech", [
    (0, 0.1, 0.9), (29, 0.1, 0.9),                    # phase 1: 90 % mechanistic
    (30, 0.1, 0.9), (50, 0.1 + 0.85 * 20 / 40, 0.9 - 0.85 * 20 / 40),  # phase 2: linear ramp
    (70, 0.95, 0.05), (149, 0.95, 0.05),              # phase 3: final data weight w
])
def test_scheduler_weights_at_chosen_epochs(epoch, data, mech):
    weights = _weights("scheduler", data_weight=0.95)
    assert len(weights) == 150
    assert weights.loc[epoch, "data"] == pytest.approx(data)
    assert weights.loc[epoch, "mechanistic"] == pytest.approx(mech)


@pytest.mark.parametrize("variant, data, mech", [
    ("c-balanced", 20.0, 1.0), ("bound", 20.0, 1.0), ("unbalanced", 1.0, 1.0),
    ("divided-loss", 1.0, 0.0), ("MSE-base", 1.0, 1.0),
])
def test_constant_strategies_weights_at_chosen_epochs(variant, data, mech):
    weights = _weights(variant, c=20.0)
    for epoch in (0, 42, 99):
        assert weights.loc[epoch, "data"] == pytest.approx(data)
        assert weights.loc[epoch, "mechanistic"] == pytest.approx(mech)


def test_scheduler_bound_has_the_scheduler_weights():
    a, b = _weights("scheduler", data_weight=0.85), _weights("scheduler-bound", data_weight=0.85)
    np.testing.assert_allclose(a[["data", "mechanistic"]], b[["data", "mechanistic"]])


def test_bound_penalty_is_continuous_at_the_threshold():
    b = VARIANTS["bound"].bound
    eps = b * 1e-9
    below, at, above = penalty_curve("bound", np.array([b - eps, b, b + eps]))
    assert below == pytest.approx(b, rel=1e-6) and above == pytest.approx(b, rel=1e-6)
    assert at == pytest.approx(b)
    # slope 1 below, k = 2 above
    grid = np.array([0.5 * b, 0.9 * b, 2 * b, 3 * b])
    pen = penalty_curve("bound", grid)
    np.testing.assert_allclose(pen[:2], grid[:2])
    np.testing.assert_allclose(pen[2:], b + 2.0 * (grid[2:] - b))
    np.testing.assert_allclose(penalty_curve("c-balanced", grid), grid)


def _chain_problem():
    # A -> B -> C chain: x0 makes A, x1 converts A to B, x2 consumes B, x3 makes C and nothing
    # consumes it: any x3 > 0 leaves C unbalanced.
    S = sp.csr_matrix(np.array([[1.0, -1.0, 0.0, 0.0],
                                [0.0, 1.0, -1.0, 0.0],
                                [0.0, 0.0, 0.0, 1.0]]))
    ids = ["R_x0", "R_x1", "R_x2", "R_x3"]
    return MechanisticProblem.from_matrices(S, ids, reference=["R_x0", "R_x3"])


def test_data_residual_floor_is_zero_inside_and_positive_outside():
    problem = _chain_problem()
    reference = pd.DataFrame({"R_x0": [2.0, 2.0, -1.0], "R_x3": [0.0, 1.5, 0.0]},
                             index=["in", "out", "negative"])
    floor = data_residual_floor(problem, reference)
    assert floor["in"] == pytest.approx(0.0, abs=1e-8)
    assert floor["out"] == pytest.approx(1.5**2 / 3, rel=1e-5)
    assert floor["negative"] == np.inf  # no V >= 0 has x0 = -1


def test_data_residual_floor_names_missing_values_and_columns():
    problem = _chain_problem()
    with pytest.raises(ValueError, match="R_x3"):
        data_residual_floor(problem, pd.DataFrame({"R_x0": [1.0]}))
    bad = pd.DataFrame({"R_x0": [1.0, np.nan], "R_x3": [0.0, 0.0]}, index=["a", "b"])
    with pytest.raises(ValueError, match="'b'.*'R_x0'"):
        data_residual_floor(problem, bad)


def _table(l2):
    models = ["MINN-c-balanced", "MINN-c-balanced FBA fit", "MINN-bound", "MINN-scheduler",
              "MINN-scheduler-bound", "MINN-divided loss"]
    rmse = [0.68, 0.70, 0.79, 0.83, 0.81, 0.70]
    return pd.DataFrame({"model": models, "RMSE_mean": rmse, "L2_mean": l2})


def test_check_findings_on_the_papers_table_holds():
    found = check_findings(_table([8.75e-5, 2.98e-5, 7.1e-5, 1.6e-5, 7.47e-5, 0.22]))
    assert found["holds"].all()
    assert found.loc[2, "measured"] == pytest.approx(np.log10(0.22 / 8.75e-5), abs=0.01)


def test_check_findings_reports_a_failed_claim():
    found = check_findings(_table([1e-4, 2e-4, 5e-5, 3e-4, 7e-5, 3e-4])).set_index("finding")
    assert not found["holds"].iloc[0] and found["measured"].iloc[0] == "MINN-bound"
    assert not found["holds"].iloc[2] and not found["holds"].iloc[3]
