"""Blocked reactions with two back-ends (helpers.gem.blocked), on e_coli_core for speed."""

from __future__ import annotations

import cobra
import pytest

from helpers.gem.blocked import blocked_reactions

MEDIA = [{"EX_glc__D_e": -10, "EX_o2_e": 0}, {"EX_glc__D_e": -10},
         {"EX_glc__D_e": 0, "EX_fru_e": -5, "EX_o2_e": -5}]

#: What the two searches this function replaced returned on these media (FVA-reduction's
#: ``_flux_carrying`` at tol 1e-9, MOME's GLPK ``blocked_reactions`` at cobra's default cutoff),
#: recorded before they were merged: both back-ends must keep giving exactly these, in this order.
BEFORE = [
    ["CYTBD", "EX_fru_e", "EX_fum_e", "EX_gln__L_e", "EX_mal__L_e", "EX_o2_e", "FRUpts2",
     "FUMt2_2", "GLNabc", "MALt2_2", "O2t"],
    ["EX_fru_e", "EX_fum_e", "EX_gln__L_e", "EX_mal__L_e", "FRUpts2", "FUMt2_2", "GLNabc",
     "MALt2_2"],
    ["EX_fum_e", "EX_glc__D_e", "EX_gln__L_e", "EX_mal__L_e", "FUMt2_2", "GLCpts", "GLNabc",
     "MALt2_2"],
]


def _with_medium(lower_bounds: dict[str, float]) -> cobra.Model:
    model = cobra.io.load_model("textbook")
    for rid, value in lower_bounds.items():
        model.reactions.get_by_id(rid).lower_bound = float(value)
    return model


@pytest.mark.parametrize(("medium", "expected"), list(zip(MEDIA, BEFORE, strict=True)))
def test_both_back_ends_give_what_their_callers_got_before(medium, expected):
    model = _with_medium(medium)
    assert blocked_reactions(model, method="fast") == expected
    assert blocked_reactions(model, method="cobra", tol=1e-9) == expected


@pytest.mark.parametrize("medium", MEDIA)
def test_back_ends_equal_cobra_fva_and_find_blocked(medium):
    from cobra.flux_analysis import find_blocked_reactions, flux_variability_analysis

    model = _with_medium(medium)
    fva = flux_variability_analysis(model, fraction_of_optimum=0.0)
    by_fva = set(fva.index[(fva["minimum"].abs() <= 1e-9) & (fva["maximum"].abs() <= 1e-9)])
    assert set(blocked_reactions(model, method="cobra", tol=1e-9)) == by_fva
    assert set(blocked_reactions(model, method="fast")) == set(
        find_blocked_reactions(model, open_exchanges=False))


def test_the_model_is_left_unchanged():
    model = _with_medium(MEDIA[0])
    objective = str(model.objective.expression)
    blocked_reactions(model, method="cobra")
    assert str(model.objective.expression) == objective


def test_errors_name_the_problem():
    model = cobra.io.load_model("textbook")
    with pytest.raises(ValueError, match=r"'method' parameter must be one of \['cobra', 'fast'\]"):
        blocked_reactions(model, method="glpk")
    with pytest.raises(ValueError, match="zero cutoff cannot be less"):
        blocked_reactions(model, method="fast", tol=1e-12)
    model.reactions.ATPM.lower_bound = 500.0  # more maintenance than any uptake can pay
    model.reactions.EX_glc__D_e.lower_bound = -1.0
    with pytest.raises(ValueError, match="no feasible flux"):
        blocked_reactions(model, method="fast")
