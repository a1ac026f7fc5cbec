"""MOME's pymoo problem and operators (helpers.mome.problem)."""

from __future__ import annotations

import numpy as np
import pytest
from pymoo.core.population import Population

from helpers.mome.problem import (
    CloningMating,
    CostEliteSurvival,
    CostRepair,
    FewMutationSampling,
    KnockoutMutation,
    KnockoutProblem,
)
from helpers.mome.strains import StrainEvaluator


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


def test_cost_elite_survival_keeps_the_best_cheap_strain(problem):
    ev = problem.evaluator
    # the best growing single knock-out, plus many strains that dominate it on (biomass, product)
    # would not make it through plain rank and crowding if we ask for few survivors
    singles = [u for u in np.flatnonzero(ev.viable_units)]
    phen = ev.evaluate_many([[u] for u in singles])
    alive = phen[:, 0] > 0
    best = singles[int(np.flatnonzero(alive)[np.argmax(phen[alive, 2])])]
    rng = np.random.default_rng(0)
    X = np.zeros((30, problem.n_var), dtype=bool)
    X[0, best] = True
    for row in X[1:]:
        row[rng.choice(singles, size=4, replace=False)] = True
    pop = Population.new(X=X)
    problem_eval = problem.evaluate(X, return_as_dictionary=True)
    pop.set("F", problem_eval["F"])
    c = ev.cost([best])
    cheap = [i for i, row in enumerate(X) if ev.cost(row) <= c and -pop.get("F")[i, 0] > 0]
    expected = max(cheap, key=lambda i: (-pop.get("F")[i, 1], -pop.get("F")[i, 0]))
    out = CostEliteSurvival(elite_cost=c).do(problem, pop, n_survive=3,
                                             random_state=np.random.default_rng(0))
    kept = np.asarray(out.get("X"), dtype=bool)
    assert len(out) == 3
    assert any((row == X[expected]).all() for row in kept)
    assert out.get("rank") is not None


def test_cost_as_third_objective(problem):
    three = KnockoutProblem(problem.evaluator, cost_objective=True)
    X = np.zeros((2, three.n_var), dtype=bool)
    X[1, int(np.flatnonzero(problem.evaluator.viable_units)[0])] = True
    F = three.evaluate(X, return_as_dictionary=True)["F"]
    assert F.shape == (2, 3)
    assert F[0, 2] == 0 and F[1, 2] == problem.evaluator.cost(X[1])
