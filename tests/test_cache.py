"""On-disk cache of GEM work (helpers.data.cache)."""

from __future__ import annotations

import pytest

from helpers.data import cache
from helpers.gem import fva_reduce, glucose_minimal, load_gem


@pytest.fixture()
def tmp_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MINNBOOK_CACHE", str(tmp_path))
    cache._MEMORY.clear()
    yield tmp_path / "gem"
    cache._MEMORY.clear()


def test_key_depends_on_every_part():
    a = cache.cache_key(model="h", medium={"EX_glc__D_e": 8}, method="fva", seed=0)
    assert a == cache.cache_key(seed=0, method="fva", medium={"EX_glc__D_e": 8}, model="h")
    assert a != cache.cache_key(model="h", medium={"EX_glc__D_e": 9}, method="fva", seed=0)
    assert a != cache.cache_key(model="h", medium={"EX_glc__D_e": 8}, method="fba", seed=0)
    assert a != cache.cache_key(model="h", medium={"EX_glc__D_e": 8}, method="fva", seed=1)


def test_second_call_hits_disk_and_medium_change_invalidates(tmp_cache):
    core = load_gem("e_coli_core")
    first = fva_reduce(core, glucose_minimal(10.0, 1000.0), processes=1)
    assert not first.info["from_cache"]
    assert len(list(tmp_cache.iterdir())) == 1
    cache._MEMORY.clear()  # force a read from disk
    again = fva_reduce(core, glucose_minimal(10.0, 1000.0), processes=1)
    assert again.info["from_cache"] and again.n_reactions == first.n_reactions
    assert sorted(r.id for r in again.model.reactions) == sorted(r.id for r in first.model.reactions)
    other = fva_reduce(core, glucose_minimal(10.0, 0.0), processes=1)  # anaerobic: new entry
    assert not other.info["from_cache"]
    assert len(list(tmp_cache.iterdir())) == 2
    assert other.n_reactions != first.n_reactions


def test_model_change_invalidates_and_clear_cache(tmp_cache):
    core = load_gem("e_coli_core")
    fva_reduce(core, processes=1)
    with core:
        core.reactions.PGI.bounds = (0.0, 0.0)
        assert not fva_reduce(core, processes=1).info["from_cache"]
    assert fva_reduce(core, processes=1).info["from_cache"]
    assert cache.clear_cache() == 2
    assert not fva_reduce(core, processes=1).info["from_cache"]


def test_corrupt_entry_is_recomputed(tmp_cache):
    core = load_gem("e_coli_core")
    first = fva_reduce(core, processes=1)
    entry = tmp_cache / first.info["cache_key"]
    (entry / "meta.json").write_text("{not json")
    cache._MEMORY.clear()
    assert not fva_reduce(core, processes=1).info["from_cache"]


def test_cached_matrices_equal_model_matrices_without_loading_the_model(tmp_cache):
    from helpers.gem import minn_matrices

    core = load_gem("e_coli_core")
    first = fva_reduce(core, processes=1)
    cache._MEMORY.clear()
    again = fva_reduce(core, processes=1)
    mats = again.matrices(ref_ids=["R_PGI_fwd"], in_ids=["R_EX_glc__D_e_rev"])
    assert again._entry._shared._model is None  # the cobra model was not read
    direct = minn_matrices(first.model, ref_ids=["R_PGI_fwd"], in_ids=["R_EX_glc__D_e_rev"])
    assert (mats.S != direct.S).nnz == 0
    assert mats.reaction_ids == direct.reaction_ids and mats.metabolite_ids == direct.metabolite_ids
    assert (mats.upper == direct.upper).all() and mats.V_in.tolist() == direct.V_in.tolist()
    assert again.model.slim_optimize() == pytest.approx(first.model.slim_optimize())
