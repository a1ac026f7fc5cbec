"""pFBA baseline: split mapping, model left unchanged, infeasible samples reported."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from helpers.evaluation.pfba import net_to_split, pfba_predictions
from helpers.gem import load_gem


def test_net_to_split_directions():
    net = pd.Series({"PGI": -2.0, "PFK": 3.0})
    split = net_to_split(net, ["R_PGI_fwd", "R_PGI_rev", "R_PFK"])
    assert split.to_dict() == {"R_PGI_fwd": 0.0, "R_PGI_rev": 2.0, "R_PFK": 3.0}
    with pytest.raises(KeyError, match="reaction 'NOPE' is not in the model"):
        net_to_split(net, ["R_NOPE_fwd"])


@pytest.fixture(scope="module")
def iaf1260():
    return load_gem("iAF1260")


def _subset(data, samples):
    return dataclasses.replace(data, **{f.name: getattr(data, f.name).loc[samples]
                                        for f in dataclasses.fields(data)})


def test_pgi_knockout_zeroes_pgi_and_leaves_model_unchanged(ishii, iaf1260):
    bounds = {r.id: r.bounds for r in iaf1260.reactions}
    predictions, status = pfba_predictions(iaf1260, _subset(ishii, ["REF", "pgi"]))
    assert (status["status"] == "optimal").all()
    assert predictions.loc["pgi", "R_PGI_fwd"] == 0 and predictions.loc["REF", "R_PGI_fwd"] > 1
    assert predictions.loc["REF", "R_GLCptspp"] == pytest.approx(ishii.fluxes.loc["REF", "R_EX_glc__D_e_rev"], abs=1e-6)
    assert {r.id: r.bounds for r in iaf1260.reactions} == bounds


def test_infeasible_sample_is_reported_not_dropped(ishii, iaf1260):
    data = _subset(ishii, ["REF", "WT_0.1h-1"])
    fluxes = data.fluxes.copy()
    fluxes.loc["WT_0.1h-1", "R_EX_o2_e_rev"] = 0.0
    fluxes.loc["WT_0.1h-1", "R_EX_glc__D_e_rev"] = 0.0  # no carbon: ATP maintenance infeasible
    predictions, status = pfba_predictions(iaf1260, dataclasses.replace(data, fluxes=fluxes))
    assert list(predictions.index) == ["REF", "WT_0.1h-1"]
    assert status.loc["WT_0.1h-1", "status"] != "optimal"
    assert predictions.loc["WT_0.1h-1"].isna().all()


def test_only_solver_failures_are_reported_and_objective_is_named(ishii, iaf1260, monkeypatch):
    """Review items 8, 16: a bug is not reported as 'infeasible'; no objective names the model."""
    from helpers.evaluation import pfba as module

    data = _subset(ishii, ["REF"])

    def broken(model):
        raise RuntimeError("a bug, not an infeasible LP")

    with monkeypatch.context() as patch:
        patch.setattr(module, "pfba", broken)
        with pytest.raises(RuntimeError, match="a bug"):
            pfba_predictions(iaf1260, data)
    with iaf1260:
        for reaction in iaf1260.reactions:
            reaction.objective_coefficient = 0
        with pytest.raises(ValueError, match=r"Model 'iAF1260' must have exactly one objective "
                                             r"reaction .* found 0"):
            module._objective_id(iaf1260)
