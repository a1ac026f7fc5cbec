"""FVA- and FBA-reduction (helpers.gem.reduce) on e_coli_core."""

from __future__ import annotations

import pytest

from helpers.data import cache
from helpers.gem import (
    GrowthMismatchError,
    fba_reduce,
    fva_reduce,
    glucose_minimal,
    load_gem,
    model_hash,
    use_medium,
)


@pytest.fixture(autouse=True)
def tmp_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MINNBOOK_CACHE", str(tmp_path))
    cache._MEMORY.clear()
    yield
    cache._MEMORY.clear()


@pytest.fixture()
def core():
    return load_gem("e_coli_core")


def test_fva_reduction_keeps_max_growth_and_drops_blocked(core):
    medium = glucose_minimal(10.0, 1000.0)
    before = model_hash(core)
    result = fva_reduce(core, medium, processes=1)
    with use_medium(core, medium):
        growth = core.slim_optimize()
    assert result.model.slim_optimize() == pytest.approx(growth, rel=1e-6)
    assert result.info["growth_reduced"] == pytest.approx(growth, rel=1e-6)
    # closed carbon sources cannot carry flux
    assert {"EX_fru_e", "FRUpts2", "EX_mal__L_e"} <= set(result.removed)
    assert "PGI_fwd" in result.model.reactions and "FRUpts2" not in result.model.reactions
    assert all(r.lower_bound >= 0 for r in result.model.reactions)
    assert len(result.kept) + len(result.removed) == len(core.reactions)
    assert model_hash(core) == before  # input untouched


def test_fixed_nonzero_flux_is_kept(core):
    # ATPM has bounds [8.39, 1000] in e_coli_core; fix it: zero span, but it carries flux.
    core.reactions.ATPM.bounds = (8.39, 8.39)
    result = fva_reduce(core, processes=1)
    assert "ATPM" in result.kept


def test_growth_mismatch_is_an_error(core, monkeypatch):
    from helpers.gem import reduce

    real = reduce.split_reversible

    def drop_biomass(model, model_id, kept):
        return real(model, model_id, [k for k in kept if k != "PGK"])

    monkeypatch.setattr(reduce, "split_reversible", drop_biomass)
    with pytest.raises(GrowthMismatchError, match="grows at"):
        fva_reduce(core, processes=1, use_cache=False)


def test_fba_reduction_counts_and_is_seeded(core):
    a = fba_reduce(core, glucose_range=(1.0, 10.0), n_samples=150, seed=3, use_cache=False)
    b = fba_reduce(core, glucose_range=(1.0, 10.0), n_samples=150, seed=3, use_cache=False)
    info = a.info
    assert info["n_used"] + info["n_lethal"] + info["n_infeasible"] == 150
    assert info["n_lethal"] > 0  # e_coli_core has essential genes
    assert sorted(a.kept) == sorted(b.kept)
    assert len(a.kept) <= info["n_kept_with_lethal_unsplit"]
    fva = fva_reduce(core, processes=1, use_cache=False)
    assert set(a.kept) <= set(fva.kept)
    with pytest.raises(ValueError, match="n_samples"):
        fba_reduce(core, glucose_range=(1.0, 10.0), n_samples=0)


def test_fba_reduction_does_not_depend_on_previous_lps(core):
    a = fba_reduce(core, glucose_range=(1.0, 10.0), n_samples=60, seed=1, use_cache=False)
    with core:  # leave the solver at a very different basis
        core.objective = "EX_ac_e"
        core.reactions.EX_o2_e.lower_bound = -2.0
        core.slim_optimize()
    b = fba_reduce(core, glucose_range=(1.0, 10.0), n_samples=60, seed=1, use_cache=False)
    assert a.kept == b.kept


def test_protected_fluxes_stay_usable(core):
    plain = fba_reduce(core, glucose_range=(1.0, 10.0), n_samples=30, seed=0, use_cache=False)
    assert "EX_lac__D_e" not in plain.kept  # these optima never secrete lactate
    kept = fba_reduce(core, glucose_range=(1.0, 10.0), n_samples=30, seed=0, use_cache=False,
                      protect=["R_EX_lac__D_e", "R_LDH_D_rev"])
    assert {"EX_lac__D_e", "LDH_D"} <= set(kept.kept)
    assert kept.info["n_added_by_protect"] > 0
    with kept.model:
        kept.model.objective = "EX_lac__D_e"
        assert kept.model.slim_optimize() > 0
    with pytest.raises(ValueError, match="R_NOPE"):
        fba_reduce(core, glucose_range=(1.0, 10.0), n_samples=3, protect=["R_NOPE"])


@pytest.mark.parametrize("medium", ["glucose_minimal_aerobic", "glucose_minimal_anaerobic"])
def test_harvest_algorithm_gives_cobra_fva_set(core, medium):
    harvest = fva_reduce(core, medium, use_cache=False)
    full = fva_reduce(core, medium, algorithm="cobra", processes=1, use_cache=False)
    assert sorted(harvest.kept) == sorted(full.kept)
    assert str(core.objective.expression) == "1.0*Biomass_Ecoli_core - 1.0*Biomass_Ecoli_core_reverse_2cdba"
    assert core.objective_direction == "max"
    with pytest.raises(ValueError, match=r"'algorithm' parameter must be one of \['harvest', 'cobra'\]"):
        fva_reduce(core, algorithm="glpk")


# ----- issue 15, items 2 and 7: infeasible media and unknown ids are errors -------------------

def test_fva_reduce_on_infeasible_medium_is_an_error_naming_model_and_medium(core):
    from helpers.gem import InfeasibleMediumError

    no_carbon = glucose_minimal(0.0, 1000.0)  # ATP maintenance cannot be met without glucose
    for check_growth in (False, True):
        with pytest.raises(InfeasibleMediumError, match=rf"fva-reduction of 'e_coli_core' on medium "
                                                        rf"'{no_carbon.name}': the medium is infeasible"):
            fva_reduce(core, no_carbon, check_growth=check_growth, use_cache=False)


def test_growth_check_says_infeasible_not_nan(core, monkeypatch):
    from helpers.gem import reduce

    real = reduce.split_reversible
    monkeypatch.setattr(reduce, "split_reversible",
                        lambda model, model_id, kept: real(model, model_id, [k for k in kept
                                                                             if k != "EX_glc__D_e"]))
    with pytest.raises(GrowthMismatchError) as info:
        fva_reduce(core, processes=1, use_cache=False)
    assert "grows at infeasible on" in str(info.value) and "nan" not in str(info.value)


def test_fba_reduce_with_no_growing_sample_says_how_many_were_infeasible(core):
    from helpers.gem import InfeasibleMediumError

    with pytest.raises(InfeasibleMediumError,
                       match=r"fba-reduction of 'e_coli_core' on medium '.+' with glucose uptake in "
                             r"\[0.0, 0.0\]: no sample grows \(20 of 20 samples infeasible, "
                             r"0 lethal\)"):
        fba_reduce(core, glucose_range=(0.0, 0.0), n_samples=20, use_cache=False)


def test_fba_reduce_unknown_glucose_exchange_names_id_and_model(core):
    with pytest.raises(ValueError, match=r"'glucose_exchange' parameter names reaction 'EX_glc_e', "
                                         r"which is not in model 'e_coli_core'"):
        fba_reduce(core, glucose_range=(1.0, 10.0), n_samples=5, glucose_exchange="EX_glc_e",
                   use_cache=False)


# ----- review item 2: cache keys and the growth check -----------------------------------------

def test_growth_check_runs_on_a_cache_hit(core, monkeypatch):
    """A reduction cached by a ``check_growth=False`` call is still checked by a later ``True``."""
    from helpers.gem import reduce

    real = reduce.split_reversible
    monkeypatch.setattr(reduce, "split_reversible",
                        lambda model, model_id, kept: real(model, model_id,
                                                           [k for k in kept if k != "PGK"]))
    unchecked = fva_reduce(core, processes=1, check_growth=False)
    assert unchecked.info["from_cache"] is False
    with pytest.raises(GrowthMismatchError, match="fva-reduced 'e_coli_core' grows at"):
        fva_reduce(core, processes=1, check_growth=True)
    cache._MEMORY.clear()  # from disk as well
    with pytest.raises(GrowthMismatchError, match="grows at"):
        fva_reduce(core, processes=1, check_growth=True)
    assert fva_reduce(core, processes=1, check_growth=False).info["from_cache"] is True


def test_fba_cache_key_holds_the_glucose_exchange(core):
    glucose = fba_reduce(core, glucose_range=(1.0, 10.0), n_samples=20, seed=0)
    again = fba_reduce(core, glucose_range=(1.0, 10.0), n_samples=20, seed=0,
                       glucose_exchange="EX_glc__D_e")
    assert again.info["from_cache"] is True
    fructose = fba_reduce(core, glucose_range=(1.0, 10.0), n_samples=20, seed=0,
                          glucose_exchange="EX_fru_e")
    assert fructose.info["from_cache"] is False
    assert fructose.info["glucose_exchange"] == "EX_fru_e"
    assert fructose.info["cache_key"] != glucose.info["cache_key"]


def test_fba_reduce_of_a_model_without_objective_names_the_model_not_the_medium(core):
    from helpers.gem import MissingObjectiveError

    core.objective = {}
    with pytest.raises(MissingObjectiveError, match=r"Model 'e_coli_core' has no objective"):
        fba_reduce(core, glucose_range=(1.0, 10.0), n_samples=5, use_cache=False)
