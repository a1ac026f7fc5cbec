"""Sizes and comparisons of GEM variants (Table 1 of the MINN paper and its explanations).

Introduced in chapter ``02_gem_preparation``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import cobra
import pandas as pd

from helpers.gem.ids import base_id, strip_prefix

__all__ = ["gem_size", "split_count", "removed_by_subsystem", "compare_reactions"]

_RULES = ("bounds", "lower_bound")


def gem_size(model: cobra.Model) -> dict[str, int]:
    """Reactions, metabolites (all, and those in at least one reaction) and genes of a model."""
    return {
        "reactions": len(model.reactions),
        "metabolites": len(model.metabolites),
        "active_metabolites": sum(1 for m in model.metabolites if m.reactions),
        "genes": sum(1 for g in model.genes if g.reactions),
    }


def split_count(model: cobra.Model, *, rule: str = "bounds", exclude_boundary: bool = False) -> int:
    """How many reactions ``model`` would have once split, without building the split model.

    Parameters
    ----------
    rule
        ``"bounds"``: a reaction with ``lb < 0 < ub`` counts twice (this book's
        :func:`helpers.gem.split_reversible`); ``"lower_bound"``: every reaction with ``lb < 0``
        counts twice, as when the SBML ``reversible`` flag is set for backward-only reactions and
        CBMPy splits on that flag.
    exclude_boundary
        Leave out exchange / demand / sink reactions (``model.boundary``).
    """
    if rule not in _RULES:
        raise ValueError(f"The 'rule' parameter must be one of {list(_RULES)}. Got {rule!r} instead.")
    boundary = {r.id for r in model.boundary} if exclude_boundary else set()
    total = 0
    for reaction in model.reactions:
        if reaction.id in boundary:
            continue
        lb, ub = reaction.bounds
        two = lb < 0 < ub if rule == "bounds" else lb < 0
        total += 2 if two else 1
    return total


def removed_by_subsystem(model: cobra.Model, removed: Mapping[str, Iterable[str]]) -> pd.DataFrame:
    """Per subsystem of ``model``: its reaction count and how many each reduction removed.

    Parameters
    ----------
    model
        The unsplit full model (its ``subsystem`` annotations are used; empty -> "(none)").
    removed
        Reduction name -> removed (unsplit) reaction ids, e.g. ``{"FVA": fva.removed}``.

    Returns
    -------
    pandas.DataFrame
        Index subsystem; columns ``reactions`` then one per reduction, largest subsystems first.
    """
    subsystem = pd.Series({r.id: r.subsystem or "(none)" for r in model.reactions})
    frame = subsystem.value_counts().rename("reactions").to_frame()
    for name, ids in removed.items():
        frame[name] = subsystem.loc[list(ids)].value_counts()
    return frame.fillna(0).astype(int).sort_values("reactions", ascending=False)


def compare_reactions(ours: Iterable[str], theirs: Iterable[str]) -> dict[str, list[str]]:
    """Compare two reaction sets by unsplit id (``R_`` prefix and ``_fwd`` / ``_rev`` ignored).

    Returns ``{"common": [...], "only_ours": [...], "only_theirs": [...]}``, each sorted.
    """

    def bases(ids):
        return {base_id(strip_prefix(i))[0] for i in ids}

    a, b = bases(ours), bases(theirs)
    return {"common": sorted(a & b), "only_ours": sorted(a - b), "only_theirs": sorted(b - a)}
