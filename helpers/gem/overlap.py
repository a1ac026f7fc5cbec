"""Which reactions two versions of a GEM share, by exact (split) id.

Introduced in chapter ``06_reservoir_pfba``, where the authors' 587-reaction FBA-reduced iAF1260
is set beside the FBA reduction of chapter ``02_gem_preparation``.
(:func:`helpers.gem.compare_reactions` compares by unsplit id instead.)
"""

from __future__ import annotations

from dataclasses import dataclass

import cobra
import pandas as pd

__all__ = ["ReactionOverlap", "reaction_overlap"]


@dataclass(frozen=True)
class ReactionOverlap:
    """The reactions of two models: how many each has, and the ids only one of them has."""

    first: str
    second: str
    n_first: int
    n_second: int
    only_first: list[str]
    only_second: list[str]

    def counts(self) -> pd.Series:
        """The four counts as a Series ``reactions`` indexed by ``model``, for a table."""
        return pd.Series({self.first: self.n_first, self.second: self.n_second,
                          f"only in {self.first}": len(self.only_first),
                          f"only in {self.second}": len(self.only_second)},
                         name="reactions").rename_axis("model")


def reaction_overlap(first: cobra.Model, second: cobra.Model, *,
                     names: tuple[str, str] = ("first", "second")) -> ReactionOverlap:
    """Compare the reaction ids of two models (sorted id lists of what only one of them has)."""
    a = {r.id for r in first.reactions}
    b = {r.id for r in second.reactions}
    return ReactionOverlap(names[0], names[1], len(a), len(b), sorted(a - b), sorted(b - a))
