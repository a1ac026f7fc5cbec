"""Mapping flux-table ids onto models (helpers.gem.ids)."""

from __future__ import annotations

import pytest

from helpers.gem import FluxIdError, base_id, load_gem, map_flux_ids, split_reversible, to_flux_id


@pytest.fixture(scope="module")
def split_core():
    return split_reversible(load_gem("e_coli_core"))


def test_ishii_style_ids_map_with_and_without_prefix(split_core):
    mapping = map_flux_ids(split_core, ["R_PGI_fwd", "R_EX_glc__D_e_rev", "PFK"])
    assert mapping == {"R_PGI_fwd": "PGI_fwd", "R_EX_glc__D_e_rev": "EX_glc__D_e_rev", "PFK": "PFK"}


def test_error_lists_every_unmapped_id(split_core):
    with pytest.raises(FluxIdError, match=r"2 flux id\(s\) do not map.*'R_GLCptspp'.*'R_NOPE_rev'") as err:
        map_flux_ids(split_core, ["R_PGI_fwd", "R_GLCptspp", "R_NOPE_rev"])
    assert err.value.unmapped == ["R_GLCptspp", "R_NOPE_rev"]


def test_directional_ids_map_onto_unsplit_reactions_only_when_allowed():
    core = load_gem("e_coli_core")
    with pytest.raises(FluxIdError, match="R_PGI_rev"):
        map_flux_ids(core, ["R_PGI_rev"])
    assert map_flux_ids(core, ["R_PGI_rev"], allow_base=True) == {"R_PGI_rev": "PGI"}


def test_id_helpers():
    assert base_id("PGI_fwd") == ("PGI", "fwd")
    assert base_id("PFK") == ("PFK", None)
    assert to_flux_id("PGI_rev") == "R_PGI_rev" and to_flux_id("R_PFK") == "R_PFK"
