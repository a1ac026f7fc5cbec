"""Summaries of a reservoir block's check (helpers.book.block_summary, chapter 06)."""

from __future__ import annotations

import pandas as pd
import pytest

from helpers.book.block_summary import block_summary, compare_blocks


def _check(q2_growth: float, shift: float = 0.0) -> dict:
    fluxes = pd.DataFrame({"flux": ["growth", "a", "b", "c"],
                           "Q2_pfba": [q2_growth, 0.2 + shift, 0.8 + shift, -5.0],
                           "varies": [True, True, True, False]})
    residual = pd.DataFrame({"V0": [1.0, 2.0, 3.0], "V_K": [0.1, 0.3, 0.2]})
    return {"fluxes": fluxes, "residual": residual}


def test_block_summary_uses_varying_fluxes_and_the_layer_output():
    summary = block_summary(_check(0.9), "growth")
    # the constant flux 'c' (Q2 -5) is left out of the median; growth is a varying flux
    assert summary == {"Q2 growth": 0.9, "median Q2 (varying)": pytest.approx(0.8),
                       "median ‖SV‖²/m": pytest.approx(0.2)}
    with pytest.raises(KeyError, match="'biomass'"):
        block_summary(_check(0.9), "biomass")


def test_compare_blocks_one_column_per_block():
    table = compare_blocks({"released": _check(0.9), "retrained": _check(0.1, shift=-0.1)},
                           "growth")
    assert list(table.columns) == ["released", "retrained"]
    assert table.loc["Q2 growth", "retrained"] == pytest.approx(0.1)
    assert table.loc["median Q2 (varying)", "retrained"] == pytest.approx(0.1)
