"""MOME's pymoo problem and operators (helpers.mome.problem)."""

from __future__ import annotations

import numpy as np
import pytest
from pymoo.core.population import Population

from helpers.mome.evaluation import StrainEvaluator
from helpers.mome.problem import (
    CloningMating,
    CostRepair,
    FewMutationSampling,
    KnockoutMutation,
    KnockoutProblem,
)


@pytest.fixture(scope="module")
def problem(anaerobic_core):
    ev = StrainEvaluator(anaerobic_core, biomass="Biomass_Ecoli_core", product="EX_etoh_e")
    return KnockoutProblem(ev)


@pytest.mark.parametrize("ukc", [1, 3, 7])
def test_repair_keeps_cost_at_most_ukc(problem, ukc):
    rng = np.random.default_rng(ukc)
    X = rng.random((50, problem.n_var)) < 0.4
    costs = problem.evaluator.costs
    before = X.copy()
    repaired = CostRepair(costs, ukc).do(problem, Population.new(X=X), random_state=rng).get("X")
    assert (np.array([costs[r].sum() for r in repaired]) <= ukc).all()
    assert not (repaired & ~before).any()  # repair only knocks genes back in
    cheap = np.array([costs[r].sum() for r in before]) <= ukc
    np.testing.assert_array_equal(repaired[cheap], before[cheap])


def test_sampling_starts_from_the_wild_type_with_few_mutations(problem):
    X = FewMutationSampling(3).do(problem, 30, random_state=np.random.default_rng(0)).get("X")
    assert not X[0].any()
    assert (X[1:].sum(axis=1) >= 1).all() and (X.sum(axis=1) <= 3).all()


def test_mutation_changes_every_clone(problem):
    X = np.zeros((20, problem.n_var), dtype=bool)
    out = KnockoutMutation(max_flips=1).do(problem, Population.new(X=X),
                                           random_state=np.random.default_rng(0)).get("X")
    assert (out.sum(axis=1) == 1).all()


def test_problem_maximizes_biomass_and_guaranteed_product(problem):
    X = np.zeros((1, problem.n_var), dtype=bool)
    out = problem.evaluate(X, return_as_dictionary=True)
    ref = problem.evaluator.reference
    np.testing.assert_array_equal(out["F"][0], -ref[[0, 2]])


def test_operator_parameters_are_checked(problem):
    with pytest.raises(ValueError, match="'ukc' parameter must be >= 1. Got 0 instead"):
        CostRepair(problem.evaluator.costs, 0)
    with pytest.raises(ValueError, match="'dup' parameter must be >= 1. Got 0 instead"):
        CloningMating(KnockoutMutation(), CostRepair(problem.evaluator.costs, 5), 0)
    with pytest.raises(ValueError, match=r"'objective' parameter must be one of \['product_min', 'product_lp'\]"):
        KnockoutProblem(problem.evaluator, objective="ethanol")


def test_knockouts_are_drawn_only_among_allowed_units(problem):
    allowed = np.zeros(problem.n_var, dtype=bool)
    allowed[[1, 5, 7]] = True
    rng = np.random.default_rng(0)
    X = np.zeros((30, problem.n_var), dtype=bool)
    out = KnockoutMutation(max_flips=2, knock_in_prob=0.0, allowed=allowed).do(
        problem, Population.new(X=X), random_state=rng).get("X")
    assert out.any(axis=1).all() and not out[:, ~allowed].any()
    sampled = FewMutationSampling(3, allowed=allowed).do(problem, 20, random_state=rng).get("X")
    assert not sampled[:, ~allowed].any()


def test_units_outside_viable_are_lethal_alone(problem):
    ev = problem.evaluator
    viable = ev.viable_units
    assert 0 < viable.sum() < len(viable)
    phen = ev.evaluate_many([[u] for u in np.flatnonzero(~viable)])
    assert (phen == 0).all()
