"""MOME units of the paper-protocol store: protocol hash, files, status, chapter tables, CI check."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from helpers.book import paper as ps
from helpers.book.paper import mome, mome_tables, units


@pytest.fixture()
def store(tmp_path, monkeypatch):
    monkeypatch.setenv(ps.STORE_ENV, str(tmp_path / "paper"))
    return tmp_path / "paper"


def _study(key="ijo1366-anaerobic"):
    return ps.get_study(key)


def _fake_mome_unit(study, sample, *, best=5.0, hash_=None, seconds=60.0):
    """A MOME unit file as compute_mome_unit writes it (no search)."""
    content = {
        "unit": {"chapter": study.chapter, "study": study.key, "label": study.label,
                 "sample": sample, "seed": mome.sample_seed(sample), "method": "MOME"},
        "protocol_hash": hash_ or mome.mome_protocol_hash(study, sample),
        "summary": {"best_product": best, "biomass_at_best": 0.1, "front": 12, "strains": 900,
                    "hv_relative": 0.9},
        "front": {"genotype": [[1, 2]], "cost": [2], "biomass": [0.1], "product_lp": [best],
                  "product_min": [best], "n_genotypes": [1]},
        "archive": {"n_strains": 900, "n_growing": 800, "max_cost": 9, "per_cost": []},
        "history": {"generation": [1.0], "n_strains": [900.0], "hv": [1.0],
                    "hv_relative": [0.9]},
        "evaluations": {"n_requests": 1000, "n_computed": 900, "n_lp": 800,
                        "n_cache_hits": 100},
        "prefix": {"generations": 2}, "seconds": seconds, "search_seconds": seconds - 5,
        "provenance": {"git_commit": "0123456789"},
    }
    content["checksum"] = units.checksum(content)
    return ps.write_unit(content, ps.unit_path(study, sample))


def test_every_mome_chapter_is_in_the_store_with_three_seeds():
    chapters = {s.chapter for s in mome.mome_studies()}
    assert chapters == {"07_mome_ethanol", "08_mome_organisms_and_constraints",
                        "09_mome_redirector"}
    study = _study()
    assert study.samples == ["seed-0", "seed-1", "seed-2"]
    assert ps.select(chapters=["07_mome_ethanol"]) == [study]
    organisms = ps.select(chapters=["08_mome_organisms_and_constraints"])
    assert {s.kind for s in organisms} == {"organism", "constrained"}
    with pytest.raises(ValueError, match="'seed-<n>'"):
        mome.sample_seed("REF")


def test_mome_hash_follows_seed_settings_data_and_set_up_not_names(monkeypatch):
    study = _study()
    base = mome.mome_protocol_hash(study, "seed-0")
    assert mome.mome_protocol_hash(study, "seed-1") != base
    # a label (display name) is no part of the protocol
    assert mome.mome_protocol_hash(dataclasses.replace(study, label="renamed"), "seed-0") == base
    # the search settings are
    real = mome.get_profile

    def bigger(name, section):
        settings = real(name, section)
        if section == "mome":
            settings["pop_size"] += 1
        return settings

    monkeypatch.setattr(mome, "get_profile", bigger)
    assert mome.mome_protocol_hash(study, "seed-0") != base
    monkeypatch.setattr(mome, "get_profile", real)
    # an option the search does not read (or a new one) is not
    def extra(name, section):
        return {**real(name, section), "new_option": 1, "n_jobs": 7}

    monkeypatch.setattr(mome, "get_profile", extra)
    assert mome.mome_protocol_hash(study, "seed-0") == base
    monkeypatch.setattr(mome, "get_profile", real)
    # the GEM file is
    sha = mome._file_sha256
    monkeypatch.setattr(mome, "_file_sha256", lambda key: "0" * 64 if key.startswith("cobra:")
                        else sha(key))
    assert mome.mome_protocol_hash(study, "seed-0") != base
    monkeypatch.setattr(mome, "_file_sha256", sha)
    assert mome.mome_protocol_hash(study, "seed-0") == base


def test_an_organism_field_renamed_keeps_the_hash_its_reaction_changed_does_not(monkeypatch):
    """The product exchange is hashed by value: the same organism with its exchange under the
    field ``ethanol`` or ``product`` has one hash; another exchange has another."""
    from types import SimpleNamespace

    from helpers.gem import organisms

    study = _study("organism-iSB619")
    base = mome.mome_protocol_hash(study, "seed-0")
    org = organisms.ORGANISMS["iSB619"]
    product = getattr(org, "product", None) or org.ethanol
    common = {"name": org.name, "key": org.key, "biomass": org.biomass, "glucose": org.glucose,
              "oxygen": org.oxygen, "max_bound": org.max_bound, "eukaryote": org.eukaryote}
    for field in ("ethanol", "product"):
        monkeypatch.setitem(organisms.ORGANISMS, "iSB619",
                            SimpleNamespace(**common, **{field: product}))
        assert mome.mome_protocol_hash(study, "seed-0") == base, field
    monkeypatch.setitem(organisms.ORGANISMS, "iSB619",
                        SimpleNamespace(**common, product="EX_succ_e"))
    assert mome.mome_protocol_hash(study, "seed-0") != base


def test_mome_units_are_written_read_and_counted_like_minn_units(store):
    study = _study()
    path = _fake_mome_unit(study, "seed-0")
    assert path == store / "07_mome_ethanol" / "ijo1366-anaerobic" / "seed-0.json"
    assert ps.read_unit(path)["unit"]["method"] == "MOME"
    _fake_mome_unit(study, "seed-1", hash_="0" * 64)  # another protocol
    row = ps.status(chapters=["07_mome_ethanol"]).iloc[0]
    assert (row["method"], row["done"], row["stale"], row["missing"]) == ("MOME", 1, 1, 1)
    assert ps.pending(chapters=["07_mome_ethanol"]) == [(study, "seed-1"), (study, "seed-2")]
    content = ps.read_unit(path)
    del content["prefix"], content["checksum"]
    content["checksum"] = units.checksum(content)
    ps.write_unit(content, path)
    with pytest.raises(ps.StoreError, match=r"incomplete: missing \['prefix'\]"):
        ps.read_unit(path)


def test_paper_status_lists_mome_studies(store, capsys):
    from helpers.book.__main__ import main

    _fake_mome_unit(_study(), "seed-0", seconds=120.0)
    assert main(["paper", "status", "--chapter", "07_mome_ethanol"]) == 0
    out = capsys.readouterr().out
    assert "ijo1366-anaerobic" in out and "1 of 3 units done" in out
    assert "estimated time left with 2 worker(s): 2 min" in out


def test_run_computes_only_pending_mome_units(store):
    calls = []

    def fake(study, sample, seed, device):
        calls.append((study.key, sample))
        return ps.unit_path(study, sample)

    _fake_mome_unit(_study(), "seed-1")
    n = ps.run(chapters=["07_mome_ethanol"], n_jobs=1, unit_fn=fake, verbose=False)
    assert n == 2 and calls == [("ijo1366-anaerobic", "seed-0"), ("ijo1366-anaerobic", "seed-2")]


def test_chapter_table_shows_seed_counts_and_an_incomplete_store(store):
    table, status = mome_tables.mome_table("07_mome_ethanol")
    assert table.seeds.tolist() == ["0 of 3"]
    assert (status.state, status.unit, status.missing) == ("empty", "seeds", 3)
    assert status.command == "python -m helpers.book paper run --chapter 07_mome_ethanol"
    study = _study()
    _fake_mome_unit(study, "seed-0", best=4.0)
    _fake_mome_unit(study, "seed-2", best=6.0)
    this = mome_tables.run_row("iJO1366, anaerobic glucose",
                               {"best_product": 3.0, "search_s": 30.0}, profile="quick", seed=0)
    table, status = mome_tables.mome_table("07_mome_ethanol", this_run=__import__(
        "pandas").DataFrame([this]))
    stored = table.set_index("source").loc["paper profile (store)"]
    assert stored["seeds"] == "2 of 3" and stored["best_product_mean"] == pytest.approx(5.0)
    assert stored["best_product_sd"] == pytest.approx(1.0)
    assert table.iloc[0]["best_product_mean"] == 3.0 and table.iloc[0]["seeds"] == "1"
    assert table.iloc[0]["search_minutes_mean"] == 0.5
    assert stored["search_minutes_mean"] == pytest.approx(55.0 / 60)
    assert (status.state, status.done[study.label], status.commits) == ("partial", 2,
                                                                         ("0123456",))
    fronts = mome_tables.stored_fronts("07_mome_ethanol", "ijo1366-anaerobic")
    assert sorted(fronts.seed) == [0, 2]
    with pytest.raises(ValueError, match="No MOME study in chapter '03_minn_vs_ml'"):
        mome_tables.mome_table("03_minn_vs_ml")


def test_prefix_record_is_what_a_shorter_search_sees():
    import pandas as pd

    archive = pd.DataFrame({"generation": [1, 1, 2, 3], "genotype": [(), (1,), (2, 1), (3,)],
                            "cost": [0, 1, 2, 1], "biomass": [1.0, 0.5, 0.2, 0.1],
                            "product_min": [0.0, 1.0, 2.0, 3.0]})
    history = pd.DataFrame({"hv": [1.0, 2.0, 3.0]})
    prefix = mome.prefix_record(archive, history, 2)
    short = mome.prefix_record(archive[archive.generation <= 2], history.iloc[:2], 2)
    assert prefix == short and prefix["n_strains"] == 3 and prefix["hv"] == [1.0, 2.0]
    assert prefix["biomass_sum"] == pytest.approx(1.7)


def _stored_mome_units():
    found = []
    for study in mome.mome_studies():
        for state in units.scan(study):
            if state.state == "done":
                found.append((state.content["seconds"], study, state.content))
    return found


def test_stored_mome_unit_prefix_still_matches_the_code():
    """CI spot check of the MOME units: the cheapest stored unit's first
    :data:`~helpers.book.paper.mome.PREFIX_GENERATIONS` generations, recomputed from scratch
    (same set-up, same seed), see the same strains with the same phenotypes and hypervolumes.
    A full MOME unit takes minutes to an hour, so this checks a deterministic prefix of the
    search, not the whole unit. Fails (it does not skip) when the store holds no current MOME
    unit."""
    from helpers.book.paper.mome_runs import recompute_prefix

    candidates = _stored_mome_units()
    assert candidates, "the results store holds no current MOME unit: run `make paper`"
    _, study, stored = min(candidates, key=lambda c: c[0])
    fresh = recompute_prefix(study, stored["unit"]["sample"],
                             stored["prefix"]["generations"])
    kept = stored["prefix"]
    assert fresh["n_strains"] == kept["n_strains"]
    assert fresh["genotypes_sha256"] == kept["genotypes_sha256"]
    for key in ("biomass_sum", "product_min_sum"):
        assert fresh[key] == pytest.approx(kept[key], rel=1e-6, abs=1e-9)
    np.testing.assert_allclose(fresh["hv"], kept["hv"], rtol=1e-6)


def test_this_run_rows_summarise_each_search_with_its_extras():
    import pandas as pd

    from helpers.mome.search import MomeResult

    front = pd.DataFrame({"biomass": [0.2, 0.05], "product_min": [1.0, 8.0]})
    history = pd.DataFrame({"generation": [1, 2], "n_strains": [3, 5], "hv": [1.0, 2.0],
                            "hv_relative": [0.5, 0.75]})
    result = MomeResult(archive=pd.DataFrame({"cost": range(5)}), front=front, history=history,
                        objective="product_min", wall_s=90.0, n_requests=9, n_computed=5,
                        n_lp=4, n_cache_hits=4)
    rows = mome_tables.this_run_rows(
        {"A": (result, (0.3, 4.0, 2.0)), "B": (result, None, {"utopia_distance": 0.25})},
        profile="quick", seed=3)
    assert rows.setup.tolist() == ["A", "B"]
    assert rows.source.tolist() == ["this run (profile quick, seed 3)"] * 2
    a, b = rows.iloc[0], rows.iloc[1]
    assert a.best_product_mean == 8.0 and a.biomass_at_best_mean == 0.05
    assert a.best_change_pct_mean == pytest.approx(300.0) and a.front_mean == 2
    assert a.strains_mean == 5 and a.search_minutes_mean == 1.5 and a.hv_relative_mean == 0.75
    assert b.utopia_distance_mean == 0.25 and np.isnan(b.best_change_pct_mean)
    with pytest.raises(ValueError, match="Run 'C': expected"):
        mome_tables.this_run_rows({"C": (result,)}, profile="quick", seed=0)


def test_seed_summaries_keep_every_stored_number(store):
    empty = mome_tables.seed_summaries("07_mome_ethanol")
    assert empty.empty and list(empty.columns) == ["setup", "seed"]
    _fake_mome_unit(_study(), "seed-1", best=7.0)
    frame = mome_tables.seed_summaries("07_mome_ethanol")
    assert frame.setup.tolist() == ["iJO1366, anaerobic glucose"] and frame.seed.tolist() == [1]
    assert frame.best_product.tolist() == [7.0] and frame.front.tolist() == [12]
