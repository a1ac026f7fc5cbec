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
    assert len(cache.entry_keys()) == 1
    cache._MEMORY.clear()  # force a read from disk
    again = fva_reduce(core, glucose_minimal(10.0, 1000.0), processes=1)
    assert again.info["from_cache"] and again.n_reactions == first.n_reactions
    assert sorted(r.id for r in again.model.reactions) == sorted(r.id for r in first.model.reactions)
    other = fva_reduce(core, glucose_minimal(10.0, 0.0), processes=1)  # anaerobic: new entry
    assert not other.info["from_cache"]
    assert len(cache.entry_keys()) == 2
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
    with pytest.warns(cache.CacheWarning, match=rf"{entry.name} is unreadable \(meta.json is not JSON"):
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


# ----- issue 15, item 5: unreadable entries are reported once and rebuilt; atomic replace -------

def _folder(tmp_cache, reduction):
    return tmp_cache / reduction.info["cache_key"]


def _cache_warnings(record):
    return [w for w in record if issubclass(w.category, cache.CacheWarning)]


def test_truncated_arrays_are_detected_reported_once_and_rebuilt(tmp_cache):
    core = load_gem("e_coli_core")
    first = fva_reduce(core, processes=1)
    npz = _folder(tmp_cache, first) / "arrays.npz"
    npz.write_bytes(npz.read_bytes()[:100])
    cache._MEMORY.clear()
    with pytest.warns(cache.CacheWarning) as record:
        again = fva_reduce(core, processes=1)
    assert len(_cache_warnings(record)) == 1
    message = str(_cache_warnings(record)[0].message)
    assert first.info["cache_key"] in message and "arrays.npz has 100 bytes" in message
    assert not again.info["from_cache"] and again.matrices().S.shape == first.matrices().S.shape
    cache._MEMORY.clear()
    assert fva_reduce(core, processes=1).info["from_cache"]  # the rebuilt entry is good


def test_damaged_files_of_an_old_entry_are_rebuilt_on_first_use(tmp_cache):
    core = load_gem("e_coli_core")
    first = fva_reduce(core, processes=1)
    folder = _folder(tmp_cache, first)
    (folder / "manifest.json").unlink()  # as written by an older version: no sizes to compare
    for name in ("model.json", "solver.lp", "arrays.npz"):
        size = (folder / name).stat().st_size
        (folder / name).write_bytes(b"\0" * size)
    cache._MEMORY.clear()
    again = fva_reduce(core, processes=1)
    assert again.info["from_cache"]  # the damage is only seen when the files are read
    with pytest.warns(cache.CacheWarning, match=r"is unreadable \(arrays.npz: ") as record:
        mats = again.matrices()
    assert again.model.slim_optimize() == pytest.approx(first.model.slim_optimize())
    assert len(_cache_warnings(record)) == 1 and mats.S.shape == first.matrices().S.shape


def test_meta_missing_keys_is_rebuilt_not_a_key_error(tmp_cache):
    import json

    core = load_gem("e_coli_core")
    first = fva_reduce(core, processes=1)
    folder = _folder(tmp_cache, first)
    (folder / "manifest.json").unlink()
    meta = json.loads((folder / "meta.json").read_text())
    del meta["kept"]
    (folder / "meta.json").write_text(json.dumps(meta))
    cache._MEMORY.clear()
    with pytest.warns(cache.CacheWarning, match=r"meta.json lacks key\(s\) \['kept'\]"):
        again = fva_reduce(core, processes=1)
    assert again.kept == first.kept


def test_replacing_an_entry_never_leaves_it_missing(tmp_cache, monkeypatch):
    import os
    import shutil

    core = load_gem("e_coli_core")
    first = fva_reduce(core, processes=1)
    key = first.info["cache_key"]
    seen = []

    def spy(real):
        def call(*args, **kwargs):
            seen.append(cache.load_cached(key) is not None)
            out = real(*args, **kwargs)
            seen.append(cache.load_cached(key) is not None)
            return out
        return call

    with monkeypatch.context() as patch:
        patch.setattr(cache.os, "replace", spy(os.replace))
        patch.setattr(cache.shutil, "rmtree", spy(shutil.rmtree))
        cache.save_cached(key, first.model, {**first.info, "kept": first.kept,
                                             "removed": first.removed}, first._entry.arrays)
    assert seen and all(seen)
    assert cache.entry_keys() == [key] and len(list(tmp_cache.iterdir())) == 2  # link + its folder


def test_a_failed_read_is_retried_once(tmp_cache, monkeypatch):
    core = load_gem("e_coli_core")
    key = fva_reduce(core, processes=1).info["cache_key"]
    real, calls = cache._read_meta, []

    def flaky(folder, required):
        calls.append(folder)
        if len(calls) == 1:
            raise FileExistsError("being replaced")  # an OSError in the middle of a replace
        return real(folder, required)

    monkeypatch.setattr(cache, "_read_meta", flaky)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", cache.CacheWarning)
        assert cache.load_cached(key) is not None
    assert len(calls) == 2


def test_clear_cache_while_an_entry_is_held_rebuilds_it(tmp_cache):
    core = load_gem("e_coli_core")
    first = fva_reduce(core, processes=1)
    cache._MEMORY.clear()
    held = fva_reduce(core, processes=1)  # from disk, model and arrays not read yet
    assert held.info["from_cache"]
    assert cache.clear_cache() == 1 and cache.entry_keys() == []
    with pytest.warns(cache.CacheWarning, match="the entry was removed"):
        assert held.model.slim_optimize() == pytest.approx(first.model.slim_optimize())
    assert held.matrices().S.shape == first.matrices().S.shape
    assert cache.entry_keys() == [first.info["cache_key"]]  # and it is on disk again


# ----- no pickle: models are stored as exact cobra JSON + GLPK's LP file -------------------------

class _Payload:
    """Unpickling this touches ``marker`` (stands for any code a planted pickle could run)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import pathlib

        return (pathlib.Path.touch, (pathlib.Path(self.marker),))


def _same_model(a, b):
    """Everything a pickle round trip keeps, compared exactly (orders, types, the LP itself)."""
    import numpy as np
    from cobra.util import create_stoichiometric_matrix

    assert [r.id for r in a.reactions] == [r.id for r in b.reactions]
    assert [m.id for m in a.metabolites] == [m.id for m in b.metabolites]
    assert [g.id for g in a.genes] == [g.id for g in b.genes]
    assert [(r._lower_bound, type(r._lower_bound), r._upper_bound, type(r._upper_bound))
            for r in a.reactions] == [(r._lower_bound, type(r._lower_bound), r._upper_bound,
                                       type(r._upper_bound)) for r in b.reactions]
    assert [list((m.id, c) for m, c in r.metabolites.items()) for r in a.reactions] == [
        list((m.id, c) for m, c in r.metabolites.items()) for r in b.reactions]
    assert np.array_equal(create_stoichiometric_matrix(a), create_stoichiometric_matrix(b))
    assert [r.gene_reaction_rule for r in a.reactions] == [r.gene_reaction_rule for r in b.reactions]
    assert str(a.objective.expression) == str(b.objective.expression)
    assert a.objective.direction == b.objective.direction
    assert list(a.compartments.items()) == list(b.compartments.items())
    assert [m.compartment for m in a.metabolites] == [m.compartment for m in b.metabolites]
    assert [(m.formula, m.charge, m.name) for m in a.metabolites] == [
        (m.formula, m.charge, m.name) for m in b.metabolites]
    assert [(r.name, r.subsystem, list(r.annotation.items())) for r in a.reactions] == [
        (r.name, r.subsystem, list(r.annotation.items())) for r in b.reactions]
    assert [(g.id, g.name, {x.id for x in g.members}) for g in a.groups] == [
        (g.id, g.name, {x.id for x in g.members}) for g in b.groups]
    assert a.tolerance == b.tolerance
    assert a.solver.interface.__name__ == b.solver.interface.__name__
    assert a.solver._glpk_representation() == b.solver._glpk_representation()
    assert a.slim_optimize() == b.slim_optimize()  # bitwise
    assert a.optimize().fluxes.equals(b.optimize().fluxes)


@pytest.mark.parametrize("method", ["fva", "fba"])
def test_stored_model_is_what_a_pickle_gave(tmp_cache, method):
    import pickle

    from helpers.gem import fba_reduce

    core = load_gem("e_coli_core")
    if method == "fva":
        first = fva_reduce(core, processes=1)
    else:
        first = fba_reduce(core, glucose_range=(5.0, 10.0), n_samples=20, protect=["R_ME2"])
    pickled = pickle.loads(pickle.dumps(first.model, protocol=pickle.HIGHEST_PROTOCOL))
    cache._MEMORY.clear()
    again = fva_reduce(core, processes=1) if method == "fva" else fba_reduce(
        core, glucose_range=(5.0, 10.0), n_samples=20, protect=["R_ME2"])
    assert again.info["from_cache"]
    _same_model(pickled, again.model)


def test_models_with_groups_and_integer_bounds_round_trip(tmp_path):
    import pickle

    import cobra
    from cobra.core.group import Group

    from helpers.data.model_files import read_model, write_model

    model = load_gem("e_coli_core").copy()
    model.reactions.PGI._lower_bound, model.reactions.PGI._upper_bound = 0, 1000  # ints
    model.solver.update()
    model.add_groups([Group("glycolysis", "Glycolysis", [model.reactions.PGI, model.reactions.PFK])])
    model.annotation = {"z": "1", "a": "2"}  # not sorted
    write_model(model, tmp_path)
    pickled = pickle.loads(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
    assert isinstance(pickled, cobra.Model)
    _same_model(pickled, read_model(tmp_path))
    assert list(read_model(tmp_path).annotation) == ["z", "a"]


def test_no_pickle_is_written_or_read_and_a_planted_one_is_ignored(tmp_cache, monkeypatch):
    import pickle

    core = load_gem("e_coli_core")
    first = fva_reduce(core, processes=1)
    expected = pickle.loads(pickle.dumps(first.model)).slim_optimize()  # what a pickle gave
    folder = _folder(tmp_cache, first)
    assert not list(tmp_cache.rglob("*.pkl"))
    marker = tmp_cache.parent / "payload-ran"
    (folder / "model.pkl").write_bytes(pickle.dumps(_Payload(marker)))

    def refuse(*args, **kwargs):
        raise AssertionError("the cache unpickled something")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    cache._MEMORY.clear()
    again = fva_reduce(core, processes=1)
    assert again.info["from_cache"]
    assert again.model.slim_optimize() == expected
    assert not marker.exists()
