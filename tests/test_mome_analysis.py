"""Envelope, clustering and post-processing (helpers.mome.analysis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.mome.analysis import (
    best_tradeoffs,
    biomass_coverage,
    cluster_front,
    envelope,
    envelope_at,
    envelope_hypervolume,
    front_at,
    knockout_frequency,
    postprocess_front,
    remove_superfluous,
    runs_table,
    strain_table,
)
from helpers.mome.search import hypervolume
from helpers.mome.strains import StrainEvaluator


@pytest.fixture(scope="module")
def core(anaerobic_core):
    ev = StrainEvaluator(anaerobic_core, biomass="Biomass_Ecoli_core", product="EX_etoh_e")
    return anaerobic_core, ev


def test_envelope_bounds_every_strain(core):
    model, ev = core
    env = envelope(model, biomass="Biomass_Ecoli_core", product="EX_etoh_e", points=40)
    assert env.biomass.max() == pytest.approx(ev.reference[0], abs=1e-6)
    rng = np.random.default_rng(0)
    strains = [rng.choice(len(ev.units), size=3, replace=False) for _ in range(100)]
    phen = ev.evaluate_many(strains)
    # the upper edge does not increase with biomass: the grid point at or left of a strain bounds it
    left = np.searchsorted(env.biomass.to_numpy(), phen[:, 0] + 1e-9, side="right") - 1
    assert (phen[:, 1] <= env.product_maximum.to_numpy()[left] + 1e-6).all()
    assert hypervolume(phen[:, [0, 2]]) <= envelope_hypervolume(env)


def test_dbscan_finds_separated_groups():
    rng = np.random.default_rng(0)
    a = rng.normal([0.1, 0.9], 0.005, size=(20, 2))
    b = rng.normal([0.9, 0.1], 0.005, size=(20, 2))
    front = pd.DataFrame(np.vstack([a, b]), columns=["biomass", "product_min"])
    labels = cluster_front(front)
    assert len(set(labels[:20])) == 1 and len(set(labels[20:])) == 1
    assert labels[0] != labels[-1] and -1 not in labels


def test_knockout_frequency_per_cluster():
    freq = knockout_frequency([(0,), (0, 1), (2,), (2,)], np.array([0, 0, 1, 1]), ["a", "b", "c"])
    assert freq.loc[0, "a"] == 1.0 and freq.loc[0, "b"] == 0.5 and freq.loc[1, "c"] == 1.0
    assert freq.loc[1, "a"] == 0.0


def test_remove_superfluous_restores_only_silent_knockouts(core):
    _, ev = core
    # an effective knock-out, and a unit that changes nothing on top of it
    effective = next(u for u in range(len(ev.units))
                     if ev.evaluate([u])[0] > 0 and ev.evaluate([u])[2] > ev.reference[2] + 1e-3)
    silent = next(u for u in range(len(ev.units)) if u != effective
                  and np.array_equal(ev.evaluate([u, effective]), ev.evaluate([effective])))
    kept = remove_superfluous(ev, [silent, effective])
    assert kept == (effective,)
    np.testing.assert_array_equal(ev.evaluate(kept), ev.evaluate([silent, effective]))


def test_best_tradeoffs_are_distinct_and_sorted():
    front = pd.DataFrame({"biomass": [0.1, 0.1, 0.2, 0.3], "product_min": [9.0, 9.0, 8.0, 7.0],
                          "cost": [5, 3, 2, 1], "n_units": [3, 2, 1, 1],
                          "genotype": [(1, 2, 3), (4, 5), (6,), (7,)]})
    best = best_tradeoffs(front, n=2)
    assert best.genotype.tolist() == [(4, 5), (6,)]


def test_envelope_at_matches_production_envelope_and_restores_model(core):
    model, _ = core
    env = envelope(model, biomass="Biomass_Ecoli_core", product="EX_etoh_e", points=11)
    exact = envelope_at(model, biomass="Biomass_Ecoli_core", product="EX_etoh_e",
                        values=env.biomass.iloc[[0, 5, 9]])
    np.testing.assert_allclose(exact, env.product_maximum.iloc[[0, 5, 9]], atol=1e-6)
    assert str(model.objective.expression).startswith("1.0*Biomass_Ecoli_core")
    assert np.isnan(envelope_at(model, biomass="Biomass_Ecoli_core", product="EX_etoh_e",
                                values=[10.0]))[0]


def test_front_at_takes_the_best_strain_growing_fast_enough():
    front = pd.DataFrame({"biomass": [0.01, 0.1, 0.2], "product_min": [19.0, 18.0, 10.0]})
    np.testing.assert_array_equal(front_at(front, [0.02, 0.0999]), [18.0, 18.0])
    assert np.isnan(front_at(front, [0.3])[0])


def test_unknown_product_or_biomass_names_id_and_model(core):
    model, _ = core
    with pytest.raises(ValueError, match=rf"'product' parameter names reaction 'EX_butanol_e', which "
                                         rf"is not in model {model.id!r}"):
        envelope(model, biomass="Biomass_Ecoli_core", product="EX_butanol_e")
    with pytest.raises(ValueError, match=r"'biomass' parameter names reaction 'growth'"):
        envelope_at(model, biomass="growth", product="EX_etoh_e", values=[0.1])


def test_strain_table_gives_exact_and_paper_cost_and_genes(core):
    from helpers.mome.gpr import evaluate_gpr, paper_knockout_cost

    _, ev = core
    atp = next(u for u, rule in enumerate(ev.units) if "b3731" in rule and "b3739" in rule)
    other = next(u for u in range(len(ev.units)) if u != atp and ev.evaluate([u, atp])[0] > 0)
    table = strain_table(ev, [[atp], [atp, other]], {"b3731": "atpC"})
    assert table.knockout_cost[0] == 1 and table.paper_cost[0] == paper_knockout_cost(ev.units[atp]) == 2
    assert table.genes[0] == "atpC"
    genes = {"atpC": "b3731"}
    cut = {genes.get(g, g) for g in table.genes[1].split(", ")}
    assert not evaluate_gpr(ev.units[other], cut) and not evaluate_gpr(ev.units[atp], cut)
    assert table.knockout_cost[1] <= table.paper_cost[1]
    assert (table.n_gene_sets >= np.array([1, 2])).all() and (table.extra_gene_sets >= 0).all()


def test_remove_superfluous_never_lowers_either_objective(core):
    _, ev = core
    rng = np.random.default_rng(3)
    for _ in range(25):
        g = ev.normalize(rng.choice(np.flatnonzero(ev.viable_units), size=4, replace=False))
        before = ev.evaluate(g)
        after = ev.evaluate(remove_superfluous(ev, g))
        assert after[0] >= before[0] - 1e-9 and after[2] >= before[2] - 1e-9


def test_postprocess_front_keeps_phenotypes_and_lowers_cost(core):
    from helpers.mome.search import run_mome

    _, ev = core
    res = run_mome(ev, pop_size=16, n_gen=4, dup=3, ukc=8, seed=1)
    post = postprocess_front(ev, res.front)
    assert len(post) == len(res.front.drop_duplicates(["biomass", "product_min"]))
    assert (post.cost <= post.raw_cost).all()
    merged = post.merge(res.front[["biomass", "product_min"]].drop_duplicates(),
                        on=["biomass", "product_min"])
    assert len(merged) == len(post)


def test_runs_table_one_row_per_search_in_the_order_given(core):
    from helpers.mome.search import run_mome

    _, ev = core
    small = run_mome(ev, pop_size=8, n_gen=2, dup=2, ukc=4, seed=0)
    larger = run_mome(ev, pop_size=16, n_gen=3, dup=3, ukc=8, seed=1)
    table = runs_table({"small": small, "larger": larger})
    assert table.columns.tolist() == ["design", "strains", "front", "strains_per_s", "cache_hits",
                                      "wall_s", "best_product"]
    assert table.design.tolist() == ["small", "larger"]
    assert table.strains.tolist() == [len(small.archive), len(larger.archive)]
    assert table.front.tolist() == [len(small.front), len(larger.front)]
    assert table.best_product[1] == larger.front.product_min.max()
    assert table.cache_hits[0] == small.n_cache_hits and table.wall_s[1] == larger.wall_s


def test_biomass_coverage_counts_bins_with_a_growing_strain():
    front = pd.DataFrame({"biomass": [0.0, 0.05, 0.12, 0.13, 1.0]})
    # bins of 0.1 on [0, 1]: 0.05 -> 1st, 0.12 and 0.13 -> 2nd, 1.0 -> the last (closed) one
    assert biomass_coverage(front, 1.0, 10) == pytest.approx(0.3)
    assert biomass_coverage(front.iloc[:1], 1.0, 10) == 0.0  # a lethal strain covers nothing
    assert biomass_coverage(front, 1.0, 1) == 1.0
    assert biomass_coverage(front.assign(biomass=front.biomass * 2), 1.0, 10) == pytest.approx(0.2)


def test_cluster_summary_after_post_processing_counts_needed_knockouts(core):
    from helpers.mome.analysis import cluster_of_best, cluster_summary
    from helpers.mome.search import run_mome

    _, ev = core
    res = run_mome(ev, pop_size=16, n_gen=4, dup=3, ukc=8, seed=1)
    front = res.front
    labels = cluster_front(front, eps=0.06, min_samples=2)
    post = postprocess_front(ev, front)
    raw = cluster_summary(front, labels, ev, {})
    clean = cluster_summary(front, labels, ev, {}, post=post)
    assert list(raw.cluster) == list(clean.cluster)
    assert (clean.n_phenotypes <= clean.n_strains).all()
    needed = {ev.units[u] for g in post.genotype for u in g}
    for text in clean.most_knocked_out:
        for item in filter(None, text.split("; ")):
            assert item.rsplit(" (", 1)[0] in needed
    # the best strain's cluster: the label of the strain with the most product
    best = cluster_of_best(front, labels)
    label = labels[int(np.argmax(front.product_min.to_numpy()))]
    assert best == ("outliers" if label == -1 else f"C{label + 1}")
    with pytest.raises(ValueError, match="'post' frame has no genotype"):
        cluster_summary(front, labels, ev, {}, post=post.iloc[:0])
