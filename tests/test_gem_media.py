"""Media and sample bounds as contexts (helpers.gem.media)."""

from __future__ import annotations

import pytest

from helpers.gem import (
    FluxIdError,
    Medium,
    get_medium,
    glucose_minimal,
    knockouts_from_row,
    load_gem,
    split_reversible,
    use_medium,
    use_sample_bounds,
)
from helpers.gem.media import (
    LB_SOURCES,
    lb_bounds,
    lb_growth_range,
    lb_growth_rate,
    lb_sugar_budget,
    lb_uptakes,
)


@pytest.fixture()
def core():
    return load_gem("e_coli_core")


def _bounds(model):
    return {r.id: r.bounds for r in model.reactions}


def test_medium_context_sets_uptakes_and_restores_the_model(core):
    before = _bounds(core)
    with use_medium(core, glucose_minimal(glucose=5.0, oxygen=0.0)):
        assert core.reactions.EX_glc__D_e.bounds == (-5.0, 1000.0)
        assert core.reactions.EX_o2_e.lower_bound == 0.0
        assert core.reactions.EX_fru_e.lower_bound == 0.0
        anaerobic = core.slim_optimize()
    assert _bounds(core) == before
    assert 0 < anaerobic < core.slim_optimize()


def test_medium_restores_even_after_an_error(core):
    before = _bounds(core)
    with pytest.raises(RuntimeError, match="boom"):
        with use_medium(core, "glucose_minimal_aerobic"):
            raise RuntimeError("boom")
    assert _bounds(core) == before


def test_medium_on_split_model_sets_rev_upper_bound(core):
    split = split_reversible(core)
    with use_medium(split, glucose_minimal(glucose=3.0)):
        assert split.reactions.EX_glc__D_e_rev.bounds == (0.0, 3.0)
    assert split.reactions.EX_glc__D_e_rev.bounds == (0.0, 10.0)


def test_unknown_medium_and_missing_required_exchange(core):
    with pytest.raises(ValueError, match=r"one of \[.*'glucose_minimal_aerobic'.*Got 'mars'"):
        get_medium("mars")
    medium = Medium("acetate", {"EX_ac_e": 10.0, "EX_xyz_e": 1.0}, required=("EX_xyz_e",))
    with pytest.raises(ValueError, match=r"no exchange reaction\(s\) \['EX_xyz_e'\]"):
        with use_medium(core, medium):
            pass
    with pytest.raises(ValueError, match="must be >= 0"):
        glucose_minimal(glucose=-1)


def test_sample_bounds_uptake_knockouts_and_genes(core):
    split = split_reversible(core)
    before = _bounds(split)
    with use_sample_bounds(split, {"R_EX_glc__D_e_rev": 2.0}, knockouts=["R_PGI_fwd"], genes=["b3916", "b1723"]):
        assert split.reactions.EX_glc__D_e_rev.upper_bound == 2.0
        assert split.reactions.PGI_fwd.bounds == (0.0, 0.0)
        assert split.reactions.PFK.bounds == (0.0, 0.0)  # GPR "b3916 or b1723"
    assert _bounds(split) == before
    with pytest.raises(FluxIdError, match=r"\['R_PGI_xyz', 'R_FOO'\]"):
        with use_sample_bounds(split, {"R_PGI_xyz": 1.0}, knockouts=["R_FOO"]):
            pass


def test_knockout_of_one_direction_on_unsplit_model(core):
    with use_sample_bounds(core, knockouts=["R_PGI_rev"]):
        assert core.reactions.PGI.bounds == (0.0, 1000.0)
    assert core.reactions.PGI.bounds == (-1000.0, 1000.0)


def test_knockouts_from_row():
    assert knockouts_from_row({"R_PGI_rev": 0, "R_PFK": 1, "R_FBP": 0.0}) == ["R_PGI_rev", "R_FBP"]


def test_lb_bounds_follow_their_sources():
    table = lb_bounds(["ser__L", "gly", "glc__D", "dad_2", "thymd", "o2", "thm", "na1"])
    by = table.set_index("compound")
    assert by.uptake["ser__L"] == by.uptake["gly"] == LB_SOURCES["amino_acid_uptake"][0] == 3.35
    assert by.source["ser__L"] == "selvarasu2009"
    assert by.uptake["o2"] == LB_SOURCES["oxygen_uptake"][0]
    sugars = table[table["class"] == "sugar equivalent"]
    assert len(sugars) == 3 and sugars.uptake.sum() == pytest.approx(lb_sugar_budget())
    assert by.uptake["thm"] < 0.1 and by.uptake["na1"] == 1000.0
    assert lb_uptakes(["ser__L"]) == {"ser__L": 3.35}


def test_lb_sugar_budget_and_growth_rate_from_the_measurements():
    mu = lb_growth_rate()  # 22.27 min doubling in liquid LB
    assert mu == pytest.approx(1.8675, abs=1e-3)
    # 0.1 mM sugar spent on the biomass of OD600 0.3 x 0.39 gDW/L, at that growth rate
    assert lb_sugar_budget() == pytest.approx(mu * 0.1 / (0.3 * 0.39))
    low, high = lb_growth_range(0.3)
    assert low == pytest.approx(0.7 * mu) and high == pytest.approx(1.3 * lb_growth_rate(18.1))
    with pytest.raises(ValueError, match="'doubling_min' parameter must be > 0"):
        lb_growth_rate(0)


def test_lb_compound_without_class_is_named():
    with pytest.raises(ValueError, match="LB compound 'xyz' has no class"):
        lb_bounds(["ser__L", "xyz"])
