"""How much of a chapter's paper-profile study the results store holds, as data.

:func:`helpers.book.paper.tables.paper_table` and :func:`helpers.book.paper.mome_tables.mome_table`
return a :class:`StoreStatus` beside their table; the chapter writes the caption's words and
:func:`helpers.book.captions.store_caption` adds the status to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd


@dataclass(frozen=True)
class StoreStatus:
    """Per row of a paper-profile table: units ``done`` of ``planned`` (``unit`` "folds" for the
    MINN chapters, "seeds" for MOME), ``diverged`` units (a fold whose training diverged is
    computed but has no prediction), the ``stale`` units not used and the ``commits`` that
    computed the used ones."""

    chapter: str
    unit: str
    done: Mapping[str, int]
    planned: Mapping[str, int]
    diverged: Mapping[str, int] = field(default_factory=dict)
    stale: int = 0
    commits: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if set(self.done) != set(self.planned):
            raise ValueError(f"StoreStatus of {self.chapter!r}: rows {sorted(self.done)} done "
                             f"but {sorted(self.planned)} planned.")

    @property
    def missing(self) -> int:
        """Units still to compute (diverged ones are computed)."""
        return sum(self.planned[r] - self.done[r] - self.diverged.get(r, 0) for r in self.planned)

    @property
    def state(self) -> str:
        """"complete" (nothing missing), "partial" or "empty" (no unit computed)."""
        if self.missing == 0:
            return "complete"
        return "partial" if sum(self.done.values()) + sum(self.diverged.values()) else "empty"

    @property
    def command(self) -> str:
        """The command that computes the chapter's missing units."""
        return f"python -m helpers.book paper run --chapter {self.chapter}"

    def counts(self) -> pd.DataFrame:
        """One row per table row: ``row``, ``done``, ``diverged``, ``planned``."""
        return pd.DataFrame([{"row": r, "done": self.done[r],
                              "diverged": self.diverged.get(r, 0), "planned": self.planned[r]}
                             for r in self.planned])
