"""A reservoir block's check against pFBA in three numbers, and blocks side by side.

Introduced in chapter ``06_reservoir_pfba``: the released block and one retrained in the chapter
are scored on the same held-out simulations (:func:`helpers.evaluation.reservoir_pfba.block_check`)
and summarised by :func:`block_summary`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

__all__ = ["block_summary", "compare_blocks"]


def block_summary(check: Mapping[str, pd.DataFrame], growth_id: str) -> dict[str, float]:
    """Q² of growth against pFBA, the median Q² of the fluxes that vary, and the median
    steady-state residual ``||S V||²/m`` of the block's output, from one ``block_check``."""
    fluxes = check["fluxes"].set_index("flux")
    if growth_id not in fluxes.index:
        raise KeyError(f"growth reaction {growth_id!r} is not among the block's fluxes")
    return {
        "Q2 growth": float(fluxes.loc[growth_id, "Q2_pfba"]),
        "median Q2 (varying)": float(fluxes[fluxes["varies"]]["Q2_pfba"].median()),
        "median ‖SV‖²/m": float(check["residual"]["V_K"].median()),
    }


def compare_blocks(checks: Mapping[str, Mapping[str, pd.DataFrame]],
                   growth_id: str) -> pd.DataFrame:
    """One column per block (name -> its ``block_check``), one row per :func:`block_summary`
    number."""
    return pd.DataFrame({name: block_summary(check, growth_id) for name, check in checks.items()})
