"""FBA-fit data: the QP projection is feasible, honours the sample's constraints, is no farther
from the data than the released fit, reports infeasible samples, and names bad input."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from helpers.data.ishii import BIOMASS, UPTAKES, load_ishii
from helpers.gem import (
    FluxIdError,
    fva_reduce,
    load_gem,
    split_reversible,
    stoichiometric_matrix,
    use_medium,
    use_sample_bounds,
)
from helpers.minn import fba_fit as fba_fit_module
from helpers.minn.fba_fit import fba_fit, fit_difference, fit_distance, fit_targets

RELEASED = "ishii/fluxomics_iAF1260_reduced_split_fit.csv"


def _subset(data, samples):
    return dataclasses.replace(data, **{f.name: getattr(data, f.name).loc[samples]
                                        for f in dataclasses.fields(data)})


def _bounds(model):
    return {r.id: r.bounds for r in model.reactions}


@pytest.fixture(scope="module")
def iaf1260():
    """The FVA-reduced, split iAF1260 (cached on disk after its first build)."""
    return fva_reduce(load_gem("iAF1260")).model


@pytest.fixture(scope="module")
def fixed_fit(iaf1260, ishii):
    """Measured uptakes fixed, gene knock-out, growth fixed: REF, WT_0.1h-1 (infeasible), pgl."""
    return fba_fit(iaf1260, _subset(ishii, ["REF", "WT_0.1h-1", "pgl"]))


def test_projection_satisfies_steady_state_and_the_sample_bounds(iaf1260, ishii, fixed_fit):
    S = stoichiometric_matrix(iaf1260)
    for sample in ["REF", "pgl"]:
        v = fixed_fit.full.loc[sample].to_numpy()
        assert np.abs(S @ v).max() < 1e-6
        uptakes = ishii.fluxes.loc[sample, UPTAKES].to_dict()
        genes = ["b0767"] if sample == "pgl" else []
        with use_medium(iaf1260, "glucose_minimal_aerobic"), \
                use_sample_bounds(iaf1260, uptakes, [], genes, fix_uptakes=True):
            lb = np.array([r.lower_bound for r in iaf1260.reactions])
            ub = np.array([r.upper_bound for r in iaf1260.reactions])
        assert (v >= lb - 1e-7).all() and (v <= ub + 1e-7).all()
        assert fixed_fit.report.loc[sample, "max_abs_Sv"] < 1e-6
        assert fixed_fit.report.loc[sample, "max_bound_violation"] <= 1e-7


def test_fixed_uptakes_growth_and_knockout_are_honoured(ishii, fixed_fit):
    fitted = fixed_fit.fluxes.loc[["REF", "pgl"]]
    measured = ishii.fluxes.loc[["REF", "pgl"]]
    np.testing.assert_allclose(fitted[UPTAKES + [BIOMASS]], measured[UPTAKES + [BIOMASS]],
                               atol=1e-6)
    assert abs(fixed_fit.full.loc["pgl", "R_PGL"]) < 1e-9
    assert measured.loc["pgl", "R_PGL"] > 0.5  # measured: the lactone also hydrolyses unaided
    assert fixed_fit.full.loc["REF", "R_PGL"] > 0.1
    assert fixed_fit.report.loc["pgl", "knocked_out"] == "R_PGL"
    distance = fit_distance(fitted, measured)
    np.testing.assert_allclose(distance, fixed_fit.report.loc[["REF", "pgl"], "distance"])
    assert (distance > 0.1).all()  # the measurement itself lies outside the FBA space


def test_infeasible_sample_is_reported_with_its_constraint(fixed_fit):
    # WT_0.1h-1 takes up 1.34 glucose: too little for growth 0.1 plus iAF1260's ATP maintenance
    report = fixed_fit.report.loc["WT_0.1h-1"]
    assert report["status"] == "infeasible"
    assert fixed_fit.fluxes.loc["WT_0.1h-1"].isna().all()
    assert list(fixed_fit.fluxes.index) == ["REF", "WT_0.1h-1", "pgl"]
    assert "glucose uptake (R_EX_glc__D_e_rev)" in report["infeasible_because"]
    assert "growth" in report["infeasible_because"]
    assert "O2" not in report["infeasible_because"]


def test_fit_targets_reuses_a_precomputed_projection(iaf1260, ishii, fixed_fit, monkeypatch):
    subset = _subset(ishii, ["REF", "WT_0.1h-1", "pgl"])
    expected = fit_targets(iaf1260, subset)
    calls = []
    real = fba_fit_module.fba_fit

    def counting(*args, **kwargs):
        calls.append(kwargs["uptakes"])
        return real(*args, **kwargs)

    monkeypatch.setattr(fba_fit_module, "fba_fit", counting)
    reused = fit_targets(iaf1260, subset, fixed=fixed_fit)
    assert calls == ["open"]  # the fixed-uptake projection is not computed again
    pd.testing.assert_frame_equal(reused, expected)
    assert reused.notna().all().all()  # WT_0.1h-1 (infeasible when fixed) filled from "open"
    np.testing.assert_allclose(reused.loc["REF"], fixed_fit.fluxes.loc["REF"])
    calls.clear()
    fit_targets(iaf1260, subset)
    assert calls == ["fixed", "open"]


def test_fit_targets_refuses_a_projection_made_otherwise(iaf1260, ishii, fixed_fit):
    subset = _subset(ishii, ["REF", "WT_0.1h-1", "pgl"])
    bounded = dataclasses.replace(fixed_fit, options={**fixed_fit.options, "uptakes": "bounded"})
    with pytest.raises(ValueError, match="'uptakes': 'bounded'"):
        fit_targets(iaf1260, subset, fixed=bounded)
    with pytest.raises(ValueError, match="other samples"):
        fit_targets(iaf1260, _subset(ishii, ["REF", "pgl", "WT_0.1h-1"]), fixed=fixed_fit)
    few = dataclasses.replace(fixed_fit, fluxes=fixed_fit.fluxes.iloc[:, :5])
    with pytest.raises(ValueError, match="5 of 47 columns"):
        fit_targets(iaf1260, subset, fixed=few)


def test_no_farther_from_the_data_than_the_released_fit(iaf1260, ishii):
    """In the release's setting (uptakes uncapped, growth fixed, no knock-out) the released fit
    lies inside our FBA space, so the nearest point cannot be farther from the measurement."""
    samples = ["REF", "WT_0.1h-1", "WT_0.7h-1", "pgi"]
    data = _subset(ishii, samples)
    released = load_ishii(RELEASED).fluxes.loc[samples]
    ours = fba_fit(iaf1260, data, uptakes="open", knockout="none")
    inside = fba_fit(iaf1260, dataclasses.replace(data, fluxes=released), uptakes="open",
                     knockout="none")
    assert (inside.report["distance"] < 1e-3).all()
    ours_distance = ours.report["distance"]
    assert (ours_distance <= fit_distance(released, data.fluxes) + 1e-6).all()
    np.testing.assert_allclose(ours_distance, fit_distance(ours.fluxes, data.fluxes))
    # like the release, this mode departs from the measured uptakes (WT_0.1h-1: 1.34 glucose)
    assert ours.fluxes.loc["WT_0.1h-1", UPTAKES[0]] > ishii.fluxes.loc["WT_0.1h-1", UPTAKES[0]]


def test_model_and_inputs_are_left_unchanged(iaf1260, ishii):
    data = _subset(ishii, ["pgi"])
    copies = {f.name: getattr(data, f.name).copy() for f in dataclasses.fields(data)}
    before = _bounds(iaf1260)
    fba_fit(iaf1260, data, knockout="reactions")
    assert _bounds(iaf1260) == before
    for name, frame in copies.items():
        pd.testing.assert_frame_equal(getattr(data, name), frame)


# --- e_coli_core: small, exact cases --------------------------------------------------------

CORE_BIOMASS = "R_Biomass_Ecoli_core"
CORE_TARGETS = [*UPTAKES, "R_PGI_fwd", "R_PDH", "R_EX_co2_e_fwd", CORE_BIOMASS]


@pytest.fixture(scope="module")
def core():
    model = load_gem("e_coli_core")
    with use_medium(model, "glucose_minimal_aerobic"):
        return split_reversible(model)


def _core_data(ishii, fluxes: pd.DataFrame):
    samples = list(fluxes.index)
    return dataclasses.replace(_subset(ishii, samples), fluxes=fluxes)


@pytest.fixture(scope="module")
def core_solution(core):
    """An FBA solution of the split core model at glucose 5: a 'measurement' inside the space."""
    with core:
        core.reactions.EX_glc__D_e_rev.upper_bound = 5.0
        fluxes = core.optimize().fluxes
    return {flux_id: float(fluxes[flux_id[2:]]) for flux_id in CORE_TARGETS}


@pytest.mark.parametrize("solver", ["CLARABEL", "OSQP"])
def test_a_feasible_measurement_is_its_own_fit(core, ishii, core_solution, solver):
    fluxes = pd.DataFrame([core_solution], index=pd.Index(["REF"], name="experiment"))
    fit = fba_fit(core, _core_data(ishii, fluxes), fix=(CORE_BIOMASS,), solver=solver)
    assert fit.report.loc["REF", "status"] == "optimal"
    assert fit.report.loc["REF", "distance"] < 1e-4
    np.testing.assert_allclose(fit.fluxes.loc["REF"], fluxes.loc["REF"], atol=1e-4)


def test_net_space_does_not_buy_a_flux_with_a_futile_cycle(core, ishii, core_solution):
    measured = dict(core_solution, R_PGI_fwd=core_solution["R_PGI_fwd"] + 50.0)
    fluxes = pd.DataFrame([measured], index=pd.Index(["REF"], name="experiment"))
    data = _core_data(ishii, fluxes)
    net = fba_fit(core, data, fix=(CORE_BIOMASS,))
    split = fba_fit(core, data, fix=(CORE_BIOMASS,), space="split")
    assert split.fluxes.loc["REF", "R_PGI_fwd"] == pytest.approx(measured["R_PGI_fwd"], abs=1e-4)
    assert split.full.loc["REF", "R_PGI_rev"] > 40  # reached through PGI_fwd + PGI_rev
    assert net.fluxes.loc["REF", "R_PGI_fwd"] < 10  # glucose 5 cannot carry 50 net
    assert min(net.full.loc["REF", ["R_PGI_fwd", "R_PGI_rev"]]) < 1e-9


def test_infeasible_model_itself_is_named(core, ishii, core_solution):
    fluxes = pd.DataFrame([core_solution], index=pd.Index(["REF"], name="experiment"))
    with core:
        core.reactions.ATPM.lower_bound = 900.0  # more maintenance than any uptake can pay
        fit = fba_fit(core, _core_data(ishii, fluxes), uptakes="free", knockout="none", fix=())
    assert fit.report.loc["REF", "status"] == "infeasible"
    assert fit.report.loc["REF", "infeasible_because"].startswith("the model/medium itself")
    assert core.reactions.ATPM.lower_bound == 8.39


def test_bad_input_names_the_id_sample_and_column(core, ishii, core_solution):
    fluxes = pd.DataFrame([core_solution], index=pd.Index(["REF"], name="experiment"))
    data = _core_data(ishii, fluxes)
    with pytest.raises(ValueError, match="'uptakes' parameter must be one of"):
        fba_fit(core, data, uptakes="measured")
    with pytest.raises(ValueError, match="'knockout' parameter"):
        fba_fit(core, data, knockout="genes")
    with pytest.raises(ValueError, match="'solver' parameter"):
        fba_fit(core, data, solver="GLPK")
    with pytest.raises(ValueError, match=r"\['R_NOPE'\] are not columns"):
        fba_fit(core, data, targets=["R_NOPE"], fix=())
    with pytest.raises(ValueError, match="pass fix=\\(\\) to fix none"):
        fba_fit(core, data)  # iAF1260's biomass is not among the core targets
    renamed = _core_data(ishii, fluxes.rename(columns={"R_PDH": "R_PDH_fwd"}))
    with pytest.raises(FluxIdError, match="R_PDH_fwd"):
        fba_fit(core, renamed, fix=())
    missing = fluxes.copy()
    missing.loc["REF", "R_PDH"] = np.nan
    with pytest.raises(ValueError, match="sample 'REF', column 'R_PDH'"):
        fba_fit(core, _core_data(ishii, missing), fix=())
    assert not fluxes.isna().any().any()


def test_fit_difference_per_flux():
    samples = pd.Index(["a", "b", "c"], name="experiment")
    ours = pd.DataFrame({"x": [1.0, 2.0, np.nan], "y": [0.0, 0.0, np.nan]}, index=samples)
    theirs = pd.DataFrame({"y": [1.0, 3.0, 5.0], "x": [1.0, 1.0, 1.0]}, index=samples)
    table = fit_difference(ours, theirs)
    assert list(table.index) == ["y", "x"]
    assert table.loc["y"].tolist() == [3.0, 2.0, 2]
    assert table.loc["x"].tolist() == [1.0, 0.5, 2]
    with pytest.raises(ValueError, match=r"lacks flux column\(s\) \['z'\]"):
        fit_difference(ours.assign(z=0.0), theirs)
