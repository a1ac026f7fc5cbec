"""Chapter 10's headline at the paper profile: stored MINN rows, their flux checks, the store's
chapter-10 studies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.book import beyond, beyond_paper
from helpers.book import paper as ps
from helpers.evaluation.protocol import LooResult
from helpers.minn.toy import make_toy_data


def _result(label, Y, problem, scale, rng):
    result = LooResult(label, Y * scale)
    fluxes = pd.DataFrame(rng.normal(size=(len(Y), problem.n)), index=Y.index,
                          columns=list(problem.reaction_ids))
    result.extra.update(seconds=1.0, L2=pd.Series(0.0, index=Y.index), fluxes=fluxes)
    return result


def test_paper_headline_uses_stored_rows_and_checks_their_fluxes(monkeypatch):
    """MINN results given as ``stored`` are not recomputed; every MINN row with held-out flux
    distributions gets the box-violation columns (the chapter's violation table), and a
    ``feasible`` label adds its feasible-QP row at this profile too."""
    from helpers.evaluation import baselines, minn_loo
    from helpers.minn.feasible import violation_table

    toy = make_toy_data(n_samples=8, seed=1)
    X, Y, problem = toy.X, toy.Y, toy.problem
    rng = np.random.default_rng(0)
    stored = {"MINN-c-balanced": _result("MINN-c-balanced", Y, problem, 1.1, rng),
              "network-only": _result("network-only", Y, problem, 1.2, rng)}
    computed = {}

    def fake_variants(problem_, X_, Y_, variants, settings, *, seed, device):
        computed.update(variants)
        return {label: _result(label, Y_, problem, 1.3, rng) for label in variants}

    monkeypatch.setattr(minn_loo, "evaluate_variants", fake_variants)
    monkeypatch.setattr(baselines, "run_baseline",
                        lambda kind, X_, Y_, **kw: LooResult(kind, Y_ * 0.5))
    labels = {"MINN-c-balanced": "c-balanced", "MINN-c-balanced-exact": "c-balanced-exact"}
    table, seconds = beyond.headline_comparison(
        problem, X, Y, Y * 1.1, {"minn_variants": []}, variants=labels,
        search_settings={"baseline_trials": 15, "n_jobs": 1}, stored=stored,
        feasible=["MINN-c-balanced"])
    assert computed == {"MINN-c-balanced-exact": "c-balanced-exact"}
    qp = "MINN-c-balanced" + beyond.FEASIBLE_SUFFIX
    violations = violation_table(table).set_index("model")
    assert set(violations.index) == {"MINN-c-balanced", qp, "MINN-c-balanced-exact",
                                     "network-only"}
    assert (violations.predictions == len(Y)).all()
    assert violations.loc[qp, "feasible"] == len(Y)  # projected onto the feasible set
    assert violations.loc["MINN-c-balanced", "below_lb_mean"] > 0  # random fluxes: negatives
    assert qp in seconds and table[table.model == "RF"].below_lb.isna().all()
    with pytest.raises(ValueError, match="'feasible' parameter names \\['RF'\\]"):
        beyond.headline_comparison(problem, X, Y, Y, {"minn_variants": []}, variants=labels,
                                   search_settings={"baseline_trials": 1, "n_jobs": 1},
                                   feasible=["RF"])


def test_chapter_10_headline_studies_are_in_the_store():
    """The store computes chapter 10's exact layer and network alone and reuses chapter 03's
    c-balanced units; the labels are the chapter's."""
    studies = ps.select(chapters=["10_beyond"])
    assert [s.key for s in studies] == ["c-balanced", "exact-layer", "network-only"]
    by_key = {s.key: s for s in studies}
    assert {label: by_key[key].label for label, key in beyond_paper.HEADLINE_STUDIES.items()} \
        == {label: label for label in beyond_paper.HEADLINE_STUDIES}
    assert by_key["exact-layer"].variant == "c-balanced-exact"
    assert ps.protocol(by_key["network-only"])["n_trials"] == 15  # no c to tune
    assert ps.protocol(by_key["exact-layer"])["n_trials"] == 25


def test_held_out_fluxes_name_a_missing_unit(tmp_path, monkeypatch):
    from helpers.book.paper.fluxes import held_out_fluxes

    monkeypatch.setenv(ps.STORE_ENV, str(tmp_path / "paper"))
    with pytest.raises(ps.StoreError, match=r"'network-only' lacks 29 current unit\(s\)"):
        held_out_fluxes("network-only")


def test_held_out_fluxes_come_from_the_units_that_keep_them(tmp_path, monkeypatch, ishii):
    """A unit computed since units keep the held-out flux distribution gives it as stored; a
    diverged fold has none."""
    from helpers.book.paper import inputs, units
    from helpers.book.paper.fluxes import held_out_fluxes

    monkeypatch.setenv(ps.STORE_ENV, str(tmp_path / "paper"))
    names = ps.samples()[:2]
    monkeypatch.setattr(inputs, "samples", lambda: names)
    study = ps.get_study("network-only")
    for k, sample in enumerate(names):
        content = {
            "unit": {"chapter": study.chapter, "study": study.key, "label": study.label,
                     "sample": sample, "fold": k},
            "protocol_hash": ps.protocol_hash(study), "prediction": {}, "metrics": {},
            "chosen": {}, "inner_cv": [], "seconds": 1.0, "provenance": {"git_commit": "f00"},
            "fluxes": {"R1": float(k), "R2": -1.0},
        }
        if k == 1:
            content["diverged"] = "epoch 2: inf"
            content["fluxes"] = {}
        content["checksum"] = units.checksum(content)
        ps.write_unit(content, ps.unit_path(study, sample))
    fluxes = held_out_fluxes("network-only")
    assert list(fluxes.index) == [names[0]] and fluxes.loc[names[0]].tolist() == [0.0, -1.0]
