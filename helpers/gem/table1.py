"""Table 1 of {cite}`tazza2025minn` regenerated: every GEM variant's size beside the paper's, and why.

Introduced in chapter ``02_gem_preparation``: :data:`TABLE1_ROWS` lists the rows (which model,
which of the paper's counts, the note on any difference) and :func:`table1` measures the models
the chapter built (:func:`helpers.gem.table_row`) into one frame, in that order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import cobra
import pandas as pd

from helpers.gem.summary import PAPER_TABLE1, table_row

__all__ = ["Table1Row", "TABLE1_ROWS", "table1"]


@dataclass(frozen=True)
class Table1Row:
    """One row of Table 1: the model's key, the row's label, the paper's count and a note.

    ``paper`` is ``(key of PAPER_TABLE1, 0 for the original / 1 for the reduced count)``, or
    None for a model the paper does not have. ``gem`` may hold ``{fba_used}`` and
    ``{fba_samples}`` (the FBA-reduction's usable and drawn samples).
    """

    key: str
    gem: str
    paper: tuple[str, int] | None
    note: str

    def paper_count(self) -> int | None:
        """The paper's split-reaction count for this row (None when it has none)."""
        return None if self.paper is None else PAPER_TABLE1[self.paper[0]][self.paper[1]]


TABLE1_ROWS: tuple[Table1Row, ...] = (
    Table1Row("iaf", "iAF1260 (split)", ("iAF1260", 0), "matches"),
    Table1Row("iaf_fva", "iAF1260 FVA-reduced", ("iAF1260 FVA-reduced", 1),
              "matches; reactions with a non-zero minimum or maximum are kept (ATPM included)"),
    Table1Row("iaf_fba", "iAF1260 FBA-reduced ({fba_used} of {fba_samples} FBA samples)",
              ("iAF1260 FBA-reduced", 1),
              "which of the alternative FBA optima the solver returns, the random knock-outs and "
              "the handling of lethal samples decide the union; misses measured fluxes"),
    Table1Row("iaf_fba_protected", "iAF1260 FBA-reduced, 47 Ishii fluxes protected",
              ("iAF1260 FBA-reduced", 1),
              "plus one FBA solution per measured flux, so all stay usable"),
    Table1Row("core", "e_coli_core (split)", ("e_coli_core", 0),
              "the standard BiGG model; 115 = internal reactions only, split on the SBML flag"),
    Table1Row("core_fva", "e_coli_core FVA-reduced (not in the paper)", None,
              "glucose minimal, O2 <= 1000: not 115 either"),
    Table1Row("inf", "iNF517 (split, iNF517_minn medium)", ("iNF517 FVA-reduced", 0),
              "registry copy has O2t, PDH, ACONT, ICDHyr closed; split on bounds after the "
              "medium"),
    Table1Row("inf_fva", "iNF517 FVA-reduced", ("iNF517 FVA-reduced", 1),
              "same four reactions closed in the registry copy"),
    Table1Row("inf_open", "iNF517 FVA-reduced, 4 reactions re-opened", ("iNF517 FVA-reduced", 1),
              "same reactions as the authors'; they also split reactions reversible before the "
              "medium"),
    Table1Row("inf_theirs", "iNF517 FVA-reduced (authors' file)", ("iNF517 FVA-reduced", 1),
              "the MINN release's model, loaded as is"),
)


def table1(models: Mapping[str, cobra.Model], *, fba_used: int, fba_samples: int,
           rows: tuple[Table1Row, ...] = TABLE1_ROWS) -> pd.DataFrame:
    """Table 1: one :func:`helpers.gem.table_row` per row of ``rows``, in order.

    ``models`` maps each row's ``key`` to the (split) model the chapter built; a missing key is a
    :class:`KeyError` naming every missing one. The paper's count and the difference are
    nullable integers (no "141.0", no NaN for a row the paper lacks).
    """
    missing = [row.key for row in rows if row.key not in models]
    if missing:
        raise KeyError(f"no model for Table 1 row(s) {missing}; given {sorted(models)}")
    frame = pd.DataFrame([
        table_row(row.gem.format(fba_used=fba_used, fba_samples=fba_samples), models[row.key],
                  row.paper_count(), row.note)
        for row in rows
    ])
    return frame.astype({"paper_reactions": "Int64", "difference": "Int64"})
