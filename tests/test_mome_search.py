"""The MOME run loop, front and hypervolume (helpers.mome.search)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.mome.search import hypervolume, pareto_front, run_mome
from helpers.mome.strains import StrainEvaluator


@pytest.fixture(scope="module")
def core_model(anaerobic_core):
    return anaerobic_core


def _run(model, seed):
    ev = StrainEvaluator(model, biomass="Biomass_Ecoli_core", product="EX_etoh_e")
    return run_mome(ev, pop_size=16, n_gen=6, dup=3, ukc=8, seed=seed)


def test_fixed_seed_reproduces_the_front(core_model):
    a, b = _run(core_model, 3), _run(core_model, 3)
    pd.testing.assert_frame_equal(a.front, b.front)
    pd.testing.assert_frame_equal(a.archive, b.archive)
    assert len(a.history) == 6


def test_front_is_non_dominated_and_within_cost(core_model):
    res = _run(core_model, 0)
    assert res.archive.cost.max() <= 8
    pts = res.archive[["biomass", "product_min"]].to_numpy()
    for b, p in res.front[["biomass", "product_min"]].to_numpy():
        dominated = (pts[:, 0] >= b) & (pts[:, 1] >= p) & ((pts[:, 0] > b) | (pts[:, 1] > p))
        assert not dominated.any()
    # the hypervolume never decreases over generations (the archive only grows)
    assert (np.diff(res.history.hv) >= -1e-12).all()


def test_hypervolume_of_known_points():
    assert hypervolume(np.array([[1.0, 1.0]])) == pytest.approx(1.0)
    assert hypervolume(np.array([[1.0, 2.0], [2.0, 1.0]])) == pytest.approx(3.0)
    assert hypervolume(np.array([[0.0, 5.0]])) == 0.0  # lethal strains add nothing


def test_pareto_front_keeps_equal_phenotypes():
    archive = pd.DataFrame({"genotype": [(0,), (1,), (2,)], "cost": [1, 1, 1], "n_units": [1, 1, 1],
                            "biomass": [1.0, 1.0, 0.5], "product_min": [2.0, 2.0, 1.0]})
    front = pareto_front(archive)
    assert sorted(front.genotype) == [(0,), (1,)]


def test_groups_change_nothing_when_never_drawn_and_something_when_drawn(core_model):
    # group_prob 0 draws no extra random number: the search is exactly the one without groups
    ev = StrainEvaluator(core_model, biomass="Biomass_Ecoli_core", product="EX_etoh_e")
    groups = [np.array([0, 1]), np.array([2, 3, 4])]
    plain = _run(core_model, 5)
    never = run_mome(ev, pop_size=16, n_gen=6, dup=3, ukc=8, seed=5, groups=groups,
                     group_prob=0.0)
    pd.testing.assert_frame_equal(plain.archive, never.archive)
    ev2 = StrainEvaluator(core_model, biomass="Biomass_Ecoli_core", product="EX_etoh_e")
    always = run_mome(ev2, pop_size=16, n_gen=6, dup=3, ukc=8, seed=5, groups=groups,
                      group_prob=1.0, skip_lethal_units=False)
    whole = [set(g.tolist()) for g in groups]
    assert any(any(g <= set(s) for g in whole) for s in always.archive.genotype)


@pytest.mark.parametrize(("name", "value"), [("pop_size", 0), ("pop_size", -5), ("pop_size", 2.5),
                                             ("pop_size", True), ("n_gen", 0), ("n_gen", 1.0)])
def test_sizes_must_be_positive_integers_named_in_the_error(anaerobic_core, name, value):
    ev = StrainEvaluator(anaerobic_core, biomass="Biomass_Ecoli_core", product="EX_etoh_e")
    sizes = {"pop_size": 16, "n_gen": 2, name: value}
    with pytest.raises(ValueError, match=f"The '{name}' parameter must be an integer >= 1. "
                                         f"Got {value!r} instead."):
        run_mome(ev, dup=3, ukc=8, **sizes)
    assert ev.n_computed == 0  # refused before any strain is evaluated


@pytest.mark.parametrize("pop_size", [1, 2, 3])
def test_the_smallest_populations_run(anaerobic_core, pop_size):
    ev = StrainEvaluator(anaerobic_core, biomass="Biomass_Ecoli_core", product="EX_etoh_e")
    result = run_mome(ev, pop_size=pop_size, n_gen=3, dup=2, ukc=5)
    assert len(result.history) == 3 and len(result.archive) >= 1
